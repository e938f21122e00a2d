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
import { commitAll, freshCheckout, git } from '../support/action-checkout.js';
import { contentFile, notFound } from '../support/action-contents.js';
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
/** `.github/ecs-paas.yml` as the base branch holds it (the contents API serves it). */
let baseConfig: string;
/** Set to answer the contents API with 404, as for a base branch without the config. */
let baseConfigMissing: boolean;

beforeAll(async () => {
  moto = await startMoto();
  proxy = await startFaultProxy(moto.url);
  registry = await startRegistry();
  podman = await podmanEnv({ insecureRegistries: [registry.host] });
  github = await startGitHubApi();
  ecs = new ECSClient(testAwsConfig(moto.url));
  route53 = new Route53Client(testAwsConfig(moto.url));
  workdir = await mkdtemp(join(tmpdir(), 'ecs-paas-preview-'));
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
  baseConfig = [
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
  ].join('\n');
  // The checkout's copy starts as the base's; tests that need the PR to differ change it.
  await writeFile(join(workdir, '.github/ecs-paas.yml'), baseConfig);
  await writeScratchContext(workdir);
  await freshCheckout(workdir);
  baseConfigMissing = false;

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
  github.on('GET /repos/{owner}/{repo}/contents/{path}', (req) =>
    baseConfigMissing
      ? notFound
      : contentFile(`${req.params.owner}/${req.params.repo}`, req.params.path ?? '', baseConfig),
  );
  github.on('GET /repos/{owner}/{repo}/pulls/{pull_number}', () => ({
    status: 200,
    body: { number: 12, head: { sha: head } },
  }));
  proxy.resetCounts();
});

interface StepOptions {
  readonly action?: string;
  readonly event?: 'pull_request' | 'pull_request_target';
  readonly headRepo?: string;
  /** GITHUB_SHA, the merge commit on pull_request events; any SHA by default. */
  readonly githubSha?: string;
}

/** One run of the step for PR 12 of acme/web whose head is `sha`, as a runner would start it. */
async function step(command: 'preview' | 'teardown', sha: string, options: StepOptions = {}) {
  head = sha;
  const eventPath = join(workdir, `event-${command}-${randomBytes(4).toString('hex')}.json`);
  await writeFile(
    eventPath,
    JSON.stringify(
      pullRequestPayload({
        action: options.action ?? 'synchronize',
        repo: 'acme/web',
        number: 12,
        sha,
        ...(options.headRepo ? { headRepo: options.headRepo } : {}),
      }),
    ),
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
      GITHUB_SHA: options.githubSha ?? randomBytes(20).toString('hex'),
      GITHUB_REPOSITORY: 'acme/web',
      GITHUB_EVENT_NAME: options.event ?? 'pull_request',
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
    const first = await commitAll(workdir, 'first');
    const opened = await step('preview', first, { action: 'opened' });
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
    const second = await commitAll(workdir, 'second');
    const pushed = await step('preview', second);
    expect(pushed.status).toBe(0);
    expect(pushed.outputs.result).toBe('replaced');
    expect(await running()).toEqual([second]);
    expect(comments).toHaveLength(1);
    expect(comments[0]?.body).toContain(`\`${second.slice(0, 7)}\``);

    const closed = await step('teardown', second, { action: 'closed' });
    expect(closed.status).toBe(0);
    expect(closed.outputs.result).toBe('torn-down');
    expect(await running()).toEqual([]);
    expect(await records()).toEqual({});
    expect(comments).toHaveLength(1);
    expect(comments[0]?.body).toContain('Preview stopped');
    github.assertNoViolations();
  });

  it('refuses a fork PR before building anything from it', async () => {
    const head = await commitAll(workdir, 'from a fork');
    const run = await step('preview', head, { action: 'opened', headRepo: 'mallory/web' });
    expect(run.status).toBe(0);
    expect(run.outputs.result).toBe('refused');
    expect(run.log).toContain('comes from a fork');
    expect(await registry.tags('web')).not.toContain(head);
    expect(proxy.counts()['ECS.RunTask']).toBeUndefined();
  });

  it("builds the PR's head, not the merge commit the default checkout gives, and tags it so", async () => {
    // As on GitHub: the PR's branch, a newer base, and the temporary merge commit of the two.
    await git(workdir, 'checkout', '--quiet', '-b', 'feature');
    await writeScratchContext(workdir, { 'hello.txt': 'the head of the pull request\n' });
    const prHead = await commitAll(workdir, 'pull request');
    await git(workdir, 'checkout', '--quiet', 'master');
    await writeFile(join(workdir, 'base-only.txt'), 'pushed to the base meanwhile\n');
    await commitAll(workdir, 'base moved on');
    await git(workdir, 'merge', '--quiet', '--no-ff', '--no-edit', 'feature');
    const merge = await git(workdir, 'rev-parse', 'HEAD');

    const atMerge = await step('preview', prHead, { githubSha: merge });
    expect(atMerge.status).toBe(1);
    expect(atMerge.log).toContain(
      `::error::the build context '${workdir}' is at commit ${merge.slice(0, 12)}, not the pull request's head ${prHead.slice(0, 12)}`,
    );
    expect(atMerge.log).toContain(
      "actions/checkout with 'ref: ${{ github.event.pull_request.head.sha }}'",
    );
    expect(await registry.tags('web')).not.toContain(prHead);
    expect(await registry.tags('web')).not.toContain(merge);
    expect(proxy.counts()['ECS.RunTask']).toBeUndefined();

    await git(workdir, 'checkout', '--quiet', '--detach', prHead);
    const atHead = await step('preview', prHead, { githubSha: merge });
    expect(atHead.log).not.toContain('::error::');
    expect(atHead.status).toBe(0);
    expect(await registry.tags('web')).not.toContain(merge);
    const manifest = await registry.manifest('web', prHead);
    expect(atHead.outputs.image).toBe(`${registry.host}/web@${manifest.digest}`);
    const config = (await (
      await fetch(
        `http://${registry.host}/v2/web/blobs/${(manifest.body as { config: { digest: string } }).config.digest}`,
      )
    ).json()) as { config: { Labels: Record<string, string> } };
    expect(config.config.Labels).toMatchObject({
      'org.opencontainers.image.revision': prHead,
      'org.opencontainers.image.version': 'feature/login',
    });
    expect(await running()).toEqual([prHead]);
  });

  it("reads the config from the base branch through the API, not the PR's copy", async () => {
    // The PR's copy would not even parse: launching proves the base's copy was used.
    await writeFile(join(workdir, '.github/ecs-paas.yml'), 'preview:\n  routng: {}\n');
    const run = await step('preview', await commitAll(workdir, 'edits the config'));
    expect(run.log).not.toContain('::error::');
    expect(run.status).toBe(0);
    expect(run.outputs.result).toBe('launched');
    expect(run.log).toContain('Config: .github/ecs-paas.yml on master');
    const read = github.requests.filter((r) => r.path.includes('/contents/'));
    expect(read).toEqual([
      expect.objectContaining({
        method: 'GET',
        path: expect.stringMatching(
          /^\/repos\/acme\/web\/contents\/\.github(\/|%2F)ecs-paas\.yml$/,
        ),
        query: { ref: 'master' },
        status: 200,
      }),
    ]);
    github.assertNoViolations();
  });

  it("uses the checkout's copy when the base has none, for a PR from this repository", async () => {
    baseConfigMissing = true;
    const run = await step('preview', await commitAll(workdir, 'adds the config'));
    expect(run.status).toBe(0);
    expect(run.outputs.result).toBe('launched');
    expect(run.log).toContain("using the checkout's copy");
    expect(run.log).toContain('Config: .github/ecs-paas.yml in the checkout');
  });

  it.each<[string, StepOptions]>([
    ['a pull_request_target event', { event: 'pull_request_target' }],
    ['a fork', { headRepo: 'mallory/web' }],
  ])("never uses the checkout's copy for %s, launching nothing", async (_case, options) => {
    baseConfigMissing = true;
    const head = await commitAll(workdir, 'adds the config');
    const run = await step('preview', head, options);
    expect(run.status).toBe(1);
    expect(run.log).toMatch(
      /::error::Input 'config': cannot read \.github\/ecs-paas\.yml from the base branch master \(.*Not Found.*\); on a pull_request.* the pull request's own copy is not trusted/,
    );
    expect(await registry.tags('web')).not.toContain(head);
    expect(proxy.counts()['ECS.RunTask']).toBeUndefined();
  });

  it('fails with the config key that is wrong, launching nothing', async () => {
    baseConfig = 'preview:\n  cluster: previews\n  routng: {}\n';
    const run = await step('preview', await commitAll(workdir, 'head'));
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
