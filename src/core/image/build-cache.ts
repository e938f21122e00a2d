import { InputError } from '../errors.js';

export type CacheInput = 'cache-from' | 'cache-to';

/** One `cache-from`/`cache-to` line in buildx's form, kept as written for buildx. */
export interface CacheEntry {
  /** The line as the user wrote it; buildx gets exactly this. */
  readonly text: string;
  readonly type: string;
  readonly attributes: Readonly<Record<string, string>>;
}

const CACHE_TYPES = ['registry', 'local', 'gha', 's3', 'azblob', 'inline'] as const;

// buildx takes credentials in some attributes (type=gha token=, type=s3 and azblob keys): their
// values are masked before the command line is printed and left out of error messages.
const CREDENTIALS = /^(token|access_key_id|secret_access_key|session_token)$/i;

/** The credential values written into cache entries, for the log to mask. */
export function cacheCredentials(entries: readonly CacheEntry[]): string[] {
  return entries.flatMap((entry) =>
    Object.entries(entry.attributes)
      .filter(([key, value]) => CREDENTIALS.test(key) && value)
      .map(([, value]) => value),
  );
}

/** A line as an error may quote it: credential values replaced by ***. */
function quoted(text: string): string {
  return text.replace(/(^|,)(\s*[a-z_]+)=([^,]*)/gi, (whole, start: string, key: string) =>
    CREDENTIALS.test(key.trim()) ? `${start}${key}=***` : whole,
  );
}

/**
 * Parses one buildx cache spec per line: `type=<type>,key=value,…`, or a bare image reference,
 * which buildx reads as `type=registry,ref=<reference>`.
 */
export function parseCacheEntries(value: string, input: CacheInput): CacheEntry[] {
  const entries: CacheEntry[] = [];
  for (const [index, raw] of value.split('\n').entries()) {
    const text = raw.trim();
    if (!text) continue;
    const where = `line ${index + 1} ('${quoted(text)}')`;
    if (!text.includes('=')) {
      if (/[\s,]/.test(text)) {
        throw new InputError(
          input,
          `${where} is neither type=<type>,key=value,… nor a registry repository; write one cache per line`,
        );
      }
      entries.push({ text, type: 'registry', attributes: { ref: text } });
      continue;
    }
    const attributes: Record<string, string> = {};
    for (const field of text.split(',')) {
      const match = /^\s*([a-z][a-z0-9_-]*)=(.*)$/i.exec(field);
      if (!match?.[1]) {
        throw new InputError(
          input,
          `${where}: '${field}' is not key=value; write type=registry,ref=<repository> or type=gha`,
        );
      }
      attributes[match[1]] = (match[2] ?? '').trim();
    }
    const type = attributes.type;
    if (!type) {
      throw new InputError(
        input,
        `${where} has no type=; start it with type=registry, type=gha, …`,
      );
    }
    if (!(CACHE_TYPES as readonly string[]).includes(type)) {
      throw new InputError(
        input,
        `${where}: type '${type}' is not one of ${CACHE_TYPES.join(', ')}`,
      );
    }
    if (type === 'inline' && input === 'cache-from') {
      throw new InputError(
        input,
        `${where}: inline cache is read from an image; use type=registry,ref=<image> here`,
      );
    }
    if (type === 'registry' && !attributes.ref) {
      throw new InputError(input, `${where}: type=registry needs ref=<repository>`);
    }
    entries.push({ text, type, attributes });
  }
  return entries;
}

/**
 * The repository podman's `--cache-from`/`--cache-to` take for an entry, or an error saying what
 * podman accepts: it caches every layer under tags of its own in one registry repository, so
 * only a registry cache maps, and only without a tag or digest of the user's.
 */
export function podmanCacheRepository(entry: CacheEntry, input: CacheInput): string {
  const accepted =
    'builder podman takes a registry repository only (type=registry,ref=<registry>/<repository>, or the repository alone)';
  if (entry.type !== 'registry') {
    throw new InputError(
      input,
      `'${quoted(entry.text)}': ${accepted}; type=${entry.type} needs docker buildx`,
    );
  }
  const ref = entry.attributes.ref ?? '';
  const others = Object.keys(entry.attributes).filter(
    // podman always caches every layer, which is what buildx's mode=max asks for.
    (key) => !['type', 'ref', 'mode'].includes(key),
  );
  if (others.length > 0) {
    throw new InputError(
      input,
      `'${quoted(entry.text)}': podman has no cache option ${others.map((key) => `'${key}'`).join(', ')}; ${accepted}`,
    );
  }
  const lastPart = ref.slice(ref.lastIndexOf('/') + 1);
  if (ref.includes('@') || lastPart.includes(':')) {
    throw new InputError(
      input,
      `'${quoted(entry.text)}': podman tags the cache itself; give the repository without ':tag' or '@digest'`,
    );
  }
  return ref;
}
