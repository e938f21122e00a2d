import { randomBytes } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { CreateClusterCommand, DescribeTasksCommand, ListTasksCommand } from '@aws-sdk/client-ecs';
import { ListResourceRecordSetsCommand } from '@aws-sdk/client-route-53';
import { deliver, settled } from '../support/app-process.js';
import { PREVIEW_DOMAIN, tagOf, useAppFixture } from '../support/app-fixture.js';
import { pushEcrImage } from '../support/ecr-image.js';

// Teardown follows the tags, not today's config (issue 11 §4): the config that launched a preview
// may be deleted, broken or moved, and the App may be uninstalled, and still nothing is left.
const TOKEN = randomBytes(24).toString('hex');
const f = useAppFixture({ env: { ECS_PAAS_API_TOKEN: TOKEN } });

const sha = (): string => randomBytes(20).toString('hex');
const living = (n: number): string =>
  f.world.comments(n).find((c) => c.includes('ecs-paas:preview')) ?? '';

async function launched(number: number): Promise<string> {
  const head = sha();
  f.world.addPull({ number, sha: head });
  await pushEcrImage(f.ecr, 'web', head);
  await deliver(f.app, 'pull_request', f.world.pullRequestEvent('opened', number));
  await settled(f.app);
  expect(living(number)).toContain('Preview ready');
  return head;
}

async function closed(number: number): Promise<void> {
  f.world.updatePull(number, { state: 'closed' });
  await deliver(f.app, 'pull_request', f.world.pullRequestEvent('closed', number));
  await settled(f.app);
}

/** Running preview tasks of a cluster. */
async function running(cluster: string): Promise<string[]> {
  const { taskArns = [] } = await f.ecs.send(
    new ListTasksCommand({ cluster, desiredStatus: 'RUNNING' }),
  );
  if (taskArns.length === 0) return [];
  const { tasks = [] } = await f.ecs.send(new DescribeTasksCommand({ cluster, tasks: taskArns }));
  return tasks.filter((t) => t.desiredStatus === 'RUNNING').map((t) => t.taskArn ?? '');
}

/** Every A and TXT record under the preview domain. */
async function previewRecords(): Promise<string[]> {
  const { ResourceRecordSets = [] } = await f.route53.send(
    new ListResourceRecordSetsCommand({ HostedZoneId: f.zoneId }),
  );
  return ResourceRecordSets.filter(
    (r) => (r.Type === 'A' || r.Type === 'TXT') && r.Name?.endsWith(`${PREVIEW_DOMAIN}.`),
  ).map((r) => `${r.Type} ${r.Name ?? ''}`);
}

async function sweep(): Promise<{ stopped: { closed: number }; problems: string[] }> {
  const response = await fetch(`${f.app.url}/api/sweep?wait=1`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}` },
  });
  expect(response.status).toBe(200);
  return (await response.json()) as { stopped: { closed: number }; problems: string[] };
}

describe('teardown from the tags', () => {
  it('records where the route lives on the task it launches', async () => {
    await launched(1);
    const [task] = await f.tasks();
    expect({
      routing: tagOf(task, 'ecs-paas:routing'),
      zone: tagOf(task, 'ecs-paas:zone'),
      domain: tagOf(task, 'ecs-paas:domain'),
    }).toEqual({ routing: 'dns', zone: f.zoneId, domain: PREVIEW_DOMAIN });
  });

  it.each([
    ['deleted', undefined],
    ['without a preview section', 'environments: {}\n'],
    ['no longer valid', 'preview:\n  cluster: [not, a, name]\n'],
  ])(
    'closing a PR whose config was %s stops its task and removes its record',
    async (_case, text) => {
      await launched(2);
      expect(await previewRecords()).toEqual([
        `A pr-2-web.${PREVIEW_DOMAIN}.`,
        `TXT pr-2-web.${PREVIEW_DOMAIN}.`,
      ]);
      f.world.setFile('.github/ecs-paas.yml', text);
      await closed(2);
      expect(await f.tasks()).toEqual([]);
      expect(await previewRecords()).toEqual([]);
      expect(living(2)).toContain('Preview stopped');
      expect(f.world.deployments.at(-1)?.statuses.at(-1)?.state).toBe('inactive');
    },
  );

  it('closing a PR after its config moved to another cluster stops the task in the old one', async () => {
    await launched(3);
    await f.ecs.send(new CreateClusterCommand({ clusterName: 'previews-next' }));
    f.world.setFile(
      '.github/ecs-paas.yml',
      f.config().replace('cluster: previews', 'cluster: previews-next'),
    );
    await closed(3);
    expect(await running('previews')).toEqual([]);
    expect(await previewRecords()).toEqual([]);
  });

  it('the sweep tears down the preview of a PR closed while the App was away after its config was deleted', async () => {
    await launched(4);
    f.world.setFile('.github/ecs-paas.yml', undefined);
    f.world.updatePull(4, { state: 'closed' });
    const report = await sweep();
    expect(report.stopped.closed).toBe(1);
    expect(await f.tasks()).toEqual([]);
    expect(await previewRecords()).toEqual([]);
    expect(living(4)).toContain('Preview stopped');
  });

  it("the sweep leaves an open PR's preview alone when its repository has no config any more", async () => {
    await launched(5);
    f.world.setFile('.github/ecs-paas.yml', undefined);
    const report = await sweep();
    expect(report.stopped.closed).toBe(0);
    expect(await f.tasks()).toHaveLength(1);
  });

  it('the sweep tears down a preview whose repository the App was uninstalled from, and its record', async () => {
    await launched(6);
    const comments = f.world.comments(6).length;
    f.world.uninstall();
    const report = await sweep();
    expect(report.stopped.closed).toBe(1);
    expect(await f.tasks()).toEqual([]);
    expect(await previewRecords()).toEqual([]);
    // The App can no longer write to the repository: nothing was tried there.
    expect(f.world.comments(6)).toHaveLength(comments);
  });

  it('the sweep leaves alone a preview of a repository it cannot tell is uninstalled (its installation is suspended)', async () => {
    await launched(7);
    f.world.uninstall();
    f.world.addSuspendedInstallation(99, 'acme');
    const report = await sweep();
    expect(report.stopped.closed).toBe(0);
    expect(report.problems).toContain('installation 99 (acme) is suspended');
    expect(await f.tasks()).toHaveLength(1);
  });
});
