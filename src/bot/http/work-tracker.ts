/**
 * Counts the App's background work (what a delivery queues after it is acknowledged), so a test
 * can wait until everything it caused has finished before asserting that nothing happened, and
 * shutdown can wait for it too.
 */
export class WorkTracker {
  private started = 0;
  private finished = 0;
  private readonly waiting = new Set<() => void>();

  track(work: Promise<unknown>): void {
    this.started++;
    const done = (): void => {
      this.finished++;
      if (this.pending === 0) for (const wake of this.waiting) wake();
    };
    work.then(done, done);
  }

  get pending(): number {
    return this.started - this.finished;
  }

  snapshot(): { started: number; finished: number; pending: number } {
    return { started: this.started, finished: this.finished, pending: this.pending };
  }

  /** Resolves once no tracked work is running. */
  idle(): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = (): void => {
        this.waiting.delete(wake);
        resolve();
      };
      this.waiting.add(wake);
    });
  }
}
