import { describe, expect, it } from '@jest/globals';
import type { RequestSignal } from '../../src/core/preview/idle.js';
import { judgedRequests } from '../../src/bot/sweep/unreadable-requests.js';

const HOUR = 3_600_000;
const IDLE_AFTER = 24 * HOUR;
const now = new Date('2026-11-22T12:00:00Z');
const hoursAgo = (hours: number): number => now.getTime() - hours * HOUR;
const failed: RequestSignal = { kind: 'failed', reason: 'AccessDenied' };
const KEY = 'acme/web#1';

describe('judgedRequests: an unreadable request count stops nothing, until idle-after × 3', () => {
  it.each<[string, number | undefined, RequestSignal, number | null, RequestSignal, Date | null]>([
    ['a first failure', undefined, failed, IDLE_AFTER, failed, null],
    ['failing for 71 h with idle-after 24h', hoursAgo(71), failed, IDLE_AFTER, failed, null],
    [
      'failing for 72 h with idle-after 24h',
      hoursAgo(72),
      failed,
      IDLE_AFTER,
      { kind: 'none' },
      new Date(hoursAgo(72)),
    ],
    ['failing for a year with idle teardown off', hoursAgo(8760), failed, null, failed, null],
    ['a read after failures', hoursAgo(100), { kind: 'read' }, IDLE_AFTER, { kind: 'read' }, null],
    ['no metric at all', undefined, { kind: 'none' }, IDLE_AFTER, { kind: 'none' }, null],
  ])('%s', (_case, since, signal, idleAfterMs, requests, blindSince) => {
    const memory = new Map(since === undefined ? [] : [[KEY, since]]);

    const judged = judgedRequests(memory, KEY, signal, now, idleAfterMs);

    expect(judged).toEqual(blindSince ? { requests, blindSince } : { requests });
  });

  it('remembers the first failure, not the latest', () => {
    const memory = new Map<string, number>();
    judgedRequests(memory, KEY, failed, new Date(hoursAgo(80)), IDLE_AFTER);
    judgedRequests(memory, KEY, failed, new Date(hoursAgo(40)), IDLE_AFTER);

    expect(memory.get(KEY)).toBe(hoursAgo(80));
    expect(judgedRequests(memory, KEY, failed, now, IDLE_AFTER).requests).toEqual({
      kind: 'none',
    });
  });

  it('forgets the failures once a count is read again', () => {
    const memory = new Map([[KEY, hoursAgo(80)]]);
    judgedRequests(memory, KEY, { kind: 'read' }, new Date(hoursAgo(1)), IDLE_AFTER);

    expect(memory.has(KEY)).toBe(false);
    expect(judgedRequests(memory, KEY, failed, now, IDLE_AFTER).requests).toEqual(failed);
  });
});
