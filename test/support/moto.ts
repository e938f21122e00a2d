import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitUntil } from './ports.js';

export type TaskTransition =
  { progression: 'manual'; times: number } | { progression: 'immediate' };

export interface Moto {
  url: string;
  /** Wipes all state and puts ECS tasks back to staying RUNNING. */
  reset(): Promise<void>;
  /** How ECS tasks advance per DescribeTasks: `immediate` makes them stop at once. */
  setTaskTransition(progression: TaskTransition): Promise<void>;
  stop(): Promise<void>;
}

const INSTALL_HINT = 'moto_server is not installed: run `pip install "moto[server]"`';

// moto's default advances a task one state per DescribeTasks, so it would stop after a few polls.
const TASKS_STAY_RUNNING: TaskTransition = { progression: 'manual', times: 1_000_000 };

function logTail(path: string, lines = 30): string {
  try {
    return readFileSync(path, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** Kills the whole process group: `moto_server` may be a pyenv shim in front of python. */
function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

async function post(url: string, body?: unknown): Promise<void> {
  const response = await fetch(url, {
    method: 'POST',
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!response.ok) throw new Error(`POST ${url} → ${response.status}: ${await response.text()}`);
}

/** Starts a private moto_server on a free loopback port; always `stop()` it in `afterAll`. */
export async function startMoto(options: { servicesRunning?: number } = {}): Promise<Moto> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const logDir = mkdtempSync(join(tmpdir(), 'moto-'));
  const logPath = join(logDir, 'moto.log');
  const logFd = openSync(logPath, 'a');
  const child = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], {
    detached: true,
    stdio: ['ignore', logFd, logFd],
    env: { ...process.env, MOTO_ECS_SERVICE_RUNNING: String(options.servicesRunning ?? 10) },
  });
  closeSync(logFd);

  // A crashed jest worker never reaches afterAll; this still takes the server down with it.
  const killOnExit = (): void => killGroup(child, 'SIGKILL');
  process.once('exit', killOnExit);

  let dead = false;
  const exited = new Promise<never>((_, reject) => {
    child.once('error', (error: NodeJS.ErrnoException) => {
      dead = true;
      reject(error.code === 'ENOENT' ? new Error(INSTALL_HINT) : error);
    });
    child.once('exit', (code, signal) => {
      dead = true;
      reject(new Error(`moto_server exited early (${code ?? signal})`));
    });
  });
  exited.catch(() => {}); // only observed while starting

  const setTaskTransition = (transition: TaskTransition): Promise<void> =>
    post(`${url}/moto-api/state-manager/set-transition`, {
      model_name: 'ecs::task',
      transition,
    });
  // State-manager transitions survive /moto-api/reset, so reset must restore ours explicitly.
  const reset = async (): Promise<void> => {
    await post(`${url}/moto-api/reset`);
    await setTaskTransition(TASKS_STAY_RUNNING);
  };
  const stop = async (): Promise<void> => {
    process.removeListener('exit', killOnExit);
    if (!dead && child.pid !== undefined) {
      const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      killGroup(child, 'SIGTERM');
      const timer = setTimeout(() => killGroup(child, 'SIGKILL'), 3_000);
      await gone;
      clearTimeout(timer);
    }
    rmSync(logDir, { recursive: true, force: true });
  };

  try {
    await Promise.race([
      exited,
      // Once the server is dead the probe says "done" so the poll loop stops; `exited` has won.
      waitUntil(
        'moto_server',
        async () => dead || (await fetch(`${url}/moto-api/reset`, { method: 'POST' })).ok,
      ),
    ]);
    await reset();
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const failure = new Error(`${reason}\n--- moto_server log ---\n${logTail(logPath)}`, {
      cause: error,
    });
    await stop();
    throw failure;
  }
  return { url, reset, setTaskTransition, stop };
}
