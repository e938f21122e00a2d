import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { reply } from './respond.js';

export type RouteHandler = (
  req: IncomingMessage,
  res: ServerResponse,
) => Promise<boolean | void> | boolean | void;

export interface ServerLimits {
  /** A client must send all its headers within this long (slowloris). */
  readonly headersTimeoutMs: number;
  /** …and its whole request, body included, within this long. */
  readonly requestTimeoutMs: number;
}

export const DEFAULT_LIMITS: ServerLimits = { headersTimeoutMs: 10_000, requestTimeoutMs: 30_000 };

/**
 * The App's one HTTP server: each handler in turn may answer; nothing answered is a 404. A slow or
 * stalled sender is cut off by Node's header and request timeouts, checked every second rather
 * than Node's default 30 s so a stalled socket is not held long past its deadline.
 */
export function createAppServer(
  handlers: readonly RouteHandler[],
  limits: ServerLimits,
  onError: (error: unknown) => void,
): Server {
  const server = createServer(
    {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      connectionsCheckingInterval: 1_000,
      // Header floods: Node's default is 16 KB; GitHub sends far less.
      maxHeaderSize: 16_384,
    },
    (req, res) => {
      void route(handlers, req, res).catch((error: unknown) => {
        onError(error);
        reply(res, 500, { error: 'internal error' });
      });
    },
  );
  server.keepAliveTimeout = 5_000;
  return server;
}

async function route(
  handlers: readonly RouteHandler[],
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  for (const handler of handlers) if (await handler(req, res)) return;
  reply(res, 404, { error: 'not found' });
}

/** `GET /ping` (Probot's habit, kept for existing monitors) and `GET /healthz`: the process is alive. */
export const livenessHandler: RouteHandler = (req, res) => {
  const path = new URL(req.url ?? '/', 'http://localhost').pathname;
  if (req.method !== 'GET' || (path !== '/ping' && path !== '/healthz')) return false;
  res.writeHead(200, { 'content-type': 'text/plain' }).end(path === '/ping' ? 'PONG' : 'ok');
  return true;
};

export function listen(server: Server, port: number, host: string): Promise<{ port: number }> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port, host }, () => {
      server.removeListener('error', reject);
      const address = server.address();
      resolve({ port: typeof address === 'object' && address ? address.port : port });
    });
  });
}
