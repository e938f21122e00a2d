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
  /**
   * When work for each key last started, on one counter: the sweep's "has this PR moved?" check.
   * Only starts after an outstanding mark can change an answer, so the rest are forgotten and the
   * map holds the keys with work in hand or started since the oldest mark, not every PR ever seen.
   */
  private readonly started = new Map<string, number>();
  /** Marks handed out and not yet released, each with how many holders. */
  private readonly marks = new Map<number, number>();
  private seq = 0;

  run<T>(key: string, work: () => Promise<T>): Promise<T> {
    return this.runAfter(key, () => work());
  }

  /**
   * Runs work holding several keys at once, taken one after another in sorted order. Nothing else
   * holds two keys, so this cannot deadlock; events for those keys wait until the work is done.
   * `work` learns which keys saw no other work between `since` and the moment they were taken.
   * `since` must not have been released yet.
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

  /** The present, for a later runAll; release it when done so the queue can forget older starts. */
  mark(): QueueMark {
    this.marks.set(this.seq, (this.marks.get(this.seq) ?? 0) + 1);
    return { seq: this.seq, busy: new Set(this.tails.keys()) };
  }

  release(mark: QueueMark): void {
    const holders = this.marks.get(mark.seq) ?? 0;
    if (holders > 1) this.marks.set(mark.seq, holders - 1);
    else this.marks.delete(mark.seq);
    for (const key of this.started.keys()) this.forget(key);
  }

  /** How many keys the queue remembers anything about (work in hand or a start it may be asked about). */
  get remembered(): number {
    return new Set([...this.tails.keys(), ...this.started.keys()]).size;
  }

  private runAfter<T>(key: string, work: (previousStart: number) => Promise<T>): Promise<T> {
    const begin = (): Promise<T> => {
      const previous = this.started.get(key) ?? 0;
      this.started.set(key, ++this.seq);
      return work(previous);
    };
    const previous = this.tails.get(key) ?? Promise.resolve();
    const next = previous.then(begin, begin);
    // Registered on `next` before the caller can await it, so the key is idle again by the time
    // the caller goes on: a mark it takes next must not count its own finished work as running.
    const settle = (): void => {
      if (this.tails.get(key) !== tail) return;
      this.tails.delete(key);
      this.forget(key);
    };
    const tail: Promise<void> = next.then(settle, settle);
    this.tails.set(key, tail);
    return next;
  }

  /**
   * Drops a key's last start when no runAll can be told anything by it: nothing is queued for the
   * key (queued work reads it when it begins) and it is no later than every outstanding mark, where
   * "never started" (0) gives the same answer.
   */
  private forget(key: string): void {
    const start = this.started.get(key);
    if (start === undefined || this.tails.has(key)) return;
    if (start <= Math.min(...this.marks.keys())) this.started.delete(key);
  }

  /** Resolves when every queued piece of work has finished (for graceful shutdown and tests). */
  async idle(): Promise<void> {
    while (this.tails.size > 0) await Promise.all([...this.tails.values()]);
  }
}
