export interface PollOptions {
  /** First delay between polls; doubles up to 15 s. */
  readonly pollMs?: number;
  readonly timeoutMs: number;
}

/** Polls until `probe` returns a value; on timeout throws what `timedOut` makes of the last miss. */
export async function pollUntil<T, M>(
  probe: () => Promise<{ done: T } | { miss: M }>,
  options: PollOptions,
  timedOut: (lastMiss: M) => Error,
): Promise<T> {
  const started = Date.now();
  let delay = options.pollMs ?? 2_000;
  for (;;) {
    const result = await probe();
    if ('done' in result) return result.done;
    if (Date.now() - started + delay > options.timeoutMs) throw timedOut(result.miss);
    await new Promise((resolve) => setTimeout(resolve, delay));
    delay = Math.min(delay * 2, 15_000);
  }
}
