// Set by global-setup.ts; read through the global because this file may not import siblings.
const PRISM_STOP = Symbol.for('ecs-paas.test.prism.stop');

/** Runs once after all test files: stops the Prism that global-setup started. */
export default async function globalTeardown(): Promise<void> {
  const stop = (globalThis as Record<symbol, unknown>)[PRISM_STOP];
  if (typeof stop === 'function') await (stop as () => Promise<void>)();
}
