import type { IncomingMessage, ServerResponse } from 'node:http';

/** A JSON answer; nothing is written twice if the socket already went. */
export function reply(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

export type BodyRead = { body: string } | { refused: 'too-large' | 'aborted' };

/**
 * Reads a request body as UTF-8, giving up as soon as it passes `limit` bytes (a chunked body
 * declares no length), so no request holds more than `limit` in memory.
 */
export function readBounded(req: IncomingMessage, limit: number): Promise<BodyRead> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const finish = (value: BodyRead): void => {
      if (settled) return;
      settled = true;
      req.removeListener('data', onData);
      resolve(value);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) {
        chunks.length = 0;
        finish({ refused: 'too-large' });
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => finish({ body: Buffer.concat(chunks).toString('utf8') }));
    req.once('error', () => finish({ refused: 'aborted' }));
    req.once('close', () => finish({ refused: 'aborted' }));
  });
}
