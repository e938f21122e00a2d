import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { ECRClient } from '@aws-sdk/client-ecr';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeServicesCommand,
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
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.js';
import { startGitHubApi, type GitHubApi } from '../support/github.js';
import { setHeadChecks } from '../support/head-checks.js';
import { createGitHubWorld, type GitHubWorld } from '../support/github-world.js';
import { eventually as pollFor } from '../support/eventually.js';
import { startMoto, type Moto } from '../support/moto.js';
import { pullRequestPayload } from '../support/pull-request-payload.js';

let moto: Moto;
let proxy: FaultProxy;
let api: GitHubApi;
let world: GitHubWorld;
let app: AppProcess;
let ecs: ECSClient;
let ecr: ECRClient;
let route53: Route53Client;
let zoneId: string;
let network: Awaited<ReturnType<typeof createDefaultNetwork>>;

const REPO = 'acme/web';
const DOMAIN = 'preview.example.com';

beforeAll(async () => {
  moto = await startMoto({ servicesRunning: 1 });
  proxy = await startFaultProxy(moto.url);
  api = await startGitHubApi();
  const config = testAwsConfig(moto.url);
  ecs = new ECSClient(config);
  ecr = new ECRClient(config);
  route53 = new Route53Client(config);
  app = await startApp({
    githubUrl: api.url,
    awsEndpoint: proxy.url,
    env: { ECS_PAAS_POLL_MS: '50' },
  });
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
  network = await createDefaultNetwork(moto.url);
  await registerFargateTaskDefinition(ecs, 'web');
  const zone = await route53.send(
    new CreateHostedZoneCommand({ Name: DOMAIN, CallerReference: randomBytes(8).toString('hex') }),
  );
  zoneId = zone.HostedZone?.Id?.split('/').pop() ?? '';
  world.setFile('.github/ecs-paas.yml', config());
  world.setPermission('maintainer', 'write');
  world.setPermission('reader', 'read');
});

afterEach(async () => {
  // Let the App finish what the test started, so its work never lands in the next test's world.
  await settled(app);
  // Every request the App made must have been valid against GitHub's OpenAPI description.
  api.assertNoViolations();
});

function config(extra = ''): string {
  return [
    'preview:',
    '  cluster: previews',
    '  task-definition: web',
    '  ecr-repository: web',
    `  subnets: [${network.subnetIds[0] ?? ''}]`,
    `  security-groups: [${network.securityGroupId}]`,
    `  routing: { mode: dns, hosted-zone-id: ${zoneId}, domain: ${DOMAIN} }`,
    extra,
    'environments:',
    '  staging: { cluster: previews, services: [web-staging], permission: write }',
    '',
  ].join('\n');
}

const sha = (): string => randomBytes(20).toString('hex');

/** A real pull_request payload for this head, from the world's repository and installation. */
function prPayload(
  action: string,
  number: number,
  head: string,
  extra: { headRepo?: string; author?: string } = {},
) {
  return {
    ...pullRequestPayload({ action, repo: REPO, number, sha: head, ...extra }),
    repository: world.repository,
    installation: { id: world.installationId },
  };
}

async function send(
  action: string,
  number: number,
  head: string,
  extra: { headRepo?: string; author?: string } = {},
) {
  return deliver(app, 'pull_request', prPayload(action, number, head, extra));
}

/** Polls until `probe` holds, showing the App's output when it never does. */
const eventually = <T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 20_000,
): Promise<T> =>
  pollFor(what, probe, {
    timeoutMs,
    context: () => `App output:\n${app.output().slice(-3000)}`,
  });

async function running(): Promise<Array<{ pr: string; sha: string }>> {
  const { taskArns } = await ecs.send(
    new ListTasksCommand({ cluster: 'previews', desiredStatus: 'RUNNING' }),
  );
  if (!taskArns?.length) return [];
  const { tasks } = await ecs.send(
    new DescribeTasksCommand({ cluster: 'previews', tasks: taskArns, include: ['TAGS'] }),
  );
  const tag = (t: Task, key: string) => t.tags?.find((x) => x.key === key)?.value ?? '';
  return (tasks ?? [])
    .filter((t) => t.desiredStatus === 'RUNNING')
    .map((t) => ({ pr: tag(t, 'ecs-paas:pr'), sha: tag(t, 'ecs-paas:sha') }));
}

async function records(): Promise<string[]> {
  const { ResourceRecordSets } = await route53.send(
    new ListResourceRecordSetsCommand({ HostedZoneId: zoneId }),
  );
  return (ResourceRecordSets ?? []).filter((r) => r.Type === 'A').map((r) => r.Name ?? '');
}

const lastComment = (n: number): string => world.comments(n).at(-1) ?? '';

describe('the App, driven by signed webhooks over HTTP', () => {
  it('launches a preview when the image exists, with one comment and a Deployment that links it', async () => {
    const head = sha();
    world.addPull({ number: 1, sha: head });
    await pushEcrImage(ecr, 'web', head);
    const response = await send('opened', 1, head);
    expect(response.status).toBeLessThan(300);

    await eventually(
      'the preview comment',
      () => lastComment(1).includes('Preview ready') || undefined,
    );
    expect(world.comments(1)).toHaveLength(1);
    expect(lastComment(1)).toContain(`http://pr-1-web.${DOMAIN}`);
    expect(lastComment(1)).toContain(head.slice(0, 7));
    expect(lastComment(1)).toMatch(/sha256:[0-9a-f]{64}/);
    expect(lastComment(1)).toContain('<summary>Commands</summary>');
    expect(await running()).toEqual([{ pr: '1', sha: head }]);
    expect(await records()).toEqual([`pr-1-web.${DOMAIN}.`]);
    const [deployment] = world.deployments;
    expect(deployment).toMatchObject({ environment: 'preview/pr-1', transient_environment: true });
    expect(deployment?.statuses.map((s) => s.state)).toEqual(['in_progress', 'success']);
    expect(deployment?.statuses[1]?.environment_url).toBe(`http://pr-1-web.${DOMAIN}`);
    expect(world.fileReads.every((read) => read.ref === 'main')).toBe(true);
  });

  it('waits for the image, says so, and launches when a workflow run for that SHA succeeds', async () => {
    const head = sha();
    world.addPull({ number: 2, sha: head });
    await send('opened', 2, head);
    await eventually('the waiting comment', () => lastComment(2).includes('Waiting') || undefined);
    expect(lastComment(2)).toContain(`web:${head}`);
    expect(await running()).toEqual([]);

    await pushEcrImage(ecr, 'web', head);
    const run = {
      action: 'completed',
      workflow_run: { head_sha: head, conclusion: 'success', pull_requests: [{ number: 2 }] },
    };
    await deliver(app, 'workflow_run', {
      ...run,
      repository: world.repository,
      installation: { id: world.installationId },
    });
    await eventually('the preview', () => lastComment(2).includes('Preview ready') || undefined);
    expect(world.comments(2)).toHaveLength(1);
  });

  it('replaces the preview on push and tears it down on close, marking the Deployment inactive', async () => {
    const first = sha();
    world.addPull({ number: 3, sha: first });
    await pushEcrImage(ecr, 'web', first);
    await send('opened', 3, first);
    await eventually('first preview', async () =>
      (await running()).some((t) => t.sha === first) ? true : undefined,
    );

    const second = sha();
    await pushEcrImage(ecr, 'web', second);
    world.updatePull(3, { sha: second });
    await send('synchronize', 3, second);
    await eventually('second preview', async () =>
      (await running()).every((t) => t.sha === second) &&
      lastComment(3).includes(second.slice(0, 7))
        ? true
        : undefined,
    );
    expect(await running()).toEqual([{ pr: '3', sha: second }]);
    expect(world.comments(3)).toHaveLength(1);

    world.updatePull(3, { state: 'closed' });
    await send('closed', 3, second);
    await eventually('teardown', async () =>
      (await running()).length === 0 && lastComment(3).includes('Preview stopped')
        ? true
        : undefined,
    );
    expect(await records()).toEqual([]);
    expect(world.deployments.at(-1)?.statuses.at(-1)?.state).toBe('inactive');
    expect(world.comments(3)).toHaveLength(1);
  });

  it('launches one task for the same delivery five times and one for two quick pushes', async () => {
    const head = sha();
    world.addPull({ number: 4, sha: head });
    await pushEcrImage(ecr, 'web', head);
    const payload = prPayload('opened', 4, head);
    const deliveryId = randomBytes(8).toString('hex');
    for (let i = 0; i < 5; i++) await deliver(app, 'pull_request', payload, { deliveryId });
    await eventually('preview', () => lastComment(4).includes('Preview ready') || undefined);
    await settled(app);
    expect(await running()).toHaveLength(1);
    expect(world.deployments).toHaveLength(1);

    const a = sha();
    const b = sha();
    await pushEcrImage(ecr, 'web', a);
    await pushEcrImage(ecr, 'web', b);
    world.updatePull(4, { sha: b });
    await Promise.all([send('synchronize', 4, a), send('synchronize', 4, b)]);
    await eventually('newest head serving', async () => {
      const tasks = await running();
      return tasks.length === 1 && tasks[0]?.sha === b && lastComment(4).includes(b.slice(0, 7))
        ? true
        : undefined;
    });
    expect(world.comments(4)).toHaveLength(1);
  });

  it('rejects a forged signature and runs nothing', async () => {
    const head = sha();
    world.addPull({ number: 5, sha: head });
    await pushEcrImage(ecr, 'web', head);
    const response = await deliver(
      app,
      'pull_request',
      pullRequestPayload({ action: 'opened', repo: REPO, number: 5, sha: head }),
      { tamper: true },
    );
    expect(response.status).toBeGreaterThanOrEqual(400);
    await settled(app);
    expect(world.requests().filter((r) => r.includes('/5'))).toEqual([]);
    expect(await running()).toEqual([]);
  });

  it('gives draft PRs no preview and tears one down when labelled no-preview', async () => {
    const head = sha();
    world.addPull({ number: 6, sha: head, draft: true });
    await pushEcrImage(ecr, 'web', head);
    await send('opened', 6, head);
    await settled(app);
    expect(await running()).toEqual([]);

    world.updatePull(6, { draft: false });
    await send('ready_for_review', 6, head);
    await eventually('preview', async () => ((await running()).length === 1 ? true : undefined));
    world.updatePull(6, { labels: ['no-preview'] });
    const payload = {
      ...pullRequestPayload({ action: 'labeled', repo: REPO, number: 6, sha: head }),
      label: { name: 'no-preview' },
    };
    await deliver(app, 'pull_request', payload);
    await eventually('teardown', async () =>
      (await running()).length === 0 && lastComment(6).includes('no-preview') ? true : undefined,
    );
  });

  it('comments once naming the bad key of an invalid config, launching nothing', async () => {
    world.setFile('.github/ecs-paas.yml', 'preview:\n  cluster: previews\n  max-previews: lots\n');
    const head = sha();
    world.addPull({ number: 7, sha: head });
    await pushEcrImage(ecr, 'web', head);
    await send('opened', 7, head);
    await eventually('config comment', () => lastComment(7).includes('not valid') || undefined);
    expect(lastComment(7)).toContain('preview.max-previews');
    await send('synchronize', 7, head);
    await settled(app);
    expect(world.comments(7)).toHaveLength(1);
    expect(await running()).toEqual([]);
  });

  it("never launches a fork PR on its own; a writer's /deploy launches it at the SHA it read", async () => {
    const head = sha();
    world.addPull({ number: 8, sha: head, fork: true });
    await pushEcrImage(ecr, 'web', head);
    await send('opened', 8, head, { headRepo: 'mallory/web' });
    await eventually('refusal comment', () => lastComment(8).includes('fork') || undefined);
    expect(await running()).toEqual([]);

    const comment = world.addComment(8, '/deploy', { login: 'maintainer', type: 'User' });
    await deliver(app, 'issue_comment', world.issueCommentEvent('created', comment));
    await eventually('fork preview', async () =>
      (await running()).length === 1 ? true : undefined,
    );
    expect(await running()).toEqual([{ pr: '8', sha: head }]);
    await eventually(
      'rocket',
      () =>
        world.reactions.some((r) => r.commentId === comment.id && r.content === 'rocket') ||
        undefined,
    );
    expect(world.reactions.filter((r) => r.commentId === comment.id).map((r) => r.content)).toEqual(
      ['eyes', 'rocket'],
    );
  });

  it('refuses /deploy from a reader with a reason, runs nothing, and ignores edited comments and bots', async () => {
    const head = sha();
    world.addPull({ number: 9, sha: head });
    const comment = world.addComment(9, '/deploy', { login: 'reader', type: 'User' });
    await deliver(app, 'issue_comment', world.issueCommentEvent('created', comment));
    await eventually(
      'confused',
      () =>
        world.reactions.some((r) => r.commentId === comment.id && r.content === 'confused') ||
        undefined,
    );
    await eventually(
      'the reason',
      () => world.comments(9).some((c) => c.includes('@reader needs write access')) || undefined,
    );
    expect(await running()).toEqual([]);

    const before = world.requests().length;
    await deliver(app, 'issue_comment', world.issueCommentEvent('edited', comment));
    const bot = world.addComment(9, '/deploy', { login: 'other[bot]', type: 'Bot' });
    await deliver(app, 'issue_comment', world.issueCommentEvent('created', bot));
    await settled(app);
    expect(world.requests().length).toBe(before);
  });

  it('answers /help and unknown commands from triage up, never quoting them; a reader gets a reaction only', async () => {
    world.addPull({ number: 10, sha: sha() });
    world.setPermission('triager', 'triage');
    const readersHelp = world.addComment(10, '/help', { login: 'reader', type: 'User' });
    await deliver(app, 'issue_comment', world.issueCommentEvent('created', readersHelp));
    await settled(app);
    expect(
      world.reactions.filter((r) => r.commentId === readersHelp.id).map((r) => r.content),
    ).toEqual(['eyes', 'confused']);
    expect(world.comments(10)).toHaveLength(1);

    const help = world.addComment(10, '/help', { login: 'triager', type: 'User' });
    await deliver(app, 'issue_comment', world.issueCommentEvent('created', help));
    await eventually(
      'help',
      () => world.comments(10).some((c) => c.includes('/preview stop')) || undefined,
    );
    const unknown = world.addComment(10, '/destroy @everyone [x](https://evil.example)', {
      login: 'maintainer',
      type: 'User',
    });
    await deliver(app, 'issue_comment', world.issueCommentEvent('created', unknown));
    await eventually(
      'unknown',
      () => world.comments(10).some((c) => c.includes('is not a command I know')) || undefined,
    );
    const fromApp = world
      .commentObjects(10)
      .filter((c) => c.user?.type === 'Bot')
      .map((c) => c.body ?? '');
    expect(fromApp.join('\n')).not.toMatch(/destroy|@everyone|evil\.example/);
  });

  it('deploys the head image to an environment with /deploy <env> and records its Deployment', async () => {
    await ecs.send(
      new CreateServiceCommand({
        cluster: 'previews',
        serviceName: 'web-staging',
        taskDefinition: 'web',
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
    const head = sha();
    world.addPull({ number: 11, sha: head });
    const digest = await pushEcrImage(ecr, 'web', head);
    setHeadChecks(api, { runs: { test: 'success' } });
    const comment = world.addComment(11, `/deploy staging ${head.slice(0, 7)}`, {
      login: 'maintainer',
      type: 'User',
    });
    await deliver(app, 'issue_comment', world.issueCommentEvent('created', comment));
    await eventually(
      'staging deployed',
      () => world.comments(11).some((c) => c.includes('to **staging**')) || undefined,
    );
    const { services } = await ecs.send(
      new DescribeServicesCommand({ cluster: 'previews', services: ['web-staging'] }),
    );
    expect(services?.[0]?.taskDefinition).toMatch(/task-definition\/web:2$/);
    const staging = world.deployments.find((d) => d.environment === 'staging');
    expect(staging?.statuses.map((s) => s.state)).toEqual(['in_progress', 'success']);
    expect(digest).toMatch(/^sha256:/);
  });

  it('converges through AWS throttling and a 502 from GitHub mid-launch', async () => {
    const head = sha();
    world.addPull({ number: 12, sha: head });
    await pushEcrImage(ecr, 'web', head);
    proxy.inject('ECS.RunTask', { kind: 'throttle' }, 2);
    proxy.inject('Route53.ChangeResourceRecordSets', { kind: 'server-error', status: 503 }, 1);
    world.failNext('POST /repos/{owner}/{repo}/deployments', 502, 1);
    world.failNext('POST /repos/{owner}/{repo}/issues/{issue_number}/comments', 502, 1);
    await send('opened', 12, head);
    await eventually('preview', () => lastComment(12).includes('Preview ready') || undefined);
    expect(await running()).toEqual([{ pr: '12', sha: head }]);
    expect(world.comments(12)).toHaveLength(1);
  });

  it('rebuilds what it needs from AWS and GitHub after a crash', async () => {
    const first = sha();
    world.addPull({ number: 13, sha: first });
    await pushEcrImage(ecr, 'web', first);
    await send('opened', 13, first);
    await eventually('first preview', () => lastComment(13).includes('Preview ready') || undefined);

    app.kill();
    await app.exited;
    app = await startApp({
      githubUrl: api.url,
      awsEndpoint: proxy.url,
      env: { ECS_PAAS_POLL_MS: '50' },
    });

    const second = sha();
    await pushEcrImage(ecr, 'web', second);
    world.updatePull(13, { sha: second });
    await send('synchronize', 13, second);
    await eventually('replaced after restart', async () => {
      const tasks = await running();
      return tasks.length === 1 &&
        tasks[0]?.sha === second &&
        lastComment(13).includes(second.slice(0, 7))
        ? true
        : undefined;
    });
    expect(world.comments(13)).toHaveLength(1);
    expect(await records()).toEqual([`pr-13-web.${DOMAIN}.`]);
  });

  it('refuses to start without a webhook secret, so nobody can forge deliveries', async () => {
    await expect(
      startApp({ githubUrl: api.url, awsEndpoint: proxy.url, env: { WEBHOOK_SECRET: '' } }),
    ).rejects.toThrow(/WEBHOOK_SECRET is not set/);
  });
});
