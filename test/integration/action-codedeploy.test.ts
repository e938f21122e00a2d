import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import {
  CodeDeployClient,
  CreateApplicationCommand,
  CreateDeploymentGroupCommand,
  ListDeploymentsCommand,
} from '@aws-sdk/client-codedeploy';
import {
  CreateClusterCommand,
  ECSClient,
  ListTaskDefinitionsCommand,
  type CreateServiceCommandInput,
} from '@aws-sdk/client-ecs';
import { runActionProcess, type ActionRun } from '../support/action-process.js';
import {
  awsEnv,
  createDefaultNetwork,
  createFargateService,
  registerFargateTaskDefinition,
  testAwsConfig,
  type TestNetwork,
} from '../support/aws.js';
import { startFaultProxy, type FaultProxy, type ProxyResponse } from '../support/fault-proxy.js';
import { startMoto, type Moto } from '../support/moto.js';

// dist/index.js deploying a prebuilt image to a service with the CODE_DEPLOY controller, against
// moto's ECS and CodeDeploy. moto 5.2.1 keeps the controller, the application, the deployment
// group and the deployment with its AppSpec (read back here from moto itself), but never moves a
// deployment past `Created`, implements neither ListDeploymentTargets, BatchGetDeploymentTargets
// nor StopDeployment (500), and writes GetDeployment's times as text the SDK refuses. So the proxy
// turns those times into epoch seconds as AWS sends them and, where a case needs CodeDeploy to
// progress, answers the status and the lifecycle events as CodeDeploy does for an ECS target.
let moto: Moto;
let proxy: FaultProxy;
let ecs: ECSClient;
let codedeploy: CodeDeployClient;
let network: TestNetwork;
let original: string;

const CLUSTER = 'prod';
const SERVICE = 'web-bg';
const APPLICATION = 'web';
const GROUP = 'web-bg-group';
const IMAGE = `127.0.0.1:5000/web@sha256:${'e'.repeat(64)}`;
const CODEDEPLOY_INPUTS = {
  'codedeploy-application': APPLICATION,
  'codedeploy-deployment-group': GROUP,
};

beforeAll(async () => {
  moto = await startMoto({ servicesRunning: 1 });
  proxy = await startFaultProxy(moto.url);
  ecs = new ECSClient(testAwsConfig(moto.url));
  codedeploy = new CodeDeployClient(testAwsConfig(moto.url));
});

afterAll(async () => {
  ecs?.destroy();
  codedeploy?.destroy();
  await Promise.allSettled([moto?.stop(), proxy?.stop()]);
});

beforeEach(async () => {
  await moto.reset();
  proxy.clear();
  await ecs.send(new CreateClusterCommand({ clusterName: CLUSTER }));
  network = await createDefaultNetwork(moto.url);
  const definition = await registerFargateTaskDefinition(ecs, 'web', [
    {
      name: 'web',
      image: 'public.ecr.aws/nginx/nginx:1.27',
      portMappings: [{ containerPort: 8080 }],
    },
  ]);
  original = definition.taskDefinitionArn ?? '';
  await createService(SERVICE, {
    deploymentController: { type: 'CODE_DEPLOY' },
    loadBalancers: [
      {
        targetGroupArn:
          'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web-blue/0123456789abcdef',
        containerName: 'web',
        containerPort: 8080,
      },
    ],
    platformVersion: '1.4.0',
  });
  await codedeploy.send(
    new CreateApplicationCommand({ applicationName: APPLICATION, computePlatform: 'ECS' }),
  );
  await codedeploy.send(
    new CreateDeploymentGroupCommand({
      applicationName: APPLICATION,
      deploymentGroupName: GROUP,
      serviceRoleArn: 'arn:aws:iam::123456789012:role/codedeploy-ecs',
      deploymentConfigName: 'CodeDeployDefault.ECSAllAtOnce',
      ecsServices: [{ clusterName: CLUSTER, serviceName: SERVICE }],
      deploymentStyle: { deploymentType: 'BLUE_GREEN', deploymentOption: 'WITH_TRAFFIC_CONTROL' },
      autoRollbackConfiguration: { enabled: true, events: ['DEPLOYMENT_FAILURE'] },
    }),
  );
  // moto writes GetDeployment's times as '2026-12-04 10:00:00.000000+00:00'; AWS sends epoch
  // seconds, and the SDK refuses anything else.
  proxy.intercept('codedeploy.GetDeployment', (_request, response) => {
    if (response.status !== 200) return undefined;
    const body = JSON.parse(response.body) as { deploymentInfo?: Record<string, unknown> };
    for (const field of ['createTime', 'startTime', 'completeTime']) {
      const value = body.deploymentInfo?.[field];
      if (body.deploymentInfo && typeof value === 'string') {
        body.deploymentInfo[field] = Date.parse(value.replace(' ', 'T')) / 1_000;
      } else if (body.deploymentInfo && value === null) {
        delete body.deploymentInfo[field];
      }
    }
    return { ...response, body: JSON.stringify(body) };
  });
  proxy.resetCounts();
});

async function createService(
  name: string,
  extra: Partial<CreateServiceCommandInput> = {},
): Promise<void> {
  await createFargateService(
    ecs,
    network,
    { cluster: CLUSTER, name, taskDefinition: original },
    {
      networkConfiguration: {
        awsvpcConfiguration: {
          subnets: network.subnetIds.slice(0, 1),
          securityGroups: [network.securityGroupId],
          assignPublicIp: 'DISABLED',
        },
      },
      ...extra,
    },
  );
}

function deploy(inputs: Record<string, string>, services = [SERVICE]): Promise<ActionRun> {
  return runActionProcess(
    { cluster: CLUSTER, service: services.join('\n'), image: IMAGE, ...inputs },
    {
      ...awsEnv(proxy.url),
      GITHUB_SHA: randomBytes(20).toString('hex'),
      GITHUB_REPOSITORY: 'acme/web',
      ECS_PAAS_POLL_MS: '100',
    },
  );
}

/** Revisions of the family, read from moto: a refused deploy must have registered none. */
async function revisions(): Promise<string[]> {
  const { taskDefinitionArns } = await ecs.send(
    new ListTaskDefinitionsCommand({ familyPrefix: 'web', status: 'ACTIVE' }),
  );
  return taskDefinitionArns ?? [];
}

/** Calls the Action made, by operation, as the proxy counted them. */
function calls(prefix: string): string[] {
  return Object.keys(proxy.counts()).filter((operation) => operation.startsWith(prefix));
}

/**
 * moto's own record of a deployment, asked over its JSON protocol directly: the SDK cannot read
 * moto's GetDeployment (see the top of the file), and going around the proxy keeps it honest.
 */
async function motoDeployment(deploymentId: string): Promise<Record<string, unknown>> {
  const response = await fetch(`${moto.url}/`, {
    method: 'POST',
    headers: {
      'X-Amz-Target': 'CodeDeploy_20141006.GetDeployment',
      'Content-Type': 'application/x-amz-json-1.1',
      Authorization:
        'AWS4-HMAC-SHA256 Credential=testing/20261204/us-east-1/codedeploy/aws4_request, SignedHeaders=host, Signature=0',
    },
    body: JSON.stringify({ deploymentId }),
  });
  if (!response.ok) throw new Error(`moto GetDeployment ${deploymentId}: ${response.status}`);
  return ((await response.json()) as { deploymentInfo: Record<string, unknown> }).deploymentInfo;
}

async function deploymentIds(): Promise<string[]> {
  const { deployments } = await codedeploy.send(
    new ListDeploymentsCommand({ applicationName: APPLICATION, deploymentGroupName: GROUP }),
  );
  return deployments ?? [];
}

function json(body: unknown): ProxyResponse {
  return {
    status: 200,
    headers: { 'content-type': 'application/x-amz-json-1.1' },
    body: JSON.stringify(body),
  };
}

const EVENTS = [
  'BeforeInstall',
  'Install',
  'AfterInstall',
  'AllowTestTraffic',
  'AfterAllowTestTraffic',
  'BeforeAllowTraffic',
  'AllowTraffic',
  'AfterAllowTraffic',
];

interface Round {
  status: string;
  /** Lifecycle event → status; the rest are Pending. */
  events: Record<string, string | { status: 'Failed'; message: string }>;
  deployment?: Record<string, unknown>;
}

/**
 * Makes CodeDeploy progress as scripted: each GetDeployment the Action makes moves one round on
 * (the last one stays), and the target's lifecycle events are those of the current round.
 */
function scriptDeployment(rounds: readonly Round[]): void {
  let round = -1;
  const current = (): Round => rounds[Math.min(Math.max(round, 0), rounds.length - 1)] as Round;
  proxy.intercept('codedeploy.GetDeployment', (_request, response) => {
    round += 1;
    const body = JSON.parse(response.body) as { deploymentInfo: Record<string, unknown> };
    Object.assign(body.deploymentInfo, { status: current().status }, current().deployment);
    return { ...response, body: JSON.stringify(body) };
  });
  proxy.answer('codedeploy.ListDeploymentTargets', () =>
    json({ targetIds: [`${CLUSTER}:${SERVICE}`] }),
  );
  proxy.answer('codedeploy.BatchGetDeploymentTargets', (request) => {
    const { deploymentId } = JSON.parse(request.body) as { deploymentId: string };
    return json({
      deploymentTargets: [
        {
          deploymentTargetType: 'ECSTarget',
          ecsTarget: {
            deploymentId,
            targetId: `${CLUSTER}:${SERVICE}`,
            targetArn: `arn:aws:ecs:us-east-1:123456789012:service/${CLUSTER}/${SERVICE}`,
            lastUpdatedAt: Date.now() / 1_000,
            status: current().status,
            lifecycleEvents: EVENTS.map((name) => {
              const event = current().events[name] ?? 'Pending';
              return typeof event === 'string'
                ? { lifecycleEventName: name, status: event }
                : {
                    lifecycleEventName: name,
                    status: 'Failed',
                    diagnostics: {
                      errorCode: 'ScriptFailed',
                      scriptName: '',
                      message: event.message,
                      logTail: '',
                    },
                  };
            }),
          },
        },
      ],
    });
  });
}

describe('dist/index.js refuses what it cannot deploy before anything is built or registered', () => {
  it('a CODE_DEPLOY service without codedeploy-application/-deployment-group: names the service, the controller and the inputs', async () => {
    // No image: the Action would build, and first make sure the ECR repository exists.
    const run = await deploy({ image: '', builder: 'podman', context: 'does-not-exist' });
    expect(run.status).not.toBe(0);
    expect(run.log).toContain(
      "Service 'web-bg' uses the CODE_DEPLOY deployment controller, so it is deployed through CodeDeploy: set the inputs 'codedeploy-application' and 'codedeploy-deployment-group'",
    );
    expect(calls('ECR.')).toEqual([]);
    expect(calls('codedeploy.')).toEqual([]);
    expect(await revisions()).toEqual([original]);
  });

  it('an EXTERNAL service, with the codedeploy inputs or without', async () => {
    await createService('legacy', { deploymentController: { type: 'EXTERNAL' } });
    const run = await deploy(CODEDEPLOY_INPUTS, ['legacy']);
    expect(run.status).not.toBe(0);
    expect(run.log).toContain(
      "'legacy' uses the EXTERNAL deployment controller, which ecs-paas cannot deploy",
    );
    expect(calls('ECS.RegisterTaskDefinition')).toEqual([]);
    expect(await revisions()).toEqual([original]);
  });

  it('an ECS and a CODE_DEPLOY service in one step, naming which to move to another step', async () => {
    await createService('worker');
    const run = await deploy(CODEDEPLOY_INPUTS, ['worker', SERVICE]);
    expect(run.status).not.toBe(0);
    expect(run.log).toContain(
      "Input 'service': 'web-bg' uses the CODE_DEPLOY controller and must be deployed alone (one deployment group per step); deploy 'worker' (ECS controller) in another step",
    );
    expect(calls('ECS.UpdateService')).toEqual([]);
    expect(await revisions()).toEqual([original]);
  });
});

describe('dist/index.js deploys a CODE_DEPLOY service through CodeDeploy', () => {
  it('creates the deployment with the AppSpec of the new revision, streams its lifecycle events, and never calls UpdateService', async () => {
    scriptDeployment([
      { status: 'InProgress', events: { BeforeInstall: 'InProgress' } },
      {
        status: 'InProgress',
        events: {
          BeforeInstall: 'Succeeded',
          Install: 'Succeeded',
          AfterInstall: 'Succeeded',
          AllowTestTraffic: 'Succeeded',
          AfterAllowTestTraffic: 'InProgress',
        },
      },
      {
        status: 'Succeeded',
        events: Object.fromEntries(EVENTS.map((name) => [name, 'Succeeded'])),
      },
    ]);
    const run = await deploy({
      ...CODEDEPLOY_INPUTS,
      'codedeploy-config': 'CodeDeployDefault.ECSCanary10Percent5Minutes',
      'codedeploy-hooks': 'AfterAllowTestTraffic=smoke-test\nBeforeInstall=warm-caches',
    });
    expect(run.status).toBe(0);

    const [id] = await deploymentIds();
    expect(run.outputs['codedeploy-deployment-id']).toBe(id);
    const newRevision = run.outputs['task-definition-arn'] ?? '';
    expect(newRevision).toMatch(/task-definition\/web:2$/);
    expect(await revisions()).toEqual([original, newRevision]);

    const stored = await motoDeployment(id ?? '');
    expect(stored.deploymentConfigName).toBe('CodeDeployDefault.ECSCanary10Percent5Minutes');
    const revision = stored.revision as {
      revisionType: string;
      appSpecContent: { content: string };
    };
    expect(revision.revisionType).toBe('AppSpecContent');
    expect(revision.appSpecContent.content.startsWith('{"version":0.0,')).toBe(true);
    expect(JSON.parse(revision.appSpecContent.content)).toEqual({
      version: 0,
      Resources: [
        {
          TargetService: {
            Type: 'AWS::ECS::Service',
            Properties: {
              TaskDefinition: newRevision,
              LoadBalancerInfo: { ContainerName: 'web', ContainerPort: 8080 },
              PlatformVersion: '1.4.0',
              NetworkConfiguration: {
                AwsvpcConfiguration: {
                  Subnets: network.subnetIds.slice(0, 1),
                  SecurityGroups: [network.securityGroupId],
                  AssignPublicIp: 'DISABLED',
                },
              },
            },
          },
        },
      ],
      Hooks: [{ BeforeInstall: 'warm-caches' }, { AfterAllowTestTraffic: 'smoke-test' }],
    });

    // Each event once, as it changed, in CodeDeploy's order.
    const lifecycle = run.log
      .split('\n')
      .filter((line) => line.startsWith(`${CLUSTER}:${SERVICE}: `))
      .map((line) => line.slice(`${CLUSTER}:${SERVICE}: `.length));
    expect(lifecycle).toEqual([
      "hook BeforeInstall (Lambda 'warm-caches') InProgress",
      "hook BeforeInstall (Lambda 'warm-caches') Succeeded",
      'phase Install Succeeded',
      'hook AfterInstall Succeeded',
      'phase AllowTestTraffic Succeeded',
      "hook AfterAllowTestTraffic (Lambda 'smoke-test') InProgress",
      "hook AfterAllowTestTraffic (Lambda 'smoke-test') Succeeded",
      'hook BeforeAllowTraffic Succeeded',
      'phase AllowTraffic Succeeded',
      'hook AfterAllowTraffic Succeeded',
    ]);
    expect(run.log).toContain(`CodeDeploy ${id}: InProgress`);
    expect(run.log).toContain(`CodeDeploy ${id}: Succeeded`);
    expect(calls('ECS.UpdateService')).toEqual([]);
    expect(run.outputs['rolled-back']).toBe('false');
  });

  it('on a failed hook, fails naming the hook, its Lambda and CodeDeploy diagnostics, and leaves the rollback to CodeDeploy', async () => {
    const message =
      'The deployment failed because the AfterAllowTestTraffic lifecycle event hook returned a status of Failed.';
    scriptDeployment([
      { status: 'InProgress', events: { BeforeInstall: 'Succeeded', Install: 'InProgress' } },
      {
        status: 'Failed',
        events: {
          BeforeInstall: 'Succeeded',
          Install: 'Succeeded',
          AfterInstall: 'Succeeded',
          AllowTestTraffic: 'Succeeded',
          AfterAllowTestTraffic: { status: 'Failed', message },
        },
        deployment: {
          errorInformation: {
            code: 'HOOK_EXECUTION_FAILURE',
            message:
              'The deployment failed because one or more of the lifecycle event hooks failed.',
          },
          rollbackInfo: {
            rollbackDeploymentId: 'd-ROLLBACK1',
            rollbackMessage: 'Automatic rollback triggered: the deployment failed',
          },
        },
      },
    ]);
    const run = await deploy({
      ...CODEDEPLOY_INPUTS,
      'codedeploy-hooks': 'AfterAllowTestTraffic=smoke-test',
    });
    expect(run.status).not.toBe(0);
    const [id] = await deploymentIds();
    expect(run.outputs['codedeploy-deployment-id']).toBe(id);
    expect(run.log).toContain(
      `::error::web-bg: CodeDeploy deployment ${id} failed in hook AfterAllowTestTraffic (Lambda 'smoke-test'): ScriptFailed: ${message}`,
    );
    expect(run.log).toContain(
      'deployment error: HOOK_EXECUTION_FAILURE: The deployment failed because one or more of the lifecycle event hooks failed.',
    );
    expect(run.log).toContain('CodeDeploy rolls back on its own: rollback deployment d-ROLLBACK1');
    expect(run.outputs['rolled-back']).toBe('true');
    expect(calls('ECS.UpdateService')).toEqual([]);
  });

  it.each([
    [
      'on-failure',
      true,
      'stopped it with automatic rollback: CodeDeploy puts traffic back on the original task set',
    ],
    [
      'never',
      false,
      'stopped it without rollback (rollback: never): traffic stays where CodeDeploy left it',
    ],
  ])(
    'when the wait runs out (rollback: %s), stops the deployment, autoRollbackEnabled %s, and says so',
    async (rollback, autoRollbackEnabled, said) => {
      // moto's own status throughout: Created, never started.
      proxy.answer('codedeploy.ListDeploymentTargets', () => json({ targetIds: [] }));
      const stops: Array<Record<string, unknown>> = [];
      proxy.answer('codedeploy.StopDeployment', (request) => {
        stops.push(JSON.parse(request.body) as Record<string, unknown>);
        return json({ status: 'Pending', statusMessage: 'Stopping the deployment' });
      });
      const run = await deploy({ ...CODEDEPLOY_INPUTS, 'wait-timeout': '2s', rollback });
      expect(run.status).not.toBe(0);
      const [id] = await deploymentIds();
      expect(stops).toEqual([{ deploymentId: id, autoRollbackEnabled }]);
      expect(run.log).toContain(`CodeDeploy ${id}: Created`);
      expect(run.log).toContain(
        `::error::web-bg: CodeDeploy deployment ${id} still Created after 2s (wait-timeout); ${said}`,
      );
      expect(run.outputs['codedeploy-deployment-id']).toBe(id);
      expect(run.outputs['rolled-back']).toBe(String(autoRollbackEnabled));
    },
  );

  it('with wait: false, creates the deployment, sets the output and does not follow it', async () => {
    const run = await deploy({ ...CODEDEPLOY_INPUTS, wait: 'false' });
    expect(run.status).toBe(0);
    const [id] = await deploymentIds();
    expect(run.outputs['codedeploy-deployment-id']).toBe(id);
    expect(calls('codedeploy.')).toEqual(['codedeploy.CreateDeployment']);
    expect(calls('ECS.UpdateService')).toEqual([]);
  });

  it('when the deployment cannot be read any more, fails naming it and says it goes on in CodeDeploy', async () => {
    proxy.inject('codedeploy.GetDeployment', { kind: 'server-error' }, 1_000);
    const run = await deploy({ ...CODEDEPLOY_INPUTS, 'max-retries': '1' });
    expect(run.status).not.toBe(0);
    const [id] = await deploymentIds();
    expect(run.outputs['codedeploy-deployment-id']).toBe(id);
    expect(run.log).toContain(`::error::web-bg: Could not read CodeDeploy deployment ${id}: `);
    expect(run.log).toContain('the deployment goes on in CodeDeploy');
    expect(calls('ECS.UpdateService')).toEqual([]);
  });

  it('when CodeDeploy refuses the deployment, names application and group and deregisters the revision it registered', async () => {
    const run = await deploy({
      ...CODEDEPLOY_INPUTS,
      'codedeploy-deployment-group': 'no-such-group',
    });
    expect(run.status).not.toBe(0);
    expect(run.log).toContain(
      "Could not create a CodeDeploy deployment (application 'web', deployment group 'no-such-group'): DeploymentGroupDoesNotExistException",
    );
    expect(calls('ECS.RegisterTaskDefinition')).toEqual(['ECS.RegisterTaskDefinition']);
    expect(await revisions()).toEqual([original]);
    expect(await deploymentIds()).toEqual([]);
  });
});
