import { describe, expect, it } from '@jest/globals';
import type { Action } from '@aws-sdk/client-elastic-load-balancing-v2';
import { forwardBeside, forwardTo } from '../../src/core/preview/alb-wake-actions.js';

const APP = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/ecs-paas-wake/1';
const PREVIEW = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/ep-abc/2';
const LOGIN: Action = {
  Type: 'authenticate-oidc',
  Order: 1,
  AuthenticateOidcConfig: {
    Issuer: 'https://login.example.com',
    AuthorizationEndpoint: 'https://login.example.com/authorize',
    TokenEndpoint: 'https://login.example.com/token',
    UserInfoEndpoint: 'https://login.example.com/userinfo',
    ClientId: 'previews',
  },
};

describe('a sleeping rule’s actions', () => {
  it('forwards to the App instead, keeping the login before it', () => {
    expect(forwardTo([LOGIN, { Type: 'forward', Order: 2, TargetGroupArn: PREVIEW }], APP)).toEqual(
      [LOGIN, { Type: 'forward', Order: 2, TargetGroupArn: APP }],
    );
  });

  it('while waking, still sends every request to the App and names the new group at weight 0', () => {
    expect(forwardBeside([{ Type: 'forward', TargetGroupArn: APP }], PREVIEW)).toEqual([
      {
        Type: 'forward',
        ForwardConfig: {
          TargetGroups: [
            { TargetGroupArn: APP, Weight: 1 },
            { TargetGroupArn: PREVIEW, Weight: 0 },
          ],
        },
      },
    ]);
  });
});
