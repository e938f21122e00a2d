import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from '@jest/globals';
import { loginSettings, SettingsError } from '../../src/bot/app-settings.js';
import { authorizeUrl, pkceChallenge } from '../../src/bot/http/oauth-github.js';
import { overHttps, readCookies } from '../../src/bot/http/session-cookies.js';
import { SessionSeal } from '../../src/bot/http/session-seal.js';
import { DashboardSessions, SESSION_SECONDS } from '../../src/bot/http/session-viewer.js';

const SECRET = 'k'.repeat(40);
const NOW = new Date('2026-12-04T12:00:00Z');

/** Only what the session code reads of a request: headers and whether the socket is TLS. */
const request = (headers: Record<string, string> = {}, encrypted = false): IncomingMessage =>
  ({ headers, socket: { encrypted } }) as unknown as IncomingMessage;

const cookieOf = (setCookie: string): string => setCookie.split(';')[0] ?? '';

describe('sealed values', () => {
  const seal = new SessionSeal(SECRET);
  const later = new Date(NOW.getTime() + 60_000);

  it('opens what it sealed, for the same purpose, until it expires', () => {
    const sealed = seal.seal('session', { login: 'octocat' }, later);
    expect(seal.open('session', sealed, NOW)).toEqual({ login: 'octocat' });
    expect(seal.open('session', sealed, later)).toBeUndefined();
    expect(seal.open('attempt', sealed, NOW)).toBeUndefined();
  });

  it('never shows its contents', () => {
    const sealed = seal.seal('session', { login: 'octocat', csrf: 'visible?' }, later);
    expect(Buffer.from(sealed, 'base64url').toString('latin1')).not.toMatch(/octocat|visible/);
  });

  it('refuses a value changed by one bit, cut short, or sealed with another secret', () => {
    const sealed = seal.seal('session', { login: 'octocat' }, later);
    const raw = Buffer.from(sealed, 'base64url');
    raw[raw.length - 1] = (raw[raw.length - 1] ?? 0) ^ 1;
    expect(seal.open('session', raw.toString('base64url'), NOW)).toBeUndefined();
    expect(seal.open('session', sealed.slice(0, 30), NOW)).toBeUndefined();
    expect(new SessionSeal('x'.repeat(40)).open('session', sealed, NOW)).toBeUndefined();
    expect(seal.open('session', 'garbage', NOW)).toBeUndefined();
  });
});

describe('session cookies', () => {
  const sessions = new DashboardSessions(new SessionSeal(SECRET), undefined, () => NOW);

  it('are HttpOnly, SameSite=Lax, for the whole App, for a working day', () => {
    const header = sessions.start(request(), 'octocat');
    expect(header).toContain('; Path=/;');
    expect(header).toContain(`Max-Age=${SESSION_SECONDS}`);
    expect(header).toContain('HttpOnly; SameSite=Lax');
    expect(header).not.toContain('Secure');
  });

  it.each<[string, IncomingMessage]>([
    ['X-Forwarded-Proto https (the ALB)', request({ 'x-forwarded-proto': 'https' })],
    ['TLS on the socket', request({}, true)],
  ])('are Secure behind HTTPS: %s', (_how, req) => {
    expect(sessions.start(req, 'octocat')).toMatch(/; Secure$/);
  });

  it('are Secure when the public URL is https, whatever a forwarded header says', () => {
    const req = request({ 'x-forwarded-proto': 'http' });
    expect(overHttps(req, 'https://previews.example.com')).toBe(true);
    expect(overHttps(request({ 'x-forwarded-proto': 'https' }), 'http://localhost:3000')).toBe(
      false,
    );
  });

  it('give back the user and a CSRF token of its own per sign-in', async () => {
    const first = cookieOf(sessions.start(request(), 'octocat'));
    const second = cookieOf(sessions.start(request(), 'octocat'));
    const viewer = await sessions.viewer(request({ cookie: `other=1; ${first}` }));
    expect(viewer).toMatchObject({ kind: 'user', login: 'octocat' });
    const again = sessions.read(request({ cookie: second }));
    expect(again?.csrf).toMatch(/^[\w-]{32}$/);
    expect(again?.csrf).not.toBe(viewer?.kind === 'user' ? viewer.csrf : '');
  });

  it('expire on the server too, whatever the browser keeps', () => {
    const cookie = cookieOf(sessions.start(request(), 'octocat'));
    const expired = new DashboardSessions(
      new SessionSeal(SECRET),
      undefined,
      () => new Date(NOW.getTime() + SESSION_SECONDS * 1_000),
    );
    expect(expired.read(request({ cookie }))).toBeUndefined();
  });

  it('are not login attempts, and attempts are not sessions', () => {
    const attempt = cookieOf(sessions.beginAttempt(request(), { state: 's', verifier: 'v' }));
    const session = cookieOf(sessions.start(request(), 'octocat'));
    const swapped = (from: string, name: string) => `${name}=${from.split('=')[1] ?? ''}`;
    expect(
      sessions.read(request({ cookie: swapped(attempt, 'ecs_paas_session') })),
    ).toBeUndefined();
    expect(
      sessions.attempt(request({ cookie: swapped(session, 'ecs_paas_login') })),
    ).toBeUndefined();
  });

  it('reads cookies leniently: a malformed pair is skipped', () => {
    const cookies = readCookies(request({ cookie: 'a=1; broken; =x; b=%E0%A4%A; c=3' }));
    expect([...cookies]).toEqual([
      ['a', '1'],
      ['c', '3'],
    ]);
  });
});

describe('the authorize URL', () => {
  const login = {
    clientId: 'Iv23liabc',
    clientSecret: 'never-in-a-url',
    oauthUrl: 'https://github.com',
    sessionSecret: SECRET,
  };

  it('carries the client, the callback, the state and the S256 challenge of the verifier', () => {
    const url = new URL(
      authorizeUrl(login, { state: 'st', verifier: 'v'.repeat(43) }, 'https://a.example/cb'),
    );
    expect(url.origin + url.pathname).toBe('https://github.com/login/oauth/authorize');
    expect(Object.fromEntries(url.searchParams)).toMatchObject({
      client_id: 'Iv23liabc',
      redirect_uri: 'https://a.example/cb',
      state: 'st',
      code_challenge: pkceChallenge('v'.repeat(43)),
      code_challenge_method: 'S256',
    });
    expect(url.toString()).not.toContain('never-in-a-url');
  });

  it('computes the RFC 7636 S256 challenge', () => {
    // RFC 7636, appendix B.
    expect(pkceChallenge('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')).toBe(
      'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    );
  });
});

describe('login settings', () => {
  const full = {
    GITHUB_CLIENT_ID: 'Iv23liabc',
    GITHUB_CLIENT_SECRET: 'secret',
    ECS_PAAS_SESSION_SECRET: SECRET,
  };

  it('are off with neither client id nor secret, and default to github.com', () => {
    expect(loginSettings({})).toEqual({});
    expect(loginSettings(full).login?.oauthUrl).toBe('https://github.com');
  });

  it.each<[string, Record<string, string>, string]>([
    ['a client id alone', { GITHUB_CLIENT_ID: 'Iv23liabc' }, 'GITHUB_CLIENT_SECRET'],
    ['a secret alone', { GITHUB_CLIENT_SECRET: 'x' }, 'GITHUB_CLIENT_ID'],
    ['no session secret', { ...full, ECS_PAAS_SESSION_SECRET: '' }, 'ECS_PAAS_SESSION_SECRET'],
    [
      'a short session secret',
      { ...full, ECS_PAAS_SESSION_SECRET: 'short' },
      'ECS_PAAS_SESSION_SECRET',
    ],
    ['a bad OAuth URL', { ...full, GITHUB_OAUTH_URL: 'ftp://github.com' }, 'GITHUB_OAUTH_URL'],
    [
      'a public URL with a query',
      { ...full, ECS_PAAS_PUBLIC_URL: 'https://a.example/?x=1' },
      'ECS_PAAS_PUBLIC_URL',
    ],
  ])('refuse %s, naming the variable', (_case, env, variable) => {
    let error: unknown;
    try {
      loginSettings(env);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(SettingsError);
    expect((error as SettingsError).variable).toBe(variable);
    expect((error as Error).message).not.toContain(env.GITHUB_CLIENT_SECRET ?? '\u0000');
  });
});
