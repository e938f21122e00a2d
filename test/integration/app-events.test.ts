import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { ECRClient } from '@aws-sdk/client-ecr';
import {
  CreateClusterCommand,
  DescribeTasksCommand,
  ECSClient,
  ListTasksCommand,
  type Task,
} from '@aws-sdk/client-ecs';
import {
  CreateHostedZoneCommand,
  ListResourceRecordSetsCommand,
  Route53Client,
} from '@aws-sdk/client-route-53';
import { deliver, settled, startApp, type AppProcess } from '../support/app-process.js';
import {
  createDefaultNetwork,
  registerFargateTaskDefinition,
  testAwsConfig,
} from '../support/aws.js';
import { pushEcrImage } from '../support/ecr-image.js';
import { eventually as pollFor } from '../support/eventually.js';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.js';
import { startGitHubApi, type GitHubApi } from '../support/github.js';
import { createGitHubWorld, type GitHubWorld } from '../support/github-world.js';
import { startMoto, type Moto } from '../support/moto.js';

// The pull request events and lifecycles no other file drives through the running App.
let moto: Moto;
let proxy: FaultProxy;
let api: GitHubApi;
let world: GitHubWorld;
let app: AppProcess;
let ecs: ECSClient;
let ecr: ECRClient;
let route53: Route53Client;
let zoneId: string;

const TOKEN = randomBytes(24).toString('hex');
const appOptions = () => ({
  githubUrl: api.url,
  awsEndpoint: proxy.url,
  env: { ECS_PAAS_POLL_MS: '50', ECS_PAAS_API_TOKEN: TOKEN },
});

beforeAll(async () => {
  moto = await startMoto({ servicesRunning: 1 });
  proxy = await startFaultProxy(moto.url);
  api = await startGitHubApi();
  const config = testAwsConfig(moto.url);
  ecs = new ECSClient(config);
  ecr = new ECRClient(config);
  route53 = new Route53Client(config);
  app = await startApp(appOptions());
});

afterAll(async () => {
  for (const client of [ecs, ecr, route53]) client?.destroy();
  await app?.stop();
  await Promise.allSettled([api?.stop(), proxy?.stop(), moto?.stop()]);
});

beforeEach(async () => {
  await moto.reset();
  proxy.clear();
  api.reset();
  world = createGitHubWorld(api, { owner: 'acme', repo: 'web' });
  await ecs.send(new CreateClusterCommand({ clusterName: 'previews' }));
  const network = await createDefaultNetwork(moto.url);
  await registerFargateTaskDefinition(ecs, 'web');
  const zone = await route53.send(
    new CreateHostedZoneCommand({
      Name: 'preview.example.com',
      CallerReference: randomBytes(8).toString('hex'),
    }),
  );
  zoneId = zone.HostedZone?.Id?.split('/').pop() ?? '';
  world.setFile(
    '.github/ecs-paas.yml',
    [
      'preview:',
      '  cluster: previews',
      '  task-definition: web',
      '  ecr-repository: web',
      `  subnets: [${network.subnetIds[0] ?? ''}]`,
      `  security-groups: [${network.securityGroupId}]`,
      `  routing: { mode: dns, hosted-zone-id: ${zoneId}, domain: preview.example.com }`,
      '',
    ].join('\n'),
  );
  world.setPermission('maintainer', 'write');
});

afterEach(async () => {
  await settled(app);
  api.assertNoViolations();
});

const sha = (): string => randomBytes(20).toString('hex');
const eventually = <T>(what: string, probe: () => Promise<T | undefined> | T | undefined) =>
  pollFor(what, probe, { timeoutMs: 20_000, context: () => app.output().slice(-3000) });
const living = (n: number): string =>
  world.comments(n).find((c) => c.includes('ecs-paas:preview')) ?? '';

async function tasks(): Promise<Task[]> {
  const { taskArns } = await ecs.send(
    new ListTasksCommand({ cluster: 'previews', desiredStatus: 'RUNNING' }),
  );
  if (!taskArns?.length) return [];
  const { tasks: found } = await ecs.send(
    new DescribeTasksCommand({ cluster: 'previews', tasks: taskArns, include: ['TAGS'] }),
  );
  return (found ?? []).filter((t) => t.desiredStatus === 'RUNNING');
}
const tag = (t: Task | undefined, key: string) => t?.tags?.find((x) => x.key === key)?.value;
const runningShas = async () => (await tasks()).map((t) => tag(t, 'ecs-paas:sha'));

async function records(): Promise<string[]> {
  const { ResourceRecordSets } = await route53.send(
    new ListResourceRecordSetsCommand({ HostedZoneId: zoneId }),
  );
  return (ResourceRecordSets ?? []).filter((r) => r.Type === 'A').map((r) => r.Name ?? '');
}

async function event(action: string, number: number, extra: Record<string, unknown> = {}) {
  await deliver(app, 'pull_request', world.pullRequestEvent(action as 'opened', number, extra));
  await settled(app);
}

async function launched(number: number, head: string): Promise<void> {
  world.addPull({ number, sha: head });
  await pushEcrImage(ecr, 'web', head);
  await event('opened', number);
  expect(await runningShas()).toEqual([head]);
}

describe('pull request events on the running App', () => {
  it('converted_to_draft tears the preview down; reopened after a close brings it back', async () => {
    const head = sha();
    await launched(1, head);
    world.updatePull(1, { draft: true });
    await event('converted_to_draft', 1);
    expect(await runningShas()).toEqual([]);
    expect(living(1)).toContain('draft');

    world.updatePull(1, { draft: false, state: 'closed' });
    await event('closed', 1);
    world.updatePull(1, { state: 'open' });
    await event('reopened', 1);
    expect(await runningShas()).toEqual([head]);
    expect(living(1)).toContain('Preview ready');
  });

  it('unlabeled no-preview launches again, and other labels do nothing', async () => {
    const head = sha();
    world.addPull({ number: 2, sha: head, labels: ['no-preview'] });
    await pushEcrImage(ecr, 'web', head);
    await event('opened', 2);
    expect(await runningShas()).toEqual([]);
    const requests = world.requests().length;
    await event('unlabeled', 2, { label: { name: 'bug' } });
    expect(world.requests()).toHaveLength(requests);
    world.updatePull(2, { labels: [] });
    await event('unlabeled', 2, { label: { name: 'no-preview' } });
    expect(await runningShas()).toEqual([head]);
  });

  it('a successful check_suite for the head launches a preview that was waiting for its image', async () => {
    const head = sha();
    world.addPull({ number: 3, sha: head });
    await event('opened', 3);
    expect(living(3)).toContain('Waiting');
    await pushEcrImage(ecr, 'web', head);
    const suite = (conclusion: string) => ({
      action: 'completed',
      check_suite: { head_sha: head, conclusion, pull_requests: [{ number: 3 }] },
      repository: world.repository,
      installation: { id: world.installationId },
    });
    await deliver(app, 'check_suite', suite('failure'));
    await settled(app);
    expect(await runningShas()).toEqual([]);
    await deliver(app, 'check_suite', suite('success'));
    await settled(app);
    expect(await runningShas()).toEqual([head]);
  });

  it("a fork's approval given before its image existed holds when its workflow_run succeeds, for that SHA only", async () => {
    const head = sha();
    world.addPull({ number: 4, sha: head, fork: true, author: 'mallory' });
    await event('opened', 4);
    const approval = world.addComment(4, '/deploy', { login: 'maintainer', type: 'User' });
    await deliver(app, 'issue_comment', world.issueCommentEvent('created', approval));
    await settled(app);
    expect(living(4)).toContain('Waiting');
    await pushEcrImage(ecr, 'web', head);
    // Fork runs list no pull requests; the App asks which open PR has this head.
    await deliver(app, 'workflow_run', {
      action: 'completed',
      workflow_run: {
        head_sha: head,
        conclusion: 'success',
        event: 'pull_request',
        pull_requests: [],
      },
      repository: world.repository,
      installation: { id: world.installationId },
    });
    await settled(app);
    expect(await runningShas()).toEqual([head]);

    // A newer head is not covered by that approval, image or not.
    const pushed = sha();
    await pushEcrImage(ecr, 'web', pushed);
    world.updatePull(4, { sha: pushed });
    await event('synchronize', 4);
    await deliver(app, 'workflow_run', {
      action: 'completed',
      workflow_run: {
        head_sha: pushed,
        conclusion: 'success',
        event: 'pull_request',
        pull_requests: [],
      },
      repository: world.repository,
      installation: { id: world.installationId },
    });
    await settled(app);
    expect(await runningShas()).not.toContain(pushed);
  });

  it("counts a submitted review as activity on the preview's task", async () => {
    const head = sha();
    await launched(5, head);
    const before = Date.now();
    await deliver(app, 'pull_request_review', {
      action: 'submitted',
      review: { id: 1, state: 'commented', user: { login: 'reviewer', type: 'User' } },
      pull_request: world.pull(5),
      sender: { login: 'reviewer', type: 'User' },
      repository: world.repository,
      installation: { id: world.installationId },
    });
    await settled(app);
    const at = tag((await tasks())[0], 'ecs-paas:last-activity') ?? '';
    expect(Date.parse(at)).toBeGreaterThanOrEqual(before - 1_000);
  });
});

describe('the App killed mid-launch', () => {
  it('converges after a restart: one task, one record, a ready comment', async () => {
    const head = sha();
    world.addPull({ number: 6, sha: head });
    await pushEcrImage(ecr, 'web', head);
    // Killed after RunTask, while its DNS record is being written.
    proxy.inject('Route53.ChangeResourceRecordSets', { kind: 'latency', ms: 10_000 }, 1);
    await deliver(app, 'pull_request', world.pullRequestEvent('opened', 6));
    await eventually(
      'the DNS change under way',
      () => (proxy.counts()['Route53.ChangeResourceRecordSets'] ?? 0) > 0 || undefined,
    );
    app.kill();
    await app.exited;
    proxy.clear();
    app = await startApp(appOptions());

    // GitHub redelivers what was not acknowledged as done; here, the same opened event again.
    await event('opened', 6);
    expect(await runningShas()).toEqual([head]);
    expect(await records()).toEqual(['pr-6-web.preview.example.com.']);
    expect(living(6)).toContain('Preview ready');
    expect(world.comments(6).filter((c) => c.includes('ecs-paas:preview'))).toHaveLength(1);
  });
});

describe('the sweep timer', () => {
  it.each(['1s', 'soon', '2d'])('refuses ECS_PAAS_SWEEP_INTERVAL=%s naming it', async (value) => {
    await expect(
      startApp({ ...appOptions(), env: { ECS_PAAS_SWEEP_INTERVAL: value } }),
    ).rejects.toThrow(/ECS_PAAS_SWEEP_INTERVAL is '.*'; set it to a duration from 10s to 24h/);
  });

  it('sweeps by itself every ECS_PAAS_SWEEP_INTERVAL', async () => {
    const timed = await startApp({
      ...appOptions(),
      env: { ...appOptions().env, ECS_PAAS_SWEEP_INTERVAL: '10s' },
    });
    try {
      const last = await pollFor(
        'a sweep nobody asked for',
        async () => {
          const response = await fetch(`${timed.url}/api/sweep`, {
            headers: { authorization: `Bearer ${TOKEN}` },
          });
          const status = (await response.json()) as { last?: { trigger?: string } };
          return status.last;
        },
        { timeoutMs: 30_000, context: () => timed.output().slice(-2000) },
      );
      expect(last.trigger).toBe('interval');
    } finally {
      await timed.stop();
    }
  });
});
