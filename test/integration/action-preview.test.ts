import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import {
  CreateClusterCommand,
  DescribeTasksCommand,
  ECSClient,
  ListTasksCommand,
} from '@aws-sdk/client-ecs';
import {
  CreateHostedZoneCommand,
  ListResourceRecordSetsCommand,
  Route53Client,
} from '@aws-sdk/client-route-53';
import { runActionProcess } from '../support/action-process.js';
import {
  awsEnv,
  createDefaultNetwork,
  registerFargateTaskDefinition,
  testAwsConfig,
} from '../support/aws.js';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.js';
import { startGitHubApi, type GitHubApi } from '../support/github.js';
import { startMoto, type Moto } from '../support/moto.js';
import { podmanEnv, writeScratchContext, type PodmanEnv } from '../support/podman.js';
import { pullRequestPayload } from '../support/pull-request-payload.js';
import { startRegistry, type Registry } from '../support/registry.js';

let moto: Moto;
let proxy: FaultProxy;
let registry: Registry;
let podman: PodmanEnv;
let github: GitHubApi;
let ecs: ECSClient;
let route53: Route53Client;
let workdir: string;
let zoneId: string;
let comments: Array<{
  id: number;
  body: string;
  user: { login: string; type: string; id: number };
}>;
let head: string;

beforeAll(async () => {
  moto = await startMoto();
  proxy = await startFaultProxy(moto.url);
  registry = await startRegistry();
  podman = await podmanEnv({ insecureRegistries: [registry.host] });
  github = await startGitHubApi();
  ecs = new ECSClient(testAwsConfig(moto.url));
  route53 = new Route53Client(testAwsConfig(moto.url));
  workdir = await mkdtemp(join(tmpdir(), 'ecs-paas-preview-'));
  await writeScratchContext(workdir);
});

afterAll(async () => {
  ecs?.destroy();
  route53?.destroy();
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
  await mkdir(join(workdir, '.github'), { recursive: true });
  await writeFile(
    join(workdir, '.github/ecs-paas.yml'),
    [
      'preview:',
      '  cluster: previews',
      '  task-definition: web',
      '  container: web',
      '  ecr-repository: web',
      `  subnets: [${network.subnetIds[0] ?? ''}]`,
      `  security-groups: [${network.securityGroupId}]`,
      `  routing: { mode: dns, hosted-zone-id: ${zoneId}, domain: preview.example.com, port: 80 }`,
      '  env: { NODE_ENV: preview }',
      '',
    ].join('\n'),
  );

  // A tiny GitHub: the PR's comments and head live here; Prism still checks every request.
  comments = [];
  github.on('GET /repos/{owner}/{repo}/issues/{issue_number}/comments', () => ({
    status: 200,
    body: comments,
  }));
  github.on('POST /repos/{owner}/{repo}/issues/{issue_number}/comments', (req) => {
    // Comments made with the workflow token belong to github-actions[bot], as on GitHub.
    const comment = {
      id: comments.length + 1,
      body: (req.body as { body: string }).body,
      user: { login: 'github-actions[bot]', type: 'Bot', id: 41898282 },
    };
    comments.push(comment);
    return { status: 201, body: comment };
  });
  github.on('PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}', (req) => {
    const comment = comments.find((c) => c.id === Number(req.params.comment_id));
    if (!comment) return { status: 404, body: { message: 'Not Found' } };
    comment.body = (req.body as { body: string }).body;
    return { status: 200, body: comment };
  });
  github.on('GET /repos/{owner}/{repo}/pulls/{pull_number}', () => ({
    status: 200,
    body: { number: 12, head: { sha: head } },
  }));
  proxy.resetCounts();
});

async function step(command: 'preview' | 'teardown', sha: string, action = 'synchronize') {
  head = sha;
  const eventPath = join(workdir, `event-${command}-${sha.slice(0, 7)}.json`);
  await writeFile(
    eventPath,
    JSON.stringify(pullRequestPayload({ action, repo: 'acme/web', number: 12, sha })),
  );
  return runActionProcess(
    {
      command,
      registry: registry.host,
      builder: 'podman',
      context: workdir,
      'github-token': 'ghs_preview-token',
    },
    {
      ...awsEnv(proxy.url),
      ...podman.env,
      GITHUB_SHA: randomBytes(20).toString('hex'),
      GITHUB_REPOSITORY: 'acme/web',
      GITHUB_EVENT_NAME: 'pull_request',
      GITHUB_EVENT_PATH: eventPath,
      GITHUB_API_URL: github.url,
      GITHUB_WORKSPACE: workdir,
      ECS_PAAS_POLL_MS: '50',
    },
  );
}

async function records(): Promise<Record<string, string>> {
  const { ResourceRecordSets } = await route53.send(
    new ListResourceRecordSetsCommand({ HostedZoneId: zoneId }),
  );
  return Object.fromEntries(
    (ResourceRecordSets ?? [])
      .filter((r) => r.Type === 'A')
      .map((r) => [r.Name ?? '', r.ResourceRecords?.[0]?.Value ?? '']),
  );
}

async function running(): Promise<string[]> {
  const { taskArns } = await ecs.send(
    new ListTasksCommand({ cluster: 'previews', desiredStatus: 'RUNNING' }),
  );
  if (!taskArns?.length) return [];
  const { tasks } = await ecs.send(
    new DescribeTasksCommand({ cluster: 'previews', tasks: taskArns, include: ['TAGS'] }),
  );
  return (tasks ?? [])
    .filter((t) => t.desiredStatus === 'RUNNING')
    .map((t) => t.tags?.find((x) => x.key === 'ecs-paas:sha')?.value ?? '');
}

describe("the Action's preview and teardown commands, run from dist/index.js", () => {
  it('builds the head, launches its preview, keeps one comment up to date, and tears it down', async () => {
    // Someone quotes the marker in a comment of their own: it must not become "our" comment.
    comments.push({
      id: 100,
      body: '<!-- ecs-paas:preview --> copied',
      user: { login: 'mallory', type: 'User', id: 7 },
    });
    const first = randomBytes(20).toString('hex');
    const opened = await step('preview', first, 'opened');
    expect(opened.log).not.toContain('::error::');
    expect(opened.status).toBe(0);
    expect(opened.outputs.url).toBe('http://pr-12-web.preview.example.com');
    expect(opened.outputs.result).toBe('launched');
    expect(opened.outputs.image).toBe(
      `${registry.host}/web@${(await registry.manifest('web', first)).digest}`,
    );
    expect(await running()).toEqual([first]);
    expect(Object.keys(await records())).toEqual(['pr-12-web.preview.example.com.']);
    expect(comments.shift()).toEqual({
      id: 100,
      body: '<!-- ecs-paas:preview --> copied',
      user: { login: 'mallory', type: 'User', id: 7 },
    });
    expect(comments).toHaveLength(1);
    expect(comments[0]?.body).toContain('<!-- ecs-paas:preview -->');
    expect(comments[0]?.body).toContain('Preview ready: http://pr-12-web.preview.example.com');
    expect(comments[0]?.body).toContain(`\`${first.slice(0, 7)}\``);

    await writeScratchContext(workdir, { 'hello.txt': 'second commit\n' });
    const second = randomBytes(20).toString('hex');
    const pushed = await step('preview', second);
    expect(pushed.status).toBe(0);
    expect(pushed.outputs.result).toBe('replaced');
    expect(await running()).toEqual([second]);
    expect(comments).toHaveLength(1);
    expect(comments[0]?.body).toContain(`\`${second.slice(0, 7)}\``);

    const closed = await step('teardown', second, 'closed');
    expect(closed.status).toBe(0);
    expect(closed.outputs.result).toBe('torn-down');
    expect(await running()).toEqual([]);
    expect(await records()).toEqual({});
    expect(comments).toHaveLength(1);
    expect(comments[0]?.body).toContain('Preview stopped');
    github.assertNoViolations();
  });

  it('refuses a fork PR before building anything from it', async () => {
    const head = randomBytes(20).toString('hex');
    const eventPath = join(workdir, 'event-fork.json');
    await writeFile(
      eventPath,
      JSON.stringify(
        pullRequestPayload({
          action: 'opened',
          repo: 'acme/web',
          number: 12,
          sha: head,
          headRepo: 'mallory/web',
        }),
      ),
    );

    const run = await runActionProcess(
      { command: 'preview', registry: registry.host, builder: 'podman', context: workdir },
      {
        ...awsEnv(proxy.url),
        ...podman.env,
        GITHUB_SHA: randomBytes(20).toString('hex'),
        GITHUB_REPOSITORY: 'acme/web',
        GITHUB_EVENT_NAME: 'pull_request',
        GITHUB_EVENT_PATH: eventPath,
        GITHUB_WORKSPACE: workdir,
      },
    );
    expect(run.status).toBe(0);
    expect(run.outputs.result).toBe('refused');
    expect(run.log).toContain('comes from a fork');
    expect(await registry.tags('web')).not.toContain(head);
    expect(proxy.counts()['ECS.RunTask']).toBeUndefined();
  });

  it('fails with the config key that is wrong, launching nothing', async () => {
    await writeFile(
      join(workdir, '.github/ecs-paas.yml'),
      'preview:\n  cluster: previews\n  routng: {}\n',
    );
    const run = await step('preview', randomBytes(20).toString('hex'));
    expect(run.status).toBe(1);
    expect(run.log).toMatch(/::error::.*preview\.routng.*did you mean 'routing'/);
    expect(await running()).toEqual([]);
    expect(proxy.counts()['ECS.RunTask']).toBeUndefined();
  });

  it('refuses to run outside a pull_request workflow', async () => {
    const run = await runActionProcess(
      { command: 'preview' },
      {
        ...awsEnv(proxy.url),
        GITHUB_SHA: randomBytes(20).toString('hex'),
        GITHUB_REPOSITORY: 'acme/web',
        GITHUB_EVENT_NAME: 'push',
      },
    );
    expect(run.status).toBe(1);
    expect(run.log).toContain(
      "::error::command 'preview' runs in a pull_request workflow (this run is for 'push')",
    );
  });
});
