import { grantFor, type OperatorPolicy } from '../../core/policy/operator-policy.js';
import type { RouteOwner } from '../../core/preview/router.js';
import type { SweptRepos } from './sweep-read.js';

/**
 * Which routes a sweep may judge to have no task, given what it could not read. A route that
 * names its owner (dns mode's TXT record, an alb rule's tags) is judged unless that owner is a
 * repository the sweep could not read; a plain one only when its zone is complete: no repository
 * the sweep could not read may use the zone. One broken config or one suspended installation
 * then holds back only the routes that could be theirs, not every other repository's.
 */
export interface RouteJudgement {
  ownerRead(owner: RouteOwner): boolean;
  zoneComplete(zoneId: string): boolean;
}

export function routeJudgement(
  repos: Pick<SweptRepos, 'installedRepos' | 'unreadable'>,
  policy: OperatorPolicy,
): RouteJudgement {
  const { repos: unreadRepos, owners: unreadOwners } = repos.unreadable;
  return {
    ownerRead(owner) {
      const name = owner.repo.toLowerCase();
      if (unreadRepos.has(name)) return false;
      // Installed and read; or not installed where every installation could be listed.
      if (repos.installedRepos.has(name)) return true;
      const account = name.split('/')[0] ?? '';
      return !unreadOwners.has(account) && !unreadOwners.has('*');
    },
    zoneComplete(zoneId) {
      if (unreadRepos.size === 0 && unreadOwners.size === 0) return true;
      // Without a policy any repository may use any zone.
      if (policy.kind === 'open') return false;
      for (const name of unreadRepos) {
        const grant = grantFor(policy, name);
        if (grant !== 'open' && grant?.hostedZones.includes(zoneId)) return false;
      }
      for (const owner of unreadOwners) {
        for (const [key, grant] of policy.grants) {
          if (!grant.hostedZones.includes(zoneId)) continue;
          if (owner === '*' || key === '*' || key.startsWith(`${owner}/`)) return false;
        }
      }
      return true;
    },
  };
}
