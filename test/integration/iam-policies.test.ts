import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  PutLogEventsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { ACMClient, RequestCertificateCommand } from '@aws-sdk/client-acm';
import { ECRClient } from '@aws-sdk/client-ecr';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeServicesCommand,
  ECSClient,
  ListTaskDefinitionsCommand,
  TagResourceCommand,
} from '@aws-sdk/client-ecs';
import {
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  DescribeRulesCommand,
  DescribeTargetGroupsCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { CreateHostedZoneCommand, Route53Client } from '@aws-sdk/client-route-53';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { TAGS } from '../../src/core/preview/routing-types.js';
import { runActionProcess } from '../support/action-process.js';
import { deliver, settled, startApp, type AppProcess } from '../support/app-process.js';
import {
  createDefaultNetwork,
  registerFargateTaskDefinition,
  type TestNetwork,
} from '../support/aws.js';
import { pushEcrImage } from '../support/ecr-image.js';
import { eventually } from '../support/eventually.js';
import { aRecordNames, runningTasks, tagOf } from '../support/fleet-state.js';
import { startGitHubApi, type GitHubApi } from '../support/github.js';
import { createGitHubWorld, type GitHubWorld } from '../support/github-world.js';
import {
  ADMIN_POLICY,
  awsConfigAs,
  awsEnvAs,
  createIamUser,
  createRole,
  setIamEnforcement,
  startDenialRecorder,
  type AccessKey,
  type DenialRecorder,
} from '../support/iam-moto.js';
import { readPolicy, widenForMoto, type PolicyDocument } from '../support/iam-policy.js';
import { startMoto, type Moto } from '../support/moto.js';

/*
 * deploy/iam's documents are enough for the App's and the Action's real flows: each runs as its
 * own process with nothing but the credentials of an IAM user holding the document, against moto
 * with IAM enforcement on. moto does not match ECS resource ARNs or evaluate conditions, so the
 * user holds the document's actions on `*` (widenForMoto); test/unit/iam-policy-scope.test.ts
 * checks the real scoping. Every 403 moto gives is recorded in front of it: the SDK reads some
 * of them as deserialization errors, so the processes' own logs would not reliably say so.
 */

let moto: Moto;
let recorder: DenialRecorder;
let api: GitHubApi;
let admin: AccessKey;
let ecs: ECSClient;
let ecr: ECRClient;
let route53: Route53Client;
let logs: CloudWatchLogsClient;
let elbv2: ElasticLoadBalancingV2Client;
let network: TestNetwork;
let app: AppProcess | undefined;

const ACCOUNT = '123456789012';
const DOMAIN = 'preview.example.com';
const LOG_GROUP = '/ecs/web';
const TOKEN = randomBytes(24).toString('hex');
/** A per-repository role, named as app-policy.json's RepositoryRoles statement expects. */
const REPOSITORY_ROLE = `arn:aws:iam::${ACCOUNT}:role/ecs-paas-repo-acme-web`;
const HOUR = 3_600_000;
const sha = (): string => randomBytes(20).toString('hex');

beforeAll(async () => {
  moto = await startMoto({ servicesRunning: 1 });
  recorder = await startDenialRecorder(moto.url);
  api = await startGitHubApi();
});

afterAll(async () => {
  await app?.stop();
  await Promise.allSettled([recorder?.stop(), api?.stop(), moto?.stop()]);
});

beforeEach(async () => {
  await setIamEnforcement(moto.url, false);
  await moto.reset();
  recorder.clear();
  api.reset();
  // The test's own calls, before and after enforcement starts, go as an administrator.
  admin = await createIamUser(moto.url, 'test-admin', ADMIN_POLICY);
  const config = awsConfigAs(moto.url, admin);
  ecs = new ECSClient(config);
  ecr = new ECRClient(config);
  route53 = new Route53Client(config);
  logs = new CloudWatchLogsClient(config);
  elbv2 = new ElasticLoadBalancingV2Client(config);
  network = await createDefaultNetwork(moto.url);
});

afterEach(async () => {
  await app?.stop();
  app = undefined;
  for (const client of [ecs, ecr, route53, logs, elbv2]) client.destroy();
  await setIamEnforcement(moto.url, false);
});

describe('deploy/iam/app-policy.json', () => {
  let world: GitHubWorld;
  let zoneId: string;
  let listenerArn: string;

  /** A shared HTTPS listener for alb previews, as an operator sets one up. */
  async function sharedListener(): Promise<string> {
    const { LoadBalancers } = await elbv2.send(
      new CreateLoadBalancerCommand({
        Name: 'previews',
        Type: 'application',
        Subnets: network.subnetIds.slice(0, 2),
      }),
    );
    const acm = new ACMClient(awsConfigAs(moto.url, admin));
    // moto issues a certificate at once only when a private CA signs it (it never looks it up).
    const { CertificateArn } = await acm.send(
      new RequestCertificateCommand({
        DomainName: `*.${DOMAIN}`,
        CertificateAuthorityArn: `arn:aws:acm-pca:us-east-1:${ACCOUNT}:certificate-authority/12345678-1234-1234-1234-123456789012`,
      }),
    );
    acm.destroy();
    const { Listeners } = await elbv2.send(
      new CreateListenerCommand({
        LoadBalancerArn: LoadBalancers?.[0]?.LoadBalancerArn,
        Protocol: 'HTTPS',
        Port: 443,
        Certificates: [{ CertificateArn }],
        DefaultActions: [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '404' } }],
      }),
    );
    return Listeners?.[0]?.ListenerArn ?? '';
  }

  /**
   * acme/web with previews routed by `routing`, its operator policy kept in SSM (read at
   * start-up, as an operator would run it), then the App started holding only `policy`, with
   * enforcement on.
   */
  interface AppSetUp {
    readonly routing?: 'dns' | 'alb';
    /** The operator policy names a role for acme/web, holding this; the App assumes it. */
    readonly repositoryRole?: PolicyDocument;
    readonly env?: Readonly<Record<string, string>>;
  }

  async function startAppHolding(
    policy: PolicyDocument,
    { routing = 'dns', repositoryRole, env = {} }: AppSetUp = {},
  ): Promise<AppProcess> {
    world = createGitHubWorld(api, { owner: 'acme', repo: 'web', private: true });
    world.setPermission('maintainer', 'write');
    await ecs.send(new CreateClusterCommand({ clusterName: 'previews' }));
    await registerFargateTaskDefinition(ecs, 'web', [
      {
        name: 'web',
        image: 'public.ecr.aws/nginx/nginx:latest',
        portMappings: [{ containerPort: 80 }],
        logConfiguration: {
          logDriver: 'awslogs',
          options: {
            'awslogs-group': LOG_GROUP,
            'awslogs-region': 'us-east-1',
            'awslogs-stream-prefix': 'preview',
          },
        },
      },
    ]);
    const zone = await route53.send(
      new CreateHostedZoneCommand({ Name: DOMAIN, CallerReference: sha() }),
    );
    zoneId = zone.HostedZone?.Id?.split('/').pop() ?? '';
    const subnet = network.subnetIds[0] ?? '';
    listenerArn = routing === 'alb' ? await sharedListener() : '';
    const routes =
      routing === 'alb'
        ? `{ mode: alb, hosted-zone-id: ${zoneId}, domain: ${DOMAIN}, listener-arn: '${listenerArn}', vpc-id: ${network.vpcId} }`
        : `{ mode: dns, hosted-zone-id: ${zoneId}, domain: ${DOMAIN} }`;
    world.setFile(
      '.github/ecs-paas.yml',
      [
        'preview:',
        '  cluster: previews',
        '  task-definition: web',
        '  ecr-repository: web',
        `  subnets: [${subnet}]`,
        `  security-groups: [${network.securityGroupId}]`,
        `  routing: ${routes}`,
        '  idle-after: 1h',
        '',
      ].join('\n'),
    );
    const ssm = new SSMClient(awsConfigAs(moto.url, admin));
    await ssm.send(
      new PutParameterCommand({
        Name: '/ecs-paas/policy',
        Type: 'SecureString',
        Value: [
          'repositories:',
          '  acme/web:',
          '    clusters: [previews]',
          '    task-families: [web]',
          `    hosted-zones: [${zoneId}]`,
          `    domains: [${DOMAIN}]`,
          `    subnets: [${subnet}]`,
          `    security-groups: [${network.securityGroupId}]`,
          ...(listenerArn ? [`    listeners: ['${listenerArn}']`] : []),
          ...(repositoryRole ? [`    role-arn: ${REPOSITORY_ROLE}`] : []),
          '    max-previews: 5',
          '',
        ].join('\n'),
      }),
    );
    ssm.destroy();
    await logs.send(new CreateLogGroupCommand({ logGroupName: LOG_GROUP }));

    const key = await createIamUser(moto.url, 'ecs-paas-app', policy);
    if (repositoryRole) {
      await createRole(moto.url, REPOSITORY_ROLE.split('/').pop() ?? '', repositoryRole, {
        AWS: `arn:aws:iam::${ACCOUNT}:user/ecs-paas-app`,
      });
    }
    await setIamEnforcement(moto.url, true);
    app = await startApp({
      githubUrl: api.url,
      awsEndpoint: recorder.url,
      env: {
        ...awsEnvAs(recorder.url, key),
        ECS_PAAS_POLICY: 'ssm:/ecs-paas/policy',
        ECS_PAAS_API_TOKEN: TOKEN,
        ECS_PAAS_POLL_MS: '50',
        ...env,
      },
    });
    return app;
  }

  const living = (n: number): string =>
    world.comments(n).find((c) => c.includes('ecs-paas:preview')) ?? '';
  const running = async (): Promise<Array<string | undefined>> =>
    (await runningTasks(ecs)).map((t) => `${tagOf(t, TAGS.pr) ?? ''}@${tagOf(t, TAGS.sha) ?? ''}`);
  const records = (): Promise<string[]> => aRecordNames(route53, zoneId);

  async function pullRequest(
    running: AppProcess,
    action: 'opened' | 'synchronize' | 'closed',
    number: number,
  ): Promise<void> {
    await deliver(running, 'pull_request', world.pullRequestEvent(action, number));
    await settled(running);
  }

  async function push(number: number): Promise<string> {
    const head = sha();
    await pushEcrImage(ecr, 'web', head);
    world.updatePull(number, { sha: head });
    return head;
  }

  async function sweep(running: AppProcess): Promise<{
    stopped: { idle: number; closed: number };
    problems: string[];
  }> {
    const response = await fetch(`${running.url}/api/sweep?wait=1`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(response.status).toBe(200);
    return (await response.json()) as {
      stopped: { idle: number; closed: number };
      problems: string[];
    };
  }

  /** The preview's container wrote these lines where its awslogs configuration says. */
  async function containerLogs(taskArn: string, lines: string[]): Promise<void> {
    const stream = `preview/web/${taskArn.split('/').pop() ?? ''}`;
    await logs.send(new CreateLogStreamCommand({ logGroupName: LOG_GROUP, logStreamName: stream }));
    await logs.send(
      new PutLogEventsCommand({
        logGroupName: LOG_GROUP,
        logStreamName: stream,
        logEvents: lines.map((message, i) => ({ message, timestamp: Date.now() - 10_000 + i })),
      }),
    );
  }

  it("carries a PR's whole life: launch, /logs, replace, idle teardown, relaunch, close, and a sweep of a PR closed while away", async () => {
    const running1 = await startAppHolding(widenForMoto(readPolicy('app')));

    const first = sha();
    world.addPull({ number: 1, sha: first });
    await pushEcrImage(ecr, 'web', first);
    await pullRequest(running1, 'opened', 1);
    expect(await running()).toEqual([`1@${first}`]);
    expect(await records()).toEqual([`pr-1-web.${DOMAIN}`]);
    expect(living(1)).toContain('Preview ready');
    // Readiness asks ECS too (ListClusters), with the same identity.
    expect((await fetch(`${running1.url}/readyz`)).status).toBe(200);

    const [task] = await runningTasks(ecs);
    await containerLogs(task?.taskArn ?? '', ['booting', 'GET / 200']);
    const ask = world.addComment(1, '/logs', { login: 'maintainer', type: 'User' });
    await deliver(running1, 'issue_comment', world.issueCommentEvent('created', ask));
    await settled(running1);
    expect(living(1)).toContain('GET / 200');

    const second = await push(1);
    await pullRequest(running1, 'synchronize', 1);
    expect(await running()).toEqual([`1@${second}`]);

    // Idle: launched, and last touched on GitHub, two hours ago with idle-after 1h.
    const [replaced] = await runningTasks(ecs);
    await ecs.send(
      new TagResourceCommand({
        resourceArn: replaced?.taskArn ?? '',
        tags: [{ key: TAGS.launchedAt, value: new Date(Date.now() - 2 * HOUR).toISOString() }],
      }),
    );
    world.updatePull(1, { updatedAt: new Date(Date.now() - 2 * HOUR) });
    const idle = await sweep(running1);
    expect(idle.stopped).toEqual({ idle: 1, closed: 0 });
    expect(await running()).toEqual([]);
    expect(await records()).toEqual([]);

    const third = await push(1);
    await pullRequest(running1, 'synchronize', 1);
    expect(await running()).toEqual([`1@${third}`]);
    world.updatePull(1, { state: 'closed' });
    await pullRequest(running1, 'closed', 1);
    expect(await running()).toEqual([]);
    expect(await records()).toEqual([]);
    expect(living(1)).toContain('Preview stopped');

    // Closed while the App was not listening: the sweep finds it from the tags.
    const fourth = sha();
    world.addPull({ number: 2, sha: fourth });
    await pushEcrImage(ecr, 'web', fourth);
    await pullRequest(running1, 'opened', 2);
    expect(await running()).toEqual([`2@${fourth}`]);
    world.updatePull(2, { state: 'closed' });
    const closed = await sweep(running1);
    expect(closed.stopped).toEqual({ idle: 0, closed: 1 });
    expect(closed.problems).toEqual([]);
    expect(await running()).toEqual([]);

    expect(recorder.denials()).toEqual([]);
    expect(running1.output()).not.toMatch(/AccessDenied|not authorized|\b403\b/);
    api.assertNoViolations();
  });

  it('routes a preview through the shared ALB, and removes its rule and target group on close', async () => {
    const running1 = await startAppHolding(widenForMoto(readPolicy('app')), { routing: 'alb' });
    const rules = async (): Promise<number> =>
      (await elbv2.send(new DescribeRulesCommand({ ListenerArn: listenerArn }))).Rules?.filter(
        (r) => !r.IsDefault,
      ).length ?? 0;
    const groups = async (): Promise<string[]> =>
      ((await elbv2.send(new DescribeTargetGroupsCommand({}))).TargetGroups ?? []).map(
        (g) => g.TargetGroupName ?? '',
      );

    const head = sha();
    world.addPull({ number: 4, sha: head });
    await pushEcrImage(ecr, 'web', head);
    await pullRequest(running1, 'opened', 4);
    expect(living(4)).toContain('Preview ready');
    expect(await records()).toEqual([`pr-4-web.${DOMAIN}`]);
    expect(await rules()).toBeGreaterThan(0);
    expect(await groups()).toHaveLength(1);

    const report = await sweep(running1);
    expect(report.problems).toEqual([]);

    world.updatePull(4, { state: 'closed' });
    await pullRequest(running1, 'closed', 4);
    expect(await running()).toEqual([]);
    expect(await records()).toEqual([]);
    expect(await rules()).toBe(0);
    expect(await groups()).toEqual([]);

    expect(recorder.denials()).toEqual([]);
    expect(running1.output()).not.toMatch(/AccessDenied|not authorized|\b403\b/);
  });

  it("does a repository's preview work as the role the operator policy names for it", async () => {
    // The App may assume the role, and do nothing else with ECS: its launch can only succeed as
    // the role, which holds what the App's own policy would have granted.
    const app = readPolicy('app');
    const own = widenForMoto(app, { without: ['ecs:RunTask', 'ecs:RegisterTaskDefinition'] });
    const running1 = await startAppHolding(own, { repositoryRole: widenForMoto(app) });
    const head = sha();
    world.addPull({ number: 5, sha: head });
    await pushEcrImage(ecr, 'web', head);
    await pullRequest(running1, 'opened', 5);
    expect(await running()).toEqual([`5@${head}`]);
    expect(recorder.requested()).toEqual(expect.arrayContaining(['sts:AssumeRole']));
    world.updatePull(5, { state: 'closed' });
    await pullRequest(running1, 'closed', 5);
    expect(await running()).toEqual([]);
    expect(recorder.denials()).toEqual([]);
  });

  it('works its deliveries through the SQS FIFO work queue', async () => {
    // Created through the recorder: moto names queue URLs after the host asked, and the SDK sends
    // each call to its queue's URL, so the App's SQS calls pass the recorder too.
    const sqs = new SQSClient(awsConfigAs(recorder.url, admin));
    const dead = await sqs.send(
      new CreateQueueCommand({
        QueueName: 'ecs-paas-dead.fifo',
        Attributes: { FifoQueue: 'true' },
      }),
    );
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: dead.QueueUrl, AttributeNames: ['QueueArn'] }),
    );
    const work = await sqs.send(
      new CreateQueueCommand({
        QueueName: 'ecs-paas-work.fifo',
        Attributes: {
          FifoQueue: 'true',
          RedrivePolicy: JSON.stringify({
            deadLetterTargetArn: Attributes?.QueueArn,
            maxReceiveCount: 5,
          }),
        },
      }),
    );
    sqs.destroy();
    // A short visibility, so the worker extends it while the launch runs.
    const running1 = await startAppHolding(widenForMoto(readPolicy('app')), {
      env: {
        ECS_PAAS_QUEUE_URL: work.QueueUrl ?? '',
        ECS_PAAS_QUEUE_VISIBILITY: '3s',
        ECS_PAAS_QUEUE_WAIT: '1s',
      },
    });
    expect((await fetch(`${running1.url}/readyz`)).status).toBe(200);
    const wait = <T>(what: string, probe: () => Promise<T | undefined>) =>
      eventually(what, probe, { context: () => running1.output().slice(-3000) });

    const head = sha();
    world.addPull({ number: 6, sha: head });
    await pushEcrImage(ecr, 'web', head);
    await deliver(running1, 'pull_request', world.pullRequestEvent('opened', 6));
    await wait('the preview of #6', async () =>
      living(6).includes('Preview ready') && (await running()).length === 1 ? true : undefined,
    );
    world.updatePull(6, { state: 'closed' });
    await deliver(running1, 'pull_request', world.pullRequestEvent('closed', 6));
    await wait('the teardown of #6', async () =>
      living(6).includes('Preview stopped') && (await running()).length === 0 ? true : undefined,
    );

    expect(recorder.requested()).toEqual(
      expect.arrayContaining([
        'sqs:SendMessage',
        'sqs:ReceiveMessage',
        'sqs:DeleteMessage',
        'sqs:GetQueueAttributes',
      ]),
    );
    expect(recorder.denials()).toEqual([]);
  });

  it('fails the launch with AccessDenied, and leaves nothing behind, when ecs:RunTask is missing', async () => {
    const running1 = await startAppHolding(
      widenForMoto(readPolicy('app'), { without: ['ecs:RunTask'] }),
    );
    const head = sha();
    world.addPull({ number: 3, sha: head });
    await pushEcrImage(ecr, 'web', head);
    await pullRequest(running1, 'opened', 3);

    expect(recorder.denials()).toEqual(['ecs:RunTask']);
    expect(await running()).toEqual([]);
    expect(await records()).toEqual([]);
    expect(living(3)).toContain('could not be launched');
    // The failed launch took back the preview revision it registered.
    const { taskDefinitionArns } = await ecs.send(
      new ListTaskDefinitionsCommand({ familyPrefix: 'web-preview', status: 'ACTIVE' }),
    );
    expect(taskDefinitionArns).toEqual([]);
  });
});

describe('deploy/iam/action-policy.json', () => {
  const CLUSTER = 'production';
  let original: string;

  beforeEach(async () => {
    await ecs.send(new CreateClusterCommand({ clusterName: CLUSTER }));
    const definition = await registerFargateTaskDefinition(ecs, 'web');
    original = definition.taskDefinitionArn ?? '';
    await ecs.send(
      new CreateServiceCommand({
        cluster: CLUSTER,
        serviceName: 'web',
        taskDefinition: original,
        desiredCount: 1,
        launchType: 'FARGATE',
        networkConfiguration: {
          awsvpcConfiguration: {
            subnets: network.subnetIds.slice(0, 1),
            securityGroups: [network.securityGroupId],
          },
        },
      }),
    );
    // Two revisions nothing runs, for keep-revisions to deregister.
    for (let i = 0; i < 2; i++) await registerFargateTaskDefinition(ecs, 'web');
  });

  /** dist/index.js deploying CI's image from ECR to the service, as the holder of `policy`. */
  async function deployHolding(policy: PolicyDocument) {
    const head = sha();
    await pushEcrImage(ecr, 'web', head);
    const key = await createIamUser(moto.url, 'ecs-paas-deployer', policy);
    await setIamEnforcement(moto.url, true);
    return runActionProcess(
      {
        cluster: CLUSTER,
        service: 'web',
        image: `${ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/web:${head}`,
        'keep-revisions': '1',
        'wait-timeout': '2m',
      },
      {
        ...awsEnvAs(recorder.url, key),
        GITHUB_SHA: head,
        GITHUB_REPOSITORY: 'acme/web',
        GITHUB_RUN_ID: '42',
        ECS_PAAS_POLL_MS: '100',
      },
    );
  }

  const serviceDefinition = async (): Promise<string> => {
    const { services } = await ecs.send(
      new DescribeServicesCommand({ cluster: CLUSTER, services: ['web'] }),
    );
    return services?.[0]?.taskDefinition ?? '';
  };

  it('deploys a prebuilt ECR image, waits for the rollout and prunes old revisions', async () => {
    const run = await deployHolding(widenForMoto(readPolicy('action')));
    expect(recorder.denials()).toEqual([]);
    expect(run.log).not.toContain('::error::');
    expect(run.status).toBe(0);
    const deployed = run.outputs['task-definition-arn'] ?? '';
    expect(deployed).toMatch(/task-definition\/web:4$/);
    expect(await serviceDefinition()).toBe(deployed);
    // keep-revisions: 1 keeps the new one and the rollback target, nothing in between.
    const { taskDefinitionArns } = await ecs.send(
      new ListTaskDefinitionsCommand({ familyPrefix: 'web', status: 'ACTIVE' }),
    );
    expect(taskDefinitionArns).toEqual([original, deployed]);
  });

  it('fails with AccessDenied, leaving the service alone, when ecs:UpdateService is missing', async () => {
    const run = await deployHolding(
      widenForMoto(readPolicy('action'), { without: ['ecs:UpdateService'] }),
    );
    expect(recorder.denials()).toEqual(['ecs:UpdateService']);
    expect(run.status).toBe(1);
    expect(await serviceDefinition()).toBe(original);
  });
});
