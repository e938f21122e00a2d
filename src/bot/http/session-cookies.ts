import type { IncomingMessage } from 'node:http';

/** The request's cookies; a malformed pair is skipped, the first of two same-named ones wins. */
export function readCookies(req: IncomingMessage): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const pair of (req.headers.cookie ?? '').split(';')) {
    const at = pair.indexOf('=');
    if (at <= 0) continue;
    const name = pair.slice(0, at).trim();
    if (!name || cookies.has(name)) continue;
    try {
      cookies.set(name, decodeURIComponent(pair.slice(at + 1).trim()));
    } catch {
      // Not percent-encoded as we write them: not ours.
    }
  }
  return cookies;
}

export interface CookieOptions {
  readonly path: string;
  /** Seconds; 0 deletes the cookie. */
  readonly maxAgeSeconds: number;
  readonly secure: boolean;
}

/**
 * A `Set-Cookie` value that no script can read (HttpOnly) and that a cross-site POST, fetch or
 * frame never carries (SameSite=Lax still sends it on a top-level GET, which the OAuth callback
 * from github.com is).
 */
export function cookieHeader(name: string, value: string, options: CookieOptions): string {
  return [
    `${name}=${encodeURIComponent(value)}`,
    `Path=${options.path}`,
    `Max-Age=${options.maxAgeSeconds}`,
    ...(options.maxAgeSeconds === 0 ? ['Expires=Thu, 01 Jan 1970 00:00:00 GMT'] : []),
    'HttpOnly',
    'SameSite=Lax',
    ...(options.secure ? ['Secure'] : []),
  ].join('; ');
}

/**
 * Whether the browser reached the App over HTTPS: the public URL says so when the operator set
 * one; otherwise the ALB's X-Forwarded-Proto (a client that forges it only makes its own cookie
 * stricter), or TLS on the socket itself.
 */
export function overHttps(req: IncomingMessage, publicUrl: string | undefined): boolean {
  if (publicUrl) return publicUrl.startsWith('https:');
  const forwarded = req.headers['x-forwarded-proto'];
  const proto = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(',')[0]?.trim();
  if (proto) return proto.toLowerCase() === 'https';
  return Boolean((req.socket as { encrypted?: boolean }).encrypted);
}

/** The origin browsers use for this App: the public URL, else the request's own host and scheme. */
export function publicOrigin(req: IncomingMessage, publicUrl: string | undefined): string {
  if (publicUrl) return publicUrl;
  // A forged Host only changes the redirect_uri GitHub is asked for, which GitHub checks against
  // the App's registered callback URL.
  return `${overHttps(req, undefined) ? 'https' : 'http'}://${req.headers.host ?? 'localhost'}`;
}
