import { ListClustersCommand, type ECSClient } from '@aws-sdk/client-ecs';
import type { Probot } from 'probot';
import { errorMessage } from '../../core/errors.js';
import type { RouteHandler } from './app-server.js';
import { reply } from './respond.js';

/** Something the App needs to do its work. `probe` rejects saying why it cannot be reached. */
export interface ReadinessCheck {
  readonly name: string;
  /** `signal` aborts once the check's deadline has passed, so the attempt does not linger. */
  probe(signal: AbortSignal): Promise<void>;
}

export interface ReadinessReport {
  readonly ready: boolean;
  /** Per check: `ok`, or one short line saying why not. */
  readonly checks: Readonly<Record<string, string>>;
}

export interface ReadinessOptions {
  /** Each check's deadline: a dependency that never answers must not hold the probe. */
  readonly timeoutMs?: number;
  /** How long one evaluation answers every probe: a probe storm makes one call per dependency. */
  readonly cacheMs?: number;
  /** Told when a check starts failing and when it recovers: once per change, not per probe. */
  readonly log?: { warn(message: string): void; info(message: string): void };
}

export const READINESS_TIMEOUT_MS = 3_000;
export const READINESS_CACHE_MS = 5_000;
const MAX_REASON = 160;

/**
 * `GET /readyz`: 200 when every check passes, else 503 naming the failing ones. Unlike `/healthz`
 * (the process is alive), this says whether the App could do its work now, so an orchestrator
 * holds traffic from a replica that cannot reach GitHub or AWS instead of restarting it.
 */
export function readinessHandler(
  checks: readonly ReadinessCheck[],
  options: ReadinessOptions = {},
): RouteHandler {
  const evaluate = cachedReadiness(checks, options);
  return async (req, res) => {
    if (req.method !== 'GET' || new URL(req.url ?? '/', 'http://localhost').pathname !== '/readyz')
      return false;
    const report = await evaluate();
    reply(res, report.ready ? 200 : 503, report, { 'cache-control': 'no-store' });
    return true;
  };
}

/** Runs all checks at most once per `cacheMs`; probes arriving meanwhile share that evaluation. */
export function cachedReadiness(
  checks: readonly ReadinessCheck[],
  options: ReadinessOptions = {},
): () => Promise<ReadinessReport> {
  const timeoutMs = options.timeoutMs ?? READINESS_TIMEOUT_MS;
  const cacheMs = options.cacheMs ?? READINESS_CACHE_MS;
  let current: { report: Promise<ReadinessReport>; until: number } | undefined;
  let previous: Readonly<Record<string, string>> = {};

  const evaluate = async (): Promise<ReadinessReport> => {
    const results = await Promise.all(
      checks.map(async (check) => [check.name, await withDeadline(check, timeoutMs)] as const),
    );
    const report = {
      ready: results.every(([, result]) => result === 'ok'),
      checks: Object.fromEntries(results),
    };
    for (const [name, result] of results) {
      const before = previous[name];
      if (result !== 'ok' && result !== before) options.log?.warn(`not ready: ${name}: ${result}`);
      if (result === 'ok' && before !== undefined && before !== 'ok')
        options.log?.info(`ready again: ${name}`);
    }
    previous = report.checks;
    return report;
  };

  return () => {
    if (current && Date.now() < current.until) return current.report;
    // In flight until it settles: a probe arriving meanwhile waits for it rather than adding calls.
    const entry = { report: evaluate(), until: Number.POSITIVE_INFINITY };
    void entry.report.then(() => {
      entry.until = Date.now() + cacheMs;
    });
    current = entry;
    return entry.report;
  };
}

/** `ok`, or why not; never rejects and never takes longer than `timeoutMs`. */
async function withDeadline(check: ReadinessCheck, timeoutMs: number): Promise<string> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<string>((resolve) => {
    timer = setTimeout(() => {
      // Resolved before aborting, so the abort's own error never wins the race.
      resolve(`no answer within ${timeoutMs} ms`);
      controller.abort();
    }, timeoutMs);
  });
  const attempt = Promise.resolve()
    .then(() => check.probe(controller.signal))
    .then(
      () => 'ok',
      (error: unknown) => reasonLine(error),
    );
  try {
    return await Promise.race([attempt, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * One short line a probe may show anyone who can reach the port: no ARNs or account ids (AWS
 * puts them in AccessDenied texts), no credentials in URLs, no stack.
 */
export function reasonLine(error: unknown): string {
  const text = (error instanceof Error ? error.message : errorMessage(error))
    .replace(/arn:aws[a-z-]*:\S*/gi, '<arn>')
    .replace(/\b\d{12}\b/g, '<account>')
    .replace(/\/\/[^/\s@]+@/g, '//')
    .replace(/\s+/g, ' ')
    .trim();
  if (!text) return 'failed';
  return text.length > MAX_REASON ? `${text.slice(0, MAX_REASON - 1)}…` : text;
}

/**
 * GitHub, as the App: `GET /app` with the App's JWT (`probot.auth()` with no installation) fails
 * on a wrong APP_ID or key as well as on a GitHub that cannot be reached.
 */
export function githubCheck(probot: Pick<Probot, 'auth'>): ReadinessCheck {
  let octokit: Awaited<ReturnType<Probot['auth']>> | undefined;
  return {
    name: 'github',
    async probe(signal) {
      octokit ??= await probot.auth();
      try {
        // No retries: the orchestrator probes again; a retried 5xx would only end as a timeout.
        await octokit.request('GET /app', { request: { signal, retries: 0 } });
      } catch (error) {
        throw new Error(githubFailure(error), { cause: error });
      }
    },
  };
}

function githubFailure(error: unknown): string {
  const answered = error as { status?: unknown; response?: unknown };
  if (error instanceof Error && typeof answered.status === 'number' && answered.response) {
    // Octokit appends the documentation link; it makes the line long and says nothing here.
    const message = error.message.replace(/ - https?:\/\/\S+$/, '');
    return `GET /app answered ${answered.status}: ${message}`;
  }
  return `GET /app failed: ${rootCause(error)}`;
}

/** The innermost cause's text: `fetch failed` alone does not say that the connection was refused. */
function rootCause(error: unknown): string {
  let inner = error;
  for (let depth = 0; depth < 5 && inner instanceof Error && inner.cause !== undefined; depth++)
    inner = inner.cause;
  return errorMessage(inner);
}

/**
 * AWS, with the App's own credentials: ECS ListClusters (one result) reads nothing of any
 * repository's, needs only `ecs:ListClusters`, and is answered by the endpoint the App works
 * with. Give it a client of its own with one attempt, so probes neither spend the work client's
 * retry budget nor turn a clear error into a timeout.
 */
export function awsCheck(ecs: Pick<ECSClient, 'send'>): ReadinessCheck {
  return {
    name: 'aws',
    async probe(signal) {
      try {
        await ecs.send(new ListClustersCommand({ maxResults: 1 }), { abortSignal: signal });
      } catch (error) {
        throw new Error(`ECS ListClusters failed: ${errorMessage(error)}`, { cause: error });
      }
    },
  };
}
