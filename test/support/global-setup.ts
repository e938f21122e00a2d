import { spawn, spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Jest loads this file outside its module mapper, so it imports only Node built-ins and packages,
// never sibling files with `.js` specifiers.

/** The external tools the real-server tests need, and the one command that installs each. */
const REQUIRED_TOOLS = [
  { command: 'moto_server', probe: ['--help'], install: 'pip install "moto[server]"' },
  { command: 'podman', probe: ['--version'], install: 'apt-get install -y podman buildah' },
  {
    command: 'docker-registry',
    probe: ['--version'],
    install: 'apt-get install -y docker-registry',
  },
] as const;

/** global-teardown.ts finds Prism's stop function here (both run in jest's main process). */
const PRISM_STOP = Symbol.for('ecs-paas.test.prism.stop');

/** Fails with one line per missing tool, naming its install command; never skips silently. */
function assertToolsInstalled(): void {
  const missing = REQUIRED_TOOLS.filter(
    (tool) => spawnSync(tool.command, tool.probe, { stdio: 'ignore' }).status !== 0,
  );
  if (missing.length > 0) {
    throw new Error(
      missing.map((tool) => `${tool.command} is not installed: run \`${tool.install}\``).join('\n'),
    );
  }
}

async function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts one Prism mock of GitHub's REST API for the whole run and publishes PRISM_URL (workers
 * inherit it). It is not awaited: Prism needs ~10 s to load the description, and test files that
 * use it wait in startGitHubApi while the others run. A PRISM_URL already set is reused.
 */
async function startPrism(rootDir: string): Promise<void> {
  if (process.env.PRISM_URL) return;
  const port = await freeLoopbackPort();
  const logDir = mkdtempSync(join(tmpdir(), 'ecs-paas-prism-'));
  const log = join(logDir, 'prism.log');
  const logFd = openSync(log, 'a');
  const modules = join(rootDir, 'node_modules');
  // --errors false: Prism's own examples break GitHub's schemas in places; only requests are judged.
  const child = spawn(
    process.execPath,
    [
      join(modules, '@stoplight/prism-cli/dist/index.js'),
      'mock',
      '--host=127.0.0.1',
      `--port=${port}`,
      '--errors=false',
      join(modules, '@octokit/openapi/generated/api.github.com.json'),
    ],
    { stdio: ['ignore', logFd, logFd] },
  );
  closeSync(logFd);
  const killOnExit = (): void => void child.kill('SIGKILL');
  process.once('exit', killOnExit);

  process.env.PRISM_URL = `http://127.0.0.1:${port}`;
  process.env.PRISM_LOG = log;
  (globalThis as Record<symbol, unknown>)[PRISM_STOP] = async (): Promise<void> => {
    process.removeListener('exit', killOnExit);
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(logDir, { recursive: true, force: true });
  };
}

/** Runs once before all test files: a missing tool fails the whole run with its install command. */
export default async function globalSetup(globalConfig: { rootDir: string }): Promise<void> {
  assertToolsInstalled();
  await startPrism(globalConfig.rootDir);
}
