import { describe, expect, it } from '@jest/globals';
import { queueSettings } from '../../src/bot/app-settings.js';
import { deliveryGroup } from '../../src/bot/queue/delivery-group.js';

const URL = 'https://sqs.us-east-1.amazonaws.com/123456789012/ecs-paas-work.fifo';

describe('queue mode settings', () => {
  it('is off without ECS_PAAS_QUEUE_URL, with defaults when it is set', () => {
    expect(queueSettings({})).toEqual({});
    expect(queueSettings({ ECS_PAAS_QUEUE_URL: URL })).toEqual({
      queue: { url: URL, visibilitySeconds: 60, waitSeconds: 20 },
    });
  });

  it.each([
    [
      { ECS_PAAS_QUEUE_URL: URL.replace('.fifo', '') },
      /ECS_PAAS_QUEUE_URL is .*; set it to an SQS FIFO queue URL/,
    ],
    [
      { ECS_PAAS_QUEUE_URL: URL, ECS_PAAS_QUEUE_VISIBILITY: '1s' },
      /ECS_PAAS_QUEUE_VISIBILITY is '1s'; set it to whole seconds from 3s/,
    ],
    [
      { ECS_PAAS_QUEUE_URL: URL, ECS_PAAS_QUEUE_WAIT: '30s' },
      /ECS_PAAS_QUEUE_WAIT is '30s'; set it to whole seconds from 0s to 20s/,
    ],
  ])('refuses %j naming the variable and the fix', (env, message) => {
    expect(() => queueSettings(env)).toThrow(message);
  });
});

describe('deliveryGroup', () => {
  const repository = { full_name: 'acme/web' };
  it.each([
    [{ repository, pull_request: { number: 7 } }, 'acme/web#7'],
    [{ repository, issue: { number: 8 } }, 'acme/web#8'],
    [{ repository, workflow_run: { pull_requests: [{ number: 9 }] } }, 'acme/web#9'],
    [{ repository, check_suite: { pull_requests: [{ number: 1 }, { number: 2 }] } }, 'acme/web'],
    [{ repository, workflow_run: { pull_requests: [] } }, 'acme/web'],
  ])('%j goes to group %s', (payload, group) => {
    expect(deliveryGroup(payload)).toBe(group);
  });
});
