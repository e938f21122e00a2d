import type { AwsClients } from '../core/aws/clients.js';
import { errorMessage } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { createRouter } from '../core/preview/create-router.js';
import type { PreviewDeps, PreviewSettings } from '../core/preview/preview-types.js';
import type { PreviewRouter } from '../core/preview/router.js';
import type { RoutingSettings } from '../core/preview/routing-types.js';
import type { TeardownScope } from '../core/preview/teardown-preview.js';
import { createAwsClients } from '../core/aws/clients.js';
import { grantFor, OPEN_POLICY, type OperatorPolicy } from '../core/policy/operator-policy.js';
import { AppMetrics } from './app-metrics.js';
import type { ConfigCache } from './config-reader.js';
import { WorkTracker } from './http/work-tracker.js';
import { KeyedQueue } from './pr-queue.js';
import type { RepoCredentials } from './repo-credentials.js';
import { previewClusters } from './preview-clusters.js';
import { ReplyLimiter } from './reply-limiter.js';

export interface BotOptions {
  readonly pollMs?: number;
  readonly startTimeoutMs?: number;
  /** The App's clock: tests move it forward to make previews idle without waiting a day. */
  readonly now?: () => Date;
  readonly metrics?: AppMetrics;
  /** What each repository may use; open (no checks) unless the operator gave a policy. */
  readonly policy?: OperatorPolicy;
  /** Sessions of the roles the policy names per repository; without it the App's own identity. */
  readonly credentials?: RepoCredentials;
  /** ECS_PAAS_WAKE_TARGET_GROUP_ARN: the App's own target group, where sleeping previews forward. */
  readonly wakeTargetGroupArn?: string;
}

/** What every handler shares: AWS, the per-PR queue, the routers and metrics, built once per process. */
export class BotServices {
  readonly queue = new KeyedQueue();
  /** Work queued by deliveries after they were acknowledged: shutdown and tests wait on it. */
  readonly work = new WorkTracker();
  /** Command replies per user and PR in the last minute. */
  readonly replyLimiter = new ReplyLimiter();
  /** `/deploy <env>` running per repository and environment, with the link to the command. */
  readonly environmentLocks = new Map<string, string>();
  readonly configCache: ConfigCache = new Map();
  /**
   * When each preview was first seen idle by its request count, so a later sweep can confirm it
   * after CloudWatch's delay. Lost on restart, which only delays a stop by one sweep.
   */
  readonly idleSeen = new Map<string, number>();
  /**
   * When each preview's request count could first not be read: after idle-after × 3 the sweep
   * judges it by PR activity alone. Lost on restart, which only restarts that wait.
   */
  readonly requestsUnreadableSince = new Map<string, number>();
  /** Open PRs (`owner/repo#n`) the sweep saw the App's comment on: not a lost `opened`. */
  readonly handledPulls = new Set<string>();
  /** When PR activity was last written per PR, so a burst of comments writes once (last minute only). */
  readonly recordedActivity = new Map<string, number>();
  readonly metrics: AppMetrics;
  readonly now: () => Date;
  readonly policy: OperatorPolicy;
  /** Wake on request is possible only with the App's target group (see BotOptions). */
  readonly wakeTargetGroupArn: string | undefined;
  private readonly routers = new Map<string, Promise<PreviewRouter>>();
  private readonly credentials: RepoCredentials | undefined;
  /** Clients per repository and PR under the role the policy names, dropped an hour after last use. */
  private readonly repoClients = new Map<string, { clients: AwsClients; usedAt: number }>();
  /** Routers built on a repository's own clients go when those clients go. */
  private readonly repoRouters = new WeakMap<AwsClients, Map<string, Promise<PreviewRouter>>>();
  private readonly timing: { pollMs?: number; startTimeoutMs?: number };

  constructor(
    readonly aws: AwsClients,
    readonly log: Logger,
    options: BotOptions = {},
  ) {
    this.now = options.now ?? (() => new Date());
    this.policy = options.policy ?? OPEN_POLICY;
    this.credentials = options.credentials;
    this.wakeTargetGroupArn = options.wakeTargetGroupArn;
    this.metrics =
      options.metrics ?? new AppMetrics(() => aws.cloudwatch(), log, { now: this.now });
    this.timing = {
      ...(options.pollMs !== undefined && { pollMs: options.pollMs }),
      ...(options.startTimeoutMs !== undefined && { startTimeoutMs: options.startTimeoutMs }),
    };
  }

  /**
   * The AWS clients for one repository's work: under the role the operator's policy names for it
   * (session tags repo and pr), so AWS itself holds the boundary; the App's own otherwise.
   */
  awsFor(repository: string, pr?: number): AwsClients {
    const grant = grantFor(this.policy, repository);
    if (grant === 'open' || !grant?.roleArn || !this.credentials) return this.aws;
    const now = this.now().getTime();
    for (const [key, entry] of this.repoClients) {
      if (now - entry.usedAt > 3_600_000) this.repoClients.delete(key);
    }
    const key = `${grant.roleArn} ${repository}#${pr ?? ''}`;
    let entry = this.repoClients.get(key);
    if (!entry) {
      const credentials = this.credentials.provider(grant.roleArn, repository, pr);
      entry = { clients: createAwsClients(this.aws.region, { credentials }), usedAt: now };
      this.repoClients.set(key, entry);
    }
    entry.usedAt = now;
    return entry.clients;
  }

  /** Engine dependencies for a repository's preview settings (routers are reused per routing). */
  async previewDeps(settings: PreviewSettings, aws: AwsClients = this.aws): Promise<PreviewDeps> {
    return { aws, router: await this.router(settings.routing, aws), log: this.log, ...this.timing };
  }

  /** The router for a routing, made once per routing and set of clients. */
  router(routing: RoutingSettings, aws: AwsClients = this.aws): Promise<PreviewRouter> {
    let routers = this.routers;
    if (aws !== this.aws) {
      routers = this.repoRouters.get(aws) ?? new Map<string, Promise<PreviewRouter>>();
      this.repoRouters.set(aws, routers);
    }
    const key = JSON.stringify(routing);
    let router = routers.get(key);
    if (!router) {
      router = createRouter(aws, routing);
      // A failed creation is tried again next time rather than remembered.
      router.catch(() => routers.delete(key));
      routers.set(key, router);
    }
    return router;
  }

  /**
   * What a teardown needs to find a PR's previews wherever they run: every cluster previews may
   * use, and routers for the routings the tasks' tags name, on the same clients as the work.
   */
  async teardownScope(aws: AwsClients = this.aws): Promise<TeardownScope> {
    let clusters: string[] = [];
    try {
      clusters = await previewClusters(this.policy, aws.ecs);
    } catch (error) {
      // The config's own cluster is still searched; the sweep looks at the others again.
      this.log.warning(errorMessage(error));
    }
    return { clusters, routerFor: (routing) => this.router(routing, aws) };
  }

  /**
   * Forgets routers of routings no repository uses any more (a config changed, an uninstall), so
   * the map does not grow for the life of the process. Work holding one keeps using it; the next
   * previewDeps for a forgotten routing only builds a new one.
   */
  keepRouters(inUse: readonly PreviewSettings[]): void {
    const keys = new Set(inUse.map((settings) => JSON.stringify(settings.routing)));
    for (const key of this.routers.keys()) if (!keys.has(key)) this.routers.delete(key);
  }
}
