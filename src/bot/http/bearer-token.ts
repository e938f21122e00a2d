import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Whether `header` is `Bearer <token>`. Compares SHA-256 digests, which always have the same
 * length: timingSafeEqual on the raw values would need a length check first, and that early
 * return tells an attacker the token's length.
 */
export function bearerMatches(header: string | undefined, token: string): boolean {
  const match = /^Bearer\s+(.+)$/i.exec(header ?? '');
  if (!match?.[1]) return false;
  return sameSecret(match[1].trim(), token);
}

/** Constant-time equality of two secrets of any length (a CSRF token, an API token). */
export function sameSecret(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}
