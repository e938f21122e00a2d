/**
 * The App's half of `npm run sandbox`: one pull request's life, played with signed webhooks against
 * the running App (its own process), moto for AWS and a Prism-checked GitHub. Each step prints the
 * PR comment as a developer reads it and the AWS resources that exist.
 */
import { randomBytes } from 'node:crypto';
import { DescribeTasksCommand, ListTasksCommand } from '@aws-sdk/client-ecs';
import { ListResourceRecordSetsCommand } from '@aws-sdk/client-route-53';
import { deliver, startApp } from '../test/support/app-process.js';
import { pushEcrImage } from '../test/support/ecr-image.js';
import type { Moto } from '../test/support/moto.js';
import { setUpPreviewFixture, type PreviewFixture } from '../test/support/preview-fixture.js';

const say = (text: string): void => void process.stdout.write(`${text}\n`);

export async function appSandbox(moto: Moto): Promise<boolean> {
  await moto.reset();
  const fixture = await setUpPreviewFixture(moto.url);
  const { api, world, ecr } = fixture;
  const app = await startApp({
    githubUrl: api.url,
    awsEndpoint: moto.url,
    env: { ECS_PAAS_POLL_MS: '200' },
  });
  world.setPermission('rita-reader', 'read');
  let ok = true;
  const until = async (what: string, probe: () => boolean | Promise<boolean>): Promise<void> => {
    const deadline = Date.now() + 30_000;
    while (!(await probe())) {
      if (Date.now() > deadline) {
        say(`✗ ${what} did not happen`);
        ok = false;
        return;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  const show = async (title: string): Promise<void> => {
    say(`\n━━━ ${title} ━━━`);
    say('PR comment:');
    say(
      (
        world
          .comments(1)
          .filter((c) => c.includes('ecs-paas:preview'))
          .at(-1) ?? '(none)'
      ).replace(/^/gm, '  │ '),
    );
    say(`AWS: ${await resources(fixture)}`);
  };
  try {
    const first = randomBytes(20).toString('hex');
    world.addPull({ number: 1, sha: first, branch: 'feature/signup', author: 'dana' });
    await deliver(app, 'pull_request', world.pullRequestEvent('opened', 1));
    await until('the waiting comment', () => (world.comments(1).at(-1) ?? '').includes('Waiting'));
    await show('1. Dana opens PR #1; CI has not pushed the image yet');

    await pushEcrImage(ecr, 'web', first);
    await deliver(app, 'workflow_run', {
      action: 'completed',
      workflow_run: { head_sha: first, conclusion: 'success', pull_requests: [{ number: 1 }] },
      repository: world.repository,
      installation: { id: world.installationId },
    });
    await until('the preview', () => (world.comments(1).at(-1) ?? '').includes('Preview ready'));
    await show('2. CI pushes web:<sha> and its workflow run succeeds: the preview is up');

    const second = randomBytes(20).toString('hex');
    await pushEcrImage(ecr, 'web', second);
    world.updatePull(1, { sha: second });
    await deliver(app, 'pull_request', world.pullRequestEvent('synchronize', 1));
    await until('the replacement', () =>
      (world.comments(1).at(-1) ?? '').includes(second.slice(0, 7)),
    );
    await show('3. Dana pushes again: the preview is replaced, the same comment is edited');

    const command = world.addComment(1, '/deploy', { login: 'rita-reader', type: 'User' });
    await deliver(app, 'issue_comment', world.issueCommentEvent('created', command));
    await until('the refusal', () =>
      world.comments(1).some((c) => c.includes('@rita-reader needs write access')),
    );
    say('\n━━━ 4. Rita (read access) types /deploy: refused ━━━');
    say(
      `reactions on her comment: ${world.reactions
        .filter((r) => r.commentId === command.id)
        .map((r) => r.content)
        .join(', ')}`,
    );
    say(`reply:\n${(world.comments(1).at(-1) ?? '').replace(/^/gm, '  │ ')}`);

    world.updatePull(1, { state: 'closed', merged: true });
    await deliver(app, 'pull_request', world.pullRequestEvent('closed', 1));
    await until('the teardown', () =>
      (world.comments(1).find((c) => c.includes('ecs-paas:preview')) ?? '').includes(
        'Preview stopped',
      ),
    );
    await show('5. The PR is merged: the preview is torn down');
    say(
      `\nDeployments: ${world.deployments.map((d) => `${d.environment} ${d.sha.slice(0, 7)}: ${d.statuses.map((s) => s.state).join(' → ')}`).join('; ')}`,
    );
    api.assertNoViolations();
    say("Every GitHub request the App made matched GitHub's OpenAPI description.");
  } catch (error) {
    say(
      `✗ ${error instanceof Error ? error.message : String(error)}\n${app.output().slice(-2000)}`,
    );
    ok = false;
  } finally {
    await app.stop();
    await fixture.close();
  }
  return ok;
}

async function resources(fixture: PreviewFixture): Promise<string> {
  const { taskArns = [] } = await fixture.ecs.send(
    new ListTasksCommand({ cluster: 'previews', desiredStatus: 'RUNNING' }),
  );
  const { tasks = [] } = taskArns.length
    ? await fixture.ecs.send(
        new DescribeTasksCommand({ cluster: 'previews', tasks: taskArns, include: ['TAGS'] }),
      )
    : {};
  const running = tasks
    .filter((t) => t.desiredStatus === 'RUNNING')
    .map(
      (t) =>
        `task ${t.taskArn?.split('/').pop()?.slice(0, 8) ?? ''} (sha ${(t.tags?.find((x) => x.key === 'ecs-paas:sha')?.value ?? '').slice(0, 7)}, ${t.attachments?.[0]?.details?.find((d) => d.name === 'privateIPv4Address')?.value ?? ''})`,
    );
  const { ResourceRecordSets = [] } = await fixture.route53.send(
    new ListResourceRecordSetsCommand({ HostedZoneId: fixture.zoneId }),
  );
  const records = ResourceRecordSets.filter((r) => r.Type === 'A').map(
    (r) => `${r.Name ?? ''} A ${r.ResourceRecords?.[0]?.Value ?? ''}`,
  );
  return [...running, ...records].join('; ') || 'nothing running, no DNS records';
}
