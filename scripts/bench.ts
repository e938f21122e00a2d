/**
 * `npm run bench`: figures for the Action, measured against moto on this machine.
 * - AWS API calls by operation for a deploy to 1 and to 3 services, next to what the official
 *   amazon-ecr-login + amazon-ecs-render-task-definition + amazon-ecs-deploy-task-definition chain
 *   makes for the same work (one deploy step per service);
 * - wall time of those deploys (median of several runs);
 * - the size of dist/ and the time from process start to the first AWS request under Node 24.
 * The machine is shared and noisy, so every time is a median of runs made in this one process.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { CreateClusterCommand, ECSClient } from '@aws-sdk/client-ecs';
import { runActionProcess } from '../test/support/action-process.js';
import {
  awsEnv,
  createDefaultNetwork,
  createFargateService,
  registerFargateTaskDefinition,
  testAwsConfig,
} from '../test/support/aws.js';
import { startFaultProxy, type FaultProxy } from '../test/support/fault-proxy.js';
import globalSetup from '../test/support/global-setup.js';
import globalTeardown from '../test/support/global-teardown.js';
import { startMoto, type Moto } from '../test/support/moto.js';
import { appFigures } from './bench-app.js';
import { bundleFigures } from './bench-bundle.js';
import { fleetFigures } from './bench-fleet.js';
import { dashboardFigures } from './bench-dashboard.js';
import { intakeFigures } from './bench-intake.js';
import { queueFigures } from './bench-queue.js';
import { startupFigures } from './bench-startup.js';
import { sweepFigures } from './bench-sweep.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const say = (text: string): void => void process.stdout.write(`${text}\n`);
const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
};

async function node24(): Promise<string> {
  const dir = resolve('node_modules/.cache/node24');
  const binary = join(dir, 'node_modules/.bin/node');
  if (!existsSync(binary)) {
    await new Promise<void>((done, fail) =>
      spawn('npm', ['i', '--no-save', '--no-audit', '--no-fund', '--prefix', dir, 'node@24'], {
        stdio: 'ignore',
      })
        .on('close', (code) =>
          code === 0 ? done() : fail(new Error(`npm i node@24 exited ${code}`)),
        )
        .on('error', fail),
    );
  }
  return binary;
}

async function setUp(moto: Moto, services: string[]): Promise<ECSClient> {
  await moto.reset();
  const ecs = new ECSClient(testAwsConfig(moto.url));
  await ecs.send(new CreateClusterCommand({ clusterName: 'bench' }));
  const network = await createDefaultNetwork(moto.url);
  const definition = await registerFargateTaskDefinition(ecs, 'web');
  for (const serviceName of services) {
    await createFargateService(ecs, network, {
      cluster: 'bench',
      name: serviceName,
      taskDefinition: definition.taskDefinitionArn,
    });
  }
  return ecs;
}

/** The official chain, one ecs-deploy step per service (it takes one service), from its source. */
function officialCalls(services: number): Record<string, number> {
  return {
    'ECR.GetAuthorizationToken': 1,
    'ECS.RegisterTaskDefinition': services,
    'ECS.DescribeServices': services,
    'ECS.UpdateService': services,
  };
}

async function deployFigures(moto: Moto, proxy: FaultProxy, count: number): Promise<void> {
  const services = Array.from({ length: count }, (_, i) => `svc-${i + 1}`);
  const walls: number[] = [];
  let calls: Record<string, number> = {};
  for (let run = 0; run < RUNS; run++) {
    const ecs = await setUp(moto, services);
    ecs.destroy();
    proxy.resetCounts();
    const digest = `sha256:${(run + 1).toString(16).padStart(64, '0')}`;
    const result = await runActionProcess(
      {
        cluster: 'bench',
        service: services.join(','),
        image: `registry.example.com/web@${digest}`,
      },
      {
        ...awsEnv(proxy.url),
        GITHUB_SHA: '0'.repeat(40),
        GITHUB_REPOSITORY: 'acme/web',
        ECS_PAAS_POLL_MS: '100',
      },
    );
    if (result.status !== 0)
      throw new Error(`deploy to ${count} service(s) failed:\n${result.log}`);
    walls.push(result.ms);
    calls = proxy.counts();
  }
  // moto's services are stable at once, so the wait is exactly one DescribeServices per 10 services.
  const polls = Math.ceil(count / 10);
  const ours: Record<string, number> = {
    ...calls,
    'ECS.DescribeServices': (calls['ECS.DescribeServices'] ?? 0) - polls,
  };
  const official = officialCalls(count);
  const total = (c: Record<string, number>) => Object.values(c).reduce((a, b) => a + b, 0);
  say(`\n## Deploy of a prebuilt image to ${count} service(s) (${RUNS} runs)`);
  say(`| operation | ecs-paas | official chain |\n| --- | --- | --- |`);
  for (const op of [...new Set([...Object.keys(ours), ...Object.keys(official)])].sort()) {
    say(`| ${op} | ${ours[op] ?? 0} | ${official[op] ?? 0} |`);
  }
  say(
    `| **total (excluding ${polls} wait poll(s))** | **${total(ours)}** | **${total(official)}** |`,
  );
  say(
    `wall time, process start to exit: median ${median(walls)} ms (min ${Math.min(...walls)}, max ${Math.max(...walls)})`,
  );
}

async function coldStart(moto: Moto, proxy: FaultProxy): Promise<void> {
  const node = await node24();
  const times: number[] = [];
  for (let run = 0; run < Math.max(RUNS, 7); run++) {
    await setUp(moto, ['svc-1']).then((ecs) => ecs.destroy());
    proxy.resetCounts();
    let stopListening: () => void = () => undefined;
    const firstCall = new Promise<number>((done) => {
      stopListening = proxy.onRequest(() => done(Date.now()));
    });
    const started = Date.now();
    const result = runActionProcess(
      {
        cluster: 'bench',
        service: 'svc-1',
        image: `registry.example.com/web@sha256:${'a'.repeat(64)}`,
      },
      { ...awsEnv(proxy.url), GITHUB_SHA: '0'.repeat(40), GITHUB_REPOSITORY: 'acme/web' },
      node,
    );
    times.push((await firstCall) - started);
    stopListening();
    await result;
  }
  say(`\n## Cold start under Node 24 (${times.length} runs)`);
  say(
    `process start → first AWS request: median ${median(times)} ms (min ${Math.min(...times)}, max ${Math.max(...times)})`,
  );
}

async function distSize(): Promise<void> {
  let total = 0;
  let code = 0;
  for (const file of await readdir('dist')) {
    const size = (await stat(join('dist', file))).size;
    total += size;
    if (file.endsWith('.js') || file.endsWith('.cjs')) code += size;
  }
  say(
    `\n## dist/\nJavaScript: ${(code / 1024).toFixed(0)} KiB; with source maps and licenses: ${(total / 1024).toFixed(0)} KiB`,
  );
}

async function main(): Promise<void> {
  const moto = await startMoto({ servicesRunning: 1 });
  const proxy = await startFaultProxy(moto.url);
  try {
    say(`# ecs-paas benchmark (${new Date().toISOString()}, Node ${process.version} driving)`);
    // BENCH_ONLY=sweep (or action, bundle, app, intake, queue, startup, fleet, dashboard) runs one part: the whole run takes minutes.
    const only = process.env.BENCH_ONLY;
    if (!only || only === 'action') {
      await deployFigures(moto, proxy, 1);
      await deployFigures(moto, proxy, 3);
      await coldStart(moto, proxy);
      await distSize();
    }
    // Before Prism starts, so its start-up does not share the CPU with the processes being timed.
    if (!only || only === 'bundle') await bundleFigures(moto, await node24(), process.execPath);
    if (!only || only === 'startup') await startupFigures([process.execPath, await node24()]);
    // Prism (GitHub's OpenAPI) as the test run starts it, for the App's figures.
    await globalSetup({ rootDir: process.cwd() });
    if (!only || only === 'app') await appFigures(moto);
    if (!only || only === 'intake') await intakeFigures();
    if (!only || only === 'queue') await queueFigures(moto, proxy);
    if (!only || only === 'sweep') {
      const sizes = process.env.BENCH_SWEEP_SIZES?.split(',').map(Number);
      await sweepFigures(moto, proxy, sizes);
    }
    if (!only || only === 'fleet') await fleetFigures(moto, proxy);
    if (!only || only === 'dashboard') await dashboardFigures(moto, proxy);
  } finally {
    await globalTeardown().catch(() => undefined);
    await Promise.allSettled([proxy.stop(), moto.stop()]);
  }
}

await main();
