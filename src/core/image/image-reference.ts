/** An image reference split into its parts: `registry/repository[:tag][@digest]`. */
export interface ImageReference {
  readonly registry: string;
  readonly repository: string;
  readonly tag?: string;
  readonly digest?: string;
}

export function parseImageReference(reference: string): ImageReference {
  const [nameAndTag = '', digest] = reference.split('@');
  const slash = nameAndTag.indexOf('/');
  const first = slash === -1 ? '' : nameAndTag.slice(0, slash);
  // Only a first part with a dot, a port or "localhost" is a registry (Docker's own rule).
  const hasRegistry = first.includes('.') || first.includes(':') || first === 'localhost';
  const registry = hasRegistry ? first : 'docker.io';
  let rest = hasRegistry ? nameAndTag.slice(slash + 1) : nameAndTag;
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon !== -1) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  if (!rest || (digest !== undefined && !/^sha256:[0-9a-f]{64}$/.test(digest))) {
    throw new Error(
      `'${reference}' is not an image reference such as registry/name:tag or name@sha256:…`,
    );
  }
  const repository = registry === 'docker.io' && !rest.includes('/') ? `library/${rest}` : rest;
  return { registry, repository, ...(tag ? { tag } : {}), ...(digest ? { digest } : {}) };
}

/** `registry/repository@sha256:…`, the form every deployed container is pinned to. */
export function pinnedReference(registry: string, repository: string, digest: string): string {
  return `${registry}/${repository}@${digest}`;
}

const ECR_HOST = /^(\d{12})\.dkr\.ecr(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$/;

/** The account and region of an ECR registry host, or undefined for any other registry. */
export function ecrRegistry(host: string): { account: string; region: string } | undefined {
  const match = ECR_HOST.exec(host);
  return match?.[1] && match[2] ? { account: match[1], region: match[2] } : undefined;
}
