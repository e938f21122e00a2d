import type { PreviewConfig } from '../../core/config/repo-config.js';
import type { PreviewTask } from '../../core/preview/preview-tasks.js';
import type { PreviewDeps } from '../../core/preview/preview-types.js';
import type { RoutedHost } from '../../core/preview/router.js';
import type { StopReason } from '../../core/report/preview-comment.js';
import type { TeardownReason } from '../app-metrics.js';
import type { InstalledRepo } from './installed-repositories.js';

/** A repository whose config has previews on. */
export interface SweptRepo extends InstalledRepo {
  /** `owner/repo`, as the tasks' tags name it. */
  readonly full: string;
  readonly config: PreviewConfig;
  readonly deps: PreviewDeps;
}

/** One PR's tasks in one cluster, before the sweep knows which config covers them. */
export interface UnownedPreview {
  readonly full: string;
  readonly pr: number;
  readonly tasks: readonly PreviewTask[];
  readonly cluster: string;
}

/** One PR's preview as the sweep found it, in the cluster its repository's config names. */
export interface FoundPreview extends UnownedPreview {
  readonly owner: SweptRepo;
}

/**
 * A preview no config covers (deleted, invalid or moved config, or a repository the App is no
 * longer installed on) that the sweep tears down from its tags.
 */
export interface StrayPreview extends UnownedPreview {
  /** Its repository while the App is still installed there, so its PR can be told. */
  readonly installed?: InstalledRepo;
  readonly why: string;
}

/** A preview the sweep stops, and what to tell its PR. */
export interface Doomed extends FoundPreview {
  readonly reason: Extract<TeardownReason, 'closed' | 'idle'>;
  readonly stopped: StopReason;
  /** Host names to unroute. */
  readonly hostnames: readonly string[];
}

/** A routing (zone, domain, mode…) shared by one or more repositories, read once per sweep. */
export interface RoutingGroup {
  readonly repos: SweptRepo[];
  readonly deps: PreviewDeps;
  routed?: Map<string, RoutedHost>;
}

export interface SweepReport {
  readonly trigger: string;
  readonly startedAt: string;
  readonly seconds: number;
  readonly repositories: number;
  readonly previews: number;
  readonly stopped: Readonly<Record<Doomed['reason'], number>>;
  /** DNS records, rules and target groups without a task, removed. */
  readonly orphanRoutes: number;
  /** PRs handed to the reconcile loop: head moved, route missing, duplicate tasks, draft, a lost `opened`… */
  readonly reconciled: number;
  /** `/deploy <env>` Deployments left in progress by an App that stopped mid-rollout, marked error. */
  readonly interruptedDeploys: number;
  /** Preview tasks that stopped behind ecs-paas's back, reported to their PR (and relaunched). */
  readonly crashed: number;
  readonly kept: number;
  /** Idle by their request count at a first look: stopped by a later sweep that agrees. */
  readonly pendingIdle: number;
  /** Previews whose request count could not be read (left running, tried again next sweep). */
  readonly unknownActivity: number;
  /** Stopped by PR activity alone: their request count was unreadable for idle-after × 3. */
  readonly judgedWithoutRequests: number;
  /** What went wrong; a sweep with problems still does the parts it can prove safe. */
  readonly problems: readonly string[];
}
