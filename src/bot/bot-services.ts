import type { AwsClients } from '../core/aws/clients.js';
import type { Logger } from '../core/logger.js';
import { createRouter } from '../core/preview/create-router.js';
import type { PreviewDeps, PreviewSettings } from '../core/preview/preview-types.js';
import type { PreviewRouter } from '../core/preview/router.js';
import { AppMetrics } from './app-metrics.js';
import type { ConfigCache } from './config-reader.js';
import { KeyedQueue } from './pr-queue.js';

export interface BotOptions {
  readonly pollMs?: number;
  readonly startTimeoutMs?: number;
  /** The App's clock: tests move it forward to make previews idle without waiting a day. */
  readonly now?: () => Date;
  readonly metrics?: AppMetrics;
}

/** What every handler shares: AWS, the per-PR queue, the routers and metrics, built once per process. */
export class BotServices {
  readonly queue = new KeyedQueue();
  readonly configCache: ConfigCache = new Map();
  /**
   * When each preview was first seen idle by its request count, so a later sweep can confirm it
   * after CloudWatch's delay. Lost on restart, which only delays a stop by one sweep.
   */
  readonly idleSeen = new Map<string, number>();
  /** When PR activity was last written per PR, so a burst of comments writes once. */
  readonly recordedActivity = new Map<string, number>();
  readonly metrics: AppMetrics;
  readonly now: () => Date;
  private readonly routers = new Map<string, Promise<PreviewRouter>>();
  private readonly timing: { pollMs?: number; startTimeoutMs?: number };

  constructor(
    readonly aws: AwsClients,
    readonly log: Logger,
    options: BotOptions = {},
  ) {
    this.now = options.now ?? (() => new Date());
    this.metrics =
      options.metrics ?? new AppMetrics(() => aws.cloudwatch(), log, { now: this.now });
    this.timing = {
      ...(options.pollMs !== undefined && { pollMs: options.pollMs }),
      ...(options.startTimeoutMs !== undefined && { startTimeoutMs: options.startTimeoutMs }),
    };
  }

  /** Engine dependencies for a repository's preview settings (routers are reused per routing). */
  async previewDeps(settings: PreviewSettings): Promise<PreviewDeps> {
    const key = JSON.stringify(settings.routing);
    let router = this.routers.get(key);
    if (!router) {
      router = createRouter(this.aws, settings.routing);
      // A failed creation is tried again next time rather than remembered.
      router.catch(() => this.routers.delete(key));
      this.routers.set(key, router);
    }
    return { aws: this.aws, router: await router, log: this.log, ...this.timing };
  }
}
