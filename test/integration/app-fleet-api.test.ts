import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { RunTaskCommand, StopTaskCommand, TagResourceCommand } from '@aws-sdk/client-ecs';
import { SESSION_COOKIE } from '../../src/bot/http/session-viewer.js';
import { SessionSeal } from '../../src/bot/http/session-seal.js';
import { STARTED_BY, TAGS } from '../../src/core/preview/routing-types.js';
import { startApp, type AppProcess } from '../support/app-process.js';
import { testAwsConfig } from '../support/aws.js';
import { useAppFixture, tagOf, PREVIEW_DOMAIN } from '../support/app-fixture.js';
import { pushEcrImage } from '../support/ecr-image.js';
import { OpenApiContract } from '../support/openapi-contract.js';

const TOKEN = randomBytes(24).toString('hex');
const SESSION_SECRET = randomBytes(24).toString('hex');
const SPEC = fileURLToPath(new URL('../../openapi/ecs-paas-api.yaml', import.meta.url));
const ACTIVITY = [
  '  idle-after: 2h',
  '  activity-metric: { namespace: AcmeWeb, name: Requests, dimension: Preview }',
];

const f = useAppFixture({
  env: {
    ECS_PAAS_API_TOKEN: TOKEN,
    // GitHub sign-in on: the API also answers dashboard sessions' users.
    GITHUB_CLIENT_ID: 'Iv1.fleetapitest',
    GITHUB_CLIENT_SECRET: randomBytes(20).toString('hex'),
    ECS_PAAS_SESSION_SECRET: SESSION_SECRET,
  },
  setUp: (fixture) => {
    fixture.world.setFile('.github/ecs-paas.yml', fixture.config(ACTIVITY));
    fixture.world.setPermission('maintainer', 'write');
    fixture.world.setPermission('reader', 'read');
    fixture.world.setPermission('stranger', 'none');
    return Promise.resolve();
  },
});
const contract = new OpenApiContract(SPEC);

afterEach(() => {
  // Every request and answer of the test, against the OpenAPI description.
  contract.assertNone();
});

/** Who calls: the operator's token, a signed-in user (with or without the CSRF token), or no one. */
type Caller =
  | { kind: 'token'; token?: string }
  | { kind: 'user'; login: string; csrf?: 'right' | 'wrong' | 'none' }
  | { kind: 'anonymous' };

const operator: Caller = { kind: 'token' };
const user = (login: string, csrf: 'right' | 'wrong' | 'none' = 'right'): Caller => ({
  kind: 'user',
  login,
  csrf,
});

/** A session cookie as the App's sign-in seals it, so the App reads it as that user's. */
function session(login: string): { cookie: string; csrf: string } {
  const csrf = randomBytes(24).toString('base64url');
  const sealed = new SessionSeal(SESSION_SECRET).seal(
    'session',
    { login, csrf },
    new Date(Date.now() + 3_600_000),
  );
  return { cookie: `${SESSION_COOKIE}=${encodeURIComponent(sealed)}`, csrf };
}

interface Answer {
  status: number;
  body: unknown;
  headers: Headers;
}

async function call(
  method: string,
  path: string,
  caller: Caller = operator,
  options: { body?: unknown; deliberate?: boolean; target?: AppProcess } = {},
): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (caller.kind === 'token') headers.authorization = `Bearer ${caller.token ?? TOKEN}`;
  if (caller.kind === 'user') {
    const { cookie, csrf } = session(caller.login);
    headers.cookie = cookie;
    if (caller.csrf === 'right') headers['x-csrf-token'] = csrf;
    if (caller.csrf === 'wrong') headers['x-csrf-token'] = randomBytes(24).toString('base64url');
  }
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${(options.target ?? f.app).url}${path}`, {
    method,
    headers,
    ...(options.body !== undefined && { body: JSON.stringify(options.body) }),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text) as unknown;
  } catch {
    // Probot's 404 page: not ours, and not checked against the description.
  }
  if (!options.target) {
    contract.check({
      method,
      url: path,
      headers,
      ...(options.body !== undefined && { requestBody: options.body }),
      status: response.status,
      responseHeaders: response.headers,
      body,
      ...(options.deliberate && { deliberate: true }),
    });
  }
  return { status: response.status, body, headers: response.headers };
}

interface Preview {
  repository: string;
  pr: number;
  sha: string;
  url?: string;
  state: string;
  requests?: { count: number; lastRequestAt?: string; windowSeconds: number };
  keepUntil?: string;
  lastActivity?: string;
  stoppedReason?: string;
  taskArns: string[];
  cluster: string;
}

async function list(query = '', caller: Caller = operator): Promise<Preview[]> {
  const answer = await call('GET', `/api/previews${query}`, caller);
  expect(answer.status).toBe(200);
  return (answer.body as { previews: Preview[] }).previews;
}

const sha = (): string => randomBytes(20).toString('hex');

/**
 * A preview task as some App (not this process) left it: started in moto with the tags alone,
 * so the listing can only know it from AWS.
 */
async function taggedTask(
  repo: string,
  pr: number,
  extra: Record<string, string> = {},
): Promise<{ arn: string; sha: string }> {
  const head = sha();
  const label = `pr-${pr}-${repo.split('/')[1] ?? ''}`;
  const run = await f.ecs.send(
    new RunTaskCommand({
      cluster: 'previews',
      taskDefinition: 'web',
      launchType: 'FARGATE',
      startedBy: STARTED_BY,
      networkConfiguration: {
        awsvpcConfiguration: {
          subnets: [f.network.subnetIds[0] ?? ''],
          securityGroups: [f.network.securityGroupId],
        },
      },
      tags: Object.entries({
        [TAGS.managed]: 'true',
        [TAGS.repo]: repo,
        [TAGS.pr]: String(pr),
        [TAGS.sha]: head,
        [TAGS.subdomain]: label,
        [TAGS.url]: `http://${label}.${PREVIEW_DOMAIN}`,
        [TAGS.launchedAt]: new Date(Date.now() - 3_600_000).toISOString(),
        ...extra,
      }).map(([key, value]) => ({ key, value })),
    }),
  );
  const arn = run.tasks?.[0]?.taskArn;
  if (!arn) throw new Error(`RunTask started nothing for ${repo}#${pr}`);
  return { arn, sha: head };
}

/** acme/web #7 (ready, with traffic), #8 (unhealthy), #5 (stopped for idleness); other/api #3. */
async function fleet(): Promise<Record<string, { arn: string; sha: string }>> {
  const keep = new Date(Date.now() + 86_400_000).toISOString();
  const tasks = {
    web7: await taggedTask('acme/web', 7, { [TAGS.keepUntil]: keep }),
    web8: await taggedTask('acme/web', 8),
    web5: await taggedTask('acme/web', 5),
    api3: await taggedTask('other/api', 3),
  };
  await f.ecs.send(
    new TagResourceCommand({
      resourceArn: tasks.web8.arn,
      tags: [{ key: 'ecs-paas:health', value: 'unhealthy' }],
    }),
  );
  await f.ecs.send(
    new StopTaskCommand({ cluster: 'previews', task: tasks.web5.arn, reason: 'ecs-paas: idle' }),
  );
  const cloudwatch = new CloudWatchClient(testAwsConfig(f.moto.url));
  await cloudwatch.send(
    new PutMetricDataCommand({
      Namespace: 'AcmeWeb',
      MetricData: [
        {
          MetricName: 'Requests',
          Dimensions: [{ Name: 'Preview', Value: 'pr-7-web' }],
          Timestamp: new Date(Date.now() - 10 * 60_000),
          Value: 5,
          Unit: 'Count',
        },
      ],
    }),
  );
  cloudwatch.destroy();
  for (const n of [5, 7, 8]) f.world.addPull({ number: n, sha: sha() });
  return tasks;
}

describe('GET /api/previews', () => {
  it('lists every preview from AWS tags, also those this App did not launch, and filters them', async () => {
    const tasks = await fleet();
    const previews = await list();
    const summary = previews.map((p) => `${p.repository}#${p.pr} ${p.state}`);
    expect(summary).toEqual([
      'acme/web#5 stopped-idle',
      'acme/web#7 ready',
      'acme/web#8 unhealthy',
      'other/api#3 ready',
    ]);
    const seven = previews.find((p) => p.pr === 7);
    expect(seven).toMatchObject({
      sha: tasks.web7?.sha,
      url: `http://pr-7-web.${PREVIEW_DOMAIN}`,
      taskArns: [tasks.web7?.arn],
      cluster: 'previews',
      requests: { count: 5, windowSeconds: 7_200 },
    });
    expect(seven?.keepUntil).toBeDefined();
    expect(previews.find((p) => p.pr === 5)?.stoppedReason).toBe('ecs-paas: idle');
    // The repository without a config has no request metric: nothing is made up.
    expect(previews.find((p) => p.repository === 'other/api')?.requests).toBeUndefined();

    expect((await list('?repo=ACME/web')).map((p) => p.pr)).toEqual([5, 7, 8]);
    expect((await list('?state=unhealthy')).map((p) => p.pr)).toEqual([8]);
    expect((await list('?state=stopped-idle&repo=acme/web')).map((p) => p.pr)).toEqual([5]);
    expect(await list('?repo=nobody/here')).toEqual([]);
  });

  it('shows a user only the repositories they may read, without counts or problems of others', async () => {
    await fleet();
    const reader = await call('GET', '/api/previews', user('reader'));
    expect(reader.status).toBe(200);
    const body = reader.body as { previews: Preview[]; problems?: unknown };
    expect(body.previews.map((p) => `${p.repository}#${p.pr}`)).toEqual([
      'acme/web#5',
      'acme/web#7',
      'acme/web#8',
    ]);
    expect(body.problems).toBeUndefined();
    // A reader (anyone, on a public repository) is shown no ARN: they carry the account id.
    expect(body.previews.every((p) => p.taskArns.length === 0)).toBe(true);
    expect(JSON.stringify(body)).not.toMatch(/arn:aws:/);
    const writer = (await list('?repo=acme/web', user('maintainer'))).find((p) => p.pr === 5);
    expect(writer?.taskArns[0]).toMatch(/^arn:aws:ecs:/);
    expect(await list('?repo=other/api', user('reader'))).toEqual([]);
    // No read access (a private repository's stranger): nothing at all.
    expect(await list('', user('stranger'))).toEqual([]);
  });

  it('refuses without credentials (401), a bad filter (400) and another method (405)', async () => {
    const anonymous = await call('GET', '/api/previews', { kind: 'anonymous' });
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toBe('Bearer');
    const wrongToken = await call('GET', '/api/previews', { kind: 'token', token: 'x'.repeat(48) });
    expect(wrongToken.status).toBe(401);
    const state = await call('GET', '/api/previews?state=asleep', operator, { deliberate: true });
    expect(state).toMatchObject({ status: 400, body: { parameter: 'state' } });
    const repo = await call('GET', '/api/previews?repo=no-slash', operator, { deliberate: true });
    expect(repo).toMatchObject({ status: 400, body: { parameter: 'repo' } });
    const extra = await call('GET', '/api/previews?owner=acme', operator, { deliberate: true });
    expect(extra).toMatchObject({ status: 400, body: { parameter: 'owner' } });
    const post = await call('POST', '/api/previews', operator, { deliberate: true });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET');
  });
});

describe('POST /api/previews/{owner}/{repo}/{pr}/stop', () => {
  it('stops under the /preview stop rules: write access and the CSRF token for users', async () => {
    const tasks = await fleet();
    const running = async () => (await f.tasks()).map((t) => tagOf(t, TAGS.pr)).sort();
    const stop = (caller: Caller, pr = 7) =>
      call('POST', `/api/previews/acme/web/${pr}/stop`, caller);

    expect((await stop(user('reader'))).status).toBe(403);
    expect((await stop(user('maintainer', 'none'))).status).toBe(403);
    expect((await stop(user('maintainer', 'wrong'))).status).toBe(403);
    // A repository the user cannot read answers as an unknown preview.
    expect((await stop(user('stranger'))).status).toBe(404);
    expect((await stop(operator, 99)).status).toBe(404);
    // Write access to acme/web is no key to another repository's preview.
    const across = await call('POST', '/api/previews/other/api/3/stop', user('maintainer'));
    expect(across.status).toBe(404);
    expect(await running()).toEqual(['3', '7', '8']);

    const done = await stop(user('maintainer'));
    expect(done).toMatchObject({
      status: 200,
      body: { status: 'stopped', taskArns: [tasks.web7?.arn] },
    });
    expect(await running()).toEqual(['3', '8']);
    expect(f.world.comments(7).join('\n')).toContain('@maintainer through the fleet API');

    // The operator's token may stop any preview, whoever's permission.
    expect((await stop(operator, 8)).status).toBe(200);
    expect(await running()).toEqual(['3']);
  });

  it('answers 401 without credentials and 405 for GET', async () => {
    const anonymous = await call('POST', '/api/previews/acme/web/7/stop', { kind: 'anonymous' });
    expect(anonymous.status).toBe(401);
    const get = await call('GET', '/api/previews/acme/web/7/stop', operator, { deliberate: true });
    expect(get.status).toBe(405);
    const bad = await call('POST', '/api/previews/acme/web/seven/stop', operator, {
      deliberate: true,
    });
    expect(bad).toMatchObject({ status: 400, body: { parameter: 'pr' } });
  });
});

describe('POST …/relaunch and GET …/logs', () => {
  it('relaunches at the head under the /deploy rules and reads its logs under the /logs rules', async () => {
    const head = sha();
    f.world.addPull({ number: 9, sha: head });
    await pushEcrImage(f.ecr, 'web', head);

    const refused = await call('POST', '/api/previews/acme/web/9/relaunch', user('reader'));
    expect(refused.status).toBe(403);
    const wrongSha = await call('POST', '/api/previews/acme/web/9/relaunch', operator, {
      body: { sha: 'abcdef0' },
    });
    expect(wrongSha.status).toBe(409);
    const badSha = await call('POST', '/api/previews/acme/web/9/relaunch', operator, {
      body: { sha: 'main' },
      deliberate: true,
    });
    expect(badSha).toMatchObject({ status: 400, body: { parameter: 'sha' } });
    expect(await f.tasks()).toEqual([]);

    const asked = await call('POST', '/api/previews/acme/web/9/relaunch', user('maintainer'));
    expect(asked).toMatchObject({ status: 202, body: { status: 'relaunching', sha: head } });
    const task = await f.eventually('the relaunched preview', async () =>
      (await f.tasks()).find((t) => tagOf(t, TAGS.pr) === '9' && tagOf(t, TAGS.sha) === head),
    );
    expect(tagOf(task, TAGS.launchedBy)).toBe('maintainer');
    // Listed at its new head; whether it answers yet is the health check's to say.
    await f.eventually('the preview listed at its head', async () =>
      (await list('?repo=acme/web')).find(
        (p) => p.pr === 9 && p.sha === head && !p.state.startsWith('stopped'),
      ),
    );

    expect((await call('GET', '/api/previews/acme/web/9/logs', user('reader'))).status).toBe(403);
    expect((await call('GET', '/api/previews/acme/web/4/logs')).status).toBe(404);
    const lines = await call('GET', '/api/previews/acme/web/9/logs?lines=0', operator, {
      deliberate: true,
    });
    expect(lines).toMatchObject({ status: 400, body: { parameter: 'lines' } });
    // A public repository: where to read them, never the lines (as /logs answers there).
    const logs = await call('GET', '/api/previews/acme/web/9/logs?lines=20', user('maintainer'));
    expect(logs).toMatchObject({ status: 200, body: { delivery: 'link', reason: 'public' } });
  });
});

describe('without a token or GitHub sign-in', () => {
  let bare: AppProcess;
  beforeAll(async () => {
    bare = await startApp({ ...f.appOptions(), env: { ECS_PAAS_POLL_MS: '50' } });
  });
  afterAll(async () => {
    await bare?.stop();
  });

  it('has no fleet API at all', async () => {
    for (const [method, path] of [
      ['GET', '/api/previews'],
      ['POST', '/api/previews/acme/web/7/stop'],
    ] as const) {
      expect((await call(method, path, operator, { target: bare })).status).toBe(404);
    }
  });
});
