import * as core from '@actions/core';
import type { Builder } from './settings.js';

/** A registry the main step logged into, and the CLI whose credential store holds the token. */
export interface RegistryLoginRecord {
  readonly builder: Builder;
  readonly registry: string;
}

// Saved state is handed back to the post step as STATE_<name>; it holds host names, never tokens.
const POST_MARKER = 'post';
const LOGINS = 'registry-logins';

/**
 * Whether this process is the post step. The runner starts the same dist/index.js for `post:`, so
 * the main step leaves a marker first thing: a post step that found none would run the whole
 * main step (a second build and deploy) again.
 */
export function isPostStep(): boolean {
  return core.getState(POST_MARKER) === 'true';
}

export function markMainStep(): void {
  core.saveState(POST_MARKER, 'true');
}

/** Remembers each login for the post step, before the login itself can leave a token behind. */
export class RegistryLogins {
  private readonly logins: RegistryLoginRecord[] = [];

  record(builder: Builder, registry: string): void {
    if (this.logins.some((l) => l.builder === builder && l.registry === registry)) return;
    this.logins.push({ builder, registry });
    // The runner keeps the last value saved under a name, so the whole list is saved each time.
    core.saveState(LOGINS, JSON.stringify(this.logins));
  }
}

// A host name, never an option: the value becomes an argument of `<builder> logout`, so it may
// not start with '-'.
const HOST = /^[A-Za-z0-9][A-Za-z0-9.-]*(:\d+)?$/;

function isLogin(value: unknown): value is RegistryLoginRecord {
  if (typeof value !== 'object' || value === null) return false;
  const { builder, registry } = value as Record<string, unknown>;
  return (
    (builder === 'docker' || builder === 'podman') &&
    typeof registry === 'string' &&
    HOST.test(registry)
  );
}

/**
 * The logins the main step saved, read in the post step; a malformed list counts as none.
 * Checked by hand rather than with a zod schema: importing zod here put it on every main step's
 * path to its first AWS request (tens of milliseconds) and a second copy of it into dist/.
 */
export function savedLogins(): RegistryLoginRecord[] {
  const text = core.getState(LOGINS);
  if (!text) return [];
  try {
    const list: unknown = JSON.parse(text);
    return Array.isArray(list) && list.every(isLogin)
      ? list.map(({ builder, registry }) => ({ builder, registry }))
      : [];
  } catch {
    return [];
  }
}
