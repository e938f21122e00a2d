import type { ECRClient } from '@aws-sdk/client-ecr';
import { ecrImage } from './ecr-repository.js';
import { pinnedReference } from './image-reference.js';

/**
 * The image CI pushed for `sha` (tag = the commit SHA) in the account's ECR, pinned by digest, or
 * undefined while it does not exist yet. The registry host is built from the account and region.
 */
export async function findEcrImage(
  ecr: ECRClient,
  region: string,
  repository: string,
  sha: string,
): Promise<{ image: string; digest: string } | undefined> {
  const found = await ecrImage(ecr, repository, sha);
  if (!found) return undefined;
  const host = `${found.registryId}.dkr.ecr.${region}.amazonaws.com`;
  return { image: pinnedReference(host, repository, found.digest), digest: found.digest };
}
