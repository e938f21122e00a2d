import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { GitHubApi } from './github.js';

/**
 * github.com's side of "Sign in with GitHub" for one test file, on 127.0.0.1: the authorize page
 * (which signs in whoever `signInAs` names at once, as a browser with a GitHub session would) and
 * the token endpoint, which checks what GitHub checks: the client id and secret, a code used once
 * within ten minutes, the same redirect_uri, and the PKCE verifier against the challenge. The
 * tokens it hands out are known to `GET /user` once `serveUser` registered it on the API stand-in,
 * so that request still goes through Prism's contract check.
 */
export interface GitHubOAuth {
  readonly url: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** Who the next authorize request signs in; `undefined` makes the user press "Cancel". */
  signInAs(login: string | undefined): void;
  /** Answers `GET /user` for this stand-in's tokens (again after every `api.reset()`). */
  serveUser(api: GitHubApi): void;
  /** A code as GitHub would send it to the App's callback, minted for `login` with `challenge`. */
  issueCode(login: string, redirectUri: string, challenge: string): string;
  /** Every authorize request's query and every token request's outcome, in order. */
  readonly authorizations: Array<Record<string, string>>;
  readonly exchanges: Array<{ ok: boolean; error?: string }>;
  stop(): Promise<void>;
}

interface PendingCode {
  login: string;
  redirectUri: string;
  challenge: string;
  issuedAt: number;
}

const CODE_LIFETIME_MS = 10 * 60_000;

export async function startGitHubOAuth(): Promise<GitHubOAuth> {
  const clientId = `Iv23li${randomBytes(7).toString('hex')}`;
  const clientSecret = randomBytes(20).toString('hex');
  const codes = new Map<string, PendingCode>();
  const tokens = new Map<string, string>();
  const authorizations: Array<Record<string, string>> = [];
  const exchanges: Array<{ ok: boolean; error?: string }> = [];
  let signedIn: string | undefined = 'octocat';

  const issueCode = (login: string, redirectUri: string, challenge: string): string => {
    const code = randomBytes(10).toString('hex');
    codes.set(code, { login, redirectUri, challenge, issuedAt: Date.now() });
    return code;
  };

  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      if (req.method === 'GET' && url.pathname === '/login/oauth/authorize') {
        const query = Object.fromEntries(url.searchParams);
        authorizations.push(query);
        const { redirect_uri: redirectUri, state, code_challenge: challenge } = query;
        if (query.client_id !== clientId || !redirectUri) {
          res
            .writeHead(404, { 'content-type': 'text/plain' })
            .end('unknown client or no redirect_uri');
          return;
        }
        // GitHub would accept a missing challenge; this one refuses it, so an App that forgot
        // PKCE cannot pass a test.
        if (
          query.code_challenge_method !== 'S256' ||
          !challenge ||
          !/^[\w-]{43}$/.test(challenge)
        ) {
          res.writeHead(400, { 'content-type': 'text/plain' }).end('PKCE S256 challenge required');
          return;
        }
        const back = new URL(redirectUri);
        if (signedIn === undefined) back.searchParams.set('error', 'access_denied');
        else back.searchParams.set('code', issueCode(signedIn, redirectUri, challenge));
        if (state !== undefined) back.searchParams.set('state', state);
        res.writeHead(302, { location: back.toString() }).end();
        return;
      }
      if (req.method === 'POST' && url.pathname === '/login/oauth/access_token') {
        const answer = exchange(await formBody(req));
        exchanges.push(
          'access_token' in answer ? { ok: true } : { ok: false, error: answer.error ?? '' },
        );
        // GitHub answers 200 with an `error` field for a bad code, a bad secret or a bad verifier.
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
        return;
      }
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    })().catch((error: unknown) => {
      res.writeHead(500, { 'content-type': 'text/plain' }).end(String(error));
    });
  });

  function exchange(form: URLSearchParams): Record<string, string> {
    const failed = (error: string): Record<string, string> => ({
      error,
      error_description: error.replaceAll('_', ' '),
    });
    if (form.get('client_id') !== clientId || !same(form.get('client_secret'), clientSecret)) {
      return failed('incorrect_client_credentials');
    }
    const code = form.get('code') ?? '';
    const pending = codes.get(code);
    codes.delete(code);
    if (!pending || Date.now() - pending.issuedAt > CODE_LIFETIME_MS) {
      return failed('bad_verification_code');
    }
    if (form.get('redirect_uri') !== pending.redirectUri) return failed('redirect_uri_mismatch');
    const verifier = form.get('code_verifier') ?? '';
    const challenge = createHash('sha256').update(verifier, 'ascii').digest('base64url');
    if (!verifier || challenge !== pending.challenge) return failed('bad_verification_code');
    const token = `ghu_${randomBytes(18).toString('base64url')}`;
    tokens.set(token, pending.login);
    return { access_token: token, token_type: 'bearer', scope: '' };
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    clientId,
    clientSecret,
    signInAs(login) {
      signedIn = login;
    },
    serveUser(api) {
      api.on('GET /user', (request) => {
        const token = /^(?:Bearer|token)\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
        const login = token === undefined ? undefined : tokens.get(token);
        if (!login) {
          return {
            status: 401,
            body: {
              message: 'Bad credentials',
              documentation_url: 'https://docs.github.com/rest',
              status: '401',
            },
          };
        }
        return { status: 200, body: publicUser(api.url, login) };
      });
    },
    issueCode,
    authorizations,
    exchanges,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** `GET /user` as GitHub answers a user-to-server token: the public-user shape. */
function publicUser(apiUrl: string, login: string): Record<string, unknown> {
  const id = Number.parseInt(createHash('sha1').update(login).digest('hex').slice(0, 7), 16);
  const url = `${apiUrl}/users/${login}`;
  return {
    login,
    id,
    node_id: `U_${Buffer.from(String(id)).toString('base64url')}`,
    avatar_url: `https://avatars.githubusercontent.com/u/${id}?v=4`,
    gravatar_id: '',
    url,
    html_url: `https://github.com/${login}`,
    followers_url: `${url}/followers`,
    following_url: `${url}/following{/other_user}`,
    gists_url: `${url}/gists{/gist_id}`,
    starred_url: `${url}/starred{/owner}{/repo}`,
    subscriptions_url: `${url}/subscriptions`,
    organizations_url: `${url}/orgs`,
    repos_url: `${url}/repos`,
    events_url: `${url}/events{/privacy}`,
    received_events_url: `${url}/received_events`,
    type: 'User',
    user_view_type: 'public',
    site_admin: false,
    name: login,
    company: null,
    blog: '',
    location: null,
    email: null,
    hireable: null,
    bio: null,
    twitter_username: null,
    public_repos: 3,
    public_gists: 0,
    followers: 1,
    following: 1,
    created_at: '2020-01-01T00:00:00Z',
    updated_at: '2026-01-01T00:00:00Z',
  };
}

function same(given: string | null, expected: string): boolean {
  const a = Buffer.from(given ?? '');
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

async function formBody(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  // GitHub takes the parameters as a form, as JSON, or in the query string.
  if ((req.headers['content-type'] ?? '').includes('json')) {
    return new URLSearchParams(JSON.parse(text) as Record<string, string>);
  }
  return new URLSearchParams(text);
}
