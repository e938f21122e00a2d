import {
  CreateRepositoryCommand,
  DescribeImagesCommand,
  DescribeRepositoriesCommand,
  GetAuthorizationTokenCommand,
  ImageNotFoundException,
  RepositoryNotFoundException,
  type ECRClient,
} from '@aws-sdk/client-ecr';
import { InputError, withContext } from '../errors.js';
import type { Logger } from '../logger.js';

/** Makes sure the ECR repository exists, creating it (scan on push, immutable tags off) if asked. */
export async function ensureRepository(
  ecr: ECRClient,
  name: string,
  create: boolean,
  log: Logger,
): Promise<void> {
  try {
    await ecr.send(new DescribeRepositoriesCommand({ repositoryNames: [name] }));
  } catch (error) {
    if (!(error instanceof RepositoryNotFoundException)) {
      throw withContext(`Could not look up ECR repository '${name}'`, error);
    }
    if (!create) {
      // Named as an input error: the fix is in the workflow (create it, or let the Action).
      throw new InputError(
        'create-repository',
        `is false and ECR repository '${name}' does not exist; create it first, or set create-repository: true`,
      );
    }
    log.info(`Creating ECR repository ${name}`);
    await ecr.send(
      new CreateRepositoryCommand({
        repositoryName: name,
        imageScanningConfiguration: { scanOnPush: true },
      }),
    );
  }
}

export interface RegistryLogin {
  /** Registry host, e.g. `123456789012.dkr.ecr.us-east-1.amazonaws.com`. */
  readonly registry: string;
  readonly username: string;
  readonly password: string;
}

/**
 * One GetAuthorizationToken gives both the password and the registry host (so no STS call is needed
 * to learn the account). The password is masked before this function returns it.
 */
export async function ecrLogin(ecr: ECRClient, log: Logger): Promise<RegistryLogin> {
  const response = await ecr
    .send(new GetAuthorizationTokenCommand({}))
    .catch((error: unknown) =>
      Promise.reject(withContext('Could not get an ECR login token', error)),
    );
  const data = response.authorizationData?.[0];
  if (!data?.authorizationToken || !data.proxyEndpoint) {
    throw new Error('ECR returned no authorization data');
  }
  const [username = 'AWS', ...rest] = Buffer.from(data.authorizationToken, 'base64')
    .toString()
    .split(':');
  const password = rest.join(':');
  log.secret(password);
  log.secret(data.authorizationToken);
  return { registry: new URL(data.proxyEndpoint).host, username, password };
}

/** The digest ECR holds for `repository:tag`, or undefined when no such image exists. */
export async function ecrImageDigest(
  ecr: ECRClient,
  repository: string,
  tag: string,
  registryId?: string,
): Promise<string | undefined> {
  return (await ecrImage(ecr, repository, tag, registryId))?.digest;
}

/** The digest and registry (account) of `repository:tag` in ECR, or undefined when absent. */
export async function ecrImage(
  ecr: ECRClient,
  repository: string,
  tag: string,
  registryId?: string,
): Promise<{ digest: string; registryId: string } | undefined> {
  try {
    const response = await ecr.send(
      new DescribeImagesCommand({
        repositoryName: repository,
        imageIds: [{ imageTag: tag }],
        ...(registryId ? { registryId } : {}),
      }),
    );
    const detail = response.imageDetails?.[0];
    return detail?.imageDigest && detail.registryId
      ? { digest: detail.imageDigest, registryId: detail.registryId }
      : undefined;
  } catch (error) {
    if (error instanceof ImageNotFoundException || error instanceof RepositoryNotFoundException) {
      return undefined;
    }
    throw withContext(`Could not look up image ${repository}:${tag} in ECR`, error);
  }
}
