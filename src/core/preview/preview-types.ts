import type { AwsClients } from '../aws/clients.js';
import type { Logger } from '../logger.js';
import type { Inheritable, PreviewIdentity } from './preview-identity.js';
import type { PreviewRouter } from './router.js';
import type { RoutingSettings } from './routing-types.js';

/** What the engine needs from `preview:` in `.github/ecs-paas.yml`. */
export interface PreviewSettings {
  readonly cluster: string;
  /** Base task definition family. */
  readonly taskDefinition: string;
  readonly container?: string;
  readonly launchType: 'FARGATE' | 'EC2' | 'EXTERNAL';
  readonly subnets: readonly string[];
  readonly securityGroups: readonly string[];
  readonly assignPublicIp: boolean;
  readonly routing: RoutingSettings;
  readonly env: Readonly<Record<string, string>>;
  readonly maxPreviews: number;
  readonly forks: 'require-approval' | 'never';
  /**
   * What the preview runs as. Left out, it runs with no task role and no secrets, whatever the
   * base definition has; a fork's preview never gets either (see preview-identity.ts).
   */
  readonly taskRoleArn?: string;
  /** Left out, the base definition's execution role is kept: it pulls the image and ships logs. */
  readonly executionRoleArn?: string;
  /** Environment variable name → SSM parameter (name or ARN) or Secrets Manager secret ARN. */
  readonly secrets?: Readonly<Record<string, string>>;
  /** Parts of the base definition the preview keeps; none by default. */
  readonly inherit?: readonly Inheritable[];
  /** Task-level CPU units and memory (MiB), overriding the base definition's. */
  readonly cpu?: string;
  readonly memory?: string;
  /** Run on these capacity providers (FARGATE_SPOT) instead of `launchType`. */
  readonly capacityProviderStrategy?: readonly CapacityProviderItem[];
}

export interface CapacityProviderItem {
  readonly capacityProvider: string;
  readonly weight: number;
  readonly base: number;
}

/**
 * Who can open a preview's URL. `open-http` (dns mode): plain HTTP with no login, open to anyone
 * who can reach the name. `https`: served over the ALB's HTTPS listener.
 */
export type PreviewAccess = 'open-http' | 'https';

/** The pull request a preview belongs to. */
export interface PullRequestRef {
  /** `owner/repo` of the base repository. */
  readonly repo: string;
  readonly number: number;
  readonly sha: string;
  readonly branch: string;
  readonly author: string;
  /** The head lives in another repository. */
  readonly fork: boolean;
}

export interface LaunchRequest {
  readonly pr: PullRequestRef;
  /** The image for the head SHA, pinned by digest. */
  readonly image: string;
  /** Login that caused the launch (the PR author, or who typed `/deploy`). */
  readonly launchedBy: string;
  /** A maintainer approved this fork PR with `/deploy`. */
  readonly approved?: boolean;
  /** Asked before the switch-over: is this SHA still the PR's head? A `false` discards the launch. */
  readonly isCurrentHead?: (sha: string) => Promise<boolean>;
  /** A relaunch after a crash: recorded on the task (`ecs-paas:relaunches`) to cap retries per SHA. */
  readonly relaunches?: number;
}

export interface PreviewDeps {
  readonly aws: AwsClients;
  readonly router: PreviewRouter;
  readonly log: Logger;
  /** How long a task may take to reach RUNNING. */
  readonly startTimeoutMs?: number;
  readonly pollMs?: number;
}

/** What the engine did, for the App's comment and the Action's outputs alike. */
export type PreviewResult =
  | {
      readonly kind: 'launched' | 'replaced';
      readonly url: string;
      readonly sha: string;
      readonly taskArn: string;
      readonly ip: string;
      readonly image: string;
      /** Tasks of older heads that were stopped. */
      readonly stopped: readonly string[];
      readonly seconds: number;
      readonly since: Date;
      /** `/preview keep` carried over from the task this one replaced. */
      readonly keepUntil?: Date;
      /** The task role and secret names the preview runs with, for the comment. */
      readonly identity?: PreviewIdentity;
      readonly access?: PreviewAccess;
    }
  | {
      readonly kind: 'unchanged';
      readonly url: string;
      readonly sha: string;
      readonly taskArn: string;
      /** When the serving task was launched, so a repeated report reads the same. */
      readonly since?: Date;
      /** Exempt from idle teardown until then (`/preview keep`). */
      readonly keepUntil?: Date;
      /** Read back from the serving task's revision; left out when it could not be read. */
      readonly identity?: PreviewIdentity;
      readonly access?: PreviewAccess;
    }
  | {
      readonly kind: 'torn-down';
      readonly stopped: readonly string[];
      readonly hostnames: readonly string[];
    }
  | { readonly kind: 'refused'; readonly reason: string }
  | { readonly kind: 'discarded'; readonly sha: string; readonly reason: string }
  | { readonly kind: 'failed'; readonly reason: string; readonly details: readonly string[] };
