import { createServer, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { GitHub } from '@actions/github/lib/utils';
import { waitUntil } from './ports.js';

/** A request as a route handler sees it; `params` come from the `{name}` parts of its route. */
export interface GitHubRequest {
  method: string;
  path: string;
  params: Record<string, string>;
  query: Record<string, string>;
  body: unknown;
  headers: IncomingHttpHeaders;
}

/** `body` is sent as JSON; leave it out for bodiless answers such as 204. */
export interface GitHubAnswer {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export type GitHubHandler = (request: GitHubRequest) => GitHubAnswer | Promise<GitHubAnswer>;

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  body: unknown;
  status: number;
}

export interface Violation {
  method: string;
  path: string;
  status: number;
  detail: string;
}

/**
 * GitHub's REST API for one test file: Prism checks every request against the official OpenAPI
 * description, then a handler the test registered (or else Prism's example) answers.
 */
export interface GitHubApi {
  url: string;
  /** `route` is `METHOD /path/{param}` as in GitHub's docs; the latest registration wins. */
  on(route: string, handler: GitHubHandler): void;
  requests: RecordedRequest[];
  violations: Violation[];
  assertNoViolations(): void;
  reset(): void;
  stop(): Promise<void>;
}

interface Route {
  method: string;
  pattern: RegExp;
  names: string[];
  handler: GitHubHandler;
}

// Octokit asks for application/vnd.github.v3+json, which no operation in the description lists, so
// Prism would answer 406 to production Octokit instances; `*/*` lets text endpoints such as /zen through.
const PRISM_ACCEPT = 'application/json, */*;q=0.1';

// Prism's canned `link` and `location` point at api.github.com: Octokit's paginate and fetch's
// redirects would follow them off this machine.
const DROPPED_FROM_PRISM = new Set(['link', 'location']);
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'content-length',
  'content-encoding',
  'host',
  'expect',
]);

export async function startGitHubApi(): Promise<GitHubApi> {
  const prism = await prismUrl();
  const routes: Route[] = [];
  const requests: RecordedRequest[] = [];
  const violations: Violation[] = [];

  const server = createServer((incoming, outgoing) => {
    void (async () => {
      const url = new URL(incoming.url ?? '/', 'http://127.0.0.1');
      const raw = await readBody(incoming);
      const request: GitHubRequest = {
        method: incoming.method ?? 'GET',
        path: url.pathname,
        params: {},
        query: Object.fromEntries(url.searchParams),
        body: parseBody(raw),
        headers: incoming.headers,
      };
      const answer = await decide(request, `${url.pathname}${url.search}`, raw);
      const { method, path, query, body } = request;
      requests.push({ method, path, query, body, status: answer.status });
      outgoing.writeHead(answer.status, answer.headers).end(answer.body);
    })().catch((error: unknown) => {
      outgoing.writeHead(500, { 'content-type': 'text/plain' }).end(String(error));
    });
  });

  async function decide(
    request: GitHubRequest,
    pathAndQuery: string,
    raw: Buffer,
  ): Promise<{ status: number; headers: Record<string, string>; body: Buffer | string }> {
    const { method, path } = request;
    const checked = await fetch(`${prism}${pathAndQuery}`, {
      method,
      headers: forwardHeaders(request.headers),
      ...(raw.length > 0 ? { body: raw } : {}),
      redirect: 'manual',
    });
    const prismAnswer = {
      status: checked.status,
      headers: replyHeaders(checked.headers),
      body: unwrapExample(Buffer.from(await checked.arrayBuffer())),
    };
    // Prism answers 4xx only when the request breaks the description (it declares no security schemes,
    // so auth is never judged); a 5xx means Prism could not serve it, which a test must not ignore.
    if (checked.status >= 400) {
      const detail = violationDetail(checked.headers, prismAnswer.body.toString('utf8'));
      violations.push({ method, path, status: checked.status, detail });
      return prismAnswer;
    }
    const route = routes.findLast((r) => r.method === method && r.pattern.test(path));
    const match = route?.pattern.exec(path);
    if (!route || !match) return prismAnswer;
    request.params = Object.fromEntries(
      route.names.map((name, i) => [name, decodeURIComponent(match[i + 1] ?? '')]),
    );
    try {
      const answer = await route.handler(request);
      return {
        status: answer.status,
        headers: { 'content-type': 'application/json; charset=utf-8', ...answer.headers },
        body: answer.body === undefined ? '' : JSON.stringify(answer.body),
      };
    } catch (error) {
      // Not a contract problem, but recording it makes assertNoViolations show the handler's bug.
      const detail = `handler for ${method} ${path} threw: ${String(error)}`;
      violations.push({ method, path, status: 500, detail });
      return { status: 500, headers: { 'content-type': 'text/plain' }, body: detail };
    }
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    on(route, handler) {
      routes.push(compileRoute(route, handler));
    },
    requests,
    violations,
    assertNoViolations() {
      if (violations.length === 0) return;
      const lines = violations.map((v) => `${v.method} ${v.path} → ${v.status}: ${v.detail}`);
      throw new Error(`GitHub API contract violations:\n${lines.join('\n')}`);
    },
    reset() {
      routes.length = 0;
      requests.length = 0;
      violations.length = 0;
    },
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * The Octokit that tests use: @actions/github's (REST methods and paginate). Its accept fix lets it
 * talk to Prism directly too; through startGitHubApi the server already rewrites accept.
 */
export const TestOctokit = GitHub.plugin((octokit) => {
  octokit.hook.before('request', (options) => {
    options.headers.accept = PRISM_ACCEPT;
  });
});

export function testOctokitOptions(url: string): {
  baseUrl: string;
  auth: string;
  request: { fetch: typeof fetch };
} {
  // @actions/github's default fetch routes through a proxy chosen for api.github.com when
  // HTTPS_PROXY is set; loopback requests must not take it.
  return { baseUrl: url, auth: 'test-token', request: { fetch: globalThis.fetch } };
}

export function testOctokit(url: string): InstanceType<typeof TestOctokit> {
  return new TestOctokit(testOctokitOptions(url));
}

function compileRoute(route: string, handler: GitHubHandler): Route {
  const [method, template, ...rest] = route.trim().split(/\s+/);
  if (!method || !template?.startsWith('/') || rest.length > 0) {
    throw new Error(`route must look like "POST /repos/{owner}/{repo}/issues", got "${route}"`);
  }
  const names: string[] = [];
  const source = template.replace(/\{(\w+)\}|[^{}]+/g, (part, name: string | undefined) => {
    if (name === undefined) return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    names.push(name);
    return '([^/]+)';
  });
  return { method: method.toUpperCase(), pattern: new RegExp(`^${source}$`), names, handler };
}

async function prismUrl(): Promise<string> {
  const url = process.env.PRISM_URL;
  if (!url) throw new Error('PRISM_URL is not set: test/support/global-setup.ts starts Prism');
  try {
    // global-setup does not wait for Prism's ~10 s start, so test files that never use it don't
    // either. 50 s stays inside jest's 60 s hook timeout, so this message is the one shown.
    await waitUntil(`Prism at ${url}`, async () => (await fetch(`${url}/zen`)).ok, 50_000);
  } catch (error) {
    const logFile = process.env.PRISM_LOG;
    const log = logFile ? (await readFile(logFile, 'utf8')).slice(-3000) : '(no PRISM_LOG)';
    throw new Error(`${String(error)}\nEnd of Prism's log:\n${log}`, { cause: error });
  }
  return url;
}

function forwardHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const forwarded: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || HOP_BY_HOP.has(name)) continue;
    forwarded[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  if (forwarded.accept?.includes('vnd.github')) forwarded.accept = PRISM_ACCEPT;
  return forwarded;
}

function replyHeaders(headers: Headers): Record<string, string> {
  const reply: Record<string, string> = {};
  headers.forEach((value, name) => {
    if (!HOP_BY_HOP.has(name) && !DROPPED_FROM_PRISM.has(name)) reply[name] = value;
  });
  return reply;
}

/** Prism names request violations in `sl-violations`; its own routing errors are problem+json. */
function violationDetail(headers: Headers, body: string): string {
  const listed = parseJson(headers.get('sl-violations') ?? '');
  if (Array.isArray(listed)) {
    const messages = listed
      .filter(isViolationEntry)
      .filter((v) => v.location[0] === 'request')
      .map((v) => `${v.location.join('.')}: ${v.message}`);
    if (messages.length > 0) return messages.join('; ');
  }
  const problem = parseJson(body);
  if (typeof problem === 'object' && problem !== null && 'detail' in problem) {
    return String(problem.detail);
  }
  return body.slice(0, 500);
}

function isViolationEntry(value: unknown): value is { location: string[]; message: string } {
  return (
    typeof value === 'object' &&
    value !== null &&
    'location' in value &&
    Array.isArray(value.location) &&
    'message' in value &&
    typeof value.message === 'string'
  );
}

/**
 * A few operations in the description put a `$ref` to an Example Object inside an example's
 * `value`; Prism resolves it and serves `{"value": <example>}`. Serve the example itself.
 */
function unwrapExample(body: Buffer): Buffer {
  const parsed = parseJson(body.toString('utf8'));
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return body;
  const exampleKey = (key: string): boolean =>
    ['value', 'summary', 'description'].includes(key) || key.startsWith('x-');
  if (!('value' in parsed) || !Object.keys(parsed).every(exampleKey)) return body;
  return Buffer.from(JSON.stringify(parsed.value));
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function parseBody(raw: Buffer): unknown {
  if (raw.length === 0) return undefined;
  const text = raw.toString('utf8');
  const parsed = parseJson(text);
  return parsed === undefined ? text : parsed;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
