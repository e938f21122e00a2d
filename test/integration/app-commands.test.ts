import { randomBytes } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { CreateServiceCommand, DescribeServicesCommand } from '@aws-sdk/client-ecs';
import { deliver, settled } from '../support/app-process.js';
import { tagOf, useAppFixture } from '../support/app-fixture.js';
import { pushEcrImage } from '../support/ecr-image.js';
import type { IssueComment } from '../support/github-world.js';
import { setHeadChecks } from '../support/head-checks.js';

// Attacks on the slash commands, sent as signed deliveries to the running App: each test names
// the actor of ../shared/THREATS.md it plays and what that actor must never achieve.
const f = useAppFixture({
  setUp: (fixture) => {
    fixture.world.setFile(
      '.github/ecs-paas.yml',
      fixture.config(
        [],
        [
          'environments:',
          '  staging: { cluster: previews, services: [web-staging], permission: write }',
          '  reviewed: { cluster: previews, services: [web-staging], require-approval: true }',
          '  production: { workflow: deploy.yml, permission: admin }',
        ],
      ),
    );
    fixture.world.setPermission('maintainer', 'write');
    fixture.world.setPermission('owner', 'admin');
    fixture.world.setPermission('reader', 'read');
    fixture.world.setPermission('triager', 'triage');
    setHeadChecks(fixture.api, { statuses: { ci: 'success' }, runs: { test: 'success' } });
    return Promise.resolve();
  },
});

const sha = (): string => randomBytes(20).toString('hex');
const eventually = <T>(what: string, probe: () => Promise<T | undefined> | T | undefined) =>
  f.eventually(what, probe);
const running = async (): Promise<string[]> =>
  (await f.tasks())
    .filter((t) => tagOf(t, 'ecs-paas:pr') !== undefined)
    .map((t) => tagOf(t, 'ecs-paas:sha') ?? '');

async function stagingRevision(): Promise<string> {
  const { services } = await f.ecs.send(
    new DescribeServicesCommand({ cluster: 'previews', services: ['web-staging'] }),
  );
  return services?.[0]?.taskDefinition ?? '';
}

async function createStaging(): Promise<void> {
  await f.ecs.send(
    new CreateServiceCommand({
      cluster: 'previews',
      serviceName: 'web-staging',
      taskDefinition: 'web',
      desiredCount: 1,
      launchType: 'FARGATE',
      networkConfiguration: {
        awsvpcConfiguration: {
          subnets: f.network.subnetIds.slice(0, 1),
          securityGroups: [f.network.securityGroupId],
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
  const comment = options.comment ?? f.world.addComment(number, body, { login, type: 'User' });
  // A redelivered or replayed comment keeps the created_at GitHub gave it when it was written.
  const createdAt =
    options.writtenAgoMs === undefined
      ? comment.created_at
      : new Date(Date.now() - options.writtenAgoMs).toISOString();
  const payload = f.world.issueCommentEvent('created', { ...comment, created_at: createdAt });
  await deliver(f.app, 'issue_comment', payload, {
    ...(options.deliveryId && { deliveryId: options.deliveryId }),
  });
  await settled(f.app);
  return comment;
}

const reactionsOf = (comment: IssueComment): string[] =>
  f.world.reactions.filter((r) => r.commentId === comment.id).map((r) => r.content);
const repliesOn = (number: number): string[] =>
  f.world.comments(number).filter((c) => !c.includes('ecs-paas:preview') && !c.startsWith('/'));

async function openFork(number: number, head: string): Promise<void> {
  f.world.addPull({ number, sha: head, fork: true, author: 'mallory' });
  await pushEcrImage(f.ecr, 'web', head);
  await deliver(f.app, 'pull_request', f.world.pullRequestEvent('opened', number));
  await settled(f.app);
}

describe('a fork approval is bound to the SHA the maintainer saw', () => {
  it('a replayed or late /deploy never launches a head pushed after it was written', async () => {
    const reviewed = sha();
    await openFork(1, reviewed);
    expect(await running()).toEqual([]);
    const approval = f.world.addComment(1, '/deploy', { login: 'maintainer', type: 'User' });
    const deliveryId = randomBytes(8).toString('hex');
    await command(1, '', '', { comment: approval, deliveryId });
    await eventually('the reviewed head running', async () =>
      (await running()).includes(reviewed) ? true : undefined,
    );

    // mallory pushes after the approval; the App shows the new head and refuses to run it.
    const pushed = sha();
    await pushEcrImage(f.ecr, 'web', pushed);
    f.world.updatePull(1, { sha: pushed });
    await deliver(f.app, 'pull_request', f.world.pullRequestEvent('synchronize', 1));
    await settled(f.app);
    // GitHub redelivers the approval (same id), then the same comment arrives again as a new
    // delivery (a slow queue, a replayed event): neither may approve the new head.
    await command(1, '', '', { comment: approval, deliveryId });
    await command(1, '', '', { comment: approval });
    expect(await running()).not.toContain(pushed);
    expect(repliesOn(1).join('\n')).toContain(
      `\`${pushed.slice(0, 7)}\` became the head after this command was written, which saw \`${reviewed.slice(0, 7)}\``,
    );
  });

  it('/deploy <sha> approves only that SHA, and says so naming both when the head differs', async () => {
    const first = sha();
    await openFork(2, first);
    const second = sha();
    await pushEcrImage(f.ecr, 'web', second);
    f.world.updatePull(2, { sha: second });
    await deliver(f.app, 'pull_request', f.world.pullRequestEvent('synchronize', 2));
    await settled(f.app);

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
    f.world.addPull({ number: 4, sha: head });
    await pushEcrImage(f.ecr, 'web', head);
    await deliver(f.app, 'pull_request', f.world.pullRequestEvent('opened', 4));
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
    f.world.addPull({ number: 10, sha: head });
    await pushEcrImage(f.ecr, 'web', head);
    const byReader = await command(10, '/deploy staging', 'reader');
    expect(reactionsOf(byReader)).toEqual(['eyes', 'confused']);

    const forkHead = sha();
    f.world.addPull({ number: 11, sha: forkHead, fork: true, author: 'mallory' });
    await pushEcrImage(f.ecr, 'web', forkHead);
    const onFork = await command(11, `/deploy staging ${forkHead}`, 'maintainer');
    expect(reactionsOf(onFork)).toEqual(['eyes', 'confused']);
    expect(repliesOn(11).at(-1)).toContain('from a fork cannot be deployed');
    expect(await stagingRevision()).toBe(before);
    expect(f.world.deployments.filter((d) => d.environment === 'staging')).toEqual([]);
  });

  it('refuses a red or unfinished head, and deploys it once green', async () => {
    await createStaging();
    const before = await stagingRevision();
    const head = sha();
    f.world.addPull({ number: 12, sha: head });
    await pushEcrImage(f.ecr, 'web', head);
    setHeadChecks(f.api, { statuses: { ci: 'failure' }, runs: { test: 'success' } });
    await command(12, `/deploy staging ${head.slice(0, 7)}`, 'maintainer');
    expect(repliesOn(12).at(-1)).toContain('is not green: 1 check(s) not successful');
    setHeadChecks(f.api, { runs: { test: 'in_progress' } });
    await command(12, `/deploy staging ${head.slice(0, 7)}`, 'maintainer');
    expect(repliesOn(12).at(-1)).toContain('still running');
    setHeadChecks(f.api, {});
    await command(12, `/deploy staging ${head.slice(0, 7)}`, 'maintainer');
    expect(repliesOn(12).at(-1)).toContain('no status or check has been reported');
    expect(await stagingRevision()).toBe(before);

    setHeadChecks(f.api, { statuses: { ci: 'success' }, runs: { test: 'neutral' } });
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
    f.world.addPull({ number: 15, sha: head });
    await pushEcrImage(f.ecr, 'web', head);
    // The first deploy is held in UpdateService while the second command arrives.
    f.proxy.inject('ECS.UpdateService', { kind: 'latency', ms: 3_000 }, 1);
    const first = f.world.addComment(15, `/deploy staging ${head}`, {
      login: 'maintainer',
      type: 'User',
    });
    const second = f.world.addComment(15, `/deploy staging ${head}`, {
      login: 'owner',
      type: 'User',
    });
    await deliver(f.app, 'issue_comment', f.world.issueCommentEvent('created', first));
    await eventually(
      'the first deploy holding UpdateService',
      () => (f.proxy.counts()['ECS.UpdateService'] ?? 0) > 0 || undefined,
    );
    await deliver(f.app, 'issue_comment', f.world.issueCommentEvent('created', second));
    await settled(f.app);
    expect(reactionsOf(second)).toEqual(['eyes', 'confused']);
    expect(repliesOn(15).join('\n')).toContain(`in progress: ${first.html_url}`);
    expect(reactionsOf(first)).toEqual(['eyes', 'rocket']);
    expect(f.world.deployments.filter((d) => d.environment === 'staging')).toHaveLength(1);
  });

  it('wants an approving review of the head when the environment requires one', async () => {
    await createStaging();
    const before = await stagingRevision();
    const head = sha();
    f.world.addPull({ number: 13, sha: head });
    await pushEcrImage(f.ecr, 'web', head);
    f.api.on('GET /repos/{owner}/{repo}/pulls/{pull_number}/reviews', () => ({
      status: 200,
      body: [{ id: 1, user: { login: 'owner' }, state: 'APPROVED', commit_id: sha() }],
    }));
    await command(13, `/deploy reviewed ${head}`, 'maintainer');
    expect(repliesOn(13).at(-1)).toContain('needs an approving review');
    expect(await stagingRevision()).toBe(before);
  });

  it('dispatches a workflow environment on the head and reports the run when it finishes', async () => {
    const head = sha();
    f.world.addPull({ number: 14, sha: head, branch: 'feature/fast' });
    const dispatched: unknown[] = [];
    f.api.on('POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches', (request) => {
      dispatched.push({ workflow: request.params.workflow_id, body: request.body });
      return {
        status: 200,
        body: {
          workflow_run_id: 777,
          run_url: 'https://f.api.github.com/repos/acme/web/actions/runs/777',
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

    await deliver(f.app, 'workflow_run', {
      action: 'completed',
      workflow_run: {
        id: 777,
        event: 'workflow_dispatch',
        head_sha: head,
        conclusion: 'failure',
        html_url: 'https://github.com/acme/web/actions/runs/777',
        pull_requests: [],
      },
      repository: f.world.repository,
      installation: { id: f.world.installationId },
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
    f.world.addPull({ number: 21, sha: head });
    await pushEcrImage(f.ecr, 'web', head);
    const denied =
      'User: arn:aws:sts::123456789012:assumed-role/ecs-paas-prod/i-0abc is not authorized to perform: ecs:RunTask on resource: arn:aws:ecs:us-east-1:123456789012:task-definition/web-preview:1';
    f.proxy.intercept('ECS.RunTask', (_request, response) => ({
      ...response,
      status: 400,
      body: JSON.stringify({ __type: 'AccessDeniedException', message: denied }),
    }));
    await deliver(f.app, 'pull_request', f.world.pullRequestEvent('opened', 21));
    await settled(f.app);
    const comment = f.world.comments(21).join('\n');
    expect(comment).toContain('AccessDeniedException');
    expect(comment).not.toMatch(/arn:aws|123456789012|ecs-paas-prod|not authorized/);
    expect(f.app.output()).toContain('ecs-paas-prod');
  });

  it('answers at most 5 commands per user per PR per minute; the rest get reactions', async () => {
    f.world.addPull({ number: 20, sha: sha() });
    for (let i = 0; i < 7; i++) await command(20, '/help', 'triager');
    expect(repliesOn(20).filter((c) => c.includes('ecs-paas commands'))).toHaveLength(5);
    expect(f.world.reactions.filter((r) => r.content === 'eyes')).toHaveLength(7);
  });
});
