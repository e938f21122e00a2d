/**
 * The App's half of `npm run sandbox`: one pull request's life, played with signed webhooks against
 * the running App (its own process), moto for AWS and a Prism-checked GitHub. Each step prints the
 * PR comment as a developer reads it and the AWS resources that exist.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeTasksCommand, ListTasksCommand } from '@aws-sdk/client-ecs';
import { ListResourceRecordSetsCommand } from '@aws-sdk/client-route-53';
import { deliver, startApp } from '../test/support/app-process.js';
import { pushEcrImage } from '../test/support/ecr-image.js';
import type { Moto } from '../test/support/moto.js';
import { setUpPreviewFixture, type PreviewFixture } from '../test/support/preview-fixture.js';

const say = (text: string): void => void process.stdout.write(`${text}\n`);
const SWEEP_TOKEN = randomBytes(16).toString('hex');

export async function appSandbox(moto: Moto): Promise<boolean> {
  await moto.reset();
  const fixture = await setUpPreviewFixture(moto.url);
  const { api, world, ecr } = fixture;
  // One App for two teams: acme/web may use the previews cluster and zone, acme/api only its own.
  const policy = [
    'repositories:',
    '  acme/web:',
    '    clusters: [previews]',
    "    task-families: ['web', 'web-*']",
    `    hosted-zones: [${fixture.zoneId}]`,
    '    domains: [preview.example.com]',
    `    subnets: [${fixture.network.subnetIds.join(', ')}]`,
    `    security-groups: [${fixture.network.securityGroupId}]`,
    '    max-previews: 5',
    '  acme/api:',
    '    clusters: [team-api]',
    "    task-families: ['api-*']",
    '    hosted-zones: [Z0API]',
    '    domains: [api.preview.example.com]',
    '    max-previews: 3',
    '',
  ].join('\n');
  const policyFile = join(await mkdtemp(join(tmpdir(), 'ecs-paas-sandbox-')), 'policy.yml');
  await writeFile(policyFile, policy);
  say('━━━ 0. The operator runs one App for two teams, with this policy (ECS_PAAS_POLICY) ━━━');
  say(policy.trimEnd().replace(/^/gm, '  │ '));
  const app = await startApp({
    githubUrl: api.url,
    awsEndpoint: moto.url,
    env: {
      ECS_PAAS_POLL_MS: '200',
      ECS_PAAS_API_TOKEN: SWEEP_TOKEN,
      ECS_PAAS_POLICY: policyFile,
    },
  });
  world.setPermission('rita-reader', 'read');
  world.setPermission('dana', 'write');
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
  const show = async (title: string, pr = 1): Promise<void> => {
    say(`\n━━━ ${title} ━━━`);
    say(`PR #${pr} comment:`);
    say(
      (
        world
          .comments(pr)
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

    const keep = world.addComment(1, '/preview keep 3d', { login: 'dana', type: 'User' });
    await deliver(app, 'issue_comment', world.issueCommentEvent('created', keep));
    await until('the kept comment', () => (world.comments(1)[0] ?? '').includes('paused until'));
    await show('5. Dana types /preview keep 3d: no idle teardown until then');

    world.updatePull(1, { state: 'closed', merged: true });
    await deliver(app, 'pull_request', world.pullRequestEvent('closed', 1));
    await until('the teardown', () =>
      (world.comments(1).find((c) => c.includes('ecs-paas:preview')) ?? '').includes(
        'Preview stopped',
      ),
    );
    await show('6. The PR is merged: the preview is torn down');
    say(
      `\nDeployments: ${world.deployments.map((d) => `${d.environment} ${d.sha.slice(0, 7)}: ${d.statuses.map((s) => s.state).join(' → ')}`).join('; ')}`,
    );
    const third = randomBytes(20).toString('hex');
    await pushEcrImage(ecr, 'web', third);
    world.addPull({ number: 2, sha: third, branch: 'fix/typo', author: 'dana' });
    await deliver(app, 'pull_request', world.pullRequestEvent('opened', 2));
    await until('PR #2 preview', () => (world.comments(2).at(-1) ?? '').includes('Preview ready'));
    // Closed while the App hears nothing (a lost webhook, the App down): the sweep finds it.
    world.updatePull(2, { state: 'closed' });
    const sweep = await fetch(`${app.url}/api/sweep?wait=1`, {
      method: 'POST',
      headers: { authorization: `Bearer ${SWEEP_TOKEN}` },
    });
    const report = (await sweep.json()) as { stopped?: { closed?: number } };
    if (report.stopped?.closed !== 1) ok = false;
    await show(
      `7. PR #2 is closed while the App misses the webhook; POST /api/sweep → ${sweep.status}, stopped ${JSON.stringify(report.stopped)}`,
      2,
    );

    // acme/web's config is changed to point at the other team's cluster: refused before any AWS call.
    const config = world.file('.github/ecs-paas.yml') ?? '';
    world.setFile('.github/ecs-paas.yml', config.replace('cluster: previews', 'cluster: team-api'));
    const fourth = randomBytes(20).toString('hex');
    await pushEcrImage(ecr, 'web', fourth);
    world.addPull({ number: 3, sha: fourth, branch: 'feat/borrow', author: 'dana' });
    await deliver(app, 'pull_request', world.pullRequestEvent('opened', 3));
    await until('the policy refusal', () =>
      (world.comments(3).at(-1) ?? '').includes("operator's policy"),
    );
    await show(
      "8. acme/web's config names acme/api's cluster: the operator's policy refuses it",
      3,
    );
    world.setFile('.github/ecs-paas.yml', config);
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
