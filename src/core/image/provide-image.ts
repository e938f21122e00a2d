import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ECRClient } from '@aws-sdk/client-ecr';
import { withContext } from '../errors.js';
import type { Logger } from '../logger.js';
import { run } from '../process.js';
import { buildArguments, type BuildRequest } from './build-arguments.js';
import { cacheCredentials } from './build-cache.js';
import { maskSecrets, mountSecrets, type BuildSecret } from './build-secrets.js';
import { ecrRegistry, parseImageReference, pinnedReference } from './image-reference.js';
import { registryDigest } from './registry-digest.js';

// ECR's client code is loaded on use: a deploy of an image already pinned by digest never needs
// it, and loading it up front would delay that step's first AWS call.
const ecrModule = () => import('./ecr-repository.js');

export interface ImageRequest {
  /** A prebuilt image to use as it is; otherwise one is built. */
  readonly prebuilt?: string;
  readonly builder: 'docker' | 'podman';
  readonly build: Omit<BuildRequest, 'tags' | 'secrets'> & {
    readonly secrets: readonly BuildSecret[];
  };
  readonly repository: string;
  readonly createRepository: boolean;
  /** Registry host; undefined means the account's ECR registry. */
  readonly registry?: string;
  readonly sha: string;
  /** Extra tags besides the commit SHA. */
  readonly tags: readonly string[];
  /**
   * Told each registry just before the builder logs into it, so the caller can undo the login
   * later even when this step dies between the login and its end.
   */
  readonly onLogin?: (registry: string) => void;
}

export interface ProvidedImage {
  /** `registry/repository@sha256:…` */
  readonly image: string;
  readonly digest: string;
  readonly built: boolean;
}

/**
 * Gives back an image pinned by digest: the prebuilt one resolved, the one already pushed for this
 * commit (a re-run does not rebuild, so its digest and the task definition stay the same), or a
 * fresh build pushed under the SHA tag and any extra tags.
 */
export async function provideImage(
  request: ImageRequest,
  ecrClient: () => Promise<ECRClient>,
  log: Logger,
  env: NodeJS.ProcessEnv = process.env,
): Promise<ProvidedImage> {
  // First of all: the runner hides only what it was told about before the line is printed.
  maskSecrets(request.build.secrets, log);
  for (const value of cacheCredentials([...request.build.cacheFrom, ...request.build.cacheTo])) {
    log.secret(value);
  }
  if (request.prebuilt) return resolvePrebuilt(request.prebuilt, ecrClient);

  const usesEcr = !request.registry || ecrRegistry(request.registry) !== undefined;
  let registry = request.registry ?? '';
  const ecr = usesEcr ? await ecrClient() : undefined;
  if (ecr) {
    const { ensureRepository, ecrLogin } = await ecrModule();
    await ensureRepository(ecr, request.repository, request.createRepository, log);
    const login = await ecrLogin(ecr, log);
    registry = request.registry ?? login.registry;
    request.onLogin?.(registry);
    await run(
      request.builder,
      ['login', '--username', login.username, '--password-stdin', registry],
      {
        input: login.password,
        env,
      },
    );
  }

  const existing = ecr
    ? await (await ecrModule()).ecrImageDigest(ecr, request.repository, request.sha)
    : await registryDigest(parseImageReference(`${registry}/${request.repository}:${request.sha}`));
  if (existing) {
    log.info(
      `${registry}/${request.repository}:${request.sha} already exists (${existing}); not rebuilding`,
    );
    return {
      image: pinnedReference(registry, request.repository, existing),
      digest: existing,
      built: false,
    };
  }

  const tags = [request.sha, ...request.tags].map(
    (tag) => `${registry}/${request.repository}:${tag}`,
  );
  const digest = await log.group(`Build and push ${tags[0] ?? ''}`, () =>
    buildAndPush(request.builder, { ...request.build, tags }, log, env),
  );
  return { image: pinnedReference(registry, request.repository, digest), digest, built: true };
}

async function resolvePrebuilt(
  prebuilt: string,
  ecrClient: () => Promise<ECRClient>,
): Promise<ProvidedImage> {
  let reference;
  try {
    reference = parseImageReference(prebuilt);
  } catch (error) {
    throw withContext(`Input 'image'`, error);
  }
  const ecrHost = ecrRegistry(reference.registry);
  const digest =
    reference.digest ??
    (ecrHost
      ? await (
          await ecrModule()
        ).ecrImageDigest(
          await ecrClient(),
          reference.repository,
          reference.tag ?? 'latest',
          ecrHost.account,
        )
      : await registryDigest(reference).catch((error: unknown) => {
          throw new Error(
            `Input 'image': could not read the digest of '${prebuilt}' (${(error as Error).message}); pass it pinned as name@sha256:…`,
          );
        }));
  if (!digest) throw new Error(`Input 'image': '${prebuilt}' does not exist in its registry`);
  return {
    image: pinnedReference(reference.registry, reference.repository, digest),
    digest,
    built: false,
  };
}

async function buildAndPush(
  builder: 'docker' | 'podman',
  request: ImageRequest['build'] & Pick<BuildRequest, 'tags'>,
  log: Logger,
  env: NodeJS.ProcessEnv,
): Promise<string> {
  const secrets = await mountSecrets(request.secrets, env);
  const scratch = await mkdtemp(join(tmpdir(), 'ecs-paas-build-'));
  try {
    const metadataFile = join(scratch, 'metadata.json');
    const args = buildArguments(builder, { ...request, secrets: secrets.mounts }, metadataFile);
    // Secrets are files by then, so the line shows where they are, never what they hold.
    log.info(`${builder} ${args.map(shellWord).join(' ')}`);
    await run(builder, args, { log, env });
    // Not needed past the build: gone before the push, not only at the end.
    await secrets.remove();
    if (builder === 'docker') {
      const metadata = JSON.parse(await readFile(metadataFile, 'utf8')) as Record<string, unknown>;
      const digest = metadata['containerimage.digest'];
      if (typeof digest !== 'string') throw new Error('docker buildx wrote no image digest');
      return digest;
    }
    const digestFile = join(scratch, 'digest');
    const [first, ...others] = request.tags;
    const manifestList = request.platforms.length > 1;
    await run(
      'podman',
      manifestList
        ? [
            'manifest',
            'push',
            '--all',
            '--digestfile',
            digestFile,
            first ?? '',
            `docker://${first ?? ''}`,
          ]
        : ['push', '--digestfile', digestFile, first ?? ''],
      { log, env },
    );
    for (const tag of others) {
      await run(
        'podman',
        manifestList
          ? ['manifest', 'push', '--all', first ?? '', `docker://${tag}`]
          : ['push', first ?? '', `docker://${tag}`],
        { log, env },
      );
    }
    return (await readFile(digestFile, 'utf8')).trim();
  } finally {
    await secrets.remove();
    await rm(scratch, { recursive: true, force: true });
  }
}

/** An argument as a shell would need it, so a printed command line can be pasted and re-run. */
function shellWord(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}
