/**
 * The App in its default in-process mode next to queue mode (ECS_PAAS_QUEUE_URL, an SQS FIFO queue
 * with a dead-letter queue on moto), same machine, same run:
 * - signed deliveries acknowledged per second and p50/p99 time to acknowledge, with how long the
 *   queue then takes to drain (the worker took and deleted every message);
 * - pull_request.opened → the comment carrying the URL, and how much of that comes after the task
 *   is RUNNING, with every AWS and GitHub call the launch makes timed from outside the App.
 * Launches (and rounds, BENCH_QUEUE_ROUNDS) alternate the modes, so a noisy neighbour on this
 * shared machine hits both alike. BENCH_QUEUE_DELIVERIES and BENCH_QUEUE_CONCURRENCY change the
 * burst (2,000, 20 in flight).
 */
import { randomBytes } from 'node:crypto';
import {
  Agent,
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  PurgeQueueCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { deliver, startApp, type AppProcess } from '../test/support/app-process.js';
import { testAwsConfig } from '../test/support/aws.js';
import { pushEcrImage } from '../test/support/ecr-image.js';
import type { FaultProxy } from '../test/support/fault-proxy.js';
import type { Moto } from '../test/support/moto.js';
import { setUpPreviewFixture, type PreviewFixture } from '../test/support/preview-fixture.js';

const say = (text: string): void => void process.stdout.write(`${text}\n`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const percentile = (values: number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
};
const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
};
const ms = (value: number): string => `${value.toFixed(0)} ms`;

type Mode = 'in-process' | 'queue';
const MODES: readonly Mode[] = ['in-process', 'queue'];

const DELIVERIES = Number(process.env.BENCH_QUEUE_DELIVERIES ?? 2_000);
const CONCURRENCY = Number(process.env.BENCH_QUEUE_CONCURRENCY ?? 20);
const ROUNDS = Number(process.env.BENCH_QUEUE_ROUNDS ?? 1);
const LAUNCHES = 5;
const WARM_UP = 200;
// Spread over this many PRs: one PR's messages share a FIFO group, which SQS hands out one
// message at a time, so a single PR would measure the group's ordering rather than the worker.
const PULLS = 50;

interface Queues {
  readonly sqs: SQSClient;
  readonly url: string;
}

/**
 * A FIFO work queue and its dead-letter queue, as app-queue.test.ts makes them. The App's SQS
 * client sends to the host in the queue URL, which moto takes from the request: a queue created
 * through the fault proxy is reached through it, so its calls are timed with the rest.
 */
async function createQueues(awsUrl: string, name: string): Promise<Queues> {
  const sqs = new SQSClient(testAwsConfig(awsUrl));
  const dead = await sqs.send(
    new CreateQueueCommand({ QueueName: `${name}-dead.fifo`, Attributes: { FifoQueue: 'true' } }),
  );
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: dead.QueueUrl, AttributeNames: ['QueueArn'] }),
  );
  const work = await sqs.send(
    new CreateQueueCommand({
      QueueName: `${name}.fifo`,
      Attributes: {
        FifoQueue: 'true',
        RedrivePolicy: JSON.stringify({
          deadLetterTargetArn: Attributes?.QueueArn,
          maxReceiveCount: 3,
        }),
      },
    }),
  );
  return { sqs, url: work.QueueUrl ?? '' };
}

/** Messages still in the queue, taken or not: zero once the worker has deleted every one. */
async function backlog(queues: Queues): Promise<number> {
  const { Attributes = {} } = await queues.sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queues.url,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return (
    Number(Attributes.ApproximateNumberOfMessages ?? 0) +
    Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0)
  );
}

interface Sample {
  readonly at: number;
  readonly backlog: number;
  /** How long moto took to answer GetQueueAttributes with that many messages queued. */
  readonly ms: number;
}

/**
 * Polls the backlog until it is zero; resolves with every reading. moto works out those counts
 * by checking each message's timestamps, so a reading costs more the fuller the queue: with
 * thousands queued the bench reads once a second, or its own polling would slow moto down.
 */
async function drained(queues: Queues, timeoutMs = 1_200_000): Promise<Sample[]> {
  const samples: Sample[] = [];
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    const t0 = performance.now();
    const left = await backlog(queues);
    samples.push({ at: performance.now(), backlog: left, ms: performance.now() - t0 });
    if (left === 0) return samples;
    await sleep(left > 100 ? 1_000 : 50);
  }
  throw new Error(`the queue still held ${await backlog(queues)} messages after ${timeoutMs} ms`);
}

/** Messages per second the worker took off between the first readings at or under `from` and `to`. */
function drainPace(samples: Sample[], from: number, to: number): number | undefined {
  const a = samples.find((s) => s.backlog <= from);
  const b = samples.find((s) => s.backlog <= to);
  if (!a || !b || b.at <= a.at) return undefined;
  return (a.backlog - b.backlog) / ((b.at - a.at) / 1_000);
}

interface Burst {
  readonly perSecond: number;
  readonly p50: number;
  readonly p99: number;
  /** From the first delivery sent until the queue was empty (queue mode only). */
  readonly drainedMs?: number;
  /** From the last acknowledgement until the queue was empty (queue mode only). */
  readonly drainTailMs?: number;
  /** Backlog readings from the last acknowledgement on (queue mode only). */
  readonly samples?: Sample[];
}

/**
 * `count` deliveries, `CONCURRENCY` in flight, the App acknowledges and then has nothing to do:
 * `labeled` with a label other than no-preview, which the handler drops (in queue mode only
 * after the worker has taken it off the queue, so the drain measures the worker's own cost).
 */
async function burst(
  app: AppProcess,
  fixture: PreviewFixture,
  count: number,
  queues?: Queues,
): Promise<Burst> {
  const payloads = Array.from({ length: PULLS }, (_, i) =>
    fixture.world.pullRequestEvent('labeled', i + 1, { label: { name: 'bench' } }),
  );
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < count) {
        const payload = payloads[next++ % PULLS] ?? {};
        const t0 = performance.now();
        const response = await deliver(app, 'pull_request', payload);
        latencies.push(performance.now() - t0);
        if (response.status >= 300) throw new Error(`a delivery was answered ${response.status}`);
      }
    }),
  );
  const acknowledged = performance.now();
  const samples = queues ? await drained(queues) : undefined;
  const empty = samples?.at(-1)?.at;
  return {
    perSecond: count / ((acknowledged - started) / 1_000),
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    ...(samples &&
      empty !== undefined && {
        drainedMs: empty - started,
        drainTailMs: empty - acknowledged,
        samples,
      }),
  };
}

/**
 * moto's own pace for what queue mode adds to each delivery: the same message (the App queues
 * `{ id, name, payload }`) sent straight from here, as many in flight, with no App in between.
 * It bounds what the App can acknowledge in queue mode on this machine.
 */
async function motoSendPace(awsUrl: string, fixture: PreviewFixture): Promise<Burst> {
  const queues = await createQueues(awsUrl, 'bench-pace');
  const count = Math.max(100, Math.floor(DELIVERIES / 4));
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  try {
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < count) {
          const n = (next++ % PULLS) + 1;
          const id = randomBytes(16).toString('hex');
          const payload = fixture.world.pullRequestEvent('labeled', n, {
            label: { name: 'bench' },
          });
          const t0 = performance.now();
          await queues.sqs.send(
            new SendMessageCommand({
              QueueUrl: queues.url,
              MessageBody: JSON.stringify({ id, name: 'pull_request', payload }),
              MessageGroupId: `acme/web#${n}`,
              MessageDeduplicationId: id,
            }),
          );
          latencies.push(performance.now() - t0);
        }
      }),
    );
  } finally {
    await queues.sqs.send(new PurgeQueueCommand({ QueueUrl: queues.url }));
    queues.sqs.destroy();
  }
  return {
    perSecond: count / ((performance.now() - started) / 1_000),
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
  };
}

async function acknowledgementFigures(
  moto: Moto,
  fixture: PreviewFixture,
  queues: Queues,
): Promise<void> {
  // Straight to moto: the fault proxy's hop would be counted against queue mode only.
  const apps: Record<Mode, AppProcess> = {
    'in-process': await startApp({ githubUrl: fixture.api.url, awsEndpoint: moto.url }),
    queue: await startApp({
      githubUrl: fixture.api.url,
      awsEndpoint: moto.url,
      env: { ECS_PAAS_QUEUE_URL: queues.url },
    }),
  };
  const results: Record<Mode, Burst[]> = { 'in-process': [], queue: [] };
  let pace: Burst | undefined;
  try {
    for (const mode of MODES) {
      await burst(apps[mode], fixture, WARM_UP, mode === 'queue' ? queues : undefined);
    }
    for (let round = 0; round < ROUNDS; round++) {
      for (const mode of round % 2 ? [...MODES].reverse() : MODES) {
        results[mode].push(
          await burst(apps[mode], fixture, DELIVERIES, mode === 'queue' ? queues : undefined),
        );
      }
    }
    pace = await motoSendPace(moto.url, fixture);
  } finally {
    await Promise.all(Object.values(apps).map((app) => app.stop()));
  }
  const of = (mode: Mode, pick: (b: Burst) => number | undefined): number =>
    median(results[mode].map((b) => pick(b) ?? 0));
  say(
    `\n## App: deliveries acknowledged, in process vs queue mode (${DELIVERIES} per round, ${CONCURRENCY} in flight, ${ROUNDS} rounds, medians of rounds)`,
  );
  say('| mode | acknowledged per second | p50 | p99 |\n| --- | --- | --- | --- |');
  for (const mode of MODES) {
    say(
      `| ${mode} | ${of(mode, (b) => b.perSecond).toFixed(0)} | ${of(mode, (b) => b.p50).toFixed(1)} ms | ${of(mode, (b) => b.p99).toFixed(1)} ms |`,
    );
  }
  const rate = of('queue', (b) => b.perSecond) / of('in-process', (b) => b.perSecond);
  const p99 = of('queue', (b) => b.p99) / of('in-process', (b) => b.p99);
  say(
    `queue mode / in process: ${rate.toFixed(2)}× the deliveries per second, ${p99.toFixed(1)}× the p99`,
  );
  if (pace) {
    say(
      `moto alone, the same SendMessage from the bench (${CONCURRENCY} in flight): ${pace.perSecond.toFixed(0)} per second, p50 ${pace.p50.toFixed(1)} ms, p99 ${pace.p99.toFixed(1)} ms`,
    );
  }
  const drainedMs = of('queue', (b) => b.drainedMs);
  say(
    `queue drained (ApproximateNumberOfMessages + NotVisible = 0): ${ms(drainedMs)} after the first delivery (${(DELIVERIES / (drainedMs / 1_000)).toFixed(1)} messages per second through the worker on average), ${ms(of('queue', (b) => b.drainTailMs))} after the last acknowledgement`,
  );
  // The last round's readings, to show how the worker's pace depends on how full the queue is.
  const samples = results.queue.at(-1)?.samples ?? [];
  const deepest = samples[0];
  const shallow = samples.filter((s) => s.backlog > 0 && s.backlog <= 100);
  if (deepest && deepest.backlog > 200) {
    const high = drainPace(samples, deepest.backlog, Math.floor(deepest.backlog / 2));
    const low = drainPace(samples, 200, 0);
    say(
      `backlog at the last acknowledgement: ${deepest.backlog}; the worker took ${high?.toFixed(1) ?? '?'} messages per second from there to half of it, ${low?.toFixed(1) ?? '?'} per second over the last 200; moto answered GetQueueAttributes in ${ms(deepest.ms)} at ${deepest.backlog} queued, ${ms(median(shallow.map((s) => s.ms)))} at 100 or fewer`,
    );
  }
}

/** One call the App made, as seen from outside it, in ms on this process's performance clock. */
interface Call {
  readonly name: string;
  readonly start: number;
  end?: number;
  /** A GitHub request body, for finding the write that carries the preview URL. */
  body?: string;
  /** The answer to a RunTask or DescribeTasks, to follow the launched task. */
  answer?: string;
}

interface Stopwatch {
  readonly url: string;
  readonly calls: Call[];
  stop(): Promise<void>;
}

/**
 * A pass-through in front of the contract-checked GitHub that notes when each request arrived
 * and when its answer was complete, so GitHub's share of a launch is measured, not guessed.
 */
async function githubStopwatch(target: string): Promise<Stopwatch> {
  const upstream = new URL(target);
  const agent = new Agent({ keepAlive: true });
  const calls: Call[] = [];
  const read = async (stream: IncomingMessage): Promise<Buffer> => {
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  };
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const call: Call = {
      // Numbers (PR, installation, comment ids) differ per launch; the route is what to compare.
      name: `GitHub ${req.method ?? 'GET'} ${decodeURIComponent(path).replace(/\/\d+(?=\/|$)/g, '/{n}')}`,
      start: performance.now(),
    };
    calls.push(call);
    void (async () => {
      const body = await read(req);
      if (body.length > 0) call.body = body.toString('utf8');
      const answer = await new Promise<IncomingMessage>((resolve, reject) => {
        const out = httpRequest(
          {
            host: upstream.hostname,
            port: upstream.port,
            method: req.method,
            path: req.url,
            headers: req.headers,
            agent,
          },
          resolve,
        );
        out.once('error', reject);
        out.end(body);
      });
      const answered = await read(answer);
      call.end = performance.now();
      const headers = { ...answer.headers };
      delete headers['transfer-encoding'];
      res.writeHead(answer.statusCode ?? 502, {
        ...headers,
        'content-length': String(answered.length),
      });
      res.end(answered);
    })().catch((error: unknown) => {
      call.end = performance.now();
      if (!res.headersSent) res.writeHead(502).end(String(error));
      else res.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    async stop() {
      server.closeAllConnections();
      agent.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * Times every AWS call through the fault proxy: its request hook marks the arrival, and a
 * pass-through rewrite (registered for each operation the first time it is seen, so it already
 * applies to that call) marks when moto's answer is in. Calls of one operation are paired in
 * order, which holds because a launch makes them one after another.
 */
function awsStopwatch(proxy: FaultProxy): { calls: Call[]; stop(): void } {
  const calls: Call[] = [];
  const open = new Map<string, Call[]>();
  const tapped = new Set<string>();
  const unsubscribe = proxy.onRequest((operation) => {
    const call: Call = { name: operation, start: performance.now() };
    calls.push(call);
    open.set(operation, [...(open.get(operation) ?? []), call]);
    if (tapped.has(operation)) return;
    tapped.add(operation);
    proxy.intercept(operation as `${string}.${string}`, (_request, response) => {
      const call = open.get(operation)?.shift();
      if (call) {
        call.end = performance.now();
        // Kept for the launch's own task: RunTask names it, DescribeTasks says when it runs.
        if (operation === 'ECS.RunTask' || operation === 'ECS.DescribeTasks') {
          call.answer = response.body;
        }
      }
      return undefined;
    });
  });
  return {
    calls,
    stop() {
      unsubscribe();
      proxy.clear();
    },
  };
}

type Phase = 'before RunTask' | 'until RUNNING' | 'after RUNNING';

/** A call of one launch, clipped to the window from the delivery to the comment. */
interface Timed {
  readonly name: string;
  readonly step: string;
  readonly phase: Phase;
  readonly start: number;
  readonly end: number;
}

interface Launch {
  /** When the delivery was sent; the other figures are ms after it. */
  readonly t0: number;
  readonly total: number;
  readonly acknowledged: number;
  /** The worker's long poll answered with the delivery (queue mode). */
  readonly handedOff?: number;
  /** The App's first call of the work that is not the queue's own. */
  readonly workStarts: number;
  readonly runTaskSent: number;
  /** RunTask answered: moto creates tasks already RUNNING. */
  readonly runTaskAnswered: number;
  /** The App's first DescribeTasks answer saying its task is RUNNING. */
  readonly runningSeen: number;
  readonly calls: Timed[];
  /** Of the window, the time no measured call was in flight: the App's own work and waits. */
  readonly ownMs: number;
  readonly ownAfterRunningMs: number;
  /** Starts of the GitHub writes, in order (Octokit spaces an installation's writes). */
  readonly writes: number[];
}

/** The part of [from, to] covered by none of the calls: time spent inside the App. */
function uncovered(calls: Timed[], from: number, to: number): number {
  const spans = calls
    .map((c) => [Math.max(from, c.start), Math.min(to, c.end)] as const)
    .filter(([a, b]) => b > a)
    .sort((x, y) => x[0] - y[0]);
  let covered = 0;
  let reach = from;
  for (const [a, b] of spans) {
    if (b <= reach) continue;
    covered += b - Math.max(a, reach);
    reach = b;
  }
  return to - from - covered;
}

function tasksIn(answer: string | undefined): Array<{ taskArn?: string; lastStatus?: string }> {
  try {
    return (JSON.parse(answer ?? '{}') as { tasks?: [] }).tasks ?? [];
  } catch {
    return [];
  }
}

const isQueueCall = (name: string): boolean => /^sqs\./i.test(name);
const isGitHubWrite = (name: string): boolean =>
  /^GitHub (POST|PATCH|PUT|DELETE) /.test(name) && !name.includes('access_tokens');

/** What a call is for, by its name and where in the launch it falls. */
function step(name: string, phase: Phase): string {
  if (isQueueCall(name)) return `queue ${name.split('.')[1] ?? name}`;
  if (name.includes('access_tokens')) return 'GitHub installation token';
  if (name.includes('/contents/')) return 'config read (GitHub)';
  if (/\/pulls\/\{n\}$/.test(name)) {
    return phase === 'before RunTask' ? 'PR read (GitHub)' : 'head still current? (GitHub PR read)';
  }
  if (name.includes('/comments')) return 'comment: find, then write (GitHub)';
  if (name.includes('/deployments'))
    return `deployment ${phase === 'before RunTask' ? '+ in_progress' : 'success'} (GitHub writes)`;
  if (name.startsWith('ECR.')) return 'image lookup (ECR)';
  if (/TaskDefinition/.test(name)) return 'register (ECS task definition)';
  if (name === 'ECS.RunTask') return 'RunTask';
  if (name === 'ECS.ListTasks' || name === 'ECS.DescribeTasks') {
    if (phase === 'before RunTask') return 'previews already running (ECS)';
    return phase === 'until RUNNING' ? 'wait for RUNNING (ECS DescribeTasks)' : 'rival check (ECS)';
  }
  if (name.startsWith('Route53.')) return 'DNS record (Route 53)';
  if (name.startsWith('CloudWatch.')) return 'metrics (CloudWatch)';
  return name;
}

async function launchOnce(
  app: AppProcess,
  fixture: PreviewFixture,
  github: Stopwatch,
  aws: { calls: Call[] },
  number: number,
): Promise<Launch> {
  const sha = randomBytes(20).toString('hex');
  fixture.world.addPull({ number, sha });
  await pushEcrImage(fixture.ecr, 'web', sha);
  // Octokit keeps an installation's writes a second apart: a pause this long means the launch
  // does not wait out the previous launch's last comment, as a PR opened in a quiet moment.
  await sleep(1_500);
  const t0 = performance.now();
  // The worker's long poll that will carry this delivery is already open: calls still in flight
  // at t0 belong to the window too.
  const seen = (): Call[] => [...github.calls, ...aws.calls].filter((c) => (c.end ?? t0) >= t0);
  const event = fixture.world.pullRequestEvent('opened', number);
  const answer = await deliver(app, 'pull_request', event);
  const acknowledged = performance.now();
  if (answer.status >= 300) throw new Error(`opened was answered ${answer.status}`);
  let commented: Call | undefined;
  while (!commented) {
    if (performance.now() > t0 + 60_000) {
      const calls = seen().map((c) => `${(c.start - t0).toFixed(0)} ${c.name}`);
      throw new Error(
        `#${number}: no comment with the URL within 60 s; calls so far:\n${calls.join('\n')}\n${app.output().slice(-5000)}`,
      );
    }
    commented = seen().find(
      (c) => c.end !== undefined && c.name.includes('/comments') && c.body?.includes('http://pr-'),
    );
    if (!commented) await sleep(5);
  }
  const end = commented.end ?? performance.now();
  const calls = seen()
    .filter((c) => c.start <= end)
    .sort((a, b) => a.start - b.start);
  const runTask = calls.find((c) => c.name === 'ECS.RunTask');
  const taskArn = tasksIn(runTask?.answer)[0]?.taskArn;
  const running = calls.find(
    (c) =>
      c.name === 'ECS.DescribeTasks' &&
      c.start >= (runTask?.end ?? Infinity) &&
      tasksIn(c.answer).some((t) => t.taskArn === taskArn && t.lastStatus === 'RUNNING'),
  );
  if (!runTask?.end || !running?.end) {
    throw new Error(
      `#${number}: no RunTask, or no DescribeTasks saying RUNNING, before the comment`,
    );
  }
  const runningAt = running.end;
  const phase = (at: number): Phase =>
    at < runTask.start ? 'before RunTask' : at < runningAt ? 'until RUNNING' : 'after RUNNING';
  // The worker always has a long poll open, so polls are not the launch's calls; what counts is
  // when the one that carried this delivery answered.
  const polls = calls.filter((c) => /ReceiveMessage$/.test(c.name));
  const work = calls.find((c) => c.start >= acknowledged && !isQueueCall(c.name));
  const workStarts = work?.start ?? acknowledged;
  const handedOff = polls
    .flatMap((c) => (c.end !== undefined && c.end <= workStarts ? [c.end] : []))
    .at(-1);
  const timed: Timed[] = calls
    .filter((c) => !polls.includes(c) && (c.end ?? end) > t0)
    .map((c) => ({
      name: c.name,
      step: step(c.name, phase(c.start)),
      phase: phase(c.start),
      start: Math.max(c.start, t0),
      end: Math.min(c.end ?? end, end),
    }));
  if (handedOff !== undefined) {
    timed.push({
      name: 'queue: acknowledged → the worker has it',
      step: 'queue: acknowledged → the worker has it',
      phase: 'before RunTask',
      start: Math.min(acknowledged, handedOff),
      end: handedOff,
    });
    timed.sort((a, b) => a.start - b.start);
  }
  return {
    t0,
    total: end - t0,
    acknowledged: acknowledged - t0,
    ...(handedOff !== undefined && { handedOff: handedOff - t0 }),
    workStarts: workStarts - t0,
    runTaskSent: runTask.start - t0,
    runTaskAnswered: runTask.end - t0,
    runningSeen: runningAt - t0,
    calls: timed,
    ownMs: uncovered(timed, t0, end),
    ownAfterRunningMs: uncovered(timed, runningAt, end),
    writes: timed.filter((c) => isGitHubWrite(c.name)).map((c) => c.start - t0),
  };
}

function launchReport(mode: Mode, launches: Launch[]): void {
  const m = (pick: (l: Launch) => number): number => median(launches.map(pick));
  const totals = launches.map((l) => l.total);
  say(`\n### ${mode}`);
  say(
    `opened → comment with the URL: median ${ms(m((l) => l.total))} (min ${ms(Math.min(...totals))}, max ${ms(Math.max(...totals))})`,
  );
  say(
    `after the task is RUNNING: ${ms(m((l) => l.total - l.runningSeen))} from the App's first DescribeTasks saying RUNNING (target: within 2 s); ${ms(m((l) => l.total - l.runTaskAnswered))} from RunTask's answer (moto's tasks are RUNNING from creation)`,
  );
  const handOff =
    mode === 'queue' ? `, the worker has it ${m((l) => l.handedOff ?? 0).toFixed(0)}` : '';
  say(
    `milestones (median ms after the delivery was sent): acknowledged ${m((l) => l.acknowledged).toFixed(0)}${handOff}, first call of the work ${m((l) => l.workStarts).toFixed(0)}, RunTask sent ${m((l) => l.runTaskSent).toFixed(0)}, RUNNING seen ${m((l) => l.runningSeen).toFixed(0)}, comment answered ${m((l) => l.total).toFixed(0)}`,
  );
  const steps = new Map<string, { phase: Phase; calls: number[]; ms: number[]; first: number[] }>();
  for (const launch of launches) {
    const per = new Map<string, { phase: Phase; calls: number; ms: number; first: number }>();
    for (const call of launch.calls) {
      const entry = per.get(call.step) ?? {
        phase: call.phase,
        calls: 0,
        ms: 0,
        first: call.start - launch.t0,
      };
      entry.calls++;
      entry.ms += call.end - call.start;
      per.set(call.step, entry);
    }
    for (const [name, entry] of per) {
      const all = steps.get(name) ?? { phase: entry.phase, calls: [], ms: [], first: [] };
      all.calls.push(entry.calls);
      all.ms.push(entry.ms);
      all.first.push(entry.first);
      steps.set(name, all);
    }
  }
  say('| step | phase | calls | time in those calls |\n| --- | --- | --- | --- |');
  const ordered = [...steps].sort((a, b) => median(a[1].first) - median(b[1].first));
  for (const [name, entry] of ordered) {
    const seenIn =
      entry.ms.length < launches.length ? ` (in ${entry.ms.length} of ${launches.length})` : '';
    say(`| ${name}${seenIn} | ${entry.phase} | ${median(entry.calls)} | ${ms(median(entry.ms))} |`);
  }
  say(
    `| no call in flight (the App's own work and waits) | all | | ${ms(m((l) => l.ownMs))}, ${ms(m((l) => l.ownAfterRunningMs))} of it after RUNNING |`,
  );
  const spacing = launches.flatMap((l) => l.writes.slice(1).map((w, i) => w - (l.writes[i] ?? w)));
  say(
    `GitHub writes per launch: ${m((l) => l.writes.length)}, median ${ms(median(spacing))} from one write's start to the next (min ${ms(Math.min(...spacing))})`,
  );
  // One launch in full (the median one), so each gap is pinned between the calls around it.
  const typical = [...launches].sort((a, b) => a.total - b.total)[Math.floor(launches.length / 2)];
  if (!typical) return;
  say('timeline of the median launch (ms after the delivery was sent, start → answered):');
  let reach = 0;
  for (const call of typical.calls) {
    const start = call.start - typical.t0;
    const end = call.end - typical.t0;
    const gap = start - reach > 100 ? `   ← after ${ms(start - reach)} with no call in flight` : '';
    say(`  ${start.toFixed(0).padStart(5)} → ${end.toFixed(0).padStart(5)}  ${call.name}${gap}`);
    reach = Math.max(reach, end);
  }
}

async function launchFigures(
  fixture: PreviewFixture,
  proxy: FaultProxy,
  queues: Queues,
): Promise<void> {
  const github = await githubStopwatch(fixture.api.url);
  const aws = awsStopwatch(proxy);
  // Through the fault proxy, so each AWS call is timed; the App's task poll (2 s, doubling) and
  // the queue's long poll (20 s) are left at their defaults, as an operator would run it.
  const apps: Record<Mode, AppProcess> = {
    'in-process': await startApp({ githubUrl: github.url, awsEndpoint: proxy.url }),
    queue: await startApp({
      githubUrl: github.url,
      awsEndpoint: proxy.url,
      env: { ECS_PAAS_QUEUE_URL: queues.url },
    }),
  };
  const launches: Record<Mode, Launch[]> = { 'in-process': [], queue: [] };
  try {
    let number = 1_000;
    for (let i = 0; i < LAUNCHES; i++) {
      for (const mode of i % 2 ? [...MODES].reverse() : MODES) {
        launches[mode].push(await launchOnce(apps[mode], fixture, github, aws, ++number));
      }
    }
    await drained(queues);
  } finally {
    await Promise.all(Object.values(apps).map((app) => app.stop()));
    // The stopped worker's last long poll is still open at moto behind the proxy: a message ends
    // it now rather than in up to 20 s, so the proxy is idle when the next part of the bench runs.
    await queues.sqs
      .send(
        new SendMessageCommand({
          QueueUrl: queues.url,
          MessageBody: '{}',
          MessageGroupId: 'bench-end',
          MessageDeduplicationId: randomBytes(16).toString('hex'),
        }),
      )
      .catch(() => undefined);
    const deadline = performance.now() + 25_000;
    while (aws.calls.some((c) => c.end === undefined) && performance.now() < deadline) {
      await sleep(20);
    }
    aws.stop();
    await github.stop();
  }
  say(
    `\n## App: pull_request.opened → comment with the URL (${LAUNCHES} PRs per mode, alternating; image already in ECR; moto behind the fault proxy, contract-checked GitHub)`,
  );
  for (const mode of MODES) launchReport(mode, launches[mode]);
}

export async function queueFigures(moto: Moto, proxy: FaultProxy): Promise<void> {
  await moto.reset();
  proxy.clear();
  const fixture = await setUpPreviewFixture(moto.url);
  const direct = await createQueues(moto.url, 'bench-work');
  const proxied = await createQueues(proxy.url, 'bench-launch');
  try {
    for (let n = 1; n <= PULLS; n++) {
      fixture.world.addPull({ number: n, sha: randomBytes(20).toString('hex') });
    }
    await acknowledgementFigures(moto, fixture, direct);
    await launchFigures(fixture, proxy, proxied);
    fixture.api.assertNoViolations();
  } finally {
    direct.sqs.destroy();
    proxied.sqs.destroy();
    await fixture.close();
  }
}
