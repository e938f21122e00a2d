import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  PutLogEventsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { ECRClient } from '@aws-sdk/client-ecr';
import { CreateClusterCommand, ECSClient } from '@aws-sdk/client-ecs';
import { CreateHostedZoneCommand, Route53Client } from '@aws-sdk/client-route-53';
import { type AppProcess, deliver, settled, startApp } from '../support/app-process.js';
import {
  createDefaultNetwork,
  registerFargateTaskDefinition,
  testAwsConfig,
} from '../support/aws.js';
import { pushEcrImage } from '../support/ecr-image.js';
import { eventually as pollFor } from '../support/eventually.js';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.js';
import { runningTasks, tagOf } from '../support/fleet-state.js';
import { startGitHubApi, type GitHubApi } from '../support/github.js';
import { createGitHubWorld, type GitHubWorld, type IssueComment } from '../support/github-world.js';
import { startMoto, type Moto } from '../support/moto.js';

/*
 * `/logs` as GitHub delivers it to the running App: log lines reach a PR comment only on a
 * private or internal repository; a public one gets the log group, stream and region, never a
 * line, whatever `preview.logs` says.
 */

let moto: Moto;
let proxy: FaultProxy;
let api: GitHubApi;
let world: GitHubWorld;
let app: AppProcess;
let ecs: ECSClient;
let ecr: ECRClient;
let route53: Route53Client;
let logs: CloudWatchLogsClient;
let network: Awaited<ReturnType<typeof createDefaultNetwork>>;
let zoneId: string;

const DOMAIN = 'preview.example.com';
const GROUP = '/ecs/web';
const REGION = 'us-east-1';
const SECRET = 's3cr3t-value-123';
/** A line only the container writes: found in a comment, it can only have come from the logs. */
const MARK = `served by unicorn-${randomBytes(4).toString('hex')}`;
const LINES = [
  'booting',
  'loaded 12 routes',
  `calling the API with ${SECRET}`,
  MARK,
  'GET / 200',
  'GET /health 200',
];
const MARKER = '<!-- ecs-paas:preview -->';
const LOG_BLOCK = '<!-- ecs-paas:logs -->';

beforeAll(async () => {
  moto = await startMoto({ servicesRunning: 1 });
  proxy = await startFaultProxy(moto.url);
  api = await startGitHubApi();
  const config = testAwsConfig(moto.url);
  ecs = new ECSClient(config);
  ecr = new ECRClient(config);
  route53 = new Route53Client(config);
  logs = new CloudWatchLogsClient(config);
  app = await startApp({
    githubUrl: api.url,
    awsEndpoint: proxy.url,
    env: { ECS_PAAS_POLL_MS: '50' },
  });
});

afterAll(async () => {
  for (const client of [ecs, ecr, route53, logs]) client?.destroy();
  await app?.stop();
  await Promise.allSettled([api?.stop(), proxy?.stop(), moto?.stop()]);
});

beforeEach(async () => {
  await moto.reset();
  proxy.clear();
  api.reset();
  await ecs.send(new CreateClusterCommand({ clusterName: 'previews' }));
  network = await createDefaultNetwork(moto.url);
  // The preview's container logs to CloudWatch and holds a secret in its environment.
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
          'awslogs-region': REGION,
          'awslogs-stream-prefix': 'preview',
        },
      },
    },
  ]);
  const zone = await route53.send(
    new CreateHostedZoneCommand({ Name: DOMAIN, CallerReference: randomBytes(8).toString('hex') }),
  );
  zoneId = zone.HostedZone?.Id?.split('/').pop() ?? '';
});

afterEach(async () => {
  // Let the App finish what the test started, so its work never lands in the next test's world.
  await settled(app);
  // Every request the App made must have been valid against GitHub's OpenAPI description.
  api.assertNoViolations();
});

/** A repository that is public unless `private` says otherwise, with previews set up. */
function openRepository(options: { private?: boolean; logs?: string } = {}): void {
  world = createGitHubWorld(api, {
    owner: 'acme',
    repo: 'web',
    ...(options.private !== undefined && { private: options.private }),
  });
  world.setPermission('maintainer', 'write');
  world.setPermission('reader', 'read');
  configure(options.logs);
}

/** Writes .github/ecs-paas.yml on the default branch, with `preview.logs` when given. */
function configure(logsSetting?: string): void {
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
      ...(logsSetting === undefined ? [] : [`  logs: ${logsSetting}`]),
      '',
    ].join('\n'),
  );
}

const eventually = <T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 20_000,
): Promise<T> =>
  pollFor(what, probe, {
    timeoutMs,
    context: () => `App output:\n${app.output().slice(-3000)}`,
  });

/**
 * Opens PR `number`, waits for its preview, and has its container write LINES. Resolves to the
 * stream the awslogs driver would have written them to.
 */
async function launchWithLogs(number: number): Promise<string> {
  const head = randomBytes(20).toString('hex');
  world.addPull({ number, sha: head });
  await pushEcrImage(ecr, 'web', head);
  await deliver(app, 'pull_request', world.pullRequestEvent('opened', number));
  await eventually(`preview of #${number}`, () =>
    living(number)?.includes('Preview ready') ? true : undefined,
  );
  const task = (await runningTasks(ecs)).find((t) => tagOf(t, 'ecs-paas:pr') === String(number));
  const taskId = task?.taskArn?.split('/').pop() ?? '';
  expect(taskId).not.toBe('');
  const stream = `preview/web/${taskId}`;
  await logs.send(new CreateLogGroupCommand({ logGroupName: GROUP }));
  await logs.send(new CreateLogStreamCommand({ logGroupName: GROUP, logStreamName: stream }));
  const start = Date.now() - 60_000;
  await logs.send(
    new PutLogEventsCommand({
      logGroupName: GROUP,
      logStreamName: stream,
      logEvents: LINES.map((message, i) => ({ message, timestamp: start + i * 1_000 })),
    }),
  );
  proxy.resetCounts();
  return stream;
}

const byBot = (n: number): IssueComment[] =>
  world.commentObjects(n).filter((c) => c.user?.login === world.botLogin);
/** The App's one living comment on a PR. */
const living = (n: number): string | undefined =>
  byBot(n).find((c) => c.body?.includes(MARKER))?.body;
/** The App's answers to commands: every comment of its but the living one. */
const replies = (n: number): string[] =>
  byBot(n).flatMap((c) => (c.body && !c.body.includes(MARKER) ? [c.body] : []));
/** Everything anyone can read on the PR: the text of every comment on it. */
const everything = (n: number): string => world.comments(n).join('\n');
const logReads = (): number => proxy.counts()['CloudWatchLogs.GetLogEvents'] ?? 0;

/** A human writes `body` on the PR and GitHub delivers the `issue_comment.created` webhook. */
async function say(n: number, body: string, login = 'maintainer'): Promise<IssueComment> {
  const comment = world.addComment(n, body, { login, type: 'User' });
  await deliver(app, 'issue_comment', world.issueCommentEvent('created', comment));
  return comment;
}

async function reacted(comment: IssueComment, content: string): Promise<void> {
  await eventually(`${content} on "${comment.body ?? ''}"`, () =>
    world.reactions.some((r) => r.commentId === comment.id && r.content === content)
      ? true
      : undefined,
  );
}

/** The `count`th reply on PR `n`, once the App has written it. */
const reply = (n: number, count = 1): Promise<string> =>
  eventually(`reply ${count} on #${n}`, () => replies(n)[count - 1]);

/** What a public `/logs` reply must hold: where the lines are, and no line. */
function expectOnlyWhereToRead(text: string, stream: string): void {
  expect(text).toContain(`log group \`${GROUP}\``);
  expect(text).toContain(`stream \`${stream}\``);
  expect(text).toContain(`in \`${REGION}\``);
  expect(text).toContain(
    `aws logs tail ${GROUP} --log-stream-names ${stream} --region ${REGION} --since 1h`,
  );
  for (const line of LINES) expect(text).not.toContain(line);
  expect(text).not.toMatch(/\b\d{12}\b|arn:aws/);
}

describe('/logs on a private repository', () => {
  it("edits a writer's last lines into the PR's one comment, secrets masked, and refuses a reader", async () => {
    openRepository({ private: true });
    const stream = await launchWithLogs(5);

    const all = await say(5, '/logs');
    await reacted(all, 'rocket');
    const block = await eventually('the logs block', () => logBlock(5));
    const masked = LINES.map((line) => line.replace(SECRET, '***'));
    expect(block).toContain(['```text', ...masked, '```'].join('\n'));
    expect(block).toContain(stream);
    expect(living(5)).toContain('Preview ready');
    expect(everything(5)).not.toContain(SECRET);
    expect(replies(5)).toEqual([]);

    // A reader may not read the logs; a writer's `/logs 3` replaces the block.
    const [three, peek] = await Promise.all([say(5, '/logs 3'), say(5, '/logs', 'reader')]);
    await reacted(three, 'rocket');
    const shorter = await eventually('the 3-line block', () =>
      logBlock(5)?.includes('Last 3 log lines') ? logBlock(5) : undefined,
    );
    expect(shorter).toContain(['```text', ...LINES.slice(-3), '```'].join('\n'));
    expect(shorter).not.toContain('loaded 12 routes');
    expect(living(5)?.split(LOG_BLOCK)).toHaveLength(2);
    await reacted(peek, 'confused');
    expect(await reply(5)).toContain('@reader needs write access');
    expect(byBot(5)).toHaveLength(2);
    expect(everything(5)).not.toContain(SECRET);
  });

  it('takes the lines out of the comment once the repository is made public', async () => {
    openRepository({ private: true });
    const stream = await launchWithLogs(6);
    await reacted(await say(6, '/logs'), 'rocket');
    await eventually('the logs block', () => logBlock(6));

    // Made public in the repository settings: GitHub sends no event the App listens to.
    Object.assign(world.repository, { private: false, visibility: 'public' });
    const again = await say(6, '/logs');
    // The App reacts once the comment is written, so what it posts is there by then.
    await reacted(again, 'rocket');
    expect(living(6)).not.toContain(LOG_BLOCK);
    expect(living(6)).toContain('Preview ready');
    expect(everything(6)).not.toContain(MARK);
    expectOnlyWhereToRead(await reply(6), stream);
  });

  it('answers that logs are off with preview.logs: off, and only names the stream with link', async () => {
    openRepository({ private: true, logs: 'off' });
    const stream = await launchWithLogs(7);

    const off = await say(7, '/logs');
    await reacted(off, 'confused');
    expect(await reply(7)).toContain('`/logs` is off for this repository (`preview.logs: off`');

    configure('link');
    const link = await say(7, '/logs');
    await reacted(link, 'rocket');
    const linked = await reply(7, 2);
    expect(linked).toContain('`preview.logs: link` in .github/ecs-paas.yml');
    expectOnlyWhereToRead(linked, stream);

    expect(everything(7)).not.toContain(MARK);
    expect(living(7)).not.toContain(LOG_BLOCK);
    expect(logReads()).toBe(0);
  });

  it('refuses an invalid preview.logs, naming the key and the values it takes', async () => {
    openRepository({ private: true });
    await launchWithLogs(8);
    configure('everything');

    const asked = await say(8, '/logs');
    await reacted(asked, 'confused');
    expect(await reply(8)).toContain(
      "preview.logs: got 'everything'; expected comment, link or off",
    );
    expect(everything(8)).not.toContain(MARK);
    expect(logReads()).toBe(0);
  });
});

describe('/logs on a public repository', () => {
  it('names the log group, stream and region, and posts no line of output', async () => {
    openRepository();
    const stream = await launchWithLogs(9);

    const asked = await say(9, '/logs');
    // The App reacts once the comment is written, so a leaked line would be there by then.
    await reacted(asked, 'rocket');
    expect(everything(9)).not.toContain(MARK);
    expect(everything(9)).not.toContain(SECRET);
    expect(living(9)).not.toContain(LOG_BLOCK);
    const text = await reply(9);
    expect(text).toContain('This repository is public');
    expectOnlyWhereToRead(text, stream);
    // Not even read: a line the App never holds cannot slip out through an error message either.
    expect(logReads()).toBe(0);
  });

  it('refuses preview.logs: comment to a link, and says so', async () => {
    openRepository({ logs: 'comment' });
    const stream = await launchWithLogs(10);

    const asked = await say(10, '/logs 5');
    await reacted(asked, 'rocket');
    expect(everything(10)).not.toContain(MARK);
    expect(living(10)).not.toContain(LOG_BLOCK);
    const text = await reply(10);
    expect(text).toContain('`preview.logs: comment` is refused on a public repository');
    expectOnlyWhereToRead(text, stream);
    expect(logReads()).toBe(0);
  });
});

/** The `/logs` block of the living comment, markers included. */
function logBlock(n: number): string | undefined {
  const body = living(n) ?? '';
  const start = body.indexOf(LOG_BLOCK);
  const end = body.indexOf('<!-- /ecs-paas:logs -->');
  return start >= 0 && end > start ? body.slice(start, end) : undefined;
}
