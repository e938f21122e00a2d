import type { RouteHandler } from './app-server.js';
import { reply } from './respond.js';
import type { WorkTracker } from './work-tracker.js';

/**
 * `GET /api/test/settled`, served only with NODE_ENV=test: how many deliveries the App accepted
 * and how much of their background work is still running. A test that asserts "nothing happened"
 * waits for `pending: 0` after its delivery was counted, never for a fixed time.
 */
export function settledHandler(accepted: () => number, work: WorkTracker): RouteHandler {
  return (req, res) => {
    if (
      req.method !== 'GET' ||
      new URL(req.url ?? '/', 'http://localhost').pathname !== '/api/test/settled'
    )
      return false;
    reply(res, 200, { deliveries: accepted(), ...work.snapshot() });
    return true;
  };
}
