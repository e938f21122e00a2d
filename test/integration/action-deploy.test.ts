import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import {
  CreateClusterCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  ListTaskDefinitionsCommand,
  ListTasksCommand,
} from '@aws-sdk/client-ecs';
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  PutLogEventsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { runActionProcess } from '../support/action-process.js';
import {
  awsEnv,
  createDefaultNetwork,
  createFargateService,
  registerFargateTaskDefinition,
  testAwsConfig,
} from '../support/aws.js';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.js';
import { startGitHubApi, type GitHubApi } from '../support/github.js';
import { startMoto, type Moto } from '../support/moto.js';
import { podmanEnv, writeScratchContext, type PodmanEnv } from '../support/podman.js';
import { startRegistry, type Registry } from '../support/registry.js';

let moto: Moto;
let proxy: FaultProxy;
let registry: Registry;
let podman: PodmanEnv;
let github: GitHubApi;
let ecs: ECSClient;
let workdir: string;
let context: string;
let original: string;

const CLUSTER = 'prod';
const SERVICES = ['web', 'web-canary'];

beforeAll(async () => {
  moto = await startMoto({ servicesRunning: 1 });
  proxy = await startFaultProxy(moto.url);
  registry = await startRegistry();
  podman = await podmanEnv({ insecureRegistries: [registry.host] });
  github = await startGitHubApi();
  ecs = new ECSClient(testAwsConfig(moto.url));
  workdir = await mkdtemp(join(tmpdir(), 'ecs-paas-action-'));
  context = await writeScratchContext(join(workdir, 'app'));
});

afterAll(async () => {
  ecs?.destroy();
  await Promise.allSettled([
    moto?.stop(),
    proxy?.stop(),
    registry?.stop(),
    podman?.cleanup(),
    github?.stop(),
  ]);
  if (workdir) await rm(workdir, { recursive: true, force: true });
});

beforeEach(async () => {
  await moto.reset();
  proxy.clear();
  github.reset();
  await ecs.send(new CreateClusterCommand({ clusterName: CLUSTER }));
  const network = await createDefaultNetwork(moto.url);
  const definition = await registerFargateTaskDefinition(ecs, 'web', [
    {
      name: 'web',
      image: 'public.ecr.aws/nginx/nginx:1.27',
      portMappings: [{ containerPort: 80 }],
      environment: [{ name: 'EMPTY', value: '' }],
      logConfiguration: {
        logDriver: 'awslogs',
        options: {
          'awslogs-group': '/ecs/web',
          'awslogs-region': 'us-east-1',
          'awslogs-stream-prefix': 'ecs',
        },
      },
    },
    { name: 'sidecar', image: 'public.ecr.aws/envoy/envoy:v1.30', essential: false, memory: 128 },
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

const newSha = (): string => randomBytes(20).toString('hex');

function deploy(
  inputs: Record<string, string>,
  sha: string,
  extraEnv: Record<string, string> = {},
) {
  return runActionProcess(
    {
      cluster: CLUSTER,
      service: SERVICES.join('\n'),
      container: 'web',
      registry: registry.host,
      builder: 'podman',
      context,
      'ecr-repository': 'web',
      ...inputs,
    },
    {
      ...awsEnv(proxy.url),
      ...podman.env,
      GITHUB_SHA: sha,
      GITHUB_REPOSITORY: 'acme/web',
      GITHUB_RUN_ID: '42',
      ECS_PAAS_POLL_MS: '100',
      ...extraEnv,
    },
  );
}

async function writeLogLines(group: string, stream: string, messages: string[]): Promise<void> {
  const logs = new CloudWatchLogsClient(testAwsConfig(moto.url));
  await logs.send(new CreateLogGroupCommand({ logGroupName: group })).catch(() => undefined);
  await logs.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: stream }));
  await logs.send(
    new PutLogEventsCommand({
      logGroupName: group,
      logStreamName: stream,
      logEvents: messages.map((message, i) => ({ message, timestamp: Date.now() + i })),
    }),
  );
  logs.destroy();
}

async function serviceDefinitions(): Promise<string[]> {
  const { services } = await ecs.send(
    new DescribeServicesCommand({ cluster: CLUSTER, services: SERVICES }),
  );
  return (services ?? []).map((s) => s.taskDefinition ?? '');
}

async function containerImages(arn: string): Promise<Record<string, string>> {
  const { taskDefinition } = await ecs.send(
    new DescribeTaskDefinitionCommand({ taskDefinition: arn }),
  );
  return Object.fromEntries(
    (taskDefinition?.containerDefinitions ?? []).map((c) => [c.name ?? '', c.image ?? '']),
  );
}

describe('the Action run as a process from dist/index.js', () => {
  it('builds with podman, pushes, and deploys one new revision to two services', async () => {
    const sha = newSha();
    const run = await deploy({}, sha);
    expect(run.log).not.toContain('::error::');
    expect(run.status).toBe(0);

    const manifest = await registry.manifest('web', sha);
    expect(run.outputs.digest).toBe(manifest.digest);
    expect(run.outputs.image).toBe(`${registry.host}/web@${manifest.digest}`);
    expect(run.outputs['previous-task-definition-arn']).toBe(original);
    expect(run.outputs['rolled-back']).toBe('false');
    const arn = run.outputs['task-definition-arn'] ?? '';
    expect(arn).toMatch(/task-definition\/web:2$/);
    expect(await serviceDefinitions()).toEqual([arn, arn]);
    expect(await containerImages(arn)).toEqual({
      web: run.outputs.image,
      sidecar: 'public.ecr.aws/envoy/envoy:v1.30',
    });
    const { taskDefinition } = await ecs.send(
      new DescribeTaskDefinitionCommand({ taskDefinition: arn }),
    );
    expect(taskDefinition?.containerDefinitions?.[0]?.environment).toEqual([
      { name: 'EMPTY', value: '' },
    ]);

    expect(run.summary).toContain('Deployed web:2');
    expect(run.summary).toContain('| web | web:1 → web:2 | ✅ deployed |');
    expect(run.summary).toContain('| web-canary | web:1 → web:2 | ✅ deployed |');
    expect(run.summary).toContain(
      `web: image public.ecr.aws/nginx/nginx:1.27 → ${run.outputs.image}`,
    );
    expect(proxy.counts()['ECS.RegisterTaskDefinition']).toBe(1);
    expect(proxy.counts()['ECS.UpdateService']).toBe(2);
  });

  it('registers and updates nothing when re-run for the same commit', async () => {
    const sha = newSha();
    const first = await deploy({}, sha);
    expect(first.status).toBe(0);
    proxy.resetCounts();

    const again = await deploy({}, sha);
    expect(again.status).toBe(0);
    expect(again.log).toContain('already exists');
    expect(again.outputs['task-definition-arn']).toBe(first.outputs['task-definition-arn']);
    expect(again.outputs.digest).toBe(first.outputs.digest);
    expect(proxy.counts()['ECS.RegisterTaskDefinition']).toBeUndefined();
    expect(proxy.counts()['ECS.UpdateService']).toBeUndefined();
    expect(again.summary).toContain('| web | web:2 → web:2 | ➖ unchanged |');
  });

  it('deploys a prebuilt image pinned by the digest its registry reports', async () => {
    const prebuiltSha = newSha();
    const build = await deploy({ command: 'build', tags: 'v1' }, prebuiltSha);
    expect(build.status).toBe(0);
    const tagged = await registry.manifest('web', 'v1');

    const run = await deploy({ image: `${registry.host}/web:v1` }, newSha());
    expect(run.status).toBe(0);
    expect(run.outputs.image).toBe(`${registry.host}/web@${tagged.digest}`);
    expect((await containerImages(run.outputs['task-definition-arn'] ?? '')).web).toBe(
      run.outputs.image,
    );
  });

  it('deploys nothing when the run-before task exits 1, and keeps no revision for it', async () => {
    // moto's tasks never exit: once the task has written its last words to CloudWatch Logs (where
    // awslogs would put them), report it stopped with exit code 1, as ECS would.
    let logsWritten = false;
    proxy.intercept('ECS.RunTask', (_request, response) => {
      const taskId =
        (JSON.parse(response.body) as { tasks: Array<{ taskArn: string }> }).tasks[0]?.taskArn
          .split('/')
          .pop() ?? '';
      void writeLogLines('/ecs/web', `ecs/web/${taskId}`, [
        'Running migrations…',
        'ERROR: relation "users" already exists',
      ]).then(() => {
        logsWritten = true;
      });
      return undefined;
    });
    proxy.intercept('ECS.DescribeTasks', (_request, response) => {
      if (!logsWritten) return undefined;
      const body = JSON.parse(response.body) as { tasks?: Array<Record<string, unknown>> };
      for (const task of body.tasks ?? []) {
        if (task.startedBy !== 'ecs-paas/run-before') continue;
        task.lastStatus = 'STOPPED';
        task.stoppedReason = 'Essential container in task exited';
        task.containers = [{ name: 'web', lastStatus: 'STOPPED', exitCode: 1 }];
      }
      return { ...response, body: JSON.stringify(body) };
    });
    const run = await deploy({ 'run-before': 'npm run migrate' }, newSha());

    expect(run.status).toBe(1);
    expect(run.log).toContain(
      '::error::run-before command failed (exit code 1); nothing was deployed',
    );
    expect(run.log).toContain('Essential container in task exited');
    expect(run.log).toContain('container web: exit code 1');
    expect(run.log).toContain('| ERROR: relation "users" already exists');
    expect(await serviceDefinitions()).toEqual([original, original]);
    expect(proxy.counts()['ECS.UpdateService']).toBeUndefined();
    const active = await ecs.send(
      new ListTaskDefinitionsCommand({ familyPrefix: 'web', status: 'ACTIVE' }),
    );
    expect(active.taskDefinitionArns).toEqual([original]);
  });

  it('stops the run-before task when it can no longer follow it', async () => {
    proxy.intercept('ECS.DescribeTasks', (_request, response) => ({
      status: 400,
      headers: { ...response.headers, 'x-amzn-errortype': 'AccessDeniedException' },
      body: JSON.stringify({
        __type: 'AccessDeniedException',
        message: 'not authorized to perform ecs:DescribeTasks',
      }),
    }));
    const run = await deploy({ 'run-before': 'npm run migrate' }, newSha());
    proxy.clear();
    expect(run.status).toBe(1);
    expect(run.log).toContain('::error::Could not follow the run-before task (it was stopped)');
    const { taskArns } = await ecs.send(
      new ListTasksCommand({ cluster: CLUSTER, desiredStatus: 'RUNNING' }),
    );
    expect(taskArns).toEqual([]);
    expect(await serviceDefinitions()).toEqual([original, original]);
  });

  it('fails fast on a failed rollout, rolls every service back and says so', async () => {
    // moto never fails a rollout: make DescribeServices report what ECS reports when the circuit
    // breaker trips, for any service that is on a revision other than the original.
    proxy.intercept('ECS.DescribeServices', (_request, response) => {
      const body = JSON.parse(response.body) as { services?: Array<Record<string, unknown>> };
      for (const service of body.services ?? []) {
        if (service.serviceName !== 'web' || service.taskDefinition === original) continue;
        service.deployments = [
          {
            id: 'ecs-svc/1',
            status: 'PRIMARY',
            taskDefinition: service.taskDefinition,
            rolloutState: 'FAILED',
            rolloutStateReason: 'ECS deployment circuit breaker: tasks failed to start.',
            failedTasks: 3,
          },
        ];
      }
      return { ...response, body: JSON.stringify(body) };
    });
    const run = await deploy({ 'wait-timeout': '10m' }, newSha());

    expect(run.status).toBe(1);
    expect(run.outputs['rolled-back']).toBe('true');
    expect(run.log).toMatch(
      /::error::web failed: ECS deployment circuit breaker: tasks failed to start\.; rolled back to web:1/,
    );
    expect(await serviceDefinitions()).toEqual([original, original]);
    expect(run.summary).toContain('Deploy failed and was rolled back');
    expect(run.summary).toContain('| web | web:1 → web:2 | ↩️ rolled back to web:1 |');
    expect(run.ms).toBeLessThan(60_000);
  });

  it('rolls back the services it moved when a later service cannot be updated', async () => {
    // IAM scoped per service: moto cannot deny, so answer as ECS does for web-canary.
    proxy.intercept('ECS.UpdateService', (request, response) =>
      request.body.includes('"web-canary"') && !request.body.includes(original)
        ? {
            status: 400,
            headers: { ...response.headers, 'x-amzn-errortype': 'AccessDeniedException' },
            body: JSON.stringify({
              __type: 'AccessDeniedException',
              message: 'not authorized to perform ecs:UpdateService on web-canary',
            }),
          }
        : undefined,
    );
    const run = await deploy({}, newSha());
    expect(run.status).toBe(1);
    expect(run.log).toMatch(
      /::error::Could not update service 'web-canary': AccessDeniedException: .*; rolled back web/,
    );
    expect(run.outputs['rolled-back']).toBe('true');
    const { services } = await ecs.send(
      new DescribeServicesCommand({ cluster: CLUSTER, services: ['web'] }),
    );
    expect(services?.[0]?.taskDefinition).toBe(original);
  });

  it('survives throttling on RegisterTaskDefinition', async () => {
    proxy.inject('ECS.RegisterTaskDefinition', { kind: 'throttle' }, 3);
    const run = await deploy({}, newSha());
    expect(run.status).toBe(0);
    expect(proxy.counts()['ECS.RegisterTaskDefinition']).toBe(4);
    expect(await serviceDefinitions()).toEqual([
      run.outputs['task-definition-arn'],
      run.outputs['task-definition-arn'],
    ]);
  });

  it.each([
    ['max-retries: 1 fails on the first throttled call', '1', 1, 1],
    ['max-retries: 2 rides out one throttled call', '2', 1, 0],
    ['max-retries: 3 gives up after three throttled calls', '3', 3, 1],
  ])('%s', async (_case, maxRetries, throttles, status) => {
    proxy.inject('ECS.RegisterTaskDefinition', { kind: 'throttle' }, throttles);
    const image = `${registry.host}/web@sha256:${'c'.repeat(64)}`;
    const run = await deploy({ image, 'max-retries': maxRetries }, newSha());

    expect(run.status).toBe(status);
    // Every attempt reached the server: the first plus the retries max-retries allows.
    expect(proxy.counts()['ECS.RegisterTaskDefinition']).toBe(
      status === 0 ? throttles + 1 : Number(maxRetries),
    );
    if (status === 0) return;
    expect(run.log).toMatch(/::error::.*ThrottlingException/);
    expect(await serviceDefinitions()).toEqual([original, original]);
  });

  it.each<[string, Record<string, string>, string[]]>([
    ['no keep-revisions (keep all)', {}, ['web:1', 'web:2', 'web:3', 'web:4']],
    [
      'keep-revisions: 0 (keep all)',
      { 'keep-revisions': '0' },
      ['web:1', 'web:2', 'web:3', 'web:4'],
    ],
    // The two newest stay; of the rest web:1 is what ran before, the rollback target.
    ['keep-revisions: 2', { 'keep-revisions': '2' }, ['web:1', 'web:3', 'web:4']],
  ])('a deploy with %s deregisters only the revisions it may', async (_case, inputs, kept) => {
    // Revisions nothing runs any more, from earlier deploys.
    for (const tag of ['1.26', '1.25']) {
      await registerFargateTaskDefinition(ecs, 'web', [
        { name: 'web', image: `public.ecr.aws/nginx/nginx:${tag}` },
      ]);
    }
    const run = await deploy(
      { image: `${registry.host}/web@sha256:${'b'.repeat(64)}`, ...inputs },
      newSha(),
    );
    expect(run.status).toBe(0);
    expect(run.outputs['task-definition-arn']).toMatch(/task-definition\/web:4$/);

    const { taskDefinitionArns } = await ecs.send(
      new ListTaskDefinitionsCommand({ familyPrefix: 'web', status: 'ACTIVE', sort: 'ASC' }),
    );
    expect((taskDefinitionArns ?? []).map((arn) => arn.split('/').pop())).toEqual(kept);
    const removed = ['web:1', 'web:2', 'web:3', 'web:4'].filter((r) => !kept.includes(r));
    expect(/Deregistered old revisions: (.*)/.exec(run.summary)?.[1]).toBe(
      removed.length > 0 ? removed.join(', ') : undefined,
    );
  });

  it('records a GitHub Deployment and its statuses for an environment', async () => {
    const run = await deploy(
      { environment: 'staging', 'github-token': 'ghs_test-token-value' },
      newSha(),
      {
        GITHUB_API_URL: github.url,
      },
    );
    expect(run.status).toBe(0);
    github.assertNoViolations();
    const calls = github.requests.map((r) => `${r.method} ${r.path}`);
    expect(calls[0]).toBe('POST /repos/acme/web/deployments');
    expect(github.requests[0]?.body).toMatchObject({
      environment: 'staging',
      auto_merge: false,
      required_contexts: [],
    });
    const states = github.requests
      .filter((r) => r.path.endsWith('/statuses'))
      .map((r) => (r.body as { state: string }).state);
    expect(states).toEqual(['in_progress', 'success']);
    // The runner swallows ::add-mask:: and hides the value everywhere after it; it must come first.
    const lines = run.log.split('\n');
    expect(lines.findIndex((l) => l === '::add-mask::ghs_test-token-value')).toBe(0);
    expect(lines.filter((l) => l.includes('ghs_test-token-value'))).toHaveLength(1);
  });

  it.each<[string, Record<string, string>, RegExp]>([
    ['no cluster', { cluster: '' }, /::error::Input 'cluster': required for command 'deploy'/],
    [
      'an unknown container',
      { container: 'api' },
      /::error::Input 'container': 'api' not in task definition 'web'; its containers are: web, sidecar/,
    ],
    ['a missing service', { service: 'web\nghost' }, /::error::Input 'service': 'ghost' not found/],
    [
      'a bad timeout',
      { 'wait-timeout': 'a while' },
      /::error::Input 'wait-timeout': 'a while' is not a duration/,
    ],
  ])(
    'fails on %s with an error naming the input, changing nothing',
    async (_case, inputs, message) => {
      const run = await deploy(
        { image: `${registry.host}/web@sha256:${'0'.repeat(64)}`, ...inputs },
        newSha(),
      );
      expect(run.status).toBe(1);
      expect(run.log).toMatch(message);
      expect(proxy.counts()['ECS.UpdateService']).toBeUndefined();
      expect(proxy.counts()['ECS.RegisterTaskDefinition']).toBeUndefined();
      expect(await serviceDefinitions()).toEqual([original, original]);
    },
  );
});
