import type { IncomingMessage, ServerResponse } from 'node:http';
import { bearerMatches } from '../http/bearer-token.js';
import type { Sweeper } from './sweeper.js';

const PATH = '/api/sweep';

/**
 * `POST /api/sweep` for an external scheduler (EventBridge Scheduler, an Actions cron): starts a
 * sweep and answers 202, or 409 with the running one's start when one runs; `?wait=1` answers
 * with the report when it is done. `GET` tells the running and last sweep. Both want
 * `Authorization: Bearer <ECS_PAAS_API_TOKEN>`; with no token configured the route does not exist.
 */
export function sweepApi(sweeper: Pick<Sweeper, 'start' | 'status'>, token: string | undefined) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (!token || url.pathname !== PATH) return false;
    if (!bearerMatches(req.headers.authorization, token)) {
      reply(
        res,
        401,
        { error: 'Authorization: Bearer <ECS_PAAS_API_TOKEN> is required' },
        {
          'www-authenticate': 'Bearer',
        },
      );
      return true;
    }
    if (req.method === 'GET') {
      reply(res, 200, sweeper.status());
      return true;
    }
    if (req.method !== 'POST') {
      reply(
        res,
        405,
        { error: 'use POST to start a sweep, GET to see the last one' },
        { allow: 'GET, POST' },
      );
      return true;
    }
    const sweep = sweeper.start('api');
    if (!sweep) {
      reply(res, 503, { error: 'the App is shutting down' }, { 'retry-after': '30' });
      return true;
    }
    const { started, run } = sweep;
    if (!started) {
      reply(res, 409, {
        status: 'running',
        startedAt: run.startedAt.toISOString(),
        trigger: run.trigger,
      });
      return true;
    }
    if (['1', 'true'].includes(url.searchParams.get('wait') ?? '')) {
      const outcome = await run.done;
      reply(res, 'failed' in outcome ? 500 : 200, outcome);
      return true;
    }
    reply(res, 202, { status: 'started', startedAt: run.startedAt.toISOString() });
    return true;
  };
}

function reply(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}
