import { podmanCacheRepository, type CacheEntry } from './build-cache.js';
import type { SecretMount } from './build-secrets.js';

/** What to build, independent of which CLI builds it. */
export interface BuildRequest {
  readonly context: string;
  readonly dockerfile?: string;
  readonly buildArgs: Readonly<Record<string, string>>;
  readonly target?: string;
  readonly platforms: readonly string[];
  /** Full references (`registry/repo:tag`) to tag and push; the first is the commit SHA tag. */
  readonly tags: readonly string[];
  readonly labels: Readonly<Record<string, string>>;
  readonly cacheFrom: readonly CacheEntry[];
  readonly cacheTo: readonly CacheEntry[];
  /** Files only: a secret's value never reaches a command line. */
  readonly secrets: readonly SecretMount[];
  /** buildx's `--provenance` / `--sbom` value; docker only (settings refuse them for podman). */
  readonly provenance?: string;
  readonly sbom?: string;
  readonly noCache: boolean;
  readonly pull: boolean;
}

/**
 * The build command line for each builder. Docker goes through buildx so multi-platform builds and
 * push happen in one step and the pushed digest is written to a metadata file; podman builds
 * locally (a manifest list when several platforms are asked for) and pushes afterwards.
 */
export function buildArguments(
  builder: 'docker' | 'podman',
  request: BuildRequest,
  metadataFile: string,
): string[] {
  const common = [
    ...(request.dockerfile ? ['--file', request.dockerfile] : []),
    ...Object.entries(request.buildArgs).flatMap(([key, value]) => [
      '--build-arg',
      `${key}=${value}`,
    ]),
    ...(request.target ? ['--target', request.target] : []),
    ...(request.platforms.length > 0 ? ['--platform', request.platforms.join(',')] : []),
    ...Object.entries(request.labels).flatMap(([key, value]) => ['--label', `${key}=${value}`]),
    ...request.secrets.flatMap((secret) => ['--secret', `id=${secret.id},src=${secret.src}`]),
    ...(request.noCache ? ['--no-cache'] : []),
  ];
  if (builder === 'docker') {
    return [
      'buildx',
      'build',
      ...common,
      ...request.cacheFrom.flatMap((entry) => ['--cache-from', entry.text]),
      ...request.cacheTo.flatMap((entry) => ['--cache-to', entry.text]),
      ...(request.pull ? ['--pull'] : []),
      ...(request.provenance ? [`--provenance=${request.provenance}`] : []),
      ...(request.sbom ? [`--sbom=${request.sbom}`] : []),
      ...request.tags.flatMap((tag) => ['--tag', tag]),
      '--push',
      '--metadata-file',
      metadataFile,
      request.context,
    ];
  }
  const tagging =
    request.platforms.length > 1
      ? ['--manifest', request.tags[0] ?? '']
      : request.tags.flatMap((tag) => ['--tag', tag]);
  const cache = [
    ...request.cacheFrom.map((entry) => [
      '--cache-from',
      podmanCacheRepository(entry, 'cache-from'),
    ]),
    ...request.cacheTo.map((entry) => ['--cache-to', podmanCacheRepository(entry, 'cache-to')]),
  ].flat();
  return [
    'build',
    ...common,
    // The remote cache holds intermediate layers, which podman keeps only with --layers.
    ...(cache.length > 0 ? ['--layers', ...cache] : []),
    // podman's bare --pull only pulls what is missing; buildx's --pull means always.
    ...(request.pull ? ['--pull=always'] : []),
    ...tagging,
    request.context,
  ];
}

/**
 * OCI labels that tie an image to its commit (what `docker inspect` users look for, as
 * docker/metadata-action sets them). No `created`: a clock in the labels would make every rebuild
 * of the same commit a different image.
 */
export function ociLabels(
  env: Readonly<Record<string, string | undefined>>,
  sha: string,
): Record<string, string> {
  const server = env.GITHUB_SERVER_URL ?? 'https://github.com';
  const repository = env.GITHUB_REPOSITORY;
  return {
    'org.opencontainers.image.revision': sha,
    ...(repository
      ? {
          'org.opencontainers.image.source': `${server}/${repository}`,
          'org.opencontainers.image.url': `${server}/${repository}`,
          'org.opencontainers.image.title': repository.slice(repository.indexOf('/') + 1),
        }
      : {}),
    ...(env.GITHUB_REF_NAME ? { 'org.opencontainers.image.version': env.GITHUB_REF_NAME } : {}),
  };
}
