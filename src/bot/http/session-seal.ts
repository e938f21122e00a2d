import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/**
 * Seals a small JSON value into a cookie-safe string with AES-256-GCM under a key derived from
 * the session secret: the browser can neither read it (the OAuth verifier, the CSRF token) nor
 * change a bit of it (GCM's tag is the signature). Every replica holding the same secret opens
 * what any replica sealed, so sessions survive restarts and need no shared store; the `purpose`
 * goes into the key, so a sealed login state can never be replayed as a session.
 */
export class SessionSeal {
  private readonly keys = new Map<string, Buffer>();

  constructor(private readonly secret: string) {}

  seal(purpose: string, value: unknown, expiresAt: Date): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key(purpose), iv);
    const plain = Buffer.from(JSON.stringify({ v: value, exp: expiresAt.getTime() }), 'utf8');
    const body = Buffer.concat([cipher.update(plain), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url');
  }

  /** The value, or undefined when the text was not sealed with this secret and purpose or expired. */
  open(purpose: string, sealed: string | undefined, now: Date): unknown {
    if (!sealed || sealed.length > 4_096) return undefined;
    const raw = Buffer.from(sealed, 'base64url');
    if (raw.length < 12 + 16 + 1) return undefined;
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key(purpose), raw.subarray(0, 12));
      decipher.setAuthTag(raw.subarray(12, 28));
      const plain = Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]);
      const parsed = JSON.parse(plain.toString('utf8')) as { v?: unknown; exp?: unknown };
      if (typeof parsed.exp !== 'number' || parsed.exp <= now.getTime()) return undefined;
      return parsed.v;
    } catch {
      // A forged, cut or foreign value: the same as none.
      return undefined;
    }
  }

  private key(purpose: string): Buffer {
    let key = this.keys.get(purpose);
    if (!key) {
      key = Buffer.from(hkdfSync('sha256', this.secret, 'ecs-paas', `cookie:${purpose}`, 32));
      this.keys.set(purpose, key);
    }
    return key;
  }
}
