import { describe, expect, it } from '@jest/globals';
import { stringify } from 'yaml';
import { SettingsError, wakeSettings } from '../../src/bot/app-settings.js';
import { ConfigError, parseRepoConfig } from '../../src/core/config/repo-config.js';

const ALB = {
  mode: 'alb',
  domain: 'preview.example.com',
  'hosted-zone-id': 'Z0123ABC',
  'listener-arn':
    'arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/previews/50dc6c495c0c9188/f2f7dc8efc522ab2',
  'vpc-id': 'vpc-0abc1234',
};
const DNS = { mode: 'dns', domain: 'preview.example.com', 'hosted-zone-id': 'Z0123ABC' };
const WAKE_ARN =
  'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/ecs-paas-wake/14f96e8ae3fdd686';

const parse = (routing: object, wake?: unknown) =>
  parseRepoConfig(
    stringify({
      preview: {
        cluster: 'previews',
        'task-definition': 'web',
        subnets: ['subnet-0abc'],
        routing,
        ...(wake !== undefined && { 'wake-on-request': wake }),
      },
    }),
  ).preview;

function refusal(work: () => unknown): string {
  try {
    work();
  } catch (error) {
    if (error instanceof ConfigError || error instanceof SettingsError) return error.message;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('preview.wake-on-request', () => {
  it('is off unless set, and on when set in alb mode', () => {
    expect(parse(ALB)?.wakeOnRequest).toBe(false);
    expect(parse(ALB, true)?.wakeOnRequest).toBe(true);
    expect(parse(DNS, false)?.wakeOnRequest).toBe(false);
  });

  it('is refused in dns mode, naming the key and the fix', () => {
    const message = refusal(() => parse(DNS, true));
    expect(message).toContain('wake-on-request');
    expect(message).toContain('routing.mode: alb');
  });

  it('takes only true or false', () => {
    expect(refusal(() => parse(ALB, 'yes please'))).toContain('wake-on-request');
  });
});

describe('ECS_PAAS_WAKE_TARGET_GROUP_ARN', () => {
  it('is off unset and read when it is a target group ARN', () => {
    expect(wakeSettings({})).toEqual({});
    expect(wakeSettings({ ECS_PAAS_WAKE_TARGET_GROUP_ARN: ` ${WAKE_ARN} ` })).toEqual({
      wakeTargetGroupArn: WAKE_ARN,
    });
  });

  it.each([
    ['a listener ARN', ALB['listener-arn']],
    ['a name', 'ecs-paas-wake'],
  ])('refuses %s, naming the variable and the stack output', (_what, value) => {
    const message = refusal(() => wakeSettings({ ECS_PAAS_WAKE_TARGET_GROUP_ARN: value }));
    expect(message).toContain('ECS_PAAS_WAKE_TARGET_GROUP_ARN');
    expect(message).toContain('WakeTargetGroupArn');
  });
});
