import type { Action, Rule, RuleCondition } from '@aws-sdk/client-elastic-load-balancing-v2';
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { withContext } from '../errors.js';
import type { PreviewAuth } from './routing-types.js';

/** The header a CI run sends with the bypass secret's value to reach a preview without a login. */
export const BYPASS_HEADER = 'x-ecs-paas-bypass';

/**
 * The load balancer compares header values without case and reads `*` and `?` as wildcards, so
 * a short value or one with a wildcard (`*` alone would open every preview) is refused.
 */
const BYPASS_VALUE = /^[A-Za-z0-9._~+/=-]{32,128}$/;

/** A secret that cannot be used as configured: the message names the key, never the value or ARN. */
export class AuthSecretProblem extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AuthSecretProblem';
  }
}

/** `routing.auth` with its secrets read: what the preview's rules are written from. */
export interface ResolvedAuth {
  /** The `authenticate-*` action put before the forward (without its Order). */
  readonly login?: Action;
  /** The bypass header's value. */
  readonly bypass?: string;
}

async function readSecret(
  secrets: SecretsManagerClient,
  arn: string,
  key: string,
): Promise<string> {
  let value: string | undefined;
  try {
    ({ SecretString: value } = await secrets.send(new GetSecretValueCommand({ SecretId: arn })));
  } catch (error) {
    throw withContext(`Could not read ${key} from Secrets Manager`, error);
  }
  value = value?.trim();
  if (!value) {
    throw new AuthSecretProblem(
      `${key} names a secret without a text value: store the value in it as plain text`,
    );
  }
  return value;
}

/** Reads the secrets `auth` names (each time: a rotated secret is picked up by the next rule written). */
export async function resolveAuth(
  secrets: SecretsManagerClient | undefined,
  auth: PreviewAuth | undefined,
): Promise<ResolvedAuth> {
  if (!auth) return {};
  if (!secrets) throw new Error('routing.auth is set but no Secrets Manager client was given');
  let bypass: string | undefined;
  if (auth.bypassSecretArn) {
    bypass = await readSecret(secrets, auth.bypassSecretArn, 'routing.auth.bypass-secret');
    if (!BYPASS_VALUE.test(bypass)) {
      throw new AuthSecretProblem(
        'routing.auth.bypass-secret holds a value the load balancer cannot match safely; expected 32 to 128 letters, digits or - . _ ~ + / = (header values are compared without case, and * or ? would match any value)',
      );
    }
  }
  const login: Action =
    auth.kind === 'oidc'
      ? {
          Type: 'authenticate-oidc',
          AuthenticateOidcConfig: {
            Issuer: auth.issuer,
            AuthorizationEndpoint: auth.authorizationEndpoint,
            TokenEndpoint: auth.tokenEndpoint,
            UserInfoEndpoint: auth.userInfoEndpoint,
            ClientId: auth.clientId,
            ClientSecret: await readSecret(
              secrets,
              auth.clientSecretArn,
              'routing.auth.oidc.client-secret',
            ),
            OnUnauthenticatedRequest: 'authenticate',
          },
        }
      : {
          Type: 'authenticate-cognito',
          AuthenticateCognitoConfig: {
            UserPoolArn: auth.userPoolArn,
            UserPoolClientId: auth.userPoolClientId,
            UserPoolDomain: auth.userPoolDomain,
            OnUnauthenticatedRequest: 'authenticate',
          },
        };
  return { login, ...(bypass !== undefined && { bypass }) };
}

/** The preview rule's actions: the login first (Order 1), then the forward (Order 2). */
export function previewActions(auth: ResolvedAuth, groupArn: string): Action[] {
  const forward: Action = { Type: 'forward', TargetGroupArn: groupArn };
  return auth.login
    ? [
        { ...auth.login, Order: 1 },
        { ...forward, Order: 2 },
      ]
    : [forward];
}

/** The bypass rule's conditions: the preview's host and the header with the secret value. */
export function bypassConditions(hostname: string, value: string): RuleCondition[] {
  return [
    { Field: 'host-header', HostHeaderConfig: { Values: [hostname] } },
    { Field: 'http-header', HttpHeaderConfig: { HttpHeaderName: BYPASS_HEADER, Values: [value] } },
  ];
}

/** A rule is a bypass rule when one of its conditions is on the bypass header. */
export function isBypassRule(rule: Rule): boolean {
  return (rule.Conditions ?? []).some(
    (c) =>
      c.Field === 'http-header' &&
      c.HttpHeaderConfig?.HttpHeaderName?.toLowerCase() === BYPASS_HEADER,
  );
}

/** The values the bypass rule's header condition matches. */
export function bypassValues(rule: Rule): string[] {
  return (rule.Conditions ?? [])
    .filter((c) => c.Field === 'http-header')
    .flatMap((c) => c.HttpHeaderConfig?.Values ?? []);
}

/** What a rule's actions do, in a form two sets of actions can be compared by. */
function actionKey(action: Action): unknown[] {
  const oidc = action.AuthenticateOidcConfig;
  const cognito = action.AuthenticateCognitoConfig;
  return [
    action.Type,
    // A simple forward may be reported as TargetGroupArn, as ForwardConfig, or as both.
    [
      ...new Set(
        [
          action.TargetGroupArn,
          ...(action.ForwardConfig?.TargetGroups ?? []).map((t) => t.TargetGroupArn),
        ].filter((arn) => arn !== undefined),
      ),
    ].sort(),
    oidc && [
      oidc.Issuer,
      oidc.AuthorizationEndpoint,
      oidc.TokenEndpoint,
      oidc.UserInfoEndpoint,
      oidc.ClientId,
      // AWS never reports the secret: an unreported one counts as different, so it is rewritten.
      oidc.ClientSecret,
    ],
    cognito && [cognito.UserPoolArn, cognito.UserPoolClientId, cognito.UserPoolDomain],
  ];
}

/** Do the rule's actions already do what `wanted` does, in the same order? */
export function sameActions(have: readonly Action[], wanted: readonly Action[]): boolean {
  const ordered = (actions: readonly Action[]) =>
    [...actions].sort((a, b) => (a.Order ?? 0) - (b.Order ?? 0)).map(actionKey);
  return JSON.stringify(ordered(have)) === JSON.stringify(ordered(wanted));
}
