import { errorMessage } from '../../src/core/errors.js';

/**
 * Polls until `probe` gives something other than undefined or false: the App acknowledges a
 * webhook first and works after. On timeout the error names what did not happen, the probe's last
 * error, and `context()` (the App's output, say).
 */
export async function eventually<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  options: { timeoutMs?: number; context?: () => string } = {},
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 20_000;
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const why = last ? `: ${errorMessage(last)}` : '';
  throw new Error(
    `${what} did not happen within ${timeoutMs} ms${why}${options.context ? `\n${options.context()}` : ''}`,
  );
}
