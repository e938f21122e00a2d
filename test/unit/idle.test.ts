import { describe, expect, it } from '@jest/globals';
import { idleVerdict, type IdleInput } from '../../src/core/preview/idle.js';
import { periodFor } from '../../src/core/preview/request-metrics.js';

const HOUR = 3_600_000;
const now = new Date('2026-11-22T12:00:00Z');
const ago = (hours: number): Date => new Date(now.getTime() - hours * HOUR);
const base: IdleInput = {
  now,
  idleAfterMs: 24 * HOUR,
  launchedAt: ago(30),
  requests: { kind: 'read' },
};

describe('idleVerdict: both signals must be quiet for idle-after', () => {
  it.each<[string, Partial<IdleInput>, ReturnType<typeof idleVerdict>]>([
    ['nothing since a launch 30 h ago', {}, { idle: true, since: ago(30) }],
    [
      'a request 2 h ago',
      { requests: { kind: 'read', lastRequestAt: ago(2) } },
      { idle: false, why: 'active', lastSeen: ago(2) },
    ],
    [
      'a comment 3 h ago',
      { lastActivity: ago(3) },
      { idle: false, why: 'active', lastSeen: ago(3) },
    ],
    [
      'a push (new launch) 1 h ago',
      { launchedAt: ago(1) },
      { idle: false, why: 'active', lastSeen: ago(1) },
    ],
    [
      'a PR update 23 h ago',
      { pullUpdatedAt: ago(23) },
      { idle: false, why: 'active', lastSeen: ago(23) },
    ],
    [
      'the newest of old signals is the idle start',
      { lastActivity: ago(26), pullUpdatedAt: ago(25) },
      { idle: true, since: ago(25) },
    ],
    [
      'no request metric: PR activity alone decides',
      { requests: { kind: 'none' } },
      { idle: true, since: ago(30) },
    ],
    [
      'kept for another day',
      { keepUntil: ago(-24) },
      { idle: false, why: 'kept', until: ago(-24) },
    ],
    ['a keep that ran out', { keepUntil: ago(1) }, { idle: true, since: ago(30) }],
    ['idle teardown off', { idleAfterMs: null }, { idle: false, why: 'disabled' }],
  ])('%s', (_name, input, expected) => {
    expect(idleVerdict({ ...base, ...input })).toEqual(expected);
  });

  it('never stops a task nobody can date', () => {
    const { launchedAt: _undated, ...undated } = base;
    expect(idleVerdict(undated)).toEqual({ idle: false, why: 'undated' });
  });

  it('never calls a preview idle when its request count could not be read', () => {
    expect(idleVerdict({ ...base, requests: { kind: 'failed', reason: 'throttled' } })).toEqual({
      idle: false,
      why: 'unknown',
      reason: 'throttled',
    });
  });

  it('does not need the metric when PR activity already keeps the preview', () => {
    expect(
      idleVerdict({ ...base, lastActivity: ago(1), requests: { kind: 'failed', reason: 'x' } }),
    ).toMatchObject({ idle: false, why: 'active' });
  });
});

describe('periodFor: the GetMetricData period for an idle-after window', () => {
  const DAY = 24 * HOUR;
  it.each([
    ['5 minutes', 5 * 60_000, 60],
    ['24 hours: 480 s keeps 500 queries under 100,800 points', DAY, 480],
    ['14 days', 14 * DAY, 6_060],
    ['20 days: past 15 days CloudWatch only answers multiples of 300 s', 20 * DAY, 8_700],
    ['90 days: past 63 days only multiples of 3600 s', 90 * DAY, 39_600],
  ])('%s', (_name, windowMs, period) => {
    expect(periodFor(windowMs)).toBe(period);
    // Never more than 200 points a query, so a call of 500 queries fits CloudWatch's budget.
    expect(windowMs / 1_000 / period).toBeLessThanOrEqual(200);
  });
});
