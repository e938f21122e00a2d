import { describe, expect, it } from '@jest/globals';
import { parseRepoConfig } from '../../src/core/config/repo-config.js';
import {
  checkAgainstPolicy,
  grantFor,
  matchesGlob,
  parsePolicy,
  withinGrant,
} from '../../src/core/policy/operator-policy.js';

const POLICY = parsePolicy(
  [
    'repositories:',
    '  acme/web:',
    '    clusters: [previews, prod]',
    "    task-families: ['web', 'web-*']",
    '    services: { staging: [web-staging] }',
    '    hosted-zones: [ZWEB]',
    '    domains: [preview.example.com]',
    '    subnets: [subnet-a]',
    '    security-groups: [sg-a]',
    '    max-previews: 3',
    '    workflows: [deploy.yml]',
    '  acme/*:',
    '    clusters: [team]',
    '  "*":',
    '    clusters: [sandbox]',
    '',
  ].join('\n'),
  'policy.yml',
);

function config(lines: string[]): ReturnType<typeof parseRepoConfig> {
  return parseRepoConfig(lines.join('\n'));
}

const granted = [
  'preview:',
  '  cluster: previews',
  '  task-definition: web-api',
  '  subnets: [subnet-a]',
  '  security-groups: [sg-a]',
  '  routing: { mode: dns, hosted-zone-id: ZWEB, domain: pr.preview.example.com }',
  'environments:',
  '  staging: { cluster: prod, services: web-staging }',
  '  production: { workflow: deploy.yml, permission: admin }',
];

describe('the operator policy', () => {
  it('picks the most specific entry: exact, then owner/*, then *', () => {
    const clusters = (repo: string) => {
      const grant = grantFor(POLICY, repo);
      return grant === 'open' ? 'open' : grant?.clusters;
    };
    expect(clusters('acme/web')).toEqual(['previews', 'prod']);
    expect(clusters('ACME/Web')).toEqual(['previews', 'prod']);
    expect(clusters('acme/api')).toEqual(['team']);
    expect(clusters('other/x')).toEqual(['sandbox']);
  });

  it.each([
    ['web-api', 'web-*', true],
    ['web', 'web-*', false],
    ['web.x', 'web*x', true],
    ['webXx', 'web.x', false],
  ])('%s against %s: %s', (value, glob, match) => {
    expect(matchesGlob(value, glob)).toBe(match);
  });

  it('lets a config that stays inside its grant through', () => {
    expect(checkAgainstPolicy(config(granted), POLICY, 'acme/web')).toBeUndefined();
  });

  it.each<[string, string, string]>([
    ['cluster: previews', 'cluster: prod-eu', 'preview.cluster'],
    ['task-definition: web-api', 'task-definition: billing', 'preview.task-definition'],
    ['subnets: [subnet-a]', 'subnets: [subnet-a, subnet-b]', 'preview.subnets[1]'],
    ['security-groups: [sg-a]', 'security-groups: [sg-z]', 'preview.security-groups[0]'],
    ['hosted-zone-id: ZWEB', 'hosted-zone-id: ZAPI', 'preview.routing.hosted-zone-id'],
    ['domain: pr.preview.example.com', 'domain: evilpreview.example.com', 'preview.routing.domain'],
    ['services: web-staging', 'services: billing', 'environments.staging.services[0]'],
    ['cluster: prod, services', 'cluster: other, services', 'environments.staging.cluster'],
    ['workflow: deploy.yml', 'workflow: release.yml', 'environments.production.workflow'],
  ])('refuses %s changed to %s, naming %s', (from, to, key) => {
    const lines = granted.map((l) => l.replace(from, to));
    const error = checkAgainstPolicy(config(lines), POLICY, 'acme/web');
    expect(error?.issues).toEqual([
      { path: key, message: "the operator's policy does not allow it for this repository" },
    ]);
  });

  it('refuses a repository the policy grants nothing, and is silent when it asks for nothing', () => {
    const nothing = parsePolicy('repositories:\n  acme/web: { clusters: [x] }\n', 'p');
    expect(checkAgainstPolicy(config(granted), nothing, 'evil/repo')?.issues[0]?.message).toMatch(
      /grants this repository nothing/,
    );
    expect(checkAgainstPolicy(config([]), nothing, 'evil/repo')).toBeUndefined();
  });

  it('wants {repo} or {owner} in the subdomain template when the zone is granted to several repositories', () => {
    const shared = parsePolicy(
      [
        'repositories:',
        '  acme/web: { clusters: [c], task-families: [web], hosted-zones: [ZSHARED], domains: [preview.example.com], subnets: [subnet-a], security-groups: [sg-a] }',
        '  acme/api: { clusters: [c], task-families: [web], hosted-zones: [ZSHARED], domains: [preview.example.com], subnets: [subnet-a], security-groups: [sg-a] }',
        '',
      ].join('\n'),
      'p',
    );
    const lines = (subdomain: string) => [
      'preview:',
      '  cluster: c',
      '  task-definition: web',
      '  subnets: [subnet-a]',
      '  security-groups: [sg-a]',
      `  routing: { mode: dns, hosted-zone-id: ZSHARED, domain: preview.example.com, subdomain: '${subdomain}' }`,
    ];
    expect(checkAgainstPolicy(config(lines('pr-{number}')), shared, 'acme/web')?.issues).toEqual([
      {
        path: 'preview.routing.subdomain',
        message:
          "the operator's policy grants this hosted zone to more than one repository; put {repo} or {owner} in the template so their names cannot collide",
      },
    ]);
    expect(
      checkAgainstPolicy(config(lines('pr-{number}-{repo}')), shared, 'acme/web'),
    ).toBeUndefined();
    expect(checkAgainstPolicy(config(granted.map((l) => l)), POLICY, 'acme/web')).toBeUndefined();
  });

  it("refuses preview roles and secrets outside the grant's globs, naming each key", () => {
    const policy = parsePolicy(
      [
        'repositories:',
        '  acme/web:',
        '    clusters: [previews]',
        "    task-families: ['web-*']",
        '    hosted-zones: [ZWEB]',
        '    domains: [preview.example.com]',
        '    subnets: [subnet-a]',
        '    security-groups: [sg-a]',
        "    preview-roles: ['arn:aws:iam::123456789012:role/preview-*']",
        "    preview-secrets: ['/previews/web/*']",
        '',
      ].join('\n'),
      'p',
    );
    const lines = (role: string, secret: string) => [
      ...granted.slice(0, granted.indexOf('environments:')),
      `  task-role-arn: arn:aws:iam::123456789012:role/${role}`,
      `  execution-role-arn: arn:aws:iam::123456789012:role/${role}`,
      `  secrets: { DATABASE_URL: ${secret} }`,
    ];
    expect(
      checkAgainstPolicy(config(lines('preview-web', '/previews/web/db')), policy, 'acme/web'),
    ).toBeUndefined();
    expect(
      checkAgainstPolicy(
        config(lines('production-web', '/prod/web/db')),
        policy,
        'acme/web',
      )?.issues.map((i) => i.path),
    ).toEqual([
      'preview.task-role-arn',
      'preview.execution-role-arn',
      'preview.secrets.DATABASE_URL',
    ]);
    // A grant that names no roles or secrets allows none.
    expect(
      checkAgainstPolicy(
        config(lines('preview-web', '/previews/web/db')),
        POLICY,
        'acme/web',
      )?.issues.map((i) => i.path),
    ).toEqual([
      'preview.task-role-arn',
      'preview.execution-role-arn',
      'preview.secrets.DATABASE_URL',
    ]);
  });

  it('caps max-previews at the grant instead of refusing the default', () => {
    expect(withinGrant(config(granted), POLICY, 'acme/web').preview?.maxPreviews).toBe(3);
  });

  it('names the key of a mistake in the policy', () => {
    expect(() => parsePolicy('repositories:\n  "acme web": {}\n', 'policy.yml')).toThrow(
      /repositories\.acme web: got 'acme web'; expected owner\/repo, owner\/\* or \*/,
    );
  });
});
