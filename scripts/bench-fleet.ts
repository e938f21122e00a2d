/**
 * The fleet API's figures: `GET /api/previews` with the operator's token over a fleet of 1,000
 * dns previews (the sweep bench's fleet: tagged tasks, open PRs, request counts), AWS and GitHub
 * calls by operation and wall time (median of 3), next to the sweep's first look at the same
 * fleet, which reads it the same way and judges it.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import type { FleetServices } from '../src/bot/fleet/fleet-services.js';
import { bearerViewer } from '../src/bot/fleet/viewer.js';
import { fleetApi } from '../src/bot/http/fleet-api.js';
import { sweepFleet } from '../src/bot/sweep/sweep-fleet.js';
import type { FaultProxy } from '../test/support/fault-proxy.js';
import { testOctokit } from '../test/support/github.js';
import type { Moto } from '../test/support/moto.js';
import { buildFleet, services } from './bench-sweep.js';

const say = (text: string): void => void process.stdout.write(`${text}\n`);
const REPO = { owner: 'acme', repo: 'web' };
const RUNS = 3;

export async function fleetFigures(moto: Moto, proxy: FaultProxy, size = 1_000): Promise<void> {
  say(`\nFleet API over ${size} dns previews (moto + Prism-checked GitHub):`);
  const now = new Date();
  const fleet = await buildFleet(moto, size, now);
  const api = testOctokit(fleet.fixture.api.url);
  const source = () => Promise.resolve({ repos: [{ repo: REPO, api }], unreadable: [] });
  const token = randomBytes(24).toString('hex');
  const seconds: Record<'api' | 'sweep', number[]> = { api: [], sweep: [] };
  const calls: Record<'api' | 'sweep', string> = { api: '', sweep: '' };
  try {
    for (let run = 0; run < RUNS; run++) {
      // A fresh App each time: no config ETag, no router, no memory of an earlier look.
      const bot = services(proxy, () => now);
      await Promise.all([bot.aws.cloudwatch(), bot.aws.route53()]);
      const fleetServices: FleetServices = {
        bot,
        installed: source,
        installation: () => Promise.resolve(api),
      };
      const server = await listen(fleetApi(fleetServices, bearerViewer(token)));
      try {
        const measure = async (what: 'api' | 'sweep', work: () => Promise<string>) => {
          proxy.resetCounts();
          const before = fleet.fixture.world.requests().length;
          const started = performance.now();
          const result = await work();
          seconds[what].push((performance.now() - started) / 1_000);
          const aws = { ...proxy.counts() };
          delete aws['CloudWatch.PutMetricData'];
          const github = fleet.fixture.world.requests().length - before;
          if (run === 0) {
            calls[what] = `${sum(aws)} AWS (${describe(aws)}), ${github} GitHub calls; ${result}`;
          }
        };
        await measure('api', async () => {
          const { port } = server.address() as AddressInfo;
          const response = await fetch(`http://127.0.0.1:${port}/api/previews`, {
            headers: { authorization: `Bearer ${token}` },
          });
          const body = (await response.json()) as { previews: unknown[] };
          if (response.status !== 200) throw new Error(`GET /api/previews: ${response.status}`);
          return `${body.previews.length} previews listed`;
        });
        await measure('sweep', async () => {
          const report = await sweepFleet(bot, source, 'bench');
          await bot.metrics.settled();
          return `${report.previews} previews judged, ${report.pendingIdle} pending idle`;
        });
      } finally {
        await new Promise((done) => server.close(done));
        bot.aws.ecs.destroy();
      }
    }
  } finally {
    await fleet.fixture.close();
  }
  say(`  GET /api/previews:    ${calls.api}`);
  say(`  sweep, first look:    ${calls.sweep}`);
  say(
    `  wall time (median of ${RUNS}): GET /api/previews ${median(seconds.api).toFixed(2)} s, sweep first look ${median(seconds.sweep).toFixed(2)} s`,
  );
}

function listen(handler: ReturnType<typeof fleetApi>): Promise<Server> {
  const server = createServer((req, res) => {
    void handler(req, res).then((answered) => {
      if (!answered) res.writeHead(404).end();
    });
  });
  return new Promise((done) => server.listen(0, '127.0.0.1', () => done(server)));
}

const sum = (counts: Record<string, number>): number =>
  Object.values(counts).reduce((a, b) => a + b, 0);

const describe = (counts: Record<string, number>): string =>
  Object.entries(counts)
    .sort((a, b) => b[1] - a[1])
    .map(([op, n]) => `${n} ${op}`)
    .join(', ');

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}
