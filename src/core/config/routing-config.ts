import { z } from 'zod';
import type { PreviewAuth, RoutingSettings } from '../preview/routing-types.js';
import { SUBDOMAIN_PLACEHOLDERS } from '../preview/subdomain.js';
import { parseDuration } from '../duration.js';
import { expected, got, integer, isMap, matching, section, text } from './config-fields.js';

const DNS_NAME = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$/;
const LISTENER_ARN =
  /^arn:aws(-[a-z]+)*:elasticloadbalancing:[a-z0-9-]+:\d{12}:listener\/app\/[\w-]+\/[0-9a-f]+\/[0-9a-f]+$/;

const SECRET_ARN = /^arn:aws(-[a-z]+)*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[\w/+=.@-]+$/;
const USER_POOL_ARN = /^arn:aws(-[a-z]+)*:cognito-idp:[a-z0-9-]+:\d{12}:userpool\/[\w-]+$/;
const DOMAIN_OR_PREFIX =
  /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;

const MODE_FORM = 'dns or alb';
const TEMPLATE_FORM =
  'a label template with {number}, using only {number}, {repo}, {owner} and {branch}';

/** `pr-{number}-{repo}` → why the template cannot name every PR apart, or undefined when it can. */
function templateProblem(template: string): string | undefined {
  const names = [...template.matchAll(/\{([^{}]*)\}/g)].map((match) => match[1] ?? '');
  const stray = names.find((name) => !(SUBDOMAIN_PLACEHOLDERS as readonly string[]).includes(name));
  if (stray !== undefined) return `{${stray}} is not a placeholder`;
  if (/[{}]/.test(template.replace(/\{[^{}]*\}/g, ''))) return 'a brace without its pair';
  if (!names.includes('number')) return 'no {number}, so pull requests would share one name';
  return undefined;
}

const subdomainTemplate = z
  .string(expected(TEMPLATE_FORM))
  .superRefine((template, ctx) => {
    const problem = templateProblem(template);
    if (problem !== undefined) {
      ctx.addIssue({
        code: 'custom',
        message: `${got(template)} (${problem}); expected ${TEMPLATE_FORM}`,
      });
    }
  })
  .default('pr-{number}-{repo}');

/** An absolute path only: `//host` would name another server to a URL parser. */
const healthCheckPath = matching(
  /^\/(?!\/)[^\s#]*$/,
  "a URL path starting with a single '/', such as /healthz",
).default('/');

const DEFAULT_READY_MS = 5 * 60_000;
const READY_FORM = 'a duration from 10s to 1h such as 90s or 5m';

/** `routing.ready-timeout`: how long a launched preview may take to answer. */
const readyTimeout = z
  .union([z.string(), z.number()], expected(READY_FORM))
  .optional()
  .transform((raw, ctx): number => {
    if (raw === undefined) return DEFAULT_READY_MS;
    const ms = parseDuration(String(raw));
    if (ms === undefined || ms < 10_000 || ms > 3_600_000) {
      ctx.addIssue({ code: 'custom', input: raw, message: `${got(raw)}; expected ${READY_FORM}` });
      return z.NEVER;
    }
    return ms;
  });

const common = {
  domain: z
    .string(expected('a DNS name without a trailing dot, such as preview.example.com'))
    .trim()
    .toLowerCase()
    .regex(DNS_NAME),
  'hosted-zone-id': matching(
    /^[A-Z0-9]{1,32}$/,
    'a Route 53 hosted zone ID (capital letters and digits, no /hostedzone/ prefix) such as Z0123456789ABCDEFGHIJ',
  ),
  port: integer(1, 65_535, 'an integer from 1 to 65535').default(80),
  subdomain: subdomainTemplate,
  'health-check-path': healthCheckPath,
  'ready-timeout': readyTimeout,
};

/** An ALB-only key written in dns mode would be silently ignored: say so instead. */
const albOnly = (key: string) =>
  z.undefined({ error: `only used when mode is alb; expected mode: alb, or no ${key}` }).optional();

const dnsRouting = section(
  {
    mode: z.literal('dns', expected(MODE_FORM)).optional(),
    ...common,
    'listener-arn': albOnly('listener-arn'),
    'vpc-id': albOnly('vpc-id'),
    auth: albOnly('auth'),
  },
  'a map with domain and hosted-zone-id',
);

const secretArn = (what: string) =>
  matching(
    SECRET_ARN,
    `the ARN of a Secrets Manager secret holding ${what} (arn:aws:secretsmanager:<region>:<account>:secret:<name>)`,
  );

/** The load balancer sends users to these and calls them itself: AWS accepts only https:// URLs. */
const httpsUrl = (what: string) =>
  text(`the https:// URL of ${what}`).refine((value) => {
    try {
      return new URL(value).protocol === 'https:';
    } catch {
      return false;
    }
  });

const oidcAuth = section(
  {
    issuer: httpsUrl("the provider's issuer"),
    'authorization-endpoint': httpsUrl("the provider's authorization endpoint"),
    'token-endpoint': httpsUrl("the provider's token endpoint"),
    'user-info-endpoint': httpsUrl("the provider's user info endpoint"),
    'client-id': text('the client ID registered with the provider'),
    'client-secret': secretArn('the client secret'),
  },
  'a map with issuer, authorization-endpoint, token-endpoint, user-info-endpoint, client-id and client-secret',
);

const cognitoAuth = section(
  {
    'user-pool-arn': matching(
      USER_POOL_ARN,
      'the ARN of a Cognito user pool (arn:aws:cognito-idp:<region>:<account>:userpool/<id>)',
    ),
    'user-pool-client-id': matching(/^[\w+]+$/, 'the ID of an app client of the user pool'),
    'user-pool-domain': z
      .string(expected("the user pool's domain prefix or custom domain, such as acme-previews"))
      .trim()
      .toLowerCase()
      .regex(DOMAIN_OR_PREFIX),
  },
  'a map with user-pool-arn, user-pool-client-id and user-pool-domain',
);

const AUTH_FORM = 'a map with oidc or cognito, and optionally bypass-secret';

const auth = section(
  {
    oidc: oidcAuth.optional(),
    cognito: cognitoAuth.optional(),
    'bypass-secret': secretArn('the value of the bypass header').optional(),
  },
  AUTH_FORM,
).transform((value, ctx): PreviewAuth => {
  const { oidc, cognito } = value;
  const bypass = value['bypass-secret'] ? { bypassSecretArn: value['bypass-secret'] } : {};
  if (oidc && !cognito) {
    return {
      kind: 'oidc',
      issuer: oidc.issuer,
      authorizationEndpoint: oidc['authorization-endpoint'],
      tokenEndpoint: oidc['token-endpoint'],
      userInfoEndpoint: oidc['user-info-endpoint'],
      clientId: oidc['client-id'],
      clientSecretArn: oidc['client-secret'],
      ...bypass,
    };
  }
  if (cognito && !oidc) {
    return {
      kind: 'cognito',
      userPoolArn: cognito['user-pool-arn'],
      userPoolClientId: cognito['user-pool-client-id'],
      userPoolDomain: cognito['user-pool-domain'],
      ...bypass,
    };
  }
  // Both would mean two logins in a row, neither no login at all.
  ctx.addIssue({
    code: 'custom',
    input: value,
    message: `${oidc ? 'both oidc and cognito' : 'neither oidc nor cognito'}; expected exactly one of them`,
  });
  return z.NEVER;
});

const albRouting = section(
  {
    mode: z.literal('alb', expected(MODE_FORM)),
    ...common,
    'listener-arn': matching(
      LISTENER_ARN,
      'the ARN of an HTTPS listener of an application load balancer (arn:aws:elasticloadbalancing:<region>:<account>:listener/app/...)',
    ),
    'vpc-id': matching(/^vpc-[0-9a-z]+$/, 'a VPC ID such as vpc-0abc1234'),
    auth: auth.optional(),
  },
  'a map with mode, domain, hosted-zone-id, listener-arn and vpc-id',
);

/** `preview.routing`: DNS records straight to the task (default) or a shared ALB. */
export const routingSchema = z
  .discriminatedUnion('mode', [dnsRouting, albRouting], {
    error: (issue) => {
      // An unmatched mode is raised on the whole map; name the value that was actually wrong.
      const mode: unknown = isMap(issue.input) ? issue.input.mode : issue.input;
      return issue.code === 'invalid_union'
        ? `${got(mode)}; expected ${MODE_FORM}`
        : `${got(issue.input)}; expected a map with domain and hosted-zone-id`;
    },
  })
  .transform((routing): RoutingSettings => {
    const settings = {
      domain: routing.domain,
      hostedZoneId: routing['hosted-zone-id'],
      port: routing.port,
      subdomain: routing.subdomain,
      readyTimeoutMs: routing['ready-timeout'],
    };
    return routing.mode === 'alb'
      ? {
          mode: 'alb',
          ...settings,
          listenerArn: routing['listener-arn'],
          vpcId: routing['vpc-id'],
          healthCheckPath: routing['health-check-path'],
          ...(routing.auth && { auth: routing.auth }),
        }
      : { mode: 'dns', ...settings, healthCheckPath: routing['health-check-path'] };
  });
