/**
 * The sweep's figures: a fleet of 10, 100 and 1,000 dns previews (a tenth idle, the rest with
 * requests an hour ago), each name claimed with its ownership TXT record and each task tagged with
 * its routing, swept once, against moto and a Prism-checked GitHub, with AWS and GitHub
 * calls by operation and wall time; then the same fleet purged the way per-preview purgers work
 * (each preview: its PR read, its own metric read, its own DNS change), for comparison.
 */
import { randomBytes } from 'node:crypto';
import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { RunTaskCommand, StopTaskCommand, type ECSClient } from '@aws-sdk/client-ecs';
import { ChangeResourceRecordSetsCommand } from '@aws-sdk/client-route-53';
import { BotServices } from '../src/bot/bot-services.js';
import { previewBody } from '../src/bot/comment-bodies.js';
import { readRepoConfig } from '../src/bot/config-reader.js';
import { getPull } from '../src/bot/github-api.js';
import { deactivatePreviewDeployments } from '../src/bot/preview-deployment.js';
import { IDLE_CONFIRM_MS } from '../src/bot/sweep/find-idle.js';
import { sweepFleet } from '../src/bot/sweep/sweep-fleet.js';
import { createAwsClients } from '../src/core/aws/clients.js';
import { upsertComment } from '../src/core/github/living-comment.js';
import { silentLogger } from '../src/core/logger.js';
import { idleVerdict } from '../src/core/preview/idle.js';
import { deregister } from '../src/core/preview/launch-preview.js';
import { listPreviewTasks } from '../src/core/preview/preview-tasks.js';
import { readLastRequests } from '../src/core/preview/request-metrics.js';
import { ownerValue } from '../src/core/preview/dns-owner.js';
import { createDnsRouter } from '../src/core/preview/dns-router.js';
import { STARTED_BY, TAGS } from '../src/core/preview/routing-types.js';
import { routingTags } from '../src/core/preview/tagged-routing.js';
import { createDefaultNetwork, testAwsConfig } from '../test/support/aws.js';
import type { FaultProxy } from '../test/support/fault-proxy.js';
import { testOctokit } from '../test/support/github.js';
import type { Moto } from '../test/support/moto.js';
import { setUpPreviewFixture, type PreviewFixture } from '../test/support/preview-fixture.js';

const say = (text: string): void => void process.stdout.write(`${text}\n`);
const HOUR = 3_600_000;
const DOMAIN = 'preview.example.com';
const REPO = { owner: 'acme', repo: 'web' };
const ACTIVITY = [
  '  idle-after: 24h',
  '  max-previews: 5000',
  '  activity-metric: { namespace: AcmeWeb, name: Requests, dimension: Preview }',
].join('\n');

export interface Fleet {
  readonly fixture: PreviewFixture;
  readonly idle: number;
}

/** N running previews as the App leaves them: tagged tasks, A records, open PRs, traffic. */
export async function buildFleet(moto: Moto, size: number, now: Date): Promise<Fleet> {
  await moto.reset();
  const fixture = await setUpPreviewFixture(moto.url, ACTIVITY);
  const network = await createDefaultNetwork(moto.url);
  // moto 5.2 cannot read gzip bodies, which the SDK sends for PutMetricData over 10 KB.
  const cloudwatch = new CloudWatchClient({
    ...testAwsConfig(moto.url),
    disableRequestCompression: true,
  });
  const launchedAt = new Date(now.getTime() - 30 * HOUR).toISOString();
  const records: Array<{ label: string; ip: string; pr: number }> = [];
  const idle = new Set(Array.from({ length: size / 10 }, (_, i) => i * 10 + 1));
  const numbers = Array.from({ length: size }, (_, i) => i + 1);
  for (let i = 0; i < numbers.length; i += 8) {
    await Promise.all(
      numbers.slice(i, i + 8).map(async (n) => {
        const sha = randomBytes(20).toString('hex');
        fixture.world.addPull({ number: n, sha, updatedAt: new Date(launchedAt) });
        const label = `pr-${n}-web`;
        const run = await fixture.ecs.send(
          new RunTaskCommand({
            cluster: 'previews',
            taskDefinition: 'web',
            launchType: 'FARGATE',
            startedBy: STARTED_BY,
            networkConfiguration: {
              awsvpcConfiguration: {
                subnets: [network.subnetIds[0] ?? ''],
                securityGroups: [network.securityGroupId],
              },
            },
            tags: Object.entries({
              [TAGS.managed]: 'true',
              [TAGS.repo]: 'acme/web',
              [TAGS.pr]: String(n),
              [TAGS.sha]: sha,
              [TAGS.subdomain]: label,
              [TAGS.url]: `http://${label}.${DOMAIN}`,
              [TAGS.launchedAt]: launchedAt,
              ...routingTags({
                mode: 'dns',
                hostedZoneId: fixture.zoneId,
                domain: DOMAIN,
                port: 80,
                subdomain: 'pr-{number}-{repo}',
              }),
            }).map(([key, value]) => ({ key, value })),
          }),
        );
        if (!run.tasks?.[0]) throw new Error(`RunTask started nothing for PR ${n}`);
        records.push({ label, ip: `10.${(n >> 8) & 255}.${n & 255}.1`, pr: n });
      }),
    );
  }
  // Each preview's name as the dns router claims it: its A record and the TXT record naming its
  // owner. Route 53 counts an UPSERT twice against its 1,000 records per change batch.
  for (let i = 0; i < records.length; i += 200) {
    await fixture.route53.send(
      new ChangeResourceRecordSetsCommand({
        HostedZoneId: fixture.zoneId,
        ChangeBatch: {
          Changes: records.slice(i, i + 200).flatMap(({ label, ip, pr }) => [
            {
              Action: 'UPSERT' as const,
              ResourceRecordSet: {
                Name: `${label}.${DOMAIN}`,
                Type: 'A' as const,
                TTL: 60,
                ResourceRecords: [{ Value: ip }],
              },
            },
            {
              Action: 'UPSERT' as const,
              ResourceRecordSet: {
                Name: `${label}.${DOMAIN}`,
                Type: 'TXT' as const,
                TTL: 60,
                ResourceRecords: [{ Value: ownerValue({ repo: 'acme/web', pr }) }],
              },
            },
          ]),
        },
      }),
    );
  }
  const busy = numbers.filter((n) => !idle.has(n));
  for (let i = 0; i < busy.length; i += 500) {
    await cloudwatch.send(
      new PutMetricDataCommand({
        Namespace: 'AcmeWeb',
        MetricData: busy.slice(i, i + 500).map((n) => ({
          MetricName: 'Requests',
          Dimensions: [{ Name: 'Preview', Value: `pr-${n}-web` }],
          Timestamp: new Date(now.getTime() - HOUR),
          Value: 5,
          Unit: 'Count',
        })),
      }),
    );
  }
  cloudwatch.destroy();
  return { fixture, idle: idle.size };
}

export function services(proxy: FaultProxy, now: () => Date): BotServices {
  return new BotServices(
    createAwsClients('us-east-1', {
      endpoint: proxy.url,
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    }),
    silentLogger,
    { now },
  );
}

/** The comparison: what a purge that handles one preview at a time calls for the same fleet. */
async function perPreviewPurge(bot: BotServices, fleet: Fleet, now: Date): Promise<number> {
  const api = testOctokit(fleet.fixture.api.url);
  const read = await readRepoConfig(api, REPO);
  const config = read.kind === 'ok' ? read.config.preview : undefined;
  if (!config?.activityMetric || config.idleAfterMs === null) throw new Error('bench config');
  const metric = config.activityMetric;
  const cloudwatch = await bot.aws.cloudwatch();
  const router = createDnsRouter(await bot.aws.route53(), {
    ...config.routing,
    mode: 'dns',
  });
  let stopped = 0;
  for (const task of await listPreviewTasks(bot.aws.ecs, config.cluster)) {
    const pull = await getPull(api, REPO, task.pr);
    const updated = (pull as { updated_at?: string }).updated_at;
    const key = String(task.pr);
    const signal = (
      await readLastRequests(
        cloudwatch,
        new Map([
          [
            key,
            {
              namespace: metric.namespace,
              name: metric.name,
              dimensions: [{ name: metric.dimension, value: task.label }],
            },
          ],
        ]),
        { now, ms: config.idleAfterMs },
      )
    ).get(key) ?? { kind: 'none' as const };
    const verdict = idleVerdict({
      now,
      idleAfterMs: config.idleAfterMs,
      ...(task.launchedAt && { launchedAt: task.launchedAt }),
      ...(updated && { pullUpdatedAt: new Date(updated) }),
      requests: signal,
    });
    if (!verdict.idle) continue;
    await stopOne(bot.aws.ecs, task.arn);
    await deregister(bot, [task.task.taskDefinitionArn ?? '']);
    // The name and its owner record, as a teardown that owns what it deletes removes them.
    const name = `${task.label}.${DOMAIN}`;
    await router.unroute([name], new Map([[name, { repo: 'acme/web', pr: task.pr }]]));
    await deactivatePreviewDeployments(api, REPO, task.pr, silentLogger);
    await upsertComment(
      api,
      { ...REPO, issueNumber: task.pr },
      previewBody({ kind: 'torn-down', stopped: [task.arn], hostnames: [] }, task.sha, {
        stopped: {
          kind: 'idle',
          since: verdict.since,
          idleAfterMs: config.idleAfterMs,
          requestsMeasured: true,
        },
      }),
    );
    stopped++;
  }
  return stopped;
}

async function stopOne(ecs: ECSClient, arn: string): Promise<void> {
  await ecs.send(new StopTaskCommand({ cluster: 'previews', task: arn, reason: 'ecs-paas: idle' }));
}

/** GitHub requests by route: numbers in paths become `{n}` so one PR's calls add up with another's. */
function byRoute(requests: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const request of requests) {
    const route = request.split('?')[0]?.replace(/\/\d+(?=\/|$)/g, '/{n}') ?? request;
    counts[route] = (counts[route] ?? 0) + 1;
  }
  return counts;
}

function table(title: string, counts: Record<string, number>): void {
  say(`    ${title}: ${sum(counts)} calls`);
  for (const [op, n] of Object.entries(counts).sort((a, b) => b[1] - a[1])) {
    say(`      ${String(n).padStart(6)}  ${op}`);
  }
}

export async function sweepFigures(
  moto: Moto,
  proxy: FaultProxy,
  sizes = [10, 100, 1_000],
): Promise<void> {
  say('\nSweep over a dns fleet, a tenth idle (moto + Prism-checked GitHub):');
  const summary: string[] = [];
  for (const size of sizes) {
    // Small fleets are quick to rebuild: their times are medians of three; 1,000 is one run.
    const runs = size >= 1_000 ? 1 : 3;
    const seconds: Record<string, number[]> = { sweep: [], 'per-preview purge': [] };
    for (let run = 0; run < runs; run++) {
      for (const mode of ['sweep', 'per-preview purge'] as const) {
        const now = new Date();
        const fleet = await buildFleet(moto, size, now);
        let clock = now;
        const bot = services(proxy, () => clock);
        const api = testOctokit(fleet.fixture.api.url);
        const source = () => Promise.resolve({ repos: [{ repo: REPO, api }], unreadable: [] });
        // Load the lazily imported clients first, so the first run is not also timing imports.
        await Promise.all([bot.aws.cloudwatch(), bot.aws.route53()]);
        if (mode === 'sweep') {
          // The sweep stops a preview idle by its request count only when a second look, past
          // CloudWatch's delay, agrees: the first look's reads are counted apart.
          proxy.resetCounts();
          const reads = fleet.fixture.world.requests().length;
          const look = performance.now();
          await sweepFleet(bot, source, 'bench');
          const lookSeconds = (performance.now() - look) / 1_000;
          if (run === 0) {
            say(
              `  ${size} previews, sweep, first look: ${sum(proxy.counts())} AWS, ${fleet.fixture.world.requests().length - reads} GitHub calls, ${lookSeconds.toFixed(2)} s`,
            );
          }
          clock = new Date(now.getTime() + IDLE_CONFIRM_MS);
        }
        proxy.resetCounts();
        const before = fleet.fixture.world.requests().length;
        const started = performance.now();
        const stopped =
          mode === 'sweep'
            ? (await sweepFleet(bot, source, 'bench')).stopped.idle
            : await perPreviewPurge(bot, fleet, now);
        seconds[mode]?.push((performance.now() - started) / 1_000);
        await bot.metrics.settled();
        const aws = { ...proxy.counts() };
        // The App's own metric publishing is not part of either way of purging.
        delete aws['CloudWatch.PutMetricData'];
        const github = byRoute(fleet.fixture.world.requests().slice(before));
        if (run === 0) {
          say(
            `  ${size} previews, ${mode === 'sweep' ? 'sweep, second look' : mode}: stopped ${stopped} of ${fleet.idle} idle`,
          );
          table('AWS', aws);
          table('GitHub', github);
          summary.push(
            `  ${String(size).padStart(5)} | ${mode.padEnd(17)} | ${sum(aws)} AWS, ${sum(github)} GitHub calls`,
          );
        }
        bot.aws.ecs.destroy();
        await fleet.fixture.close();
      }
    }
    const sweep = median(seconds.sweep ?? []);
    const purge = median(seconds['per-preview purge'] ?? []);
    summary.push(
      `  ${String(size).padStart(5)} | wall time (median of ${runs}) | sweep ${sweep.toFixed(2)} s, per-preview ${purge.toFixed(2)} s, ratio ${(sweep / purge).toFixed(2)}`,
    );
  }
  say('\n  Summary:');
  for (const line of summary) say(line);
}

const sum = (counts: Record<string, number>): number =>
  Object.values(counts).reduce((a, b) => a + b, 0);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}
