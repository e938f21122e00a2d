import { describe, expect, it } from '@jest/globals';
import { needPermission, permissionOf } from '../../src/bot/command-permission.js';
import { hasPermission, parseCommand } from '../../src/bot/commands.js';
import { githubAnswering } from './github-answers.js';

const REPO = { owner: 'acme', repo: 'web' };
const PERMISSION_ROUTE = 'GET /repos/{owner}/{repo}/collaborators/{username}/permission';

describe('hasPermission: levels compare by position', () => {
  it.each([
    ['admin', 'write', true],
    ['maintain', 'write', true],
    ['write', 'write', true],
    ['triage', 'write', false],
    ['read', 'write', false],
    ['none', 'read', false],
    ['read', 'read', true],
    ['write', 'maintain', false],
    ['maintain', 'admin', false],
    ['admin', 'admin', true],
    ['triage', 'triage', true],
    ['none', 'none', true],
    // A level GitHub never sends (or a typo in the required one) grants nothing.
    ['owner', 'write', false],
    ['write', 'writer', false],
    ['', 'none', false],
    ['admin', '', false],
  ])('%s satisfies %s: %s', (actual, required, expected) => {
    expect(hasPermission(actual, required)).toBe(expected);
  });
});

describe("a commenter's permission comes from the collaborator-permission API", () => {
  const asking = (data: unknown) => githubAnswering({ [PERMISSION_ROUTE]: () => data });

  it.each<[string, unknown, string]>([
    [
      'role_name when GitHub knows it (maintain)',
      { permission: 'write', role_name: 'maintain' },
      'maintain',
    ],
    [
      'role_name triage, which permission calls read',
      { permission: 'read', role_name: 'triage' },
      'triage',
    ],
    [
      'the base permission for a custom role',
      { permission: 'write', role_name: 'release-manager' },
      'write',
    ],
    ['the base permission without a role_name', { permission: 'admin' }, 'admin'],
    ['none when GitHub says nothing', {}, 'none'],
    ['none when role_name is empty and no permission', { role_name: '' }, 'none'],
  ])('uses %s', async (_case, data, expected) => {
    expect(await permissionOf(asking(data), REPO, 'octocat')).toBe(expected);
  });

  it('asks about the commenter, in the repository of the command', async () => {
    const github = asking({ permission: 'write' });
    await permissionOf(github, REPO, 'octocat');
    expect(github.calls).toEqual([
      { route: PERMISSION_ROUTE, parameters: { owner: 'acme', repo: 'web', username: 'octocat' } },
    ]);
  });

  it.each([
    ['write', 'write', undefined],
    ['admin', 'maintain', undefined],
    ['triage', 'write', '@octocat needs write access for this command (has triage).'],
    ['write', 'admin', '@octocat needs admin access for this command (has write).'],
  ])('%s for a command that needs %s', async (has, required, refusal) => {
    const answer = await needPermission(asking({ permission: has }), REPO, 'octocat', required);
    expect(answer).toEqual(refusal === undefined ? undefined : { ok: false, reply: refusal });
  });
});

describe('parseCommand: the commands that change or show a preview', () => {
  it.each<[string, ReturnType<typeof parseCommand>]>([
    ['/preview stop', { name: 'preview-stop' }],
    ['/PREVIEW Stop', { name: 'preview-stop' }],
    ['/preview stop now', { name: 'unknown' }],
    ['/preview', { name: 'unknown' }],
    ['/preview start', { name: 'unknown' }],
    ['/preview keep 3d', { name: 'preview-keep', ms: 3 * 86_400_000 }],
    ['/preview KEEP 90m', { name: 'preview-keep', ms: 90 * 60_000 }],
    ['/preview keep', { name: 'unknown' }],
    ['/preview keep 0', { name: 'unknown' }],
    ['/preview keep forever', { name: 'unknown' }],
    ['/preview keep 3d 4d', { name: 'unknown' }],
    ['/preview stop 3d', { name: 'unknown' }],
    ['/logs', { name: 'logs', lines: 50 }],
    ['/logs 120', { name: 'logs', lines: 120 }],
    ['/logs 1', { name: 'logs', lines: 1 }],
    ['/logs 500', { name: 'logs', lines: 500 }],
    ['/logs 501', { name: 'logs', lines: 500 }],
    ['/logs 0', { name: 'unknown' }],
    ['/logs -5', { name: 'unknown' }],
    ['/logs 2.5', { name: 'unknown' }],
    ['/logs many', { name: 'unknown' }],
    ['/logs 10 20', { name: 'unknown' }],
    ['/help', { name: 'help' }],
    ['/HELP me', { name: 'help' }],
    ['/unstop', { name: 'unknown' }],
    ['/', { name: 'unknown' }],
    ['  /deploy  ', { name: 'deploy' }],
    ['/Deploy Staging', { name: 'deploy-environment', environment: 'staging' }],
    [
      '/deploy STAGING ABCDEF1',
      { name: 'deploy-environment', environment: 'staging', sha: 'abcdef1' },
    ],
    ['/deploy abcdef', { name: 'deploy-environment', environment: 'abcdef' }],
    ['/deploy -staging', { name: 'unknown' }],
    ['/deploy staging-2', { name: 'deploy-environment', environment: 'staging-2' }],
    ['/deploy stag_ing', { name: 'unknown' }],
    ['/deploy staging abcdef', { name: 'unknown' }],
    ['/deploy abcdef1 abcdef2', { name: 'unknown' }],
    [`/deploy ${'a'.repeat(41)}`, { name: 'deploy-environment', environment: 'a'.repeat(41) }],
    ['/deploy x1234567g', { name: 'deploy-environment', environment: 'x1234567g' }],
    ['/deploy 1234567g', { name: 'deploy-environment', environment: '1234567g' }],
    ['/deploy staging x1234567', { name: 'unknown' }],
    ['/deploy staging 1234567x', { name: 'unknown' }],
    ['/deploy\r\nstaging', { name: 'deploy' }],
    ['', undefined],
    ['\n/deploy', undefined],
    ['deploy', undefined],
  ])('%j', (body, expected) => {
    expect(parseCommand(body)).toEqual(expected);
  });
});
