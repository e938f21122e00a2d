import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import {
  CreateClusterCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSClient,
  ListTaskDefinitionsCommand,
  ListTasksCommand,
} from '@aws-sdk/client-ecs';
import {
  CreateHostedZoneCommand,
  ListResourceRecordSetsCommand,
  Route53Client,
} from '@aws-sdk/client-route-53';
import { createAwsClients, type AwsClients } from '../../src/core/aws/clients.js';
import { silentLogger } from '../../src/core/logger.js';
import { createDnsRouter } from '../../src/core/preview/dns-router.js';
import { launchPreview } from '../../src/core/preview/launch-preview.js';
import { listPreviews } from '../../src/core/preview/list-previews.js';
import type {
  LaunchRequest,
  PreviewDeps,
  PreviewSettings,
  PullRequestRef,
} from '../../src/core/preview/preview-types.js';
import { teardownPreview } from '../../src/core/preview/teardown-preview.js';
import {
  createDefaultNetwork,
  registerFargateTaskDefinition,
  testAwsConfig,
} from '../support/aws.js';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.js';
import { startMoto, type Moto } from '../support/moto.js';

let moto: Moto;
let proxy: FaultProxy;
let aws: AwsClients;
let route53: Route53Client;
let ecs: ECSClient;
let settings: PreviewSettings;
let deps: PreviewDeps;

const DOMAIN = 'preview.example.com';
const IMAGE = `123456789012.dkr.ecr.us-east-1.amazonaws.com/web@sha256:${'c'.repeat(64)}`;

beforeAll(async () => {
  moto = await startMoto();
  proxy = await startFaultProxy(moto.url);
  const config = testAwsConfig(proxy.url);
  aws = createAwsClients('us-east-1', {
    endpoint: config.endpoint,
    credentials: config.credentials,
    maxAttempts: 6,
    retryMode: 'standard',
  });
  route53 = new Route53Client(config);
  ecs = new ECSClient(testAwsConfig(moto.url));
});

afterAll(async () => {
  aws?.ecs.destroy();
  route53?.destroy();
  ecs?.destroy();
  await Promise.allSettled([proxy?.stop(), moto?.stop()]);
});

beforeEach(async () => {
  await moto.reset();
  proxy.clear();
  await ecs.send(new CreateClusterCommand({ clusterName: 'previews' }));
  const network = await createDefaultNetwork(moto.url);
  await registerFargateTaskDefinition(ecs, 'web', [
    {
      name: 'web',
      image: 'nginx',
      portMappings: [{ containerPort: 80 }],
      environment: [{ name: 'NODE_ENV', value: 'production' }],
    },
  ]);
  const zone = await route53.send(
    new CreateHostedZoneCommand({ Name: DOMAIN, CallerReference: randomBytes(8).toString('hex') }),
  );
  settings = {
    cluster: 'previews',
    taskDefinition: 'web',
    launchType: 'FARGATE',
    subnets: network.subnetIds.slice(0, 1),
    securityGroups: [network.securityGroupId],
    assignPublicIp: false,
    routing: {
      mode: 'dns',
      domain: DOMAIN,
      hostedZoneId: zone.HostedZone?.Id?.split('/').pop() ?? '',
      port: 80,
      subdomain: 'pr-{number}-{repo}',
    },
    env: { NODE_ENV: 'preview' },
    maxPreviews: 10,
    forks: 'require-approval',
  };
  deps = {
    aws,
    router: createDnsRouter(route53, settings.routing as never),
    log: silentLogger,
    pollMs: 50,
    startTimeoutMs: 20_000,
  };
  proxy.resetCounts();
});

const sha = (): string => randomBytes(20).toString('hex');
const pr = (overrides: Partial<PullRequestRef> = {}): PullRequestRef => ({
  repo: 'acme/web',
  number: 7,
  sha: sha(),
  branch: 'feature/login',
  author: 'octocat',
  fork: false,
  ...overrides,
});
const launch = (ref: PullRequestRef, extra: Partial<LaunchRequest> = {}) =>
  launchPreview(deps, settings, { pr: ref, image: IMAGE, launchedBy: ref.author, ...extra });

async function aRecords(): Promise<Record<string, string>> {
  const { ResourceRecordSets } = await route53.send(
    new ListResourceRecordSetsCommand({ HostedZoneId: settings.routing.hostedZoneId }),
  );
  return Object.fromEntries(
    (ResourceRecordSets ?? [])
      .filter((r) => r.Type === 'A')
      .map((r) => [r.Name ?? '', r.ResourceRecords?.[0]?.Value ?? '']),
  );
}

async function runningTasks(): Promise<
  Array<{ arn: string; ip: string; sha: string; definition: string }>
> {
  const { taskArns } = await ecs.send(
    new ListTasksCommand({ cluster: 'previews', desiredStatus: 'RUNNING' }),
  );
  if (!taskArns?.length) return [];
  const { tasks } = await ecs.send(
    new DescribeTasksCommand({ cluster: 'previews', tasks: taskArns, include: ['TAGS'] }),
  );
  return (tasks ?? [])
    .filter((t) => t.desiredStatus === 'RUNNING')
    .map((t) => ({
      arn: t.taskArn ?? '',
      ip: t.attachments?.[0]?.details?.find((d) => d.name === 'privateIPv4Address')?.value ?? '',
      sha: t.tags?.find((tag) => tag.key === 'ecs-paas:sha')?.value ?? '',
      definition: t.taskDefinitionArn ?? '',
    }));
}

describe('the preview engine against moto (dns routing)', () => {
  it('launches a task with the preview env, tags it, and points a DNS record at its IP', async () => {
    const ref = pr();
    const result = await launch(ref);
    expect(result).toMatchObject({
      kind: 'launched',
      url: `http://pr-7-web.${DOMAIN}`,
      sha: ref.sha,
      // No task role or secrets unless configured (preview-identity.test.ts), and open HTTP.
      identity: { secrets: [] },
      access: 'open-http',
    });
    const [task, ...more] = await runningTasks();
    expect(more).toHaveLength(0);
    expect(task?.sha).toBe(ref.sha);
    expect(await aRecords()).toEqual({ [`pr-7-web.${DOMAIN}.`]: task?.ip });

    const { taskDefinition, tags } = await ecs.send(
      new DescribeTaskDefinitionCommand({ taskDefinition: task?.definition, include: ['TAGS'] }),
    );
    expect(taskDefinition?.family).toBe('web-preview');
    const web = taskDefinition?.containerDefinitions?.[0];
    expect(web?.image).toBe(IMAGE);
    expect(web?.environment).toEqual(
      expect.arrayContaining([
        { name: 'NODE_ENV', value: 'preview' },
        { name: 'PREVIEW_URL', value: `http://pr-7-web.${DOMAIN}` },
        { name: 'PR_NUMBER', value: '7' },
        { name: 'GIT_SHA', value: ref.sha },
        { name: 'GIT_BRANCH', value: 'feature/login' },
      ]),
    );
    expect(tags).toEqual(expect.arrayContaining([{ key: 'ecs-paas:pr', value: '7' }]));
    expect(proxy.counts()['Route53.ChangeResourceRecordSets']).toBe(1);
  });

  it('changes nothing when the same request comes again (a redelivered webhook)', async () => {
    const ref = pr();
    await launch(ref);
    proxy.resetCounts();
    const again = await launch(ref);
    expect(again).toMatchObject({ kind: 'unchanged', sha: ref.sha });
    expect(proxy.counts()['ECS.RunTask']).toBeUndefined();
    expect(proxy.counts()['ECS.RegisterTaskDefinition']).toBeUndefined();
    expect(proxy.counts()['Route53.ChangeResourceRecordSets']).toBeUndefined();
    expect(await runningTasks()).toHaveLength(1);
  });

  it('replaces the task on a new head: the old one stops and the record follows the new IP', async () => {
    const first = pr();
    await launch(first);
    const [old] = await runningTasks();
    const second = { ...first, sha: sha() };
    const result = await launch(second);
    expect(result).toMatchObject({ kind: 'replaced', sha: second.sha, stopped: [old?.arn] });
    const [now, ...more] = await runningTasks();
    expect(more).toHaveLength(0);
    expect(now?.sha).toBe(second.sha);
    expect(await aRecords()).toEqual({ [`pr-7-web.${DOMAIN}.`]: now?.ip });
    const { taskDefinitionArns } = await ecs.send(
      new ListTaskDefinitionsCommand({ familyPrefix: 'web-preview', status: 'ACTIVE' }),
    );
    expect(taskDefinitionArns).toEqual([now?.definition]);
  });

  it('tears everything down, and a second teardown succeeds doing nothing', async () => {
    const ref = pr();
    await launch(ref);
    const result = await teardownPreview(deps, settings, ref, 'closed');
    expect(result).toMatchObject({ kind: 'torn-down', hostnames: [`pr-7-web.${DOMAIN}`] });
    expect(await runningTasks()).toHaveLength(0);
    expect(await aRecords()).toEqual({});
    const { taskDefinitionArns } = await ecs.send(
      new ListTaskDefinitionsCommand({ familyPrefix: 'web-preview', status: 'ACTIVE' }),
    );
    expect(taskDefinitionArns).toEqual([]);

    proxy.resetCounts();
    expect(await teardownPreview(deps, settings, ref, 'closed')).toEqual({
      kind: 'torn-down',
      stopped: [],
      hostnames: [],
    });
    expect(proxy.counts()['Route53.ChangeResourceRecordSets']).toBeUndefined();
    expect(proxy.counts()['ECS.StopTask']).toBeUndefined();
  });

  it('leaves exactly one task, for the newest head, when two launches race', async () => {
    const older = pr();
    const newer = { ...older, sha: sha() };
    const isCurrentHead = (candidate: string) => Promise.resolve(candidate === newer.sha);
    const results = await Promise.all([
      launch(older, { isCurrentHead }),
      launch(newer, { isCurrentHead }),
    ]);
    expect(results.map((r) => r.kind).sort()).toEqual(['discarded', 'launched']);
    const tasks = await runningTasks();
    expect(tasks.map((t) => t.sha)).toEqual([newer.sha]);
    expect(await aRecords()).toEqual({ [`pr-7-web.${DOMAIN}.`]: tasks[0]?.ip });
  });

  it('leaves one task when the same head is launched twice at once', async () => {
    const ref = pr();
    const results = await Promise.all([launch(ref), launch(ref)]);
    expect(results.map((r) => r.kind).sort()).toEqual(['launched', 'unchanged']);
    expect(await runningTasks()).toHaveLength(1);
  });

  it('reports a task that dies while starting with its reason and exit code, and leaves no record', async () => {
    // moto's tasks do not crash: report the new task stopped, as ECS does for a crashing container.
    proxy.intercept(
      'ECS.DescribeTasks',
      (_request, response) => {
        const body = JSON.parse(response.body) as { tasks?: Array<Record<string, unknown>> };
        for (const task of body.tasks ?? []) {
          task.lastStatus = 'STOPPED';
          task.desiredStatus = 'STOPPED';
          task.stoppedReason = 'Essential container in task exited';
          task.containers = [
            {
              name: 'web',
              lastStatus: 'STOPPED',
              exitCode: 137,
              reason: 'OutOfMemoryError: Container killed due to memory usage',
            },
          ];
        }
        return { ...response, body: JSON.stringify(body) };
      },
      1,
    );
    const result = await launch(pr());
    expect(result).toMatchObject({
      kind: 'failed',
      reason: 'the task stopped before it was running: Essential container in task exited',
    });
    expect(result.kind === 'failed' && result.details.join('\n')).toContain(
      'exit code 137 (OutOfMemoryError',
    );
    expect(await aRecords()).toEqual({});
    expect(proxy.counts()['Route53.ChangeResourceRecordSets']).toBeUndefined();
  });

  it('stops a task that does not start in time and reports it, leaving no record', async () => {
    // A slow pull on real Fargate: the task stays PENDING past the start timeout.
    proxy.intercept('ECS.DescribeTasks', (_request, response) => {
      const body = JSON.parse(response.body) as { tasks?: Array<Record<string, unknown>> };
      for (const task of body.tasks ?? [])
        if (task.desiredStatus === 'RUNNING') task.lastStatus = 'PENDING';
      return { ...response, body: JSON.stringify(body) };
    });
    deps = { ...deps, startTimeoutMs: 400 };
    const result = await launch(pr());
    proxy.clear();
    expect(result.kind === 'failed' && result.reason).toMatch(
      /^the task was still PENDING after .*; it was stopped$/,
    );
    expect(await runningTasks()).toHaveLength(0);
    expect(await aRecords()).toEqual({});
  });

  it('refuses a launch over the repository quota, starting nothing', async () => {
    settings = { ...settings, maxPreviews: 1 };
    await launch(pr({ number: 1 }));
    proxy.resetCounts();
    const result = await launch(pr({ number: 2 }));
    expect(result.kind).toBe('refused');
    expect(result.kind === 'refused' && result.reason).toContain(
      'already has 1 previews running (max-previews: 1)',
    );
    expect(proxy.counts()['ECS.RunTask']).toBeUndefined();
  });

  it.each<[string, PreviewSettings['forks'], boolean, string]>([
    ['refuses every fork PR with forks: never', 'never', true, 'refused'],
    ['waits for a maintainer before launching a fork PR', 'require-approval', false, 'refused'],
    ['launches a fork PR a maintainer approved', 'require-approval', true, 'launched'],
  ])('%s', async (_case, forks, approved, kind) => {
    settings = { ...settings, forks };
    const result = await launch(pr({ fork: true }), { approved });
    expect(result.kind).toBe(kind);
    expect(await runningTasks()).toHaveLength(kind === 'launched' ? 1 : 0);
  });

  it('keeps labels of two repositories with the same name apart', async () => {
    await launch(pr({ repo: 'acme/web', number: 3 }));
    const other = await launch(pr({ repo: 'globex/web', number: 3 }));
    expect(other.kind).toBe('launched');
    expect(other.kind === 'launched' && other.url).toMatch(
      /^http:\/\/pr-3-web-[0-9a-f]{6}\.preview\.example\.com$/,
    );
    expect(Object.keys(await aRecords())).toHaveLength(2);
  });

  it('launches for a bot author, whose login ECS would refuse as a tag value', async () => {
    const result = await launch(pr({ author: 'dependabot[bot]' }));
    expect(result.kind).toBe('launched');
    const { taskArns } = await ecs.send(new ListTasksCommand({ cluster: 'previews' }));
    const { tasks } = await ecs.send(
      new DescribeTasksCommand({ cluster: 'previews', tasks: taskArns, include: ['TAGS'] }),
    );
    expect(tasks?.[0]?.tags).toEqual(
      expect.arrayContaining([{ key: 'ecs-paas:launched-by', value: 'dependabot-bot-' }]),
    );
  });

  it('lists every managed preview from AWS alone', async () => {
    const a = pr({ number: 1 });
    const b = pr({ number: 2 });
    await launch(a);
    await launch(b);
    const previews = await listPreviews(aws.ecs, 'previews');
    expect(previews.map((p) => [p.repo, p.pr, p.sha, p.url, p.status])).toEqual([
      ['acme/web', 1, a.sha, `http://pr-1-web.${DOMAIN}`, 'RUNNING'],
      ['acme/web', 2, b.sha, `http://pr-2-web.${DOMAIN}`, 'RUNNING'],
    ]);
  });

  it('still converges when ECS throttles RunTask and Route 53 throttles the change', async () => {
    proxy.inject('ECS.RunTask', { kind: 'throttle' }, 2);
    proxy.inject('Route53.ChangeResourceRecordSets', { kind: 'throttle' }, 2);
    const result = await launch(pr());
    expect(result.kind).toBe('launched');
    expect(await runningTasks()).toHaveLength(1);
  });
});
