import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * The work one delivery started, collected while its handlers run, so a queue worker deletes the
 * message only once that work is done and knows whether it failed. Outside a worker (the
 * in-process default) nothing collects and work runs in the background as before.
 */
const scope = new AsyncLocalStorage<Array<Promise<unknown>>>();

export function collectWork(work: Promise<unknown>): void {
  scope.getStore()?.push(work);
}

/** Runs `receive` and then waits for all work it started; rejects with the first failure. */
export async function runDelivery(receive: () => Promise<void>): Promise<void> {
  const started: Array<Promise<unknown>> = [];
  await scope.run(started, receive);
  const failed = (await Promise.allSettled(started)).find((r) => r.status === 'rejected');
  if (failed?.status === 'rejected') throw failed.reason;
}
