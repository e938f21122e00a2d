/** A point in a queue's history, to ask later whether a key saw work since then. */
export interface QueueMark {
  readonly seq: number;
  readonly busy: ReadonlySet<string>;
}

/**
 * Runs work for one key (a pull request) one at a time, in arrival order; different keys run in
 * parallel. Two pushes in quick succession are then handled as two reconciles in a row, the second
 * of which sees the first's task.
 */
export class KeyedQueue {
  private readonly tails = new Map<string, Promise<unknown>>();
  /** When work for each key last started, on one counter: the sweep's "has this PR moved?" check. */
  private readonly started = new Map<string, number>();
  private seq = 0;

  run<T>(key: string, work: () => Promise<T>): Promise<T> {
    return this.runAfter(key, () => work());
  }

  /**
   * Runs work holding several keys at once, taken one after another in sorted order. Nothing else
   * holds two keys, so this cannot deadlock; events for those keys wait until the work is done.
   * `work` learns which keys saw no other work between `since` and the moment they were taken.
   */
  runAll<T>(
    keys: readonly string[],
    since: QueueMark,
    work: (untouched: ReadonlySet<string>) => Promise<T>,
  ): Promise<T> {
    const sorted = [...new Set(keys)].sort();
    const untouched = new Set<string>();
    const hold = (i: number): Promise<T> => {
      const key = sorted[i];
      if (key === undefined) return work(untouched);
      return this.runAfter(key, (previousStart) => {
        if (!since.busy.has(key) && previousStart <= since.seq) untouched.add(key);
        return hold(i + 1);
      });
    };
    return hold(0);
  }

  mark(): QueueMark {
    return { seq: this.seq, busy: new Set(this.tails.keys()) };
  }

  private runAfter<T>(key: string, work: (previousStart: number) => Promise<T>): Promise<T> {
    const begin = (): Promise<T> => {
      const previous = this.started.get(key) ?? 0;
      this.started.set(key, ++this.seq);
      return work(previous);
    };
    const previous = this.tails.get(key) ?? Promise.resolve();
    const next = previous.then(begin, begin);
    const tail = next.catch(() => undefined);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return next;
  }

  /** Resolves when every queued piece of work has finished (for graceful shutdown and tests). */
  async idle(): Promise<void> {
    while (this.tails.size > 0) await Promise.all([...this.tails.values()]);
  }
}
