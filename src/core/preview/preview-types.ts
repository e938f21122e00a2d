import type { AwsClients } from '../aws/clients.js';
import type { Logger } from '../logger.js';
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
}

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
    }
  | {
      readonly kind: 'torn-down';
      readonly stopped: readonly string[];
      readonly hostnames: readonly string[];
    }
  | { readonly kind: 'refused'; readonly reason: string }
  | { readonly kind: 'discarded'; readonly sha: string; readonly reason: string }
  | { readonly kind: 'failed'; readonly reason: string; readonly details: readonly string[] };
