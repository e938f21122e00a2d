import type { SleepingRoute } from '../../core/preview/alb-wake-rules.js';
import { hostKey } from '../../core/preview/router.js';

export type HostLookup =
  | { readonly kind: 'asleep'; readonly route: SleepingRoute }
  /** Under a preview domain, but no sleeping preview of ours: the visitor gets a 404, nothing else. */
  | { readonly kind: 'unknown' }
  /** Not a preview's name at all (the App's own host): the App's other handlers answer. */
  | { readonly kind: 'other' };

/** How long one read of the sleeping previews answers for; a flood of requests reads AWS once. */
export const SLEEPING_TTL_MS = 5_000;

/**
 * The sleeping previews as AWS says, read at most once per SLEEPING_TTL_MS however many requests
 * arrive, and never because of what a request names: a visitor cannot make the App call AWS more
 * often by sending other hosts. The domains of sleeping previews are remembered for the process,
 * so a name under one stays the wake handler's (404) after its preview woke or went.
 */
export class SleepingHosts {
  private routes = new Map<string, SleepingRoute>();
  private readonly domains = new Set<string>();
  private readAt = Number.NEGATIVE_INFINITY;
  private reading: Promise<void> | undefined;

  constructor(
    private readonly read: () => Promise<SleepingRoute[]>,
    private readonly now: () => number,
    /** A read failed: the last one found keeps answering, so a preview's name stays ours. */
    private readonly onError: (error: unknown) => void = () => undefined,
  ) {}

  async lookup(hostname: string): Promise<HostLookup> {
    const host = hostKey(hostname);
    if (this.now() - this.readAt >= SLEEPING_TTL_MS) await this.refresh();
    const route = this.routes.get(host);
    if (route) return { kind: 'asleep', route };
    const dot = host.indexOf('.');
    return dot > 0 && this.domains.has(host.slice(dot + 1))
      ? { kind: 'unknown' }
      : { kind: 'other' };
  }

  /** The next lookup reads AWS again: a wake here just changed what it would find. */
  expire(): void {
    this.readAt = Number.NEGATIVE_INFINITY;
  }

  /** One read of AWS for every caller waiting on it. */
  private refresh(): Promise<void> {
    this.reading ??= this.read()
      .then((routes) => {
        this.routes = new Map(routes.map((r) => [hostKey(r.hostname), r]));
        for (const host of this.routes.keys()) {
          const dot = host.indexOf('.');
          if (dot > 0) this.domains.add(host.slice(dot + 1));
        }
      }, this.onError)
      .finally(() => {
        // A failed read is tried again after the same wait: AWS is not asked at every request.
        this.readAt = this.now();
        this.reading = undefined;
      });
    return this.reading;
  }
}
