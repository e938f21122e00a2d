/** How a preview is reached. Parsed from `preview.routing` in `.github/ecs-paas.yml`. */
export type RoutingSettings = DnsRoutingSettings | AlbRoutingSettings;

interface CommonRouting {
  /** Parent domain, e.g. `preview.example.com`; previews live at `<label>.<domain>`. */
  readonly domain: string;
  readonly hostedZoneId: string;
  /** Container port the preview serves on. */
  readonly port: number;
  /** Label template, default `pr-{number}-{repo}`. */
  readonly subdomain: string;
  /** `routing.ready-timeout`: how long a new preview may take to answer before it is unhealthy. */
  readonly readyTimeoutMs?: number;
}

/** A Route 53 A record straight to the task's IP (TTL 60). */
export interface DnsRoutingSettings extends CommonRouting {
  readonly mode: 'dns';
  /** Probed over HTTP on the task's private address when its container has no `healthCheck`. */
  readonly healthCheckPath?: string;
}

/** A target group (type ip) and a host-header rule on a shared HTTPS listener; Route 53 alias to the ALB. */
export interface AlbRoutingSettings extends CommonRouting {
  readonly mode: 'alb';
  readonly listenerArn: string;
  readonly vpcId: string;
  readonly healthCheckPath: string;
  /** Who may open a preview: a login before each rule's forward. Left out, previews are open. */
  readonly auth?: PreviewAuth;
}

/** `routing.auth`: an `authenticate-oidc` or `authenticate-cognito` action before the forward. */
export type PreviewAuth = OidcAuth | CognitoAuth;

interface CommonAuth {
  /**
   * Secrets Manager ARN whose value, sent as the `x-ecs-paas-bypass` header, reaches the preview
   * without a login (CI end-to-end runs), through a rule of its own ahead of the authenticated one.
   */
  readonly bypassSecretArn?: string;
}

/** Any OpenID Connect provider; the client secret is read from Secrets Manager when a rule is written. */
export interface OidcAuth extends CommonAuth {
  readonly kind: 'oidc';
  readonly issuer: string;
  readonly authorizationEndpoint: string;
  readonly tokenEndpoint: string;
  readonly userInfoEndpoint: string;
  readonly clientId: string;
  readonly clientSecretArn: string;
}

/** A Cognito user pool, its app client and its domain (prefix or custom domain). */
export interface CognitoAuth extends CommonAuth {
  readonly kind: 'cognito';
  readonly userPoolArn: string;
  readonly userPoolClientId: string;
  readonly userPoolDomain: string;
}

/**
 * A router that can tell, before anything is launched, that the routes it would make are not
 * what the config promises (a listener without HTTPS, no certificate for the domain, an unusable
 * secret), so a launch is refused before a revision is registered or a task is run.
 */
export interface RoutePreflight {
  /** What to fix, in words for the PR comment (no ARNs), or undefined when all is ready. AWS errors are thrown. */
  preflight(): Promise<string | undefined>;
}

/** One preview to route: its host name and where its task listens. */
export interface RouteTarget {
  /** `<label>.<domain>` without a trailing dot. */
  readonly hostname: string;
  readonly label: string;
  readonly ip: string;
  readonly port: number;
  /** `owner/repo`, PR number and SHA: put on every resource created, as `ecs-paas:*` tags. */
  readonly repo: string;
  readonly pr: number;
  readonly sha: string;
}

/** The tag keys every managed resource carries (DESIGN.md, "State"). */
export const TAGS = {
  managed: 'ecs-paas:managed',
  repo: 'ecs-paas:repo',
  pr: 'ecs-paas:pr',
  sha: 'ecs-paas:sha',
  subdomain: 'ecs-paas:subdomain',
  launchedBy: 'ecs-paas:launched-by',
  lastActivity: 'ecs-paas:last-activity',
  /** When the launch began (ISO 8601): orders racing launches even where ECS gives no createdAt. */
  launchedAt: 'ecs-paas:launched-at',
  /** The preview's URL, so a fleet listing needs nothing but the task. */
  url: 'ecs-paas:url',
  /** `/preview keep`: no idle teardown before this time (ISO 8601). */
  keepUntil: 'ecs-paas:keep-until',
  /**
   * Where the preview's route lives (mode, zone, domain, listener, VPC), recorded at launch so a
   * teardown needs nothing but the task: the config may since have been deleted, broken or moved.
   */
  routing: 'ecs-paas:routing',
  zone: 'ecs-paas:zone',
  domain: 'ecs-paas:domain',
  listener: 'ecs-paas:listener',
  vpc: 'ecs-paas:vpc',
} as const;

/** The `startedBy` every preview task is started with, so one ListTasks finds them all. */
export const STARTED_BY = 'ecs-paas';

/**
 * ECS rejects tag values outside letters, digits, spaces and `_ . : / = + - @` (a bot's login such
 * as `dependabot[bot]` would fail RunTask), and longer than 256 characters.
 */
export function tagValue(value: string): string {
  return value.replace(/[^\p{L}\p{Z}\p{N}_.:/=+\-@]/gu, '-').slice(0, 256);
}
