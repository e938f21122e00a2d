import { describe, expect, it } from '@jest/globals';
import { parseCommand } from '../../src/bot/commands.js';
import { readHeadMarker, withHeadMarker } from '../../src/core/github/head-marker.js';
import { publicText } from '../../src/core/report/public-text.js';

describe('parseCommand', () => {
  const sha = 'a'.repeat(40);
  it.each<[string, ReturnType<typeof parseCommand>]>([
    ['/deploy', { name: 'deploy' }],
    ['/deploy ABCDEF1', { name: 'deploy', sha: 'abcdef1' }],
    [`/deploy ${sha}`, { name: 'deploy', sha }],
    ['/deploy staging', { name: 'deploy-environment', environment: 'staging' }],
    [
      '/deploy staging abcdef1',
      { name: 'deploy-environment', environment: 'staging', sha: 'abcdef1' },
    ],
    ['/deploy staging not-a-sha', { name: 'unknown' }],
    ['/deploy abcdef1 staging', { name: 'unknown' }],
    ['/deploy @everyone', { name: 'unknown' }],
    ['/deploy staging abcdef1 extra', { name: 'unknown' }],
    ['please /deploy', undefined],
    ['/help\n@everyone', { name: 'help' }],
  ])('%j', (body, expected) => {
    expect(parseCommand(body)).toEqual(expected);
  });
});

describe('the head marker', () => {
  const a = '1'.repeat(40);
  const b = '2'.repeat(40);
  it('keeps the first time a head was shown, and restarts it for a new head', () => {
    const first = withHeadMarker('body', undefined, a, new Date('2026-11-30T10:00:00Z'));
    const again = withHeadMarker('body 2', first, a, new Date('2026-11-30T11:00:00Z'));
    expect(readHeadMarker(again)).toEqual({ sha: a, since: new Date('2026-11-30T10:00:00Z') });
    const moved = withHeadMarker('body 3', again, b, new Date('2026-11-30T12:00:00Z'));
    expect(readHeadMarker(moved)).toEqual({
      sha: b,
      since: new Date('2026-11-30T12:00:00Z'),
      previous: a,
    });
    const rewritten = withHeadMarker('body 4', moved, b, new Date('2026-11-30T13:00:00Z'));
    expect(readHeadMarker(rewritten)).toEqual(readHeadMarker(moved));
  });
});

describe('publicText', () => {
  it.each([
    [
      'AccessDeniedException: User: arn:aws:sts::123456789012:assumed-role/ecs-paas/i-1 is not authorized',
      'AccessDeniedException: User: [AWS resource] is not authorized',
    ],
    [
      'image 123456789012.dkr.ecr.us-east-1.amazonaws.com/web@sha256:abc',
      'image <account>.dkr.ecr.us-east-1.amazonaws.com/web@sha256:abc',
    ],
    ['runs as role/prod-web-task', 'runs as role/[hidden]'],
    // A commit SHA full of digits is not an account id.
    ['`1234567890123456789012345678901234567890`', '`1234567890123456789012345678901234567890`'],
  ])('%s', (input, output) => {
    expect(publicText(input)).toBe(output);
  });
});
