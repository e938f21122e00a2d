import type { AwsClients } from '../core/aws/clients.js';
import type { Logger } from '../core/logger.js';
import { createRouter } from '../core/preview/create-router.js';
import type { PreviewDeps, PreviewSettings } from '../core/preview/preview-types.js';
import type { PreviewRouter } from '../core/preview/router.js';
import { KeyedQueue } from './pr-queue.js';

/** What every handler shares: AWS, the per-PR queue and the routers, built once per process. */
export class BotServices {
  readonly queue = new KeyedQueue();
  private readonly routers = new Map<string, Promise<PreviewRouter>>();

  constructor(
    readonly aws: AwsClients,
    readonly log: Logger,
    private readonly timing: { pollMs?: number; startTimeoutMs?: number } = {},
  ) {}

  /** Engine dependencies for a repository's preview settings (routers are reused per routing). */
  async previewDeps(settings: PreviewSettings): Promise<PreviewDeps> {
    const key = JSON.stringify(settings.routing);
    let router = this.routers.get(key);
    if (!router) {
      router = createRouter(this.aws, settings.routing);
      this.routers.set(key, router);
    }
    return { aws: this.aws, router: await router, log: this.log, ...this.timing };
  }
}
