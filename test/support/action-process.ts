import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export interface ActionRun {
  readonly status: number | null;
  /** Everything the step printed, stdout then stderr, as the runner's log shows it. */
  readonly log: string;
  readonly outputs: Record<string, string>;
  /** What the step saved with core.saveState, which the runner hands to its post step. */
  readonly state: Record<string, string>;
  readonly summary: string;
  readonly ms: number;
}

// ECS_PAAS_BUNDLE points the tests at another build of the bundle (a developer's own `ncc build
// -o <dir>` while dist/ is being rebuilt by someone else); CI always tests dist/.
const BUNDLE = resolve(process.env.ECS_PAAS_BUNDLE ?? 'dist/index.js');

/**
 * Runs the bundled Action the way a runner does: a node process with `INPUT_*` variables (names
 * upper-cased, hyphens kept), `GITHUB_OUTPUT`, `GITHUB_STATE` and `GITHUB_STEP_SUMMARY` files.
 * Nothing is imported. A post step is the same run with `postStepEnv(main.state)` in `env`.
 */
export async function runActionProcess(
  inputs: Readonly<Record<string, string>>,
  env: Readonly<Record<string, string>>,
  node = process.execPath,
): Promise<ActionRun> {
  const dir = await mkdtemp(join(tmpdir(), 'ecs-paas-step-'));
  const outputFile = join(dir, 'output');
  const summaryFile = join(dir, 'summary');
  const stateFile = join(dir, 'state');
  await writeFile(outputFile, '');
  await writeFile(stateFile, '');
  await writeFile(summaryFile, '');
  const inputVars = Object.fromEntries(
    Object.entries(inputs).map(([name, value]) => [
      `INPUT_${name.replace(/ /g, '_').toUpperCase()}`,
      value,
    ]),
  );
  const started = Date.now();
  try {
    const { status, log } = await new Promise<{ status: number | null; log: string }>(
      (done, fail) => {
        // A runner starts the step in the workspace, where relative paths (config, context) live.
        const child = spawn(node, [BUNDLE], {
          ...(env.GITHUB_WORKSPACE ? { cwd: env.GITHUB_WORKSPACE } : {}),
          env: {
            PATH: process.env.PATH ?? '',
            HOME: process.env.HOME ?? '/root',
            RUNNER_TEMP: dir,
            GITHUB_OUTPUT: outputFile,
            GITHUB_STEP_SUMMARY: summaryFile,
            GITHUB_STATE: stateFile,
            ...env,
            ...inputVars,
          },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        const chunks: Buffer[] = [];
        child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
        child.stderr.on('data', (chunk: Buffer) => chunks.push(chunk));
        child.on('error', fail);
        child.on('close', (code) => done({ status: code, log: Buffer.concat(chunks).toString() }));
      },
    );
    return {
      status,
      log,
      outputs: parseOutputs(await readFile(outputFile, 'utf8')),
      state: parseOutputs(await readFile(stateFile, 'utf8')),
      summary: await readFile(summaryFile, 'utf8'),
      ms: Date.now() - started,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The runner's environment for a post step: each saved state as `STATE_<name>`. */
export function postStepEnv(state: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(state).map(([name, value]) => [`STATE_${name}`, value]));
}

/**
 * Reads the runner's `name<<DELIMITER … DELIMITER` file format (outputs and state); a name
 * written twice keeps its last value, as the runner does.
 */
function parseOutputs(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const match = /^([^<=]+)<<(.+)$/.exec(lines[i] ?? '');
    if (!match?.[1] || !match[2]) continue;
    const value: string[] = [];
    for (i++; i < lines.length && lines[i] !== match[2]; i++) value.push(lines[i] ?? '');
    outputs[match[1]] = value.join('\n');
  }
  return outputs;
}
