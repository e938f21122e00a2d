import { randomBytes } from 'node:crypto';
import { copyFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  PutLogEventsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { RunTaskCommand, StopTaskCommand } from '@aws-sdk/client-ecs';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { deliver } from '../support/app-process.js';
import { useAppFixture, tagOf } from '../support/app-fixture.js';
import { registerFargateTaskDefinition, testAwsConfig } from '../support/aws.js';
import { pushEcrImage } from '../support/ecr-image.js';
import { createGitHubWorld } from '../support/github-world.js';
import { startGitHubOAuth, type GitHubOAuth } from '../support/github-oauth.js';

/*
 * The dashboard in a real browser (Debian's Chromium driven by playwright-core) against the
 * running App, signing in through a GitHub OAuth stand-in: what a PR author and an operator see
 * and may do, and what a signed-in user without access, a forged POST and a tampered sign-in get.
 */

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
// The closed network here refuses Chromium's own background connections; without these flags it
// stalls on them (see the machine notes). Playwright gives every launch a new empty profile.
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const API_TOKEN = randomBytes(24).toString('hex');
const GROUP = '/ecs/web';
const LOG_LINE = `listening on :80 (build ${randomBytes(3).toString('hex')})`;
/** What a crashed container's reason could say: shown as text, never as markup. */
const HOSTILE = '<img src=x onerror="document.body.dataset.pwned=1">';
const ARTIFACTS = process.env.ECS_PAAS_ARTIFACTS ?? join(tmpdir(), 'ecs-paas-artifacts');

const env: Record<string, string> = {};
let oauth: GitHubOAuth;
let browser: Browser;
let logs: CloudWatchLogsClient;

beforeAll(async () => {
  oauth = await startGitHubOAuth();
  Object.assign(env, {
    GITHUB_CLIENT_ID: oauth.clientId,
    GITHUB_CLIENT_SECRET: oauth.clientSecret,
    GITHUB_OAUTH_URL: oauth.url,
    ECS_PAAS_SESSION_SECRET: randomBytes(32).toString('hex'),
    ECS_PAAS_API_TOKEN: API_TOKEN,
  });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
});

// Registered after the hook above, so the App starts with the stand-in's settings in `env`.
const fixture = useAppFixture({
  env,
  setUp: async (f) => {
    // Logs reach the dashboard only on a private repository, as `/logs` comments do.
    f.world = createGitHubWorld(f.api, { owner: 'acme', repo: 'web', private: true });
    f.world.setFile('.github/ecs-paas.yml', f.config());
    f.world.setPermission('maintainer', 'write');
    f.world.setPermission('reader', 'read');
    f.world.setPermission('mallory', 'none');
    oauth.serveUser(f.api);
    await registerFargateTaskDefinition(f.ecs, 'web', [
      {
        name: 'web',
        image: 'public.ecr.aws/nginx/nginx:latest',
        portMappings: [{ containerPort: 80 }],
        healthCheck: { command: ['CMD-SHELL', 'exit 0'] },
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
  },
});

let context: BrowserContext;

beforeAll(() => {
  logs = new CloudWatchLogsClient(testAwsConfig(fixture.moto.url));
});

afterAll(async () => {
  logs?.destroy();
  await browser?.close();
  await oauth?.stop();
});

beforeEach(async () => {
  context = await browser.newContext();
});

afterEach(async () => {
  await context.close();
});

/** Opens PRs through webhooks and waits until each has its running preview task. */
async function launchPreviews(...numbers: number[]): Promise<void> {
  for (const number of numbers) {
    const sha = randomBytes(20).toString('hex');
    fixture.world.addPull({ number, sha, branch: `feature/${number}` });
    await pushEcrImage(fixture.ecr, 'web', sha);
    await deliver(fixture.app, 'pull_request', fixture.world.pullRequestEvent('opened', number));
  }
  await fixture.eventually(`previews of ${numbers.join(', ')}`, async () => {
    const prs = (await fixture.tasks()).map((t) => Number(tagOf(t, 'ecs-paas:pr')));
    return numbers.every((n) => prs.includes(n)) ? true : undefined;
  });
}

/** Signs in as `login` the way a person does: the dashboard's link, GitHub, back again. */
async function signIn(login: string): Promise<Page> {
  oauth.signInAs(login);
  const page = await context.newPage();
  const first = await page.goto(`${fixture.app.url}/dashboard`);
  expect(first?.status()).toBe(401);
  await page.click('#sign-in');
  await page.waitForURL(`${fixture.app.url}/dashboard`);
  await page.locator('.who strong').waitFor();
  expect(await page.textContent('.who strong')).toBe(login);
  return page;
}

const row = (page: Page, pr: number) => page.locator(`tr.preview[data-pr="${pr}"]`);

async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  process.stdout.write(`dashboard screenshot: ${path}\n`);
  return path;
}

describe('the dashboard for a signed-in writer', () => {
  it('lists the previews, stops one (its task stops in ECS) and shows another’s logs', async () => {
    await launchPreviews(1, 2);
    const task2 = (await fixture.tasks()).find((t) => tagOf(t, 'ecs-paas:pr') === '2');
    const stream = `preview/web/${task2?.taskArn?.split('/').pop() ?? ''}`;
    await logs.send(new CreateLogGroupCommand({ logGroupName: GROUP }));
    await logs.send(new CreateLogStreamCommand({ logGroupName: GROUP, logStreamName: stream }));
    await logs.send(
      new PutLogEventsCommand({
        logGroupName: GROUP,
        logStreamName: stream,
        logEvents: [
          { message: 'booting', timestamp: Date.now() - 2_000 },
          { message: LOG_LINE, timestamp: Date.now() - 1_000 },
        ],
      }),
    );

    const page = await signIn('maintainer');
    const section = page.locator('section.repository[data-repo="acme/web"]');
    await expect(section.locator('tr.preview').count()).resolves.toBe(2);
    for (const pr of [1, 2]) {
      await expect(row(page, pr).getAttribute('data-state')).resolves.toBe('ready');
      await expect(row(page, pr).locator('button[data-action]').allTextContents()).resolves.toEqual(
        ['Stop', 'Relaunch', 'Logs'],
      );
      const link = row(page, pr).locator(`a[href$="/acme/web/pull/${pr}"]`);
      await expect(link.count()).resolves.toBe(1);
    }
    await expect(row(page, 1).textContent()).resolves.toContain('pr-1-web.preview.example.com');
    const shot = await screenshot(page, 'dashboard-writer');
    if (process.env.ECS_PAAS_DASHBOARD_PNG)
      await copyFile(shot, process.env.ECS_PAAS_DASHBOARD_PNG);

    await row(page, 1).locator('button[data-action="stop"]').click();
    await page.locator('tr.preview[data-pr="1"][data-state="stopped"]').waitFor();
    await expect(row(page, 1).locator('button[data-action="stop"]').count()).resolves.toBe(0);
    const running = (await fixture.tasks()).map((t) => tagOf(t, 'ecs-paas:pr'));
    expect(running).toEqual(['2']);

    await row(page, 2).locator('button[data-action="logs"]').click();
    await page.locator('#logs[data-loaded="true"]').waitFor();
    await expect(page.textContent('#logs-lines')).resolves.toContain(LOG_LINE);
    await screenshot(page, 'dashboard-after-stop');
  });

  it('refuses a POST without the session’s CSRF token, and one with another token', async () => {
    await launchPreviews(3);
    const page = await signIn('maintainer');
    const statuses = await page.evaluate(async () => {
      const post = async (headers: Record<string, string>) =>
        (await fetch('/api/previews/acme/web/3/stop', { method: 'POST', headers })).status;
      return [await post({}), await post({ 'x-csrf-token': 'not-the-token' })];
    });
    expect(statuses).toEqual([403, 403]);
    // The sign-out form needs it too: a cross-site form cannot end a session either.
    const logout = await page.evaluate(
      async () => (await fetch('/logout', { method: 'POST', redirect: 'manual' })).status,
    );
    expect(logout).toBe(403);
    expect((await fixture.tasks()).map((t) => tagOf(t, 'ecs-paas:pr'))).toEqual(['3']);
    await expect(page.locator('tr.preview[data-pr="3"]').getAttribute('data-state')).resolves.toBe(
      'ready',
    );
  });
});

describe('what other viewers see', () => {
  it('shows a user without access nothing of the repository, not even in the HTML', async () => {
    await launchPreviews(4);
    const page = await signIn('mallory');
    const markup = await page.content();
    expect(markup).not.toContain('acme/web');
    expect(markup).not.toContain('pr-4-web');
    await expect(page.textContent('#fleet')).resolves.toContain('No previews you can see');
    const api = await page.evaluate(async () => (await fetch('/api/previews')).text());
    expect(api).not.toContain('acme/web');
  });

  it('shows a reader the previews without a single button', async () => {
    await launchPreviews(5);
    const page = await signIn('reader');
    await expect(row(page, 5).count()).resolves.toBe(1);
    await expect(page.locator('button[data-action]').count()).resolves.toBe(0);
  });

  it('shows the operator (API token) everything, a hostile stop reason as text, and forbids framing', async () => {
    // A task of a PR the App did not launch here, stopped with a reason that looks like markup.
    const { tasks } = await fixture.ecs.send(
      new RunTaskCommand({
        cluster: 'previews',
        taskDefinition: 'web',
        launchType: 'FARGATE',
        startedBy: 'ecs-paas',
        networkConfiguration: {
          awsvpcConfiguration: {
            subnets: [fixture.network.subnetIds[0] ?? ''],
            securityGroups: [fixture.network.securityGroupId],
          },
        },
        tags: [
          { key: 'ecs-paas:managed', value: 'true' },
          { key: 'ecs-paas:repo', value: 'acme/web' },
          { key: 'ecs-paas:pr', value: '9' },
          { key: 'ecs-paas:sha', value: 'a'.repeat(40) },
        ],
      }),
    );
    await fixture.ecs.send(
      new StopTaskCommand({ cluster: 'previews', task: tasks?.[0]?.taskArn, reason: HOSTILE }),
    );
    const operator = await browser.newContext({
      extraHTTPHeaders: { authorization: `Bearer ${API_TOKEN}` },
    });
    try {
      const page = await operator.newPage();
      const response = await page.goto(`${fixture.app.url}/dashboard`);
      expect(response?.status()).toBe(200);
      const headers = response?.headers() ?? {};
      expect(headers['content-security-policy']).toContain("script-src 'self'");
      expect(headers['content-security-policy']).toContain("frame-ancestors 'none'");
      expect(headers['x-frame-options']).toBe('DENY');
      await expect(page.textContent('.who')).resolves.toContain('Operator');
      await expect(row(page, 9).getAttribute('data-state')).resolves.toBe('stopped');
      await expect(row(page, 9).locator('.reason').textContent()).resolves.toBe(HOSTILE);
      await expect(row(page, 9).locator('img').count()).resolves.toBe(0);
      await expect(page.locator('body[data-pwned]').count()).resolves.toBe(0);
    } finally {
      await operator.close();
    }
  });
});

describe('signing in', () => {
  /** GET /login without following GitHub's redirect: the authorize URL and the attempt cookie. */
  async function begin(): Promise<{ authorize: URL; cookie: string; redirectUri: string }> {
    const response = await fetch(`${fixture.app.url}/login`, { redirect: 'manual' });
    expect(response.status).toBe(302);
    const authorize = new URL(response.headers.get('location') ?? '');
    const cookie = (response.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    return { authorize, cookie, redirectUri: authorize.searchParams.get('redirect_uri') ?? '' };
  }

  const callback = (query: Record<string, string>, cookie?: string) =>
    fetch(`${fixture.app.url}/login/callback?${new URLSearchParams(query).toString()}`, {
      redirect: 'manual',
      headers: cookie ? { cookie } : {},
    });

  const sessionSet = (response: Response): boolean =>
    response.headers.getSetCookie().some((c) => /^ecs_paas_session=[^;]+/.test(c));

  it('sends the browser to GitHub with a state and an S256 PKCE challenge, bound to an HttpOnly cookie', async () => {
    const { authorize, cookie } = await begin();
    expect(authorize.origin + authorize.pathname).toBe(`${oauth.url}/login/oauth/authorize`);
    expect(authorize.searchParams.get('client_id')).toBe(oauth.clientId);
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorize.searchParams.get('code_challenge')).toMatch(/^[\w-]{43}$/);
    expect(authorize.searchParams.get('state')?.length).toBeGreaterThanOrEqual(32);
    expect(cookie).toMatch(/^ecs_paas_login=/);
    const response = await fetch(`${fixture.app.url}/login`, { redirect: 'manual' });
    expect(response.headers.get('set-cookie')).toMatch(/HttpOnly; SameSite=Lax/);
  });

  it('refuses a callback whose state does not match, or that another browser started', async () => {
    const { authorize, cookie, redirectUri } = await begin();
    const exchanges = oauth.exchanges.length;
    const challenge = authorize.searchParams.get('code_challenge') ?? '';
    const state = authorize.searchParams.get('state') ?? '';
    const wrongState = await callback(
      { code: oauth.issueCode('maintainer', redirectUri, challenge), state: `${state}x` },
      cookie,
    );
    expect(wrongState.status).toBe(403);
    expect(sessionSet(wrongState)).toBe(false);
    const otherBrowser = await callback({
      code: oauth.issueCode('maintainer', redirectUri, challenge),
      state,
    });
    expect(otherBrowser.status).toBe(403);
    expect(sessionSet(otherBrowser)).toBe(false);
    // Neither got as far as trading its code.
    expect(oauth.exchanges.length).toBe(exchanges);
  });

  it('refuses a code minted for another PKCE verifier (a code planted from an attacker’s own sign-in)', async () => {
    const { authorize, cookie, redirectUri } = await begin();
    const attackerChallenge = 'A'.repeat(43);
    const planted = await callback(
      {
        code: oauth.issueCode('mallory', redirectUri, attackerChallenge),
        state: authorize.searchParams.get('state') ?? '',
      },
      cookie,
    );
    expect(planted.status).toBe(403);
    expect(sessionSet(planted)).toBe(false);
    expect(oauth.exchanges.at(-1)).toEqual({ ok: false, error: 'bad_verification_code' });
    // The App never printed the code, the verifier or a token.
    expect(fixture.app.output()).not.toMatch(/ghu_|code_verifier|client_secret/);
  });

  it('signs out with the page’s form', async () => {
    const page = await signIn('maintainer');
    await page.click('.who button[type="submit"]');
    await page.locator('#sign-in').waitFor();
    expect((await context.cookies()).some((c) => c.name === 'ecs_paas_session')).toBe(false);
  });
});
