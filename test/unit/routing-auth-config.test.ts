import { describe, expect, it } from '@jest/globals';
import { stringify } from 'yaml';
import {
  ConfigError,
  parseRepoConfig,
  type ConfigIssue,
} from '../../src/core/config/repo-config.js';

const SECRET = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:previews/oidc-AbCdEf';
const BYPASS = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:previews/ci-bypass-123456';
const USER_POOL = 'arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_abcdEFGH';

const OIDC = {
  issuer: 'https://login.example.com',
  'authorization-endpoint': 'https://login.example.com/authorize',
  'token-endpoint': 'https://login.example.com/token',
  'user-info-endpoint': 'https://login.example.com/userinfo',
  'client-id': 'previews',
  'client-secret': SECRET,
};
const COGNITO = {
  'user-pool-arn': USER_POOL,
  'user-pool-client-id': '1example23456789',
  'user-pool-domain': 'acme-previews',
};
const ALB = {
  mode: 'alb',
  domain: 'preview.example.com',
  'hosted-zone-id': 'Z0123ABC',
  'listener-arn':
    'arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/previews/50dc6c495c0c9188/f2f7dc8efc522ab2',
  'vpc-id': 'vpc-0abc1234',
};

const config = (routing: Record<string, unknown>) =>
  stringify({
    preview: { cluster: 'previews', 'task-definition': 'web', subnets: ['subnet-0abc'], routing },
  });

const authOf = (auth: unknown) => {
  const routing = parseRepoConfig(config({ ...ALB, auth })).preview?.routing;
  return routing?.mode === 'alb' ? routing.auth : 'not alb';
};

function issuesOf(routing: Record<string, unknown>): readonly ConfigIssue[] {
  try {
    parseRepoConfig(config(routing));
  } catch (error: unknown) {
    if (error instanceof ConfigError) return error.issues;
    throw error;
  }
  throw new Error('expected the config to be rejected');
}

describe('preview.routing.auth', () => {
  it('reads an OIDC login with its client secret ARN', () => {
    expect(authOf({ oidc: OIDC })).toStrictEqual({
      kind: 'oidc',
      issuer: 'https://login.example.com',
      authorizationEndpoint: 'https://login.example.com/authorize',
      tokenEndpoint: 'https://login.example.com/token',
      userInfoEndpoint: 'https://login.example.com/userinfo',
      clientId: 'previews',
      clientSecretArn: SECRET,
    });
  });

  it('reads a Cognito login and a bypass secret', () => {
    expect(
      authOf({
        cognito: { ...COGNITO, 'user-pool-domain': 'Auth.Example.COM' },
        'bypass-secret': BYPASS,
      }),
    ).toStrictEqual({
      kind: 'cognito',
      userPoolArn: USER_POOL,
      userPoolClientId: '1example23456789',
      userPoolDomain: 'auth.example.com',
      bypassSecretArn: BYPASS,
    });
  });

  it('leaves auth out when it is not set', () => {
    expect(authOf(undefined)).toBeUndefined();
  });

  it.each([
    [
      'both logins',
      { ...ALB, auth: { oidc: OIDC, cognito: COGNITO } },
      'preview.routing.auth',
      'both oidc and cognito; expected exactly one of them',
    ],
    [
      'no login',
      { ...ALB, auth: { 'bypass-secret': BYPASS } },
      'preview.routing.auth',
      'neither oidc nor cognito; expected exactly one of them',
    ],
    [
      'auth that is not a map',
      { ...ALB, auth: 'oidc' },
      'preview.routing.auth',
      "got 'oidc'; expected a map with oidc or cognito, and optionally bypass-secret",
    ],
    [
      'auth in dns mode',
      { ...ALB, mode: 'dns', 'listener-arn': undefined, 'vpc-id': undefined, auth: { oidc: OIDC } },
      'preview.routing.auth',
      'only used when mode is alb; expected mode: alb, or no auth',
    ],
    [
      'an issuer over plain HTTP',
      { ...ALB, auth: { oidc: { ...OIDC, issuer: 'http://login.example.com' } } },
      'preview.routing.auth.oidc.issuer',
      "got 'http://login.example.com'; expected the https:// URL of the provider's issuer",
    ],
    [
      'a token endpoint that is no URL',
      { ...ALB, auth: { oidc: { ...OIDC, 'token-endpoint': 'token' } } },
      'preview.routing.auth.oidc.token-endpoint',
      "got 'token'; expected the https:// URL of the provider's token endpoint",
    ],
    [
      'a missing client id',
      { ...ALB, auth: { oidc: { ...OIDC, 'client-id': undefined } } },
      'preview.routing.auth.oidc.client-id',
      'missing; expected the client ID registered with the provider',
    ],
    [
      'a client secret written in the file instead of its ARN',
      { ...ALB, auth: { oidc: { ...OIDC, 'client-secret': 's3cr3t' } } },
      'preview.routing.auth.oidc.client-secret',
      "got 's3cr3t'; expected the ARN of a Secrets Manager secret holding the client secret (arn:aws:secretsmanager:<region>:<account>:secret:<name>)",
    ],
    [
      'a bypass secret that is an SSM parameter',
      { ...ALB, auth: { oidc: OIDC, 'bypass-secret': 'ssm:/previews/bypass' } },
      'preview.routing.auth.bypass-secret',
      "got 'ssm:/previews/bypass'; expected the ARN of a Secrets Manager secret holding the value of the bypass header (arn:aws:secretsmanager:<region>:<account>:secret:<name>)",
    ],
    [
      'a typo in an OIDC key',
      { ...ALB, auth: { oidc: { ...OIDC, 'userinfo-endpoint': 'x' } } },
      'preview.routing.auth.oidc.userinfo-endpoint',
      "unknown key; did you mean 'user-info-endpoint'?",
    ],
    [
      'a user pool id instead of its ARN',
      { ...ALB, auth: { cognito: { ...COGNITO, 'user-pool-arn': 'us-east-1_abcdEFGH' } } },
      'preview.routing.auth.cognito.user-pool-arn',
      "got 'us-east-1_abcdEFGH'; expected the ARN of a Cognito user pool (arn:aws:cognito-idp:<region>:<account>:userpool/<id>)",
    ],
    [
      'a user pool domain given as a URL',
      {
        ...ALB,
        auth: {
          cognito: {
            ...COGNITO,
            'user-pool-domain': 'https://acme.auth.us-east-1.amazoncognito.com',
          },
        },
      },
      'preview.routing.auth.cognito.user-pool-domain',
      "got 'https://acme.auth.us-east-1.amazoncognito.com'; expected the user pool's domain prefix or custom domain, such as acme-previews",
    ],
    [
      'a client id with a space',
      { ...ALB, auth: { cognito: { ...COGNITO, 'user-pool-client-id': 'abc def' } } },
      'preview.routing.auth.cognito.user-pool-client-id',
      "got 'abc def'; expected the ID of an app client of the user pool",
    ],
  ])('rejects %s, naming the key', (_case, routing, path, message) => {
    expect(issuesOf(routing)).toContainEqual({ path, message });
  });
});
