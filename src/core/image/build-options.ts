import { InputError } from '../errors.js';
import { parseCacheEntries, podmanCacheRepository, type CacheEntry } from './build-cache.js';
import { parseSecretLines, type BuildSecret } from './build-secrets.js';

/** The build inputs docker/build-push-action users bring along, parsed and checked for the builder. */
export interface BuildOptions {
  /** `labels`: set over (and winning against) the OCI labels the Action adds. */
  readonly labels: Readonly<Record<string, string>>;
  readonly cacheFrom: readonly CacheEntry[];
  readonly cacheTo: readonly CacheEntry[];
  /** `secrets` values and `secret-files` paths, ids unique across both. */
  readonly secrets: readonly BuildSecret[];
  readonly provenance?: string;
  readonly sbom?: string;
  readonly noCache: boolean;
  readonly pull: boolean;
}

/**
 * Reads the build inputs. Everything a builder cannot do is refused here, before any login or
 * build starts, so a bad input leaves nothing half-done.
 */
export function parseBuildOptions(
  read: (name: string) => string,
  builder: 'docker' | 'podman',
): BuildOptions {
  const cacheFrom = parseCacheEntries(read('cache-from'), 'cache-from');
  const cacheTo = parseCacheEntries(read('cache-to'), 'cache-to');
  if (builder === 'podman') {
    for (const entry of cacheFrom) podmanCacheRepository(entry, 'cache-from');
    for (const entry of cacheTo) podmanCacheRepository(entry, 'cache-to');
  }

  const values = parseSecretLines(read('secrets'), 'secrets');
  const files = parseSecretLines(read('secret-files'), 'secret-files');
  const taken = new Set(values.map((secret) => secret.id));
  const twice = files.find((secret) => taken.has(secret.id));
  if (twice) {
    throw new InputError(
      'secret-files',
      `id '${twice.id}' is also in 'secrets'; give each id once`,
    );
  }

  const provenance = attestation(read('provenance'), 'provenance', builder);
  const sbom = attestation(read('sbom'), 'sbom', builder);
  return {
    labels: labelLines(read('labels')),
    cacheFrom,
    cacheTo,
    secrets: [...values, ...files],
    ...(provenance ? { provenance } : {}),
    ...(sbom ? { sbom } : {}),
    noCache: flag(read('no-cache'), 'no-cache'),
    pull: flag(read('pull'), 'pull'),
  };
}

/**
 * buildx's `--provenance`/`--sbom` value: `true`, `false` or its `key=value,…` form. podman
 * (4.x) attaches no attestations, so anything but `false` is refused for it rather than dropped.
 */
function attestation(
  raw: string,
  input: 'provenance' | 'sbom',
  builder: 'docker' | 'podman',
): string | undefined {
  const value = raw.trim();
  if (!value) return undefined;
  const form =
    input === 'provenance' ? 'true, false or mode=min|max' : 'true, false or generator=<image>';
  if (!/^(true|false)$/i.test(value) && !/^[a-z-]+=[^,\s]*(,[a-z-]+=[^,\s]*)*$/i.test(value)) {
    throw new InputError(input, `'${value}' is not ${form}`);
  }
  if (builder === 'podman') {
    if (/^false$/i.test(value)) return undefined;
    throw new InputError(
      input,
      `builder podman cannot attach ${input === 'provenance' ? 'provenance attestations' : 'an SBOM'}; use builder docker (buildx) or remove '${input}'`,
    );
  }
  return /^(true|false)$/i.test(value) ? value.toLowerCase() : value;
}

function flag(raw: string, input: string): boolean {
  const value = raw.trim();
  if (!value || /^(false|no|off)$/i.test(value)) return false;
  if (/^(true|yes|on)$/i.test(value)) return true;
  throw new InputError(input, `'${value}' is not a boolean (true or false)`);
}

/** `KEY=VALUE` per line; keys as OCI and Docker write them (`org.opencontainers.image.title`). */
function labelLines(value: string): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const [index, line] of value.split('\n').entries()) {
    if (!line.trim()) continue;
    const match = /^\s*([A-Za-z0-9][A-Za-z0-9._/-]*)=(.*)$/.exec(line);
    if (!match?.[1]) {
      throw new InputError(
        'labels',
        `line ${index + 1} ('${line.trim()}') is not KEY=VALUE; write one label per line, e.g. org.opencontainers.image.title=web`,
      );
    }
    labels[match[1]] = match[2] ?? '';
  }
  return labels;
}
