import { describe, expect, it } from '@jest/globals';
import type { InstalledRepo } from '../../src/bot/sweep/installed-repositories.js';
import { routeJudgement } from '../../src/bot/sweep/route-judgement.js';
import { OPEN_POLICY, parsePolicy } from '../../src/core/policy/operator-policy.js';

// Which routes without a task a sweep may remove, given what it could not read: one broken config
// or one suspended installation holds back only the routes that could be theirs.
const POLICY = parsePolicy(
  [
    'repositories:',
    '  acme/web:',
    '    hosted-zones: [ZWEB, ZSHARED]',
    '  acme/api:',
    '    hosted-zones: [ZAPI, ZSHARED]',
    '  octo/*:',
    '    hosted-zones: [ZOCTO]',
    '',
  ].join('\n'),
  'policy.yml',
);

const installed = (...names: string[]): Map<string, InstalledRepo> =>
  new Map(names.map((n) => [n, {} as InstalledRepo]));

function judge(
  unreadable: { repos?: string[]; owners?: string[] },
  policy = POLICY,
  repos = installed('acme/web', 'acme/api'),
) {
  return routeJudgement(
    {
      installedRepos: repos,
      unreadable: { repos: new Set(unreadable.repos), owners: new Set(unreadable.owners) },
    },
    policy,
  );
}

describe('routeJudgement', () => {
  it('judges every zone and owner when everything was read', () => {
    const j = judge({});
    expect(['ZWEB', 'ZAPI', 'ZSHARED', 'ZOCTO'].map((z) => j.zoneComplete(z))).toEqual([
      true,
      true,
      true,
      true,
    ]);
    expect(j.ownerRead({ repo: 'acme/web', pr: 1 })).toBe(true);
  });

  it("holds back only the zones granted to a repository whose config could not be read, and that repository's own routes", () => {
    const j = judge({ repos: ['acme/api'] });
    expect(['ZWEB', 'ZAPI', 'ZSHARED', 'ZOCTO'].map((z) => j.zoneComplete(z))).toEqual([
      true,
      false,
      false,
      true,
    ]);
    expect(j.ownerRead({ repo: 'ACME/api', pr: 1 })).toBe(false);
    expect(j.ownerRead({ repo: 'acme/web', pr: 1 })).toBe(true);
  });

  it('holds back the zones a suspended account could be granted, and routes owned in that account', () => {
    const j = judge({ owners: ['octo'] });
    expect(['ZWEB', 'ZOCTO'].map((z) => j.zoneComplete(z))).toEqual([true, false]);
    expect(j.ownerRead({ repo: 'octo/site', pr: 2 })).toBe(false);
    // Not installed, in an account whose installations were all listed: gone, so judged.
    expect(j.ownerRead({ repo: 'other/gone', pr: 3 })).toBe(true);
  });

  it('holds back every zone of an open install once anything was unreadable, but still judges owners that were read', () => {
    const j = judge({ owners: ['octo'] }, OPEN_POLICY);
    expect(j.zoneComplete('ZWEB')).toBe(false);
    expect(j.ownerRead({ repo: 'acme/web', pr: 1 })).toBe(true);
    expect(j.ownerRead({ repo: 'octo/site', pr: 1 })).toBe(false);
  });

  it('treats an installation it could not name as possibly anyone', () => {
    const j = judge({ owners: ['*'] });
    expect(j.zoneComplete('ZWEB')).toBe(false);
    expect(j.ownerRead({ repo: 'other/gone', pr: 3 })).toBe(false);
    expect(j.ownerRead({ repo: 'acme/web', pr: 1 })).toBe(true);
  });
});
