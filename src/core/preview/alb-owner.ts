import {
  DescribeTagsCommand,
  type ElasticLoadBalancingV2Client,
  type Tag,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { withContext } from '../errors.js';
import { sameOwner } from './dns-owner.js';
import type { RouteOwner } from './router.js';
import { TAGS } from './routing-types.js';

/** ELBv2 refuses DescribeTags for more resources than this in one call. */
const TAG_BATCH = 20;

/** The tags of each resource, read 20 at a time; a resource ELBv2 does not list maps to none. */
export async function tagsOf(
  elbv2: ElasticLoadBalancingV2Client,
  arns: readonly (string | undefined)[],
): Promise<Map<string, Tag[]>> {
  const unique = [...new Set(arns.filter((arn): arn is string => Boolean(arn)))];
  const tags = new Map<string, Tag[]>();
  for (let i = 0; i < unique.length; i += TAG_BATCH) {
    const batch = unique.slice(i, i + TAG_BATCH);
    try {
      const { TagDescriptions = [] } = await elbv2.send(
        new DescribeTagsCommand({ ResourceArns: batch }),
      );
      for (const { ResourceArn, Tags } of TagDescriptions) {
        if (ResourceArn) tags.set(ResourceArn, Tags ?? []);
      }
    } catch (error) {
      throw withContext(`Could not read the tags of ${batch.join(', ')}`, error);
    }
  }
  return tags;
}

const tagValue = (tags: readonly Tag[], key: string): string | undefined =>
  tags.find((t) => t.Key === key)?.Value;

/** The repository and PR a rule's or target group's tags name, when they name one fully. */
export function tagOwner(tags: readonly Tag[]): RouteOwner | undefined {
  const repo = tagValue(tags, TAGS.repo);
  const pr = tagValue(tags, TAGS.pr);
  return repo && pr && /^\d+$/.test(pr) ? { repo, pr: Number(pr) } : undefined;
}

/**
 * A half-written or garbled owner tag still claims the resource, for no one: only resources with
 * neither tag (made by hand, or by a release that wrote none) are unclaimed.
 */
const isClaimed = (tags: readonly Tag[]): boolean =>
  tagValue(tags, TAGS.repo) !== undefined || tagValue(tags, TAGS.pr) !== undefined;

/** Someone other than `owner` holds the resource. */
export function claimedByOther(tags: readonly Tag[], owner: RouteOwner): boolean {
  return isClaimed(tags) && !sameOwner(tagOwner(tags), owner);
}

/**
 * Whether a host's rules and target group (their tags, one list each) may be removed for a caller
 * expecting `expected` to own the host. The same rule as dns mode's ownership record: claimed
 * resources go only as their owner's, and a host nothing claims goes only by the sweep's own
 * judgement (no expected owner), never by a PR's teardown.
 */
export function mayRemove(
  held: readonly (readonly Tag[])[],
  expected: RouteOwner | undefined,
): boolean {
  const claimed = held.filter(isClaimed);
  return claimed.length > 0
    ? claimed.every((tags) => sameOwner(tagOwner(tags), expected))
    : expected === undefined;
}
