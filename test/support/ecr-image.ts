import { createHash } from 'node:crypto';
import {
  CreateRepositoryCommand,
  PutImageCommand,
  RepositoryAlreadyExistsException,
  type ECRClient,
} from '@aws-sdk/client-ecr';

/**
 * What CI does when an image for a commit is ready: pushes `<repository>:<sha>` to ECR. moto stores
 * the manifest and DescribeImages then reports its digest, as ECR would.
 */
export async function pushEcrImage(
  ecr: ECRClient,
  repository: string,
  sha: string,
): Promise<string> {
  await ecr
    .send(new CreateRepositoryCommand({ repositoryName: repository }))
    .catch((error: unknown) => {
      if (!(error instanceof RepositoryAlreadyExistsException)) throw error;
    });
  const layer = `sha256:${createHash('sha256').update(sha).digest('hex')}`;
  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
    config: { mediaType: 'application/vnd.docker.container.image.v1+json', size: 2, digest: layer },
    layers: [
      { mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', size: 2, digest: layer },
    ],
  });
  const { image } = await ecr.send(
    new PutImageCommand({ repositoryName: repository, imageManifest: manifest, imageTag: sha }),
  );
  const digest = image?.imageId?.imageDigest;
  if (!digest) throw new Error(`PutImage for ${repository}:${sha} returned no digest`);
  return digest;
}
