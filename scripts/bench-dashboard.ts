/**
 * The dashboard's first render: `GET /dashboard` over the sweep bench's 1,000-preview fleet, by a
 * fresh App each run (no config ETag, no router yet), for the operator (API token) and for a
 * signed-in writer (a sealed session cookie, permissions asked of GitHub per repository). Wall
 * time to the whole HTML, median of 3, with the page's size and the calls made.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { dashboardSurface } from '../src/bot/dashboard/dashboard-surface.js';
import { fleetPage } from '../src/bot/dashboard/fleet-page.js';
import { readFleet } from '../src/bot/fleet/read-fleet.js';
import type { FleetServices } from '../src/bot/fleet/fleet-services.js';
import type { RouteHandler } from '../src/bot/http/app-server.js';
import { SessionSeal } from '../src/bot/http/session-seal.js';
import { DashboardSessions } from '../src/bot/http/session-viewer.js';
import type { FaultProxy } from '../test/support/fault-proxy.js';
import { testOctokit } from '../test/support/github.js';
import type { Moto } from '../test/support/moto.js';
import { buildFleet, services } from './bench-sweep.js';

const say = (text: string): void => void process.stdout.write(`${text}\n`);
const REPO = { owner: 'acme', repo: 'web' };
const RUNS = 3;

export async function dashboardFigures(moto: Moto, proxy: FaultProxy, size = 1_000): Promise<void> {
  say(`\nDashboard first render over ${size} dns previews (moto + Prism-checked GitHub):`);
  const now = new Date();
  const fleet = await buildFleet(moto, size, now);
  fleet.fixture.world.setPermission('maintainer', 'write');
  const api = testOctokit(fleet.fixture.api.url);
  const source = () => Promise.resolve({ repos: [{ repo: REPO, api }], unreadable: [] });
  const token = randomBytes(24).toString('hex');
  const sessionSecret = randomBytes(32).toString('hex');
  const login = {
    clientId: 'Iv23libench',
    clientSecret: randomBytes(20).toString('hex'),
    oauthUrl: 'https://github.com',
    sessionSecret,
  };
  const sessions = new DashboardSessions(new SessionSeal(sessionSecret), undefined);
  const fakeReq = { headers: {}, socket: {} } as Parameters<DashboardSessions['start']>[0];
  const cookie = sessions.start(fakeReq, 'maintainer').split(';')[0] ?? '';
  const viewers = {
    operator: { authorization: `Bearer ${token}` },
    writer: { cookie },
  } as const;
  const seconds: Record<keyof typeof viewers, number[]> = { operator: [], writer: [] };
  const notes: Record<keyof typeof viewers, string> = { operator: '', writer: '' };
  try {
    for (let run = 0; run < RUNS; run++) {
      for (const who of Object.keys(viewers) as Array<keyof typeof viewers>) {
        const bot = services(proxy, () => now);
        const fleetServices: FleetServices = {
          bot,
          installed: source,
          installation: () => Promise.resolve(api),
        };
        const surface = dashboardSurface(fleetServices, { apiToken: token, login });
        const server = await listen(surface.handlers);
        try {
          proxy.resetCounts();
          const before = fleet.fixture.world.requests().length;
          const { port } = server.address() as AddressInfo;
          const started = performance.now();
          const response = await fetch(`http://127.0.0.1:${port}/dashboard`, {
            headers: viewers[who],
          });
          const page = await response.text();
          seconds[who].push((performance.now() - started) / 1_000);
          if (response.status !== 200) throw new Error(`GET /dashboard: ${response.status}`);
          if (run === 0) {
            const rows = page.match(/class="preview"/g)?.length ?? 0;
            const aws = Object.values(proxy.counts()).reduce((a, b) => a + b, 0);
            const github = fleet.fixture.world.requests().length - before;
            notes[who] =
              `${rows} rows, ${(page.length / 1024).toFixed(0)} KiB of HTML, ${aws} AWS and ${github} GitHub calls`;
          }
        } finally {
          await new Promise((done) => server.close(done));
          bot.aws.ecs.destroy();
        }
      }
    }
    // Where the time goes: the fleet read alone (a fresh App), then the HTML from its listing.
    const bot = services(proxy, () => now);
    const fleetServices = { bot, installed: source, installation: () => Promise.resolve(api) };
    let started = performance.now();
    const listing = await readFleet(fleetServices);
    const readSeconds = (performance.now() - started) / 1_000;
    started = performance.now();
    fleetPage({
      viewer: { kind: 'operator' },
      listing,
      allowed: new Map([['acme/web', new Set(['stop', 'relaunch', 'logs'] as const)]]),
      githubUrl: 'https://github.com',
      now,
    });
    const renderMs = performance.now() - started;
    bot.aws.ecs.destroy();
    say(
      `  of which: the fleet read ${readSeconds.toFixed(2)} s (${listing.previews.length} previews), the HTML ${renderMs.toFixed(0)} ms`,
    );
  } finally {
    await fleet.fixture.close();
  }
  for (const who of Object.keys(viewers) as Array<keyof typeof viewers>) {
    say(
      `  GET /dashboard as the ${who === 'operator' ? 'operator (token)' : 'signed-in writer'}: ${median(seconds[who]).toFixed(2)} s (median of ${RUNS}; ${seconds[who].map((s) => s.toFixed(2)).join(', ')}); ${notes[who]}`,
    );
  }
}

function listen(handlers: readonly RouteHandler[]): Promise<Server> {
  const server = createServer((req, res) => {
    void (async () => {
      for (const handler of handlers) if (await handler(req, res)) return;
      res.writeHead(404).end();
    })();
  });
  return new Promise((done) => server.listen(0, '127.0.0.1', () => done(server)));
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}
