import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import {
  CreateClusterCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSClient,
  ListTasksCommand,
  type TaskDefinition,
} from '@aws-sdk/client-ecs';
import { runActionProcess, type ActionRun } from '../support/action-process.js';
import {
  awsEnv,
  createDefaultNetwork,
  createFargateService,
  registerFargateTaskDefinition,
  testAwsConfig,
} from '../support/aws.js';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.js';
import { startMoto, type Moto } from '../support/moto.js';

// dist/index.js deploying a prebuilt image: where the task definition comes from (a file, a family,
// a revision, an ARN), a deploy that does not wait, one that runs out of time, a rollback that
// itself fails, and a run-before task that succeeds. moto never moves a rollout along (UpdateService
// makes no new deployment), so the proxy answers as ECS does where a case needs it.
let moto: Moto;
let proxy: FaultProxy;
let ecs: ECSClient;
let workspace: string;
let original: string;

const CLUSTER = 'prod';
const SERVICES = ['web', 'web-canary'];
const IMAGE = `127.0.0.1:5000/web@sha256:${'d'.repeat(64)}`;
const ACCOUNT = '123456789012';

beforeAll(async () => {
  moto = await startMoto({ servicesRunning: 1 });
  proxy = await startFaultProxy(moto.url);
  ecs = new ECSClient(testAwsConfig(moto.url));
  workspace = await mkdtemp(join(tmpdir(), 'ecs-paas-sources-'));
});

afterAll(async () => {
  ecs?.destroy();
  await Promise.allSettled([moto?.stop(), proxy?.stop()]);
  if (workspace) await rm(workspace, { recursive: true, force: true });
});

beforeEach(async () => {
  await moto.reset();
  proxy.clear();
  await ecs.send(new CreateClusterCommand({ clusterName: CLUSTER }));
  const network = await createDefaultNetwork(moto.url);
  const definition = await registerFargateTaskDefinition(ecs, 'web', [
    {
      name: 'web',
      image: 'public.ecr.aws/nginx/nginx:1.27',
      portMappings: [{ containerPort: 80 }],
      environment: [{ name: 'RELEASE', value: 'one' }],
    },
  ]);
  original = definition.taskDefinitionArn ?? '';
  for (const name of SERVICES) {
    await createFargateService(ecs, network, {
      cluster: CLUSTER,
      name: name,
      taskDefinition: original,
    });
  }
  proxy.resetCounts();
});

function deploy(inputs: Record<string, string>, services = SERVICES): Promise<ActionRun> {
  return runActionProcess(
    { cluster: CLUSTER, service: services.join('\n'), image: IMAGE, ...inputs },
    {
      ...awsEnv(proxy.url),
      GITHUB_SHA: randomBytes(20).toString('hex'),
      GITHUB_REPOSITORY: 'acme/web',
      GITHUB_WORKSPACE: workspace,
      ECS_PAAS_POLL_MS: '100',
    },
  );
}

/** What each service runs, read from moto itself so no rewrite of the proxy can colour it. */
async function serviceDefinitions(services = SERVICES): Promise<string[]> {
  const found = await ecs.send(new DescribeServicesCommand({ cluster: CLUSTER, services }));
  return (found.services ?? []).map((s) => s.taskDefinition ?? '');
}

async function described(arn: string): Promise<TaskDefinition> {
  const { taskDefinition } = await ecs.send(
    new DescribeTaskDefinitionCommand({ taskDefinition: arn }),
  );
  if (!taskDefinition) throw new Error(`${arn} is not registered`);
  return taskDefinition;
}

/** The container `web` of a registered revision: its image and its environment. */
async function webContainer(arn: string): Promise<{ image: string; env: string[] }> {
  const web = (await described(arn)).containerDefinitions?.find((c) => c.name === 'web');
  return {
    image: web?.image ?? '',
    env: (web?.environment ?? []).map((e) => `${e.name ?? ''}=${e.value ?? ''}`),
  };
}

/** ECS's answer for `service` whenever it runs a revision other than `original`. */
function rewriteWhileMoved(
  service: string,
  change: (found: Record<string, unknown>) => void,
): void {
  proxy.intercept('ECS.DescribeServices', (_request, response) => {
    const body = JSON.parse(response.body) as { services?: Array<Record<string, unknown>> };
    let changed = false;
    for (const found of body.services ?? []) {
      if (found.serviceName !== service || found.taskDefinition === original) continue;
      change(found);
      changed = true;
    }
    return changed ? { ...response, body: JSON.stringify(body) } : undefined;
  });
}

/** A rollout ECS keeps working on: two deployments, the new one with no task running yet. */
function neverSettles(found: Record<string, unknown>): void {
  found.runningCount = 0;
  found.deployments = [
    {
      id: 'ecs-svc/2',
      status: 'PRIMARY',
      taskDefinition: found.taskDefinition,
      rolloutState: 'IN_PROGRESS',
      desiredCount: 1,
      runningCount: 0,
      failedTasks: 0,
    },
    {
      id: 'ecs-svc/1',
      status: 'ACTIVE',
      taskDefinition: original,
      rolloutState: 'COMPLETED',
      desiredCount: 0,
      runningCount: 1,
    },
  ];
}

function circuitBreakerTripped(found: Record<string, unknown>): void {
  found.deployments = [
    {
      id: 'ecs-svc/2',
      status: 'PRIMARY',
      taskDefinition: found.taskDefinition,
      rolloutState: 'FAILED',
      rolloutStateReason: 'ECS deployment circuit breaker: tasks failed to start.',
      failedTasks: 3,
    },
  ];
}

describe('dist/index.js deploys the task definition the user names', () => {
  it('from a JSON file as `aws ecs describe-task-definition` prints it, read-only fields and all', async () => {
    const exported = {
      taskDefinition: {
        taskDefinitionArn: `arn:aws:ecs:us-east-1:${ACCOUNT}:task-definition/web:1`,
        family: 'web',
        revision: 1,
        status: 'ACTIVE',
        networkMode: 'awsvpc',
        requiresCompatibilities: ['FARGATE'],
        compatibilities: ['EC2', 'FARGATE'],
        requiresAttributes: [{ name: 'com.amazonaws.ecs.capability.docker-remote-api.1.18' }],
        cpu: '512',
        memory: '1024',
        registeredAt: '2026-01-02T03:04:05.000Z',
        registeredBy: `arn:aws:iam::${ACCOUNT}:user/someone`,
        containerDefinitions: [
          {
            name: 'web',
            image: 'public.ecr.aws/nginx/nginx:1.27',
            essential: true,
            memory: 512,
            portMappings: [{ containerPort: 80, hostPort: 80, protocol: 'tcp' }],
            environment: [{ name: 'RELEASE', value: 'from-json' }],
          },
        ],
      },
      tags: [{ key: 'team', value: 'storefront' }],
    };
    await writeFile(join(workspace, 'taskdef.json'), JSON.stringify(exported, null, 2));

    const run = await deploy({ 'task-definition': 'taskdef.json' });

    expect(run.log).not.toContain('::error::');
    expect(run.status).toBe(0);
    const arn = run.outputs['task-definition-arn'] ?? '';
    expect(arn).toMatch(/task-definition\/web:2$/);
    expect(await serviceDefinitions()).toEqual([arn, arn]);
    expect(await webContainer(arn)).toEqual({ image: IMAGE, env: ['RELEASE=from-json'] });
    expect((await described(arn)).cpu).toBe('512');
    const { tags } = await ecs.send(
      new DescribeTaskDefinitionCommand({ taskDefinition: arn, include: ['TAGS'] }),
    );
    expect(tags).toEqual([{ key: 'team', value: 'storefront' }]);
    expect(run.summary).toContain('| web | web:1 → web:2 | ✅ deployed |');
  });

  it('from a YAML file, and registers nothing new when the same file is deployed again', async () => {
    await writeFile(
      join(workspace, 'taskdef.yaml'),
      [
        '# cpu and memory as YAML numbers: ECS stores strings',
        'family: web',
        'networkMode: awsvpc',
        'requiresCompatibilities: [FARGATE]',
        'cpu: 256',
        'memory: 512',
        'containerDefinitions:',
        '  - name: web',
        '    image: placeholder',
        '    essential: true',
        '    memory: 512',
        '    portMappings: [{ containerPort: 80 }]',
        '    environment:',
        '      - { name: RELEASE, value: from-yaml }',
        '',
      ].join('\n'),
    );

    const run = await deploy({ 'task-definition': 'taskdef.yaml' });

    expect(run.log).not.toContain('::error::');
    expect(run.status).toBe(0);
    const arn = run.outputs['task-definition-arn'] ?? '';
    expect(arn).toMatch(/task-definition\/web:2$/);
    expect(await serviceDefinitions()).toEqual([arn, arn]);
    expect(await webContainer(arn)).toEqual({ image: IMAGE, env: ['RELEASE=from-yaml'] });
    const { cpu, memory } = await described(arn);
    expect({ cpu, memory }).toEqual({ cpu: '256', memory: '512' });
    proxy.resetCounts();

    const again = await deploy({ 'task-definition': 'taskdef.yaml' });

    expect(again.status).toBe(0);
    expect(again.outputs['task-definition-arn']).toBe(arn);
    expect(proxy.counts()['ECS.RegisterTaskDefinition']).toBeUndefined();
    expect(again.summary).toContain('| web | web:2 → web:2 | ➖ unchanged |');
  });

  it.each<[string, (arns: Record<'two' | 'three', string>) => string, string]>([
    ['a family (its newest revision)', () => 'web', 'RELEASE=three'],
    ['family:revision', () => 'web:2', 'RELEASE=two'],
    ['an ARN', ({ two }) => two, 'RELEASE=two'],
  ])('from %s, with the image pinned by digest', async (_case, reference, env) => {
    // Releases prepared but not deployed: the services still run web:1.
    const arns: Record<string, string> = {};
    for (const release of ['two', 'three']) {
      const registered = await registerFargateTaskDefinition(ecs, 'web', [
        {
          name: 'web',
          image: 'public.ecr.aws/nginx/nginx:1.28',
          portMappings: [{ containerPort: 80 }],
          environment: [{ name: 'RELEASE', value: release }],
        },
      ]);
      arns[release] = registered.taskDefinitionArn ?? '';
    }

    const run = await deploy({
      'task-definition': reference({ two: arns.two ?? '', three: arns.three ?? '' }),
    });

    expect(run.log).not.toContain('::error::');
    expect(run.status).toBe(0);
    const arn = run.outputs['task-definition-arn'] ?? '';
    expect(arn).toMatch(/task-definition\/web:4$/);
    expect(await serviceDefinitions()).toEqual([arn, arn]);
    expect(await webContainer(arn)).toEqual({ image: IMAGE, env: [env] });
    expect(run.outputs['previous-task-definition-arn']).toBe(original);
    expect(run.summary).toContain('| web | web:1 → web:4 | ✅ deployed |');
  });
});

describe('dist/index.js waiting, or not, for the rollout', () => {
  it('with wait: false returns once the services are on the new revision, without watching them settle', async () => {
    rewriteWhileMoved('web', neverSettles);

    const run = await deploy({ wait: 'false', 'wait-timeout': '30s' });

    expect(run.log).not.toContain('::error::');
    expect(run.status).toBe(0);
    const arn = run.outputs['task-definition-arn'] ?? '';
    expect(arn).toMatch(/task-definition\/web:2$/);
    expect(run.outputs['rolled-back']).toBe('false');
    expect(await serviceDefinitions()).toEqual([arn, arn]);
    expect(run.summary).toContain('| web | web:1 → web:2 | 🚀 updated (not waited for) |');
    expect(run.summary).toContain('| web-canary | web:1 → web:2 | 🚀 updated (not waited for) |');
    // Only the look before the update: nothing polled the rollout that would never settle.
    expect(proxy.counts()['ECS.DescribeServices']).toBe(1);
  });

  it('fails when the rollout has not settled within wait-timeout, and rolls back', async () => {
    rewriteWhileMoved('web', neverSettles);

    const run = await deploy({ 'wait-timeout': '3s' }, ['web']);

    expect(run.status).toBe(1);
    expect(run.log).toContain(
      '::error::web timed out: not stable on web:2 within 3s; rolled back to web:1',
    );
    expect(run.outputs['rolled-back']).toBe('true');
    expect(await serviceDefinitions(['web'])).toEqual([original]);
    expect(run.summary).toContain('## ❌ Deploy failed and was rolled back');
    expect(run.summary).toContain('| web | web:1 → web:2 | ↩️ rolled back to web:1 |');
    // The 3 s it was given, a rollback, and a node start-up: not the 15 minutes of the default.
    expect(run.ms).toBeLessThan(20_000);
  });
});

describe('dist/index.js when the rollback fails', () => {
  it('says the rollback did not complete when the old revision never settles again', async () => {
    // Neither the new revision nor, after the rollback, the old one ever gets healthy.
    proxy.intercept('ECS.DescribeServices', (_request, response) => {
      const body = JSON.parse(response.body) as { services?: Array<Record<string, unknown>> };
      for (const found of body.services ?? []) {
        if (found.serviceName === 'web') neverSettles(found);
      }
      return { ...response, body: JSON.stringify(body) };
    });

    const run = await deploy({ 'wait-timeout': '2s' }, ['web']);

    expect(run.status).toBe(1);
    expect(run.log).toContain(
      '::error::web timed out: not stable on web:2 within 2s; rollback did not complete to web:1',
    );
    expect(run.summary).toContain('| web | web:1 → web:2 | 🔥 rollback did not complete |');
    // The rollback was asked for: ECS holds web:1 as the service's revision.
    expect(await serviceDefinitions(['web'])).toEqual([original]);
  });

  it('rolls back the other services when ECS refuses one rollback, and says which runs what', async () => {
    rewriteWhileMoved('web', circuitBreakerTripped);
    // The deploy role may move web forward but not back (or ECS is failing for it): refuse the
    // UpdateService that would put web back on web:1; web-canary's goes through.
    proxy.answer('ECS.UpdateService', (request) =>
      request.body.includes('"service":"web"') && request.body.includes(original)
        ? {
            status: 400,
            headers: {
              'content-type': 'application/x-amz-json-1.1',
              'x-amzn-errortype': 'AccessDeniedException',
            },
            body: JSON.stringify({
              __type: 'AccessDeniedException',
              message: 'not authorized to perform ecs:UpdateService on web',
            }),
          }
        : undefined,
    );

    const run = await deploy({ 'wait-timeout': '10m' });

    expect(run.status).toBe(1);
    const next = original.replace(/:1$/, ':2');
    expect(await serviceDefinitions()).toEqual([next, original]);
    const error = run.log.split('\n').find((line) => line.startsWith('::error::')) ?? '';
    // Why the deploy failed, that the rollback failed and why, and where web was left.
    expect(error).toContain('web failed: ECS deployment circuit breaker: tasks failed to start.');
    expect(error).toMatch(/rollback did not complete/);
    expect(error).toContain(
      'AccessDeniedException: not authorized to perform ecs:UpdateService on web',
    );
    expect(error).toMatch(/web (still )?(runs|on) web:2/);
    expect(run.outputs['task-definition-arn']).toBe(next);
    expect(run.summary).toContain('| web | web:1 → web:2 | 🔥 rollback did not complete |');
    expect(run.summary).toContain('| web-canary | web:1 → web:2 | ↩️ rolled back to web:1 |');
  });
});

describe('dist/index.js with a run-before task', () => {
  it('runs the command on the new revision, and deploys once it exits 0', async () => {
    // moto's tasks never exit: report the one-off task stopped with exit code 0, as ECS would.
    proxy.intercept('ECS.DescribeTasks', (_request, response) => {
      const body = JSON.parse(response.body) as { tasks?: Array<Record<string, unknown>> };
      let changed = false;
      for (const task of body.tasks ?? []) {
        if (task.startedBy !== 'ecs-paas/run-before') continue;
        task.lastStatus = 'STOPPED';
        task.stoppedReason = 'Essential container in task exited';
        task.containers = [{ name: 'web', lastStatus: 'STOPPED', exitCode: 0 }];
        changed = true;
      }
      return changed ? { ...response, body: JSON.stringify(body) } : undefined;
    });
    const order: string[] = [];
    const stop = proxy.onRequest((operation) => {
      if (['ECS.RunTask', 'ECS.DescribeTasks', 'ECS.UpdateService'].includes(operation)) {
        order.push(operation);
      }
    });

    const run = await deploy({ 'run-before': 'npm run migrate' });
    stop();

    expect(run.log).not.toContain('::error::');
    expect(run.status).toBe(0);
    expect(run.log).toMatch(/run-before: exited 0 after/);
    const arn = run.outputs['task-definition-arn'] ?? '';
    expect(await serviceDefinitions()).toEqual([arn, arn]);
    // The migration ran once, in the revision that was then deployed, before any service moved.
    const { taskArns = [] } = await ecs.send(
      new ListTasksCommand({ cluster: CLUSTER, startedBy: 'ecs-paas/run-before' }),
    );
    expect(taskArns).toHaveLength(1);
    const { tasks = [] } = await ecs.send(
      new DescribeTasksCommand({ cluster: CLUSTER, tasks: taskArns }),
    );
    expect(tasks[0]?.taskDefinitionArn).toBe(arn);
    expect(tasks[0]?.overrides?.containerOverrides?.[0]?.command).toEqual([
      'sh',
      '-c',
      'npm run migrate',
    ]);
    expect(order.indexOf('ECS.UpdateService')).toBeGreaterThan(order.indexOf('ECS.DescribeTasks'));
    expect(order.filter((o) => o === 'ECS.RunTask')).toHaveLength(1);
    expect(run.summary).toContain('| web | web:1 → web:2 | ✅ deployed |');
  });
});
