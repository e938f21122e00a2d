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
import { CreateHostedZoneCommand, Route53Client } from '@aws-sdk/client-route-53';
import { deliver, settled, startApp, type AppProcess } from '../support/app-process.js';
import {
  createDefaultNetwork,
  registerFargateTaskDefinition,
  testAwsConfig,
} from '../support/aws.js';
import { pushEcrImage } from '../support/ecr-image.js';
import { eventually as pollFor } from '../support/eventually.js';
import { startGitHubApi, type GitHubApi } from '../support/github.js';
import { createGitHubWorld, type GitHubWorld, type IssueComment } from '../support/github-world.js';
import { setHeadChecks } from '../support/head-checks.js';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.js';
import { startMoto, type Moto } from '../support/moto.js';

// Attacks on the slash commands, sent as signed deliveries to the running App: each test names
// the actor of ../shared/THREATS.md it plays and what that actor must never achieve.
let moto: Moto;
let proxy: FaultProxy;
let api: GitHubApi;
let world: GitHubWorld;
let app: AppProcess;
let ecs: ECSClient;
let ecr: ECRClient;
let route53: Route53Client;
let network: Awaited<ReturnType<typeof createDefaultNetwork>>;

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
    new CreateHostedZoneCommand({
      Name: 'preview.example.com',
      CallerReference: randomBytes(8).toString('hex'),
    }),
  );
  const zoneId = zone.HostedZone?.Id?.split('/').pop() ?? '';
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
      'environments:',
      '  staging: { cluster: previews, services: [web-staging], permission: write }',
      '  reviewed: { cluster: previews, services: [web-staging], require-approval: true }',
      '  production: { workflow: deploy.yml, permission: admin }',
      '',
    ].join('\n'),
  );
  world.setPermission('maintainer', 'write');
  world.setPermission('owner', 'admin');
  world.setPermission('reader', 'read');
  world.setPermission('triager', 'triage');
  setHeadChecks(api, { statuses: { ci: 'success' }, runs: { test: 'success' } });
});

afterEach(async () => {
  await settled(app);
  api.assertNoViolations();
});

const sha = (): string => randomBytes(20).toString('hex');
const eventually = <T>(what: string, probe: () => Promise<T | undefined> | T | undefined) =>
  pollFor(what, probe, { timeoutMs: 20_000, context: () => app.output().slice(-3000) });

async function running(): Promise<string[]> {
  const { taskArns } = await ecs.send(
    new ListTasksCommand({ cluster: 'previews', desiredStatus: 'RUNNING' }),
  );
  if (!taskArns?.length) return [];
  const { tasks } = await ecs.send(
    new DescribeTasksCommand({ cluster: 'previews', tasks: taskArns, include: ['TAGS'] }),
  );
  const tag = (t: Task, key: string) => t.tags?.find((x) => x.key === key)?.value ?? '';
  return (tasks ?? [])
    .filter((t) => t.desiredStatus === 'RUNNING' && tag(t, 'ecs-paas:pr') !== '')
    .map((t) => tag(t, 'ecs-paas:sha'));
}

async function stagingRevision(): Promise<string> {
  const { services } = await ecs.send(
    new DescribeServicesCommand({ cluster: 'previews', services: ['web-staging'] }),
  );
  return services?.[0]?.taskDefinition ?? '';
}

async function createStaging(): Promise<void> {
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
}

/** A comment as GitHub delivers it; `writtenAgoMs` moves its created_at into the past. */
async function command(
  number: number,
  body: string,
  login: string,
  options: { writtenAgoMs?: number; deliveryId?: string; comment?: IssueComment } = {},
): Promise<IssueComment> {
  const comment = options.comment ?? world.addComment(number, body, { login, type: 'User' });
  // A redelivered or replayed comment keeps the created_at GitHub gave it when it was written.
  const createdAt =
    options.writtenAgoMs === undefined
      ? comment.created_at
      : new Date(Date.now() - options.writtenAgoMs).toISOString();
  const payload = world.issueCommentEvent('created', { ...comment, created_at: createdAt });
  await deliver(app, 'issue_comment', payload, {
    ...(options.deliveryId && { deliveryId: options.deliveryId }),
  });
  await settled(app);
  return comment;
}

const reactionsOf = (comment: IssueComment): string[] =>
  world.reactions.filter((r) => r.commentId === comment.id).map((r) => r.content);
const repliesOn = (number: number): string[] =>
  world.comments(number).filter((c) => !c.includes('ecs-paas:preview') && !c.startsWith('/'));

async function openFork(number: number, head: string): Promise<void> {
  world.addPull({ number, sha: head, fork: true, author: 'mallory' });
  await pushEcrImage(ecr, 'web', head);
  await deliver(app, 'pull_request', world.pullRequestEvent('opened', number));
  await settled(app);
}

describe('a fork approval is bound to the SHA the maintainer saw', () => {
  it('a replayed or late /deploy never launches a head pushed after it was written', async () => {
    const reviewed = sha();
    await openFork(1, reviewed);
    expect(await running()).toEqual([]);
    const approval = world.addComment(1, '/deploy', { login: 'maintainer', type: 'User' });
    const deliveryId = randomBytes(8).toString('hex');
    await command(1, '', '', { comment: approval, deliveryId });
    await eventually('the reviewed head running', async () =>
      (await running()).includes(reviewed) ? true : undefined,
    );

    // mallory pushes after the approval; the App shows the new head and refuses to run it.
    const pushed = sha();
    await pushEcrImage(ecr, 'web', pushed);
    world.updatePull(1, { sha: pushed });
    await deliver(app, 'pull_request', world.pullRequestEvent('synchronize', 1));
    await settled(app);
    // GitHub redelivers the approval (same id), then the same comment arrives again as a new
    // delivery (a slow queue, a replayed event): neither may approve the new head.
    await command(1, '', '', { comment: approval, deliveryId });
    await command(1, '', '', { comment: approval });
    expect(await running()).not.toContain(pushed);
    expect(repliesOn(1).join('\n')).toContain(`\`${pushed.slice(0, 7)}\` became the head after`);
  });

  it('/deploy <sha> approves only that SHA, and says so naming both when the head differs', async () => {
    const first = sha();
    await openFork(2, first);
    const second = sha();
    await pushEcrImage(ecr, 'web', second);
    world.updatePull(2, { sha: second });
    await deliver(app, 'pull_request', world.pullRequestEvent('synchronize', 2));
    await settled(app);

    const stale = await command(2, `/deploy ${first.slice(0, 9)}`, 'maintainer');
    expect(reactionsOf(stale)).toEqual(['eyes', 'confused']);
    expect(await running()).toEqual([]);
    const reply = repliesOn(2).at(-1) ?? '';
    expect(reply).toContain(first.slice(0, 7));
    expect(reply).toContain(second.slice(0, 7));

    await command(2, `/deploy ${second}`, 'maintainer');
    await eventually('the named head running', async () =>
      (await running()).includes(second) ? true : undefined,
    );
  });

  it('ignores a command written more than 10 minutes before the App reads it', async () => {
    await openFork(3, sha());
    const old = await command(3, '/deploy', 'maintainer', { writtenAgoMs: 11 * 60_000 });
    expect(reactionsOf(old)).toEqual([]);
    expect(await running()).toEqual([]);
  });

  it('refuses /preview stop and /deploy from a reader', async () => {
    const head = sha();
    world.addPull({ number: 4, sha: head });
    await pushEcrImage(ecr, 'web', head);
    await deliver(app, 'pull_request', world.pullRequestEvent('opened', 4));
    await eventually('the preview', async () =>
      (await running()).length === 1 ? true : undefined,
    );
    const stop = await command(4, '/preview stop', 'reader');
    expect(reactionsOf(stop)).toEqual(['eyes', 'confused']);
    expect(await running()).toEqual([head]);
    expect(repliesOn(4).at(-1)).toContain('@reader needs write access');
  });
});

describe('/deploy <env> is gated like a production deploy', () => {
  it("refuses a reader's and a fork's /deploy staging, changing nothing", async () => {
    await createStaging();
    const before = await stagingRevision();
    const head = sha();
    world.addPull({ number: 10, sha: head });
    await pushEcrImage(ecr, 'web', head);
    const byReader = await command(10, '/deploy staging', 'reader');
    expect(reactionsOf(byReader)).toEqual(['eyes', 'confused']);

    const forkHead = sha();
    world.addPull({ number: 11, sha: forkHead, fork: true, author: 'mallory' });
    await pushEcrImage(ecr, 'web', forkHead);
    const onFork = await command(11, `/deploy staging ${forkHead}`, 'maintainer');
    expect(reactionsOf(onFork)).toEqual(['eyes', 'confused']);
    expect(repliesOn(11).at(-1)).toContain('from a fork cannot be deployed');
    expect(await stagingRevision()).toBe(before);
    expect(world.deployments.filter((d) => d.environment === 'staging')).toEqual([]);
  });

  it('refuses a red or unfinished head, and deploys it once green', async () => {
    await createStaging();
    const before = await stagingRevision();
    const head = sha();
    world.addPull({ number: 12, sha: head });
    await pushEcrImage(ecr, 'web', head);
    setHeadChecks(api, { statuses: { ci: 'failure' }, runs: { test: 'success' } });
    await command(12, `/deploy staging ${head.slice(0, 7)}`, 'maintainer');
    expect(repliesOn(12).at(-1)).toContain('is not green: 1 check(s) not successful');
    setHeadChecks(api, { runs: { test: 'in_progress' } });
    await command(12, `/deploy staging ${head.slice(0, 7)}`, 'maintainer');
    expect(repliesOn(12).at(-1)).toContain('still running');
    setHeadChecks(api, {});
    await command(12, `/deploy staging ${head.slice(0, 7)}`, 'maintainer');
    expect(repliesOn(12).at(-1)).toContain('no status or check has been reported');
    expect(await stagingRevision()).toBe(before);

    setHeadChecks(api, { statuses: { ci: 'success' }, runs: { test: 'neutral' } });
    await command(12, `/deploy staging ${head.slice(0, 7)}`, 'maintainer');
    await eventually(
      'the staging deploy',
      () => repliesOn(12).some((c) => c.includes('to **staging**')) || undefined,
    );
    expect(await stagingRevision()).not.toBe(before);
  });

  it('runs one deploy per environment at a time: a second one gets "in progress" and a link', async () => {
    await createStaging();
    const head = sha();
    world.addPull({ number: 15, sha: head });
    await pushEcrImage(ecr, 'web', head);
    // The first deploy is held in UpdateService while the second command arrives.
    proxy.inject('ECS.UpdateService', { kind: 'latency', ms: 3_000 }, 1);
    const first = world.addComment(15, `/deploy staging ${head}`, {
      login: 'maintainer',
      type: 'User',
    });
    const second = world.addComment(15, `/deploy staging ${head}`, {
      login: 'owner',
      type: 'User',
    });
    await deliver(app, 'issue_comment', world.issueCommentEvent('created', first));
    await eventually(
      'the first deploy holding UpdateService',
      () => (proxy.counts()['ECS.UpdateService'] ?? 0) > 0 || undefined,
    );
    await deliver(app, 'issue_comment', world.issueCommentEvent('created', second));
    await settled(app);
    expect(reactionsOf(second)).toEqual(['eyes', 'confused']);
    expect(repliesOn(15).join('\n')).toContain(`in progress: ${first.html_url}`);
    expect(reactionsOf(first)).toEqual(['eyes', 'rocket']);
    expect(world.deployments.filter((d) => d.environment === 'staging')).toHaveLength(1);
  });

  it('wants an approving review of the head when the environment requires one', async () => {
    await createStaging();
    const before = await stagingRevision();
    const head = sha();
    world.addPull({ number: 13, sha: head });
    await pushEcrImage(ecr, 'web', head);
    api.on('GET /repos/{owner}/{repo}/pulls/{pull_number}/reviews', () => ({
      status: 200,
      body: [{ id: 1, user: { login: 'owner' }, state: 'APPROVED', commit_id: sha() }],
    }));
    await command(13, `/deploy reviewed ${head}`, 'maintainer');
    expect(repliesOn(13).at(-1)).toContain('needs an approving review');
    expect(await stagingRevision()).toBe(before);
  });

  it('dispatches a workflow environment on the head and reports the run when it finishes', async () => {
    const head = sha();
    world.addPull({ number: 14, sha: head, branch: 'feature/fast' });
    const dispatched: unknown[] = [];
    api.on('POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches', (request) => {
      dispatched.push({ workflow: request.params.workflow_id, body: request.body });
      return {
        status: 200,
        body: {
          workflow_run_id: 777,
          run_url: 'https://api.github.com/repos/acme/web/actions/runs/777',
          html_url: 'https://github.com/acme/web/actions/runs/777',
        },
      };
    });
    const byWriter = await command(14, `/deploy production ${head}`, 'maintainer');
    expect(reactionsOf(byWriter)).toEqual(['eyes', 'confused']);
    expect(dispatched).toEqual([]);
    await command(14, `/deploy production ${head}`, 'owner');
    expect(dispatched).toEqual([
      {
        workflow: 'deploy.yml',
        body: {
          ref: 'feature/fast',
          inputs: { sha: head, environment: 'production', pr: '14' },
          return_run_details: true,
        },
      },
    ]);
    expect(repliesOn(14).at(-1)).toContain('https://github.com/acme/web/actions/runs/777');

    await deliver(app, 'workflow_run', {
      action: 'completed',
      workflow_run: {
        id: 777,
        event: 'workflow_dispatch',
        head_sha: head,
        conclusion: 'failure',
        html_url: 'https://github.com/acme/web/actions/runs/777',
        pull_requests: [],
      },
      repository: world.repository,
      installation: { id: world.installationId },
    });
    await eventually(
      'the result in the reply',
      () => repliesOn(14).some((c) => c.includes('finished as failure')) || undefined,
    );
  });
});

describe('replies post little', () => {
  it('tells a failed launch in words: no ARN, account id or role name in the public comment', async () => {
    const head = sha();
    world.addPull({ number: 21, sha: head });
    await pushEcrImage(ecr, 'web', head);
    const denied =
      'User: arn:aws:sts::123456789012:assumed-role/ecs-paas-prod/i-0abc is not authorized to perform: ecs:RunTask on resource: arn:aws:ecs:us-east-1:123456789012:task-definition/web-preview:1';
    proxy.intercept('ECS.RunTask', (_request, response) => ({
      ...response,
      status: 400,
      body: JSON.stringify({ __type: 'AccessDeniedException', message: denied }),
    }));
    await deliver(app, 'pull_request', world.pullRequestEvent('opened', 21));
    await settled(app);
    const comment = world.comments(21).join('\n');
    expect(comment).toContain('AccessDeniedException');
    expect(comment).not.toMatch(/arn:aws|123456789012|ecs-paas-prod|not authorized/);
    expect(app.output()).toContain('ecs-paas-prod');
  });

  it('answers at most 5 commands per user per PR per minute; the rest get reactions', async () => {
    world.addPull({ number: 20, sha: sha() });
    for (let i = 0; i < 7; i++) await command(20, '/help', 'triager');
    expect(repliesOn(20).filter((c) => c.includes('ecs-paas commands'))).toHaveLength(5);
    expect(world.reactions.filter((r) => r.content === 'eyes')).toHaveLength(7);
  });
});
