import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SignedCall {
  /** `x-amz-target` (JSON protocols) or `METHOD /path` (REST and query protocols). */
  readonly operation: string;
  /** The access key id the request was signed with (from its SigV4 Authorization header). */
  readonly accessKeyId: string;
  /** The request body as text (query-protocol calls such as STS carry their parameters here). */
  body: string;
}

export interface SigningRecorder {
  readonly url: string;
  readonly calls: SignedCall[];
  stop(): Promise<void>;
}

/**
 * A pass-through in front of an AWS endpoint that notes which access key signed each request:
 * how a test tells the App's own identity from a role it assumed for one repository.
 */
export async function startSigningRecorder(target: string): Promise<SigningRecorder> {
  const upstream = new URL(target);
  const calls: SignedCall[] = [];
  const server = createServer((incoming, outgoing) => {
    const auth = incoming.headers.authorization ?? '';
    const target = incoming.headers['x-amz-target'];
    const call: SignedCall = {
      operation:
        typeof target === 'string' ? target : `${incoming.method ?? ''} ${incoming.url ?? ''}`,
      accessKeyId: /Credential=([^/]+)\//.exec(auth)?.[1] ?? '',
      body: '',
    };
    calls.push(call);
    incoming.on('data', (chunk: Buffer) => {
      if (call.body.length < 65_536) call.body += chunk.toString('utf8');
    });
    const forward = request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: incoming.method,
        path: incoming.url,
        headers: incoming.headers,
      },
      (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(outgoing);
      },
    );
    forward.on('error', () => outgoing.destroy());
    incoming.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
