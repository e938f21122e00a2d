import { randomUUID } from 'node:crypto';
import {
  Agent,
  createServer,
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from './ports.js';

/** `<Service>.<Operation>`, e.g. `ECS.RunTask`. */
export type Operation = `${string}.${string}`;

export type Fault =
  | { kind: 'throttle' }
  | { kind: 'server-error'; status?: number }
  | { kind: 'latency'; ms: number }
  /** The connection is destroyed as soon as the request has arrived: no status, no body. */
  | { kind: 'drop' }
  /** The request is read and never answered; the connection stays open until the client leaves. */
  | { kind: 'hold' }
  /**
   * A status line, then a header line every 200 ms, never ending: the connection is never idle,
   * so only a deadline on the whole request (not an idle timeout) gets the client out.
   */
  | { kind: 'slow-headers' }
  /**
   * moto answers, but only the headers (with the full content-length) and half the body get
   * through; then the connection closes, or stays open and silent (`then: 'hold'`).
   */
  | { kind: 'truncate'; then?: 'close' | 'hold' };

/** Faults that answer with an AWS error instead of moto's response. */
type ErrorFault = Extract<Fault, { kind: 'throttle' | 'server-error' }>;

export interface ProxyResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Returns the response to send instead of moto's, or undefined to pass moto's through. */
export type Rewrite = (
  request: { body: string },
  response: ProxyResponse,
) => ProxyResponse | undefined;

/** Returns the response to send without asking moto, or undefined to let the call through. */
export type Answer = (request: { body: string }) => ProxyResponse | undefined;

export interface FaultProxy {
  url: string;
  /** The next `times` calls of `operation` get `fault` instead of (or, for latency, before) moto. */
  inject(operation: Operation, fault: Fault, times?: number): void;
  /** `times` counts only the calls the rewrite actually changed. */
  intercept(operation: Operation, rewrite: Rewrite, times?: number): void;
  /**
   * Asks `decide` before a call of `operation` reaches moto: a response it returns is sent instead
   * and moto never sees the call (for behaviour moto lacks, such as Route 53 refusing a CREATE).
   */
  answer(operation: Operation, decide: Answer): void;
  /** Calls per operation, including injected failures and SDK retries. */
  counts(): Record<string, number>;
  resetCounts(): void;
  /** Calls `listener` as each request arrives, before it is answered; returns an unsubscribe. */
  onRequest(listener: (operation: string) => void): () => void;
  /** Removes all faults and intercepts, and closes connections still held open. */
  clear(): void;
  /** Connections held open right now by `hold` faults (a client that gives up closes its own). */
  heldCount(): number;
  stop(): Promise<void>;
}

type Protocol = 'json' | 'cbor' | 'query' | 'ec2' | 'rest-xml';

const JSON_TARGETS: Record<string, string> = {
  AmazonEC2ContainerServiceV20141113: 'ECS',
  AmazonEC2ContainerRegistry_V20150921: 'ECR',
  Logs_20140328: 'CloudWatchLogs',
  GraniteServiceVersion20100801: 'CloudWatch',
};

const SIGNING_NAMES: Record<string, string> = {
  ec2: 'EC2',
  elasticloadbalancing: 'ElasticLoadBalancingV2',
  monitoring: 'CloudWatch',
  route53: 'Route53',
  ecs: 'ECS',
  ecr: 'ECR',
  logs: 'CloudWatchLogs',
};

// Route 53 is REST: the operation is in the method and path, after /2013-04-01.
const ROUTE53_ROUTES: [method: string, path: RegExp, operation: string][] = [
  ['POST', /^\/hostedzone\/[^/]+\/rrset\/?$/, 'ChangeResourceRecordSets'],
  ['GET', /^\/hostedzone\/[^/]+\/rrset\/?$/, 'ListResourceRecordSets'],
  ['GET', /^\/hostedzone\/[^/]+$/, 'GetHostedZone'],
  ['DELETE', /^\/hostedzone\/[^/]+$/, 'DeleteHostedZone'],
  ['POST', /^\/hostedzone\/?$/, 'CreateHostedZone'],
  ['GET', /^\/hostedzone\/?$/, 'ListHostedZones'],
  ['GET', /^\/hostedzonesbyname\/?$/, 'ListHostedZonesByName'],
  ['GET', /^\/change\/[^/]+$/, 'GetChange'],
];

function header(headers: IncomingHttpHeaders, name: string): string {
  const value = headers[name];
  return Array.isArray(value) ? value.join(', ') : (value ?? '');
}

function classify(req: IncomingMessage, body: string): { operation: string; protocol: Protocol } {
  const scope = /Credential=[^/]+\/\d{8}\/[^/]+\/([^/]+)\//.exec(
    header(req.headers, 'authorization'),
  );
  const signingName = scope?.[1] ?? 'Unknown';
  const service = SIGNING_NAMES[signingName] ?? signingName;
  const [path = '/', query = ''] = (req.url ?? '/').split('?');

  const target = header(req.headers, 'x-amz-target');
  if (target) {
    const [prefix = '', op = 'Unknown'] = target.split('.');
    return { operation: `${JSON_TARGETS[prefix] ?? service}.${op}`, protocol: 'json' };
  }
  const cbor = /^\/service\/([^/]+)\/operation\/([^/]+)$/.exec(path);
  if (cbor) {
    return { operation: `${JSON_TARGETS[cbor[1] ?? ''] ?? service}.${cbor[2]}`, protocol: 'cbor' };
  }
  if (path.startsWith('/2013-04-01/')) {
    const rest = path.slice('/2013-04-01'.length);
    const route = ROUTE53_ROUTES.find(([m, re]) => m === req.method && re.test(rest));
    return { operation: `Route53.${route?.[2] ?? 'Unknown'}`, protocol: 'rest-xml' };
  }
  // The SDK POSTs query-protocol forms, but GETs with a query string are valid too.
  const form = new URLSearchParams(body.includes('Action=') ? body : query);
  const classic = service === 'ElasticLoadBalancingV2' && form.get('Version') === '2012-06-01';
  return {
    operation: `${classic ? 'ElasticLoadBalancing' : service}.${form.get('Action') ?? 'Unknown'}`,
    protocol: service === 'EC2' ? 'ec2' : 'query',
  };
}

const SERVER_ERROR_CODES: Record<number, string> = {
  502: 'BadGateway',
  503: 'ServiceUnavailable',
  504: 'GatewayTimeout',
};

function cborMap(entries: Record<string, string>): Buffer {
  const text = (s: string): Buffer => {
    const bytes = Buffer.from(s, 'utf8');
    const head =
      bytes.length < 24
        ? Buffer.from([0x60 | bytes.length])
        : bytes.length < 256
          ? Buffer.from([0x78, bytes.length])
          : Buffer.from([0x79, bytes.length >> 8, bytes.length & 0xff]);
    return Buffer.concat([head, bytes]);
  };
  const pairs = Object.entries(entries).flatMap(([k, v]) => [text(k), text(v)]);
  return Buffer.concat([Buffer.from([0xa0 | Object.keys(entries).length]), ...pairs]);
}

/** The error each protocol's real service sends, so the SDK classifies and retries it for real. */
function faultResponse(
  protocol: Protocol,
  fault: ErrorFault,
  requestHeaders: IncomingHttpHeaders,
): { status: number; headers: Record<string, string>; body: Buffer } {
  const requestId = randomUUID();
  const throttle = fault.kind === 'throttle';
  const serverStatus = fault.kind === 'server-error' ? (fault.status ?? 503) : 503;
  const message = throttle ? 'Rate exceeded' : `Injected server error ${serverStatus}`;
  const base = { 'x-amzn-requestid': requestId };
  if (protocol === 'json' || protocol === 'cbor') {
    const code = throttle
      ? 'ThrottlingException'
      : (SERVER_ERROR_CODES[serverStatus] ?? 'InternalFailure');
    const status = throttle ? 400 : serverStatus;
    if (protocol === 'cbor') {
      const headers = {
        ...base,
        'smithy-protocol': 'rpc-v2-cbor',
        'content-type': 'application/cbor',
      };
      return { status, headers, body: cborMap({ __type: code, message }) };
    }
    const contentType = header(requestHeaders, 'content-type') || 'application/x-amz-json-1.1';
    const headers = { ...base, 'x-amzn-errortype': code, 'content-type': contentType };
    return { status, headers, body: Buffer.from(JSON.stringify({ __type: code, message })) };
  }
  const headers = { ...base, 'content-type': 'text/xml' };
  if (protocol === 'ec2') {
    // EC2 sends its throttling error with a 503, not a 400.
    const code = throttle
      ? 'RequestLimitExceeded'
      : serverStatus === 503
        ? 'Unavailable'
        : 'InternalError';
    const xml = `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>${code}</Code><Message>${message}</Message></Error></Errors><RequestID>${requestId}</RequestID></Response>`;
    return { status: throttle ? 503 : serverStatus, headers, body: Buffer.from(xml) };
  }
  const [type, code] = throttle
    ? ['Sender', 'Throttling']
    : ['Receiver', SERVER_ERROR_CODES[serverStatus] ?? 'InternalFailure'];
  const xml = `<?xml version="1.0"?>\n<ErrorResponse><Error><Type>${type}</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`;
  return { status: throttle ? 400 : serverStatus, headers, body: Buffer.from(xml) };
}

async function readBody(stream: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function flatHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const hopByHop = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-length']);
  return Object.fromEntries(
    Object.keys(headers)
      .filter((name) => !hopByHop.has(name))
      .map((name) => [name, header(headers, name)]),
  );
}

function send(
  res: ServerResponse,
  status: number,
  headers: Record<string, string>,
  body: Buffer,
): void {
  res.writeHead(status, { ...headers, 'content-length': String(body.length) });
  res.end(body);
}

/** A loopback proxy in front of moto that can fail, slow down or rewrite chosen AWS operations. */
export async function startFaultProxy(targetUrl: string): Promise<FaultProxy> {
  const target = new URL(targetUrl);
  const agent = new Agent({ keepAlive: true });
  const faults = new Map<string, { fault: Fault; remaining: number }[]>();
  let intercepts: { operation: string; rewrite: Rewrite; remaining: number }[] = [];
  let answers: { operation: string; decide: Answer }[] = [];
  let calls: Record<string, number> = {};
  const listeners = new Set<(operation: string) => void>();

  const forward = (req: IncomingMessage, body: Buffer): Promise<IncomingMessage> =>
    new Promise((resolve, reject) => {
      const upstream = httpRequest(
        {
          host: target.hostname,
          port: target.port,
          method: req.method,
          path: req.url,
          headers: req.headers,
          agent,
        },
        resolve,
      );
      upstream.once('error', reject);
      upstream.end(body);
    });

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const body = await readBody(req);
    const { operation, protocol } = classify(req, body.toString('utf8'));
    calls[operation] = (calls[operation] ?? 0) + 1;
    for (const listener of listeners) listener(operation);

    const pending = faults.get(operation)?.find((f) => f.remaining > 0);
    if (pending) pending.remaining -= 1;
    const fault = pending?.fault;
    if (fault?.kind === 'latency') {
      await sleep(fault.ms);
    } else if (fault?.kind === 'drop') {
      req.socket.destroy();
      return;
    } else if (fault?.kind === 'hold') {
      hold(res);
      return;
    } else if (fault?.kind === 'slow-headers') {
      const socket = req.socket;
      socket.write('HTTP/1.1 200 OK\r\n');
      const timer = setInterval(() => socket.write(`x-still-coming: ${Date.now()}\r\n`), 200);
      socket.once('close', () => clearInterval(timer));
      hold(res);
      return;
    } else if (fault?.kind === 'throttle' || fault?.kind === 'server-error') {
      const error = faultResponse(protocol, fault, req.headers);
      send(res, error.status, error.headers, error.body);
      return;
    }

    for (const entry of answers) {
      if (entry.operation !== operation) continue;
      const answered = entry.decide({ body: body.toString('utf8') });
      if (answered === undefined) continue;
      send(res, answered.status, answered.headers, Buffer.from(answered.body));
      return;
    }
    const upstream = await forward(req, body);
    const upstreamBody = await readBody(upstream);
    let response: ProxyResponse = {
      status: upstream.statusCode ?? 502,
      headers: flatHeaders(upstream.headers),
      body: upstreamBody.toString('utf8'),
    };
    let rewritten = false;
    for (const entry of intercepts) {
      if (entry.operation !== operation || entry.remaining <= 0) continue;
      const replaced = entry.rewrite({ body: body.toString('utf8') }, response);
      if (replaced === undefined) continue;
      entry.remaining -= 1;
      response = replaced;
      rewritten = true;
    }
    // Unchanged responses go out byte for byte: CBOR bodies do not survive a UTF-8 round trip.
    const out = rewritten ? Buffer.from(response.body) : upstreamBody;
    if (fault?.kind === 'truncate') {
      res.writeHead(response.status, {
        ...response.headers,
        'content-length': String(out.length),
      });
      // The half must reach the client before the socket goes, or it would see a plain drop.
      res.write(out.subarray(0, Math.floor(out.length / 2)), () => {
        if (fault.then === 'hold') hold(res);
        else res.socket?.destroy();
      });
      return;
    }
    send(res, response.status, response.headers, out);
  };

  // Held answers end when the client gives up, or when the test clears its faults or stops.
  const held = new Set<ServerResponse>();
  const hold = (res: ServerResponse): void => {
    held.add(res);
    res.once('close', () => held.delete(res));
  };
  const releaseHeld = (): void => {
    for (const res of held) res.socket?.destroy();
    held.clear();
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
      console.error(`fault proxy: ${req.method} ${req.url}: ${message}`);
      if (!res.headersSent) send(res, 502, { 'content-type': 'text/plain' }, Buffer.from(message));
      else res.destroy();
    });
  });
  const port = await freePort();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });

  return {
    url: `http://127.0.0.1:${port}`,
    inject(operation, fault, times = 1) {
      const list = faults.get(operation) ?? [];
      list.push({ fault, remaining: times });
      faults.set(operation, list);
    },
    intercept(operation, rewrite, times = Infinity) {
      intercepts.push({ operation, rewrite, remaining: times });
    },
    answer(operation, decide) {
      answers.push({ operation, decide });
    },
    counts: () => ({ ...calls }),
    onRequest(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    resetCounts() {
      calls = {};
    },
    clear() {
      faults.clear();
      intercepts = [];
      answers = [];
      releaseHeld();
    },
    heldCount: () => held.size,
    async stop() {
      releaseHeld();
      server.closeAllConnections();
      agent.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
