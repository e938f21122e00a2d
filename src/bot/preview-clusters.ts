import { ListClustersCommand, type ECSClient } from '@aws-sdk/client-ecs';
import { withContext } from '../core/errors.js';
import type { OperatorPolicy } from '../core/policy/operator-policy.js';

/**
 * Every cluster a preview may run in, whatever any config says today: the clusters the operator's
 * policy grants to anyone (a grant taken away leaves its previews behind), or every cluster in the
 * account for an open install, where any config could have named any of them.
 */
export async function previewClusters(policy: OperatorPolicy, ecs: ECSClient): Promise<string[]> {
  if (policy.kind === 'granted') {
    return [...new Set([...policy.grants.values()].flatMap((grant) => grant.clusters))];
  }
  const names: string[] = [];
  let nextToken: string | undefined;
  try {
    do {
      const page = await ecs.send(
        new ListClustersCommand({ maxResults: 100, ...(nextToken && { nextToken }) }),
      );
      names.push(...(page.clusterArns ?? []).map((arn) => arn.slice(arn.indexOf('/') + 1)));
      nextToken = page.nextToken;
    } while (nextToken);
  } catch (error) {
    throw withContext('Could not list the clusters previews may run in', error);
  }
  return names;
}
