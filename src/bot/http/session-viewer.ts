import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Viewer, ViewerSource } from '../fleet/viewer.js';
import type { LoginAttempt } from './oauth-github.js';
import { cookieHeader, overHttps, readCookies } from './session-cookies.js';
import type { SessionSeal } from './session-seal.js';

export const SESSION_COOKIE = 'ecs_paas_session';
/** The login attempt's state and PKCE verifier, only on the way to GitHub and back. */
export const ATTEMPT_COOKIE = 'ecs_paas_login';
/** A dashboard session lasts a working day; permissions are asked of GitHub on every request. */
export const SESSION_SECONDS = 8 * 3_600;
/** Long enough to type a password and a second factor on GitHub. */
export const ATTEMPT_SECONDS = 10 * 60;

/** What a session cookie holds, sealed: who signed in and the CSRF token of their POSTs. */
export interface Session {
  readonly login: string;
  readonly csrf: string;
}

/**
 * Dashboard sessions as sealed cookies: the login and a CSRF token, encrypted and authenticated
 * with ECS_PAAS_SESSION_SECRET. No store: any replica (or a restarted App) reads any session,
 * which is what the App's "no state of its own" asks. The price is that signing out deletes the
 * cookie but cannot revoke a copy of it before it expires; the user's GitHub permission is read on
 * every request, so removing a person from a repository takes effect at once.
 */
export class DashboardSessions {
  /** The ViewerSource for the fleet API and the dashboard: a valid session is its user. */
  readonly viewer: ViewerSource = (req) => {
    const session = this.read(req);
    const viewer: Viewer | undefined = session && { kind: 'user', ...session };
    return Promise.resolve(viewer);
  };

  constructor(
    private readonly seal: SessionSeal,
    private readonly publicUrl: string | undefined,
    private readonly now: () => Date = () => new Date(),
  ) {}

  read(req: IncomingMessage): Session | undefined {
    const value = this.seal.open('session', readCookies(req).get(SESSION_COOKIE), this.now()) as
      Partial<Session> | undefined;
    if (typeof value?.login !== 'string' || typeof value.csrf !== 'string') return undefined;
    return { login: value.login, csrf: value.csrf };
  }

  /** The `Set-Cookie` that signs `login` in, with a fresh CSRF token. */
  start(req: IncomingMessage, login: string): string {
    const session: Session = { login, csrf: randomBytes(24).toString('base64url') };
    const expires = new Date(this.now().getTime() + SESSION_SECONDS * 1_000);
    return cookieHeader(SESSION_COOKIE, this.seal.seal('session', session, expires), {
      path: '/',
      maxAgeSeconds: SESSION_SECONDS,
      secure: overHttps(req, this.publicUrl),
    });
  }

  end(req: IncomingMessage): string {
    return cookieHeader(SESSION_COOKIE, '', {
      path: '/',
      maxAgeSeconds: 0,
      secure: overHttps(req, this.publicUrl),
    });
  }

  /** Binds a login attempt to this browser: only it can come back with the matching state. */
  beginAttempt(req: IncomingMessage, attempt: LoginAttempt): string {
    const expires = new Date(this.now().getTime() + ATTEMPT_SECONDS * 1_000);
    return cookieHeader(ATTEMPT_COOKIE, this.seal.seal('attempt', attempt, expires), {
      path: '/login',
      maxAgeSeconds: ATTEMPT_SECONDS,
      secure: overHttps(req, this.publicUrl),
    });
  }

  attempt(req: IncomingMessage): LoginAttempt | undefined {
    const value = this.seal.open('attempt', readCookies(req).get(ATTEMPT_COOKIE), this.now()) as
      Partial<LoginAttempt> | undefined;
    if (typeof value?.state !== 'string' || typeof value.verifier !== 'string') return undefined;
    return { state: value.state, verifier: value.verifier };
  }

  /** An attempt is good for one callback, whatever its outcome. */
  endAttempt(req: IncomingMessage): string {
    return cookieHeader(ATTEMPT_COOKIE, '', {
      path: '/login',
      maxAgeSeconds: 0,
      secure: overHttps(req, this.publicUrl),
    });
  }
}
