import { describe, expect, it } from '@jest/globals';
import { parseStoppedTaskEvent } from '../../src/bot/health/task-state-event.js';

const TASK = 'arn:aws:ecs:us-east-1:123456789012:task/previews/0a1b2c3d4e5f';
const CLUSTER = 'arn:aws:ecs:us-east-1:123456789012:cluster/previews';

/** An "ECS Task State Change" event as EventBridge delivers it to an SQS target. */
function event(detail: Record<string, unknown> = {}, top: Record<string, unknown> = {}) {
  return {
    version: '0',
    id: '3f2c9a4e-0000-4000-8000-000000000000',
    'detail-type': 'ECS Task State Change',
    source: 'aws.ecs',
    account: '123456789012',
    time: '2026-12-04T19:00:00Z',
    region: 'us-east-1',
    resources: [TASK],
    detail: {
      clusterArn: CLUSTER,
      taskArn: TASK,
      lastStatus: 'STOPPED',
      desiredStatus: 'STOPPED',
      startedBy: 'ecs-paas',
      group: 'family:web-preview',
      stopCode: 'EssentialContainerExited',
      stoppedReason: 'Essential container in task exited',
      containers: [{ name: 'web', exitCode: 137, lastStatus: 'STOPPED' }],
      ...detail,
    },
    ...top,
  };
}

describe('parseStoppedTaskEvent', () => {
  it('takes only where to look from a stopped preview task event', () => {
    expect(parseStoppedTaskEvent(event())).toEqual({ taskArn: TASK, clusterArn: CLUSTER });
  });

  it('takes a task ARN in the old short form', () => {
    const short = 'arn:aws:ecs:us-east-1:123456789012:task/0a1b2c3d4e5f';
    expect(parseStoppedTaskEvent(event({ taskArn: short }))?.taskArn).toBe(short);
  });

  it.each<[string, unknown]>([
    ['a webhook delivery', { id: 'abc', name: 'pull_request', payload: {} }],
    ['another source', event({}, { source: 'my.app' })],
    ['another detail type', event({}, { 'detail-type': 'ECS Container Instance State Change' })],
    ['a task still running', event({ lastStatus: 'RUNNING' })],
    ['a task that is stopping', event({ lastStatus: 'DEACTIVATING' })],
    ['a task started by someone else', event({ startedBy: 'ecs-svc/123' })],
    ['a task with no startedBy', event({ startedBy: undefined })],
    ['a task ARN that is not one', event({ taskArn: 'http://169.254.169.254/' })],
    ['a cluster ARN that is not one', event({ clusterArn: 'previews' })],
    ['containers that are not a list', event({ containers: 'web' })],
    ['a reason that is not text', event({ stoppedReason: 42 })],
    ['no detail', event({}, { detail: undefined })],
    ['null', null],
    ['a list', [event()]],
  ])('ignores %s', (_what, message) => {
    expect(parseStoppedTaskEvent(message)).toBeUndefined();
  });
});
