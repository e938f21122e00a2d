import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  PutLogEventsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { ECRClient } from '@aws-sdk/client-ecr';
import { CreateClusterCommand, ECSClient, type Task } from '@aws-sdk/client-ecs';
import { CreateHostedZoneCommand, Route53Client } from '@aws-sdk/client-route-53';
import type { SweepReport } from '../../src/bot/sweep/sweep-types.js';
import { COMMENT_MARKER } from '../../src/core/github/living-comment.js';
import { deliver, settled, startApp, type AppProcess } from '../support/app-process.js';
import {
  createDefaultNetwork,
  registerFargateTaskDefinition,
  testAwsConfig,
} from '../support/aws.js';
import { pushEcrImage } from '../support/ecr-image.js';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.js';
import { startGitHubApi, type GitHubApi } from '../support/github.js';
import { createGitHubWorld, type GitHubWorld, type IssueComment } from '../support/github-world.js';
import { aRecordNames, putARecord, runningTasks, tagOf } from '../support/fleet-state.js';
import { eventually as pollFor } from '../support/eventually.js';
import { startMoto, type Moto } from '../support/moto.js';

let moto: Moto;
let proxy: FaultProxy;
let api: GitHubApi;
let world: GitHubWorld;
/** The App as an operator with an external scheduler runs it: `/api/sweep` on. */
let app: AppProcess;
/** The same App without ECS_PAAS_API_TOKEN: `/api/sweep` must not exist at all. */
let appWithoutToken: AppProcess;
let ecs: ECSClient;
let ecr: ECRClient;
let route53: Route53Client;
let logs: CloudWatchLogsClient;
let zoneId: string;
let network: Awaited<ReturnType<typeof createDefaultNetwork>>;

const DOMAIN = 'preview.example.com';
const TOKEN = randomBytes(24).toString('hex');
const DAY = 86_400_000;

beforeAll(async () => {
  moto = await startMoto({ servicesRunning: 1 });
  proxy = await startFaultProxy(moto.url);
  api = await startGitHubApi();
  const config = testAwsConfig(moto.url);
  ecs = new ECSClient(config);
  ecr = new ECRClient(config);
  route53 = new Route53Client(config);
  logs = new CloudWatchLogsClient(config);
  const common = { githubUrl: api.url, awsEndpoint: proxy.url };
  [app, appWithoutToken] = await Promise.all([
    startApp({ ...common, env: { ECS_PAAS_POLL_MS: '50', ECS_PAAS_API_TOKEN: TOKEN } }),
    startApp({ ...common, env: { ECS_PAAS_POLL_MS: '50' } }),
  ]);
});

afterAll(async () => {
  for (const client of [ecs, ecr, route53, logs]) client?.destroy();
  await Promise.allSettled([app?.stop(), appWithoutToken?.stop()]);
  await Promise.allSettled([api?.stop(), proxy?.stop(), moto?.stop()]);
});

beforeEach(async () => {
  await moto.reset();
  proxy.clear();
  api.reset();
  // Private: `/logs` posts log lines only there (a public repository gets where to read them).
  world = createGitHubWorld(api, { owner: 'acme', repo: 'web', private: true });
  await ecs.send(new CreateClusterCommand({ clusterName: 'previews' }));
  network = await createDefaultNetwork(moto.url);
  await registerFargateTaskDefinition(ecs, 'web');
  const zone = await route53.send(
    new CreateHostedZoneCommand({ Name: DOMAIN, CallerReference: randomBytes(8).toString('hex') }),
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
      `  routing: { mode: dns, hosted-zone-id: ${zoneId}, domain: ${DOMAIN} }`,
      // The preview keeps the base's environment, secret included: what /logs must mask.
      '  inherit: [environment]',
      '',
    ].join('\n'),
  );
  world.setPermission('maintainer', 'write');
  world.setPermission('reader', 'read');
});

afterEach(async () => {
  // Let the App finish what the test started, so its work never lands in the next test's world.
  await Promise.all([settled(app), settled(appWithoutToken)]);
  // Every request the App made must have been valid against GitHub's OpenAPI description.
  api.assertNoViolations();
});

const sha = (): string => randomBytes(20).toString('hex');

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

interface ApiAnswer {
  status: number;
  body: unknown;
}

/** Calls `/api/sweep` as a scheduler would; `token: null` sends no Authorization header. */
async function callSweep(
  method: 'GET' | 'POST',
  options: { token?: string | null; wait?: boolean; target?: AppProcess } = {},
): Promise<ApiAnswer> {
  const token = options.token === undefined ? TOKEN : options.token;
  const url = `${(options.target ?? app).url}/api/sweep${options.wait ? '?wait=1' : ''}`;
  const response = await fetch(url, {
    method,
    headers: token === null ? {} : { authorization: `Bearer ${token}` },
    signal: AbortSignal.timeout(30_000),
  });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text) as unknown;
  } catch {
    // Not JSON (Probot's own 404 page): the text is what there is.
  }
  return { status: response.status, body };
}

interface SweepStatus {
  running?: { startedAt: string; trigger: string };
  last?: SweepReport;
}

/** Opens PR `number` with its image in ECR and waits until the App says its preview is ready. */
async function launch(number: number): Promise<string> {
  const head = sha();
  world.addPull({ number, sha: head });
  await pushEcrImage(ecr, 'web', head);
  await deliver(app, 'pull_request', world.pullRequestEvent('opened', number));
  await eventually(`preview of #${number}`, () =>
    living(number)?.includes('Preview ready') ? true : undefined,
  );
  return head;
}

const previewTasks = (): Promise<Task[]> => runningTasks(ecs);
const tag = tagOf;

async function taskOf(number: number): Promise<Task | undefined> {
  return (await previewTasks()).find((t) => tag(t, 'ecs-paas:pr') === String(number));
}

async function runningPrs(): Promise<string[]> {
  return (await previewTasks()).map((t) => tag(t, 'ecs-paas:pr') ?? '').sort();
}

const records = async (): Promise<string[]> =>
  (await aRecordNames(route53, zoneId)).map((name) => `${name}.`);
const addRecord = (label: string, ip: string): Promise<void> =>
  putARecord(route53, zoneId, `${label}.${DOMAIN}`, ip);

const byBot = (n: number): IssueComment[] =>
  world.commentObjects(n).filter((c) => c.user?.login === world.botLogin);
/** The App's one living comment on a PR: the one with its marker (replies to commands have none). */
const living = (n: number): string | undefined =>
  byBot(n).find((c) => c.body?.includes(COMMENT_MARKER))?.body;
const replies = (n: number): string[] =>
  byBot(n).flatMap((c) => (c.body && !c.body.includes(COMMENT_MARKER) ? [c.body] : []));

/** A human writes `body` on the PR and GitHub delivers the `issue_comment.created` webhook. */
async function say(n: number, body: string, login = 'maintainer'): Promise<IssueComment> {
  const comment = world.addComment(n, body, { login, type: 'User' });
  await deliver(app, 'issue_comment', world.issueCommentEvent('created', comment));
  return comment;
}

const reactionsTo = (comment: IssueComment): string[] =>
  world.reactions.filter((r) => r.commentId === comment.id).map((r) => r.content);

async function reacted(comment: IssueComment, content: string): Promise<void> {
  await eventually(`${content} on "${comment.body ?? ''}"`, () =>
    reactionsTo(comment).includes(content) ? true : undefined,
  );
}

describe('POST /api/sweep on the App', () => {
  it('wants the bearer token, and does not exist when the App has none', async () => {
    expect((await callSweep('POST', { token: null })).status).toBe(401);
    expect((await callSweep('POST', { token: 'not-the-token' })).status).toBe(401);
    expect((await callSweep('GET', { token: `${TOKEN}x` })).status).toBe(401);
    expect((await callSweep('POST', { target: appWithoutToken })).status).toBe(404);
    expect((await callSweep('GET', { target: appWithoutToken })).status).toBe(404);
    await settled(app);
    // A refused call sweeps nothing: the App never even listed its installations, and no sweep
    // is running (one would show in GET /api/sweep from the moment it started).
    expect(world.requests().filter((r) => r.includes('installation'))).toEqual([]);
    const status = await callSweep('GET');
    expect(status.status).toBe(200);
    expect((status.body as SweepStatus).running).toBeUndefined();
  });

  it('tears down the preview of a PR closed while the App was away, once however often it is asked', async () => {
    await Promise.all([launch(1), launch(2)]);
    // The comment shows before the App has read GitHub's answer to it; a sweep asked for in
    // between found PR 2's launch still running and left the PR for the next sweep. The App is
    // "away" only once its work is done.
    await settled(app);
    // Closed on GitHub while the App was down: no webhook ever reaches it.
    world.updatePull(2, { state: 'closed' });
    // The task listing takes 1.5 s, so the second request surely arrives mid-sweep.
    proxy.inject('ECS.ListTasks', { kind: 'latency', ms: 1_500 });
    proxy.resetCounts();

    const calls = [callSweep('POST', { wait: true }), callSweep('POST', { wait: true })];
    const refused = await Promise.race(calls);
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({
      status: 'running',
      trigger: 'api',
      startedAt: expect.any(String),
    });
    const during = (await callSweep('GET')).body as SweepStatus;
    expect(during.running).toMatchObject({ trigger: 'api' });

    const answers = await Promise.all(calls);
    expect(answers.map((a) => a.status).sort()).toEqual([200, 409]);
    const report = answers.find((a) => a.status === 200)?.body as SweepReport;
    expect(report).toMatchObject({
      trigger: 'api',
      repositories: 1,
      previews: 2,
      stopped: { idle: 0, closed: 1 },
      orphanRoutes: 0,
      problems: [],
    });
    expect(proxy.counts()['ECS.StopTask']).toBe(1);
    expect(await runningPrs()).toEqual(['1']);
    expect(await records()).toEqual([`pr-1-web.${DOMAIN}.`]);
    expect(living(2)).toContain('torn down: the pull request was closed');
    expect(byBot(2)).toHaveLength(1);
    const deployment = world.deployments.find((d) => d.environment === 'preview/pr-2');
    expect(deployment?.statuses.at(-1)?.state).toBe('inactive');
    expect(living(1)).toContain('Preview ready');

    const status = (await callSweep('GET')).body as SweepStatus;
    expect(status.running).toBeUndefined();
    expect(status.last).toEqual(report);
  });

  it('answers 202 at once and removes DNS records without a task that look like previews only', async () => {
    await addRecord('pr-9-web', '10.9.9.9');
    await addRecord('www', '10.0.0.80');

    const answer = await callSweep('POST');

    expect(answer.status).toBe(202);
    expect(answer.body).toMatchObject({ status: 'started', startedAt: expect.any(String) });
    const last = await eventually('the sweep to finish', async () => {
      const status = (await callSweep('GET')).body as SweepStatus;
      return status.running ? undefined : status.last;
    });
    expect(last).toMatchObject({ trigger: 'api', orphanRoutes: 1, previews: 0 });
    expect(await records()).toEqual([`www.${DOMAIN}.`]);
  });
});

describe('/preview keep on the App', () => {
  it('pauses idle teardown for a writer, refuses more than 30d and refuses a reader', async () => {
    await launch(4);

    const before = Date.now();
    const keep = await say(4, '/preview keep 3d');
    await reacted(keep, 'rocket');
    const after = Date.now();
    const until = tag(await taskOf(4), 'ecs-paas:keep-until') ?? '';
    expect(Date.parse(until)).toBeGreaterThanOrEqual(before + 3 * DAY - 1_000);
    expect(Date.parse(until)).toBeLessThanOrEqual(after + 3 * DAY + 1_000);
    const shown = `${until.replace('T', ' ').slice(0, 16)} UTC`;
    await eventually('the paused row', () =>
      living(4)?.includes(`Idle teardown | paused until ${shown}`) ? true : undefined,
    );
    expect(replies(4)).toEqual([]);

    const [tooLong, reader] = await Promise.all([
      say(4, '/preview keep 40d'),
      say(4, '/preview keep 1d', 'reader'),
    ]);
    await reacted(tooLong, 'confused');
    await eventually('the 30d refusal', () =>
      replies(4).some((r) => r.includes('at most 30d')) ? true : undefined,
    );
    await reacted(reader, 'confused');
    await eventually('the permission refusal', () =>
      replies(4).some((r) => r.includes('@reader needs write access')) ? true : undefined,
    );
    expect(reactionsTo(reader)).not.toContain('rocket');
    expect(reactionsTo(tooLong)).not.toContain('rocket');
    // Neither refusal moved the pause.
    expect(tag(await taskOf(4), 'ecs-paas:keep-until')).toBe(until);
    expect(living(4)).toContain(`paused until ${shown}`);
  });
});

describe('/logs on the App', () => {
  const GROUP = '/ecs/web';
  const SECRET = 's3cr3t-value-123';

  it("edits a writer's last lines of the preview's logs into its one comment, with secrets masked", async () => {
    // A newer revision of the base definition: the container logs to CloudWatch and holds a secret.
    await registerFargateTaskDefinition(ecs, 'web', [
      {
        name: 'web',
        image: 'public.ecr.aws/nginx/nginx:latest',
        portMappings: [{ containerPort: 80 }],
        environment: [
          { name: 'API_TOKEN', value: SECRET },
          { name: 'NODE_ENV', value: 'production' },
        ],
        logConfiguration: {
          logDriver: 'awslogs',
          options: {
            'awslogs-group': GROUP,
            'awslogs-region': 'us-east-1',
            'awslogs-stream-prefix': 'preview',
          },
        },
      },
    ]);
    await launch(5);
    const taskId = (await taskOf(5))?.taskArn?.split('/').pop() ?? '';
    expect(taskId).not.toBe('');
    const lines = [
      'booting',
      'loaded 12 routes',
      `calling the API with ${SECRET}`,
      'listening on :80',
      'GET / 200',
      'GET /health 200',
    ];
    const stream = `preview/web/${taskId}`;
    await logs.send(new CreateLogGroupCommand({ logGroupName: GROUP }));
    await logs.send(new CreateLogStreamCommand({ logGroupName: GROUP, logStreamName: stream }));
    const start = Date.now() - 60_000;
    await logs.send(
      new PutLogEventsCommand({
        logGroupName: GROUP,
        logStreamName: stream,
        logEvents: lines.map((message, i) => ({ message, timestamp: start + i * 1_000 })),
      }),
    );

    const all = await say(5, '/logs');
    await reacted(all, 'rocket');
    const block = await eventually('the logs block', () => logBlock(5));
    const expected = [...lines.slice(0, 2), 'calling the API with ***', ...lines.slice(3)];
    expect(block).toContain('<details>');
    expect(block).toContain(['```text', ...expected, '```'].join('\n'));
    expect(block).toContain(stream);
    expect(living(5)).toContain('Preview ready');
    expect(JSON.stringify(world.commentObjects(5))).not.toContain(SECRET);
    expect(byBot(5)).toHaveLength(1);

    // A reader may not read the logs; a writer's `/logs 3` replaces the block.
    const [three, peek] = await Promise.all([say(5, '/logs 3'), say(5, '/logs', 'reader')]);
    await reacted(three, 'rocket');
    const shorter = await eventually('the 3-line block', () =>
      logBlock(5)?.includes('Last 3 log lines') ? logBlock(5) : undefined,
    );
    expect(shorter).toContain(['```text', ...lines.slice(-3), '```'].join('\n'));
    expect(shorter).not.toContain('loaded 12 routes');
    expect(living(5)?.split('<!-- ecs-paas:logs -->')).toHaveLength(2);
    await reacted(peek, 'confused');
    await eventually('the permission refusal', () => replies(5)[0]);
    expect(replies(5)).toEqual([expect.stringContaining('@reader needs write access')]);
    expect(byBot(5)).toHaveLength(2);
    expect(JSON.stringify(world.commentObjects(5))).not.toContain(SECRET);
  });

  /** The `/logs` block of the living comment, markers included. */
  function logBlock(n: number): string | undefined {
    const body = living(n) ?? '';
    const start = body.indexOf('<!-- ecs-paas:logs -->');
    const end = body.indexOf('<!-- /ecs-paas:logs -->');
    return start >= 0 && end > start ? body.slice(start, end) : undefined;
  }
});

describe('PR activity on the App', () => {
  it("records a human's comment on the preview's task, and not a bot's", async () => {
    await launch(6);
    proxy.resetCounts();

    const requests = world.requests().length;
    const fromBot = world.addComment(6, 'Deployed to staging', {
      login: 'deploy-bot[bot]',
      type: 'Bot',
    });
    await deliver(app, 'issue_comment', world.issueCommentEvent('created', fromBot));
    await settled(app);
    expect(world.requests()).toHaveLength(requests);
    expect(proxy.counts()['ECS.TagResource']).toBeUndefined();
    expect(tag(await taskOf(6), 'ecs-paas:last-activity')).toBeUndefined();

    const before = Date.now();
    await say(6, 'The header looks off on mobile', 'octocat');
    const at = await eventually('last-activity tag', async () =>
      tag(await taskOf(6), 'ecs-paas:last-activity'),
    );
    expect(at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
    expect(Date.parse(at)).toBeGreaterThanOrEqual(before - 1_000);
    expect(Date.parse(at)).toBeLessThanOrEqual(Date.now());
    // An ordinary comment is no command: no reaction, no reply.
    expect(replies(6)).toEqual([]);
  });
});

describe('/help on the App', () => {
  it('lists /preview keep and /logs as commands that work', async () => {
    world.addPull({ number: 7, sha: sha() });
    // Readers get a reaction only (a reply is a comment anyone could make the App post).
    const help = await say(7, '/help', 'maintainer');
    const reply = await eventually('the help reply', () => replies(7)[0]);
    expect(reply).toContain('/preview keep <duration>');
    expect(reply).toContain('/logs [n]');
    expect(reply).not.toContain('not available yet');
    await reacted(help, 'rocket');
  });
});
