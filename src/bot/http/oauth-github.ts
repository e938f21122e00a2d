import { createHash, randomBytes } from 'node:crypto';
import type { LoginSettings } from '../app-settings.js';

/** The random values one login attempt binds to the browser: CSRF `state` and the PKCE verifier. */
export interface LoginAttempt {
  readonly state: string;
  readonly verifier: string;
}

export function newLoginAttempt(): LoginAttempt {
  // 32 bytes → 43 base64url characters, inside PKCE's 43–128 range for a verifier.
  return {
    state: randomBytes(24).toString('base64url'),
    verifier: randomBytes(32).toString('base64url'),
  };
}

/** Where the browser goes to sign in: GitHub's authorize page with state and an S256 challenge. */
export function authorizeUrl(
  login: LoginSettings,
  attempt: LoginAttempt,
  redirectUri: string,
): string {
  const url = new URL(`${login.oauthUrl}/login/oauth/authorize`);
  url.searchParams.set('client_id', login.clientId);
  url.searchParams.set('redirect_uri', redirectUri);
  url.searchParams.set('state', attempt.state);
  url.searchParams.set('code_challenge', pkceChallenge(attempt.verifier));
  url.searchParams.set('code_challenge_method', 'S256');
  // A GitHub App's user token carries the App's permissions, never scopes; asking for none says so.
  url.searchParams.set('allow_signup', 'false');
  return url.toString();
}

export function pkceChallenge(verifier: string): string {
  return createHash('sha256').update(verifier, 'ascii').digest('base64url');
}

/**
 * A failed sign-in, worded for the person signing in and the log alike: it never carries the
 * code, the token or the client secret.
 */
export class LoginError extends Error {
  override name = 'LoginError';
}

/**
 * Trades the callback's code for a user-to-server token, proving with the verifier that this App
 * started the attempt. GitHub answers 200 with an `error` field for a bad code, so both are read.
 */
export async function exchangeCode(
  login: LoginSettings,
  code: string,
  verifier: string,
  redirectUri: string,
  timeoutMs: number,
): Promise<string> {
  let response: Response;
  try {
    response = await fetch(`${login.oauthUrl}/login/oauth/access_token`, {
      method: 'POST',
      headers: { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        client_id: login.clientId,
        client_secret: login.clientSecret,
        code,
        code_verifier: verifier,
        redirect_uri: redirectUri,
      }).toString(),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    throw new LoginError(`GitHub's token endpoint could not be reached (${reasonOf(error)})`);
  }
  const answer = (await response.json().catch(() => ({}))) as {
    access_token?: unknown;
    error?: unknown;
  };
  if (!response.ok || typeof answer.access_token !== 'string' || !answer.access_token) {
    const why = typeof answer.error === 'string' ? answer.error : `HTTP ${response.status}`;
    throw new LoginError(`GitHub refused the sign-in code (${why.slice(0, 60)})`);
  }
  return answer.access_token;
}

/** Who the token belongs to, asked of the same REST API the App uses. */
export async function userLogin(apiUrl: string, token: string, timeoutMs: number): Promise<string> {
  let response: Response;
  try {
    response = await fetch(`${apiUrl}/user`, {
      headers: {
        accept: 'application/vnd.github+json',
        authorization: `Bearer ${token}`,
        'x-github-api-version': '2022-11-28',
        'user-agent': 'ecs-paas-dashboard',
      },
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    throw new LoginError(`GitHub's API could not be reached for the user (${reasonOf(error)})`);
  }
  const user = (await response.json().catch(() => ({}))) as { login?: unknown; type?: unknown };
  if (!response.ok || typeof user.login !== 'string' || !/^[A-Za-z0-9-]{1,39}$/.test(user.login)) {
    throw new LoginError(`GitHub did not say who signed in (GET /user: HTTP ${response.status})`);
  }
  return user.login;
}

/** A network error's kind only: an undici message can quote the URL, never a secret, but be brief. */
function reasonOf(error: unknown): string {
  if (error instanceof Error) return error.name === 'TimeoutError' ? 'timed out' : error.name;
  return 'error';
}
