import { describe, expect, it } from '@jest/globals';
import type { Task } from '@aws-sdk/client-ecs';
import { decideCrash, RELAUNCH_LIMIT } from '../../src/bot/health/relaunch-rule.js';
import { crashFacts, stoppedBehindOurBack } from '../../src/core/preview/health-crash.js';
import { relaunchesOf } from '../../src/core/preview/health-tags.js';
import { probeUrl } from '../../src/core/preview/readiness-probe.js';

const withRelaunches = (value?: string): Task => ({
  tags: value === undefined ? [] : [{ key: 'ecs-paas:relaunches', value }],
});

describe('the relaunch rule', () => {
  it.each([
    [0, { kind: 'relaunch', attempt: 1, afterMs: 10_000 }],
    [1, { kind: 'relaunch', attempt: 2, afterMs: 20_000 }],
    [2, { kind: 'relaunch', attempt: 3, afterMs: 40_000 }],
    [3, { kind: 'give-up', attempts: 3 }],
    [7, { kind: 'give-up', attempts: 7 }],
  ])('after a crash of relaunch %i: %j', (relaunches, decision) => {
    expect(decideCrash(relaunches, 10_000)).toEqual(decision);
  });

  it('gives up after three relaunches per head', () => {
    expect(RELAUNCH_LIMIT).toBe(3);
  });

  it.each([
    [undefined, 0],
    ['0', 0],
    ['2', 2],
    // Edited by hand into something else: read as the limit, so it can only stop relaunches.
    ['two', RELAUNCH_LIMIT],
    ['-1', RELAUNCH_LIMIT],
    ['', RELAUNCH_LIMIT],
  ])('reads the relaunches tag %j as %i', (value, count) => {
    expect(relaunchesOf(withRelaunches(value), RELAUNCH_LIMIT)).toBe(count);
  });
});

describe('a stopped preview task', () => {
  const stopped = (reason: string | undefined, extra: Partial<Task> = {}): Task => ({
    lastStatus: 'STOPPED',
    startedBy: 'ecs-paas',
    ...(reason !== undefined && { stoppedReason: reason }),
    ...extra,
  });

  it.each<[string, Task, boolean]>([
    ['a crash', stopped('Essential container in task exited'), true],
    ['a Spot interruption', stopped('Your Spot Task was interrupted.'), true],
    ['a stop with no reason', stopped(undefined), true],
    ['our idle stop', stopped('ecs-paas: idle'), false],
    ['our supersede', stopped('ecs-paas: superseded by abc1234'), false],
    ['a task of someone else', stopped('crash', { startedBy: 'ecs-svc/1' }), false],
    ['a task still running', stopped('x', { lastStatus: 'RUNNING' }), false],
  ])('%s counts as behind our back: %s', (_what, task, expected) => {
    expect(stoppedBehindOurBack(task)).toBe(expected);
  });

  it('tells the reason and each container exit code', () => {
    expect(
      crashFacts(
        stopped('Essential container in task exited', {
          containers: [
            { name: 'web', exitCode: 137, reason: 'OutOfMemoryError' },
            { name: 'sidecar' },
          ],
        }),
      ),
    ).toEqual({
      reason: 'Essential container in task exited',
      containers: [
        { name: 'web', exit: 'exit code 137 (OutOfMemoryError)' },
        { name: 'sidecar', exit: 'no exit code' },
      ],
    });
  });
});

describe('the readiness probe URL', () => {
  const task = (address?: string): Task => ({
    attachments: [
      {
        type: 'ElasticNetworkInterface',
        details: address === undefined ? [] : [{ name: 'privateIPv4Address', value: address }],
      },
    ],
  });

  it("is the task's own private address, port and path", () => {
    const url = probeUrl(task('10.0.3.7'), 8080, '/healthz?deep=1');
    expect(url instanceof URL ? url.href : url).toBe('http://10.0.3.7:8080/healthz?deep=1');
  });

  it.each<[string, Task, string]>([
    ['no address yet', task(), '/'],
    ['an address that is a host name', task('metadata.internal'), '/'],
    ['a path naming another host', task('10.0.3.7'), '//169.254.169.254/latest'],
    ['a path with an at sign trick', task('10.0.3.7'), '@169.254.169.254/'],
    ['a relative path', task('10.0.3.7'), 'healthz'],
  ])('refuses %s', (_what, t, path) => {
    expect(probeUrl(t, 80, path)).toHaveProperty('problem');
  });
});
