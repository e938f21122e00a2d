/**
 * At most `limit` command replies per user per PR in a sliding minute: a flood of commands gets
 * reactions, not a wall of comments. Entries older than the window are dropped as it slides, so
 * the map holds only the last minute's repliers.
 */
export class ReplyLimiter {
  private readonly sent = new Map<string, number[]>();

  constructor(
    private readonly limit = 5,
    private readonly windowMs = 60_000,
  ) {}

  /** True (and counted) when a reply may be posted now. */
  take(key: string, now: number): boolean {
    this.prune(now);
    const times = this.sent.get(key) ?? [];
    if (times.length >= this.limit) return false;
    times.push(now);
    this.sent.set(key, times);
    return true;
  }

  get size(): number {
    return this.sent.size;
  }

  private prune(now: number): void {
    for (const [key, times] of this.sent) {
      const recent = times.filter((t) => now - t < this.windowMs);
      if (recent.length === 0) this.sent.delete(key);
      else if (recent.length !== times.length) this.sent.set(key, recent);
    }
  }
}
