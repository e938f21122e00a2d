import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../../core/logger.js';
import type { LoginSettings } from '../app-settings.js';
import { loginPage } from '../dashboard/login-page.js';
import { sendPage } from '../dashboard/page-shell.js';
import type { RouteHandler } from './app-server.js';
import { sameSecret } from './bearer-token.js';
import {
  authorizeUrl,
  exchangeCode,
  LoginError,
  newLoginAttempt,
  userLogin,
} from './oauth-github.js';
import { readBounded } from './respond.js';
import { publicOrigin } from './session-cookies.js';
import type { DashboardSessions } from './session-viewer.js';

export interface LoginRouteOptions {
  /** Undefined when GITHUB_CLIENT_ID is not set: /login says so. */
  readonly login: LoginSettings | undefined;
  readonly sessions: DashboardSessions | undefined;
  /** The REST API root the App uses (GITHUB_API_URL), where `GET /user` is asked. */
  readonly apiUrl: string;
  readonly timeoutMs: number;
  readonly log: Logger;
}

const CALLBACK = '/login/callback';

/**
 * `GET /login` → GitHub's authorize page (state + PKCE bound to this browser by a sealed cookie),
 * `GET /login/callback` → checks the state, trades the code with the verifier, asks GitHub who it
 * is and starts a session; `POST /logout` (with the CSRF token) ends it. The user's token is used
 * for that one `GET /user` and dropped: what they may do is asked of GitHub per request.
 */
export function loginRoutes(options: LoginRouteOptions): RouteHandler {
  return async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const { pathname } = url;
    if (pathname !== '/login' && pathname !== CALLBACK && pathname !== '/logout') return false;
    const { login, sessions } = options;
    if (pathname === '/logout') {
      if (req.method !== 'POST') return methodNotAllowed(res, 'POST');
      await logout(req, res, sessions);
      return true;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return methodNotAllowed(res, 'GET');
    if (!login || !sessions) {
      sendPage(res, 404, loginPage({ loginEnabled: false }));
      return true;
    }
    const redirectUri = `${publicOrigin(req, login.publicUrl)}${CALLBACK}`;
    if (pathname === '/login') {
      const attempt = newLoginAttempt();
      res.writeHead(302, {
        location: authorizeUrl(login, attempt, redirectUri),
        'set-cookie': sessions.beginAttempt(req, attempt),
        'cache-control': 'no-store',
        'referrer-policy': 'no-referrer',
      });
      res.end();
      return true;
    }
    await callback(req, res, url, redirectUri, options, login, sessions);
    return true;
  };
}

async function callback(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  redirectUri: string,
  options: LoginRouteOptions,
  login: LoginSettings,
  sessions: DashboardSessions,
): Promise<void> {
  // One callback per attempt, whatever it brings: a second try starts from /login.
  const ended = sessions.endAttempt(req);
  const refuse = (status: number, problem: string): void => {
    options.log.warning(`dashboard sign-in refused: ${problem}`);
    sendPage(res, status, loginPage({ loginEnabled: true, problem }), { 'set-cookie': ended });
  };
  const attempt = sessions.attempt(req);
  if (!attempt) {
    refuse(
      403,
      'This sign-in was not started in this browser, or took longer than 10 minutes. Sign in again.',
    );
    return;
  }
  const state = url.searchParams.get('state') ?? '';
  if (!state || !sameSecret(state, attempt.state)) {
    refuse(403, 'The sign-in could not be verified (its state does not match). Sign in again.');
    return;
  }
  const denied = url.searchParams.get('error');
  if (denied) {
    refuse(403, `GitHub did not sign you in (${denied.slice(0, 40)}).`);
    return;
  }
  const code = url.searchParams.get('code');
  if (!code) {
    refuse(400, 'GitHub sent no sign-in code. Sign in again.');
    return;
  }
  let user: string;
  try {
    const token = await exchangeCode(login, code, attempt.verifier, redirectUri, options.timeoutMs);
    user = await userLogin(options.apiUrl, token, options.timeoutMs);
  } catch (error) {
    if (!(error instanceof LoginError)) throw error;
    refuse(403, `${error.message}. Sign in again.`);
    return;
  }
  options.log.info(`dashboard: ${user} signed in`);
  res.writeHead(303, {
    location: '/dashboard',
    'set-cookie': [ended, sessions.start(req, user)],
    'cache-control': 'no-store',
    'referrer-policy': 'no-referrer',
  });
  res.end();
}

/**
 * Sign-out is a POST with the session's CSRF token (a form field, or `x-csrf-token`): a link on
 * another site must not be able to sign anyone out.
 */
async function logout(
  req: IncomingMessage,
  res: ServerResponse,
  sessions: DashboardSessions | undefined,
): Promise<void> {
  const session = sessions?.read(req);
  if (!sessions || !session) {
    res.writeHead(303, { location: '/dashboard' }).end();
    return;
  }
  const read = await readBounded(req, 4_096);
  const field = 'body' in read ? new URLSearchParams(read.body).get('csrf') : null;
  const header = req.headers['x-csrf-token'];
  const given = field ?? (Array.isArray(header) ? header[0] : header) ?? '';
  if (!given || !sameSecret(given, session.csrf)) {
    sendPage(
      res,
      403,
      loginPage({ loginEnabled: true, problem: 'Sign-out needs the page’s CSRF token.' }),
    );
    return;
  }
  res.writeHead(303, { location: '/dashboard', 'set-cookie': sessions.end(req) }).end();
}

function methodNotAllowed(res: ServerResponse, allow: string): true {
  res.writeHead(405, { allow, 'content-type': 'text/plain' }).end(`use ${allow}`);
  return true;
}
