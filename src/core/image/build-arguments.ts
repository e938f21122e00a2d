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
  ];
  if (builder === 'docker') {
    return [
      'buildx',
      'build',
      ...common,
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
  return ['build', ...common, ...tagging, request.context];
}

/** OCI labels that tie an image to its commit (what `docker inspect` users look for). */
export function ociLabels(
  env: Readonly<Record<string, string | undefined>>,
  sha: string,
): Record<string, string> {
  const server = env.GITHUB_SERVER_URL ?? 'https://github.com';
  const repository = env.GITHUB_REPOSITORY;
  return {
    'org.opencontainers.image.revision': sha,
    ...(repository ? { 'org.opencontainers.image.source': `${server}/${repository}` } : {}),
    ...(env.GITHUB_REF_NAME ? { 'org.opencontainers.image.version': env.GITHUB_REF_NAME } : {}),
  };
}
