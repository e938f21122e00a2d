import { constants } from 'node:fs';
import { access, chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

/**
 * A stand-in for `command` at the front of PATH that writes each call's arguments to a file and
 * then runs the real one: shows what a process put on its command lines, which any other user
 * of the machine can read in `ps` (so a password must never be there).
 */
export interface ArgvRecorder {
  /** PATH with the stand-in first. */
  readonly path: string;
  /** Each call's arguments, joined by spaces, in order. */
  calls(): Promise<string[]>;
  cleanup(): Promise<void>;
}

export async function recordArgv(command: string): Promise<ArgvRecorder> {
  const path = process.env.PATH ?? '';
  const real = await findOnPath(command, path);
  const dir = await mkdtemp(join(tmpdir(), 'ecs-paas-argv-'));
  const log = join(dir, 'calls');
  await writeFile(log, '');
  const script = join(dir, command);
  await writeFile(
    script,
    `#!/bin/sh\nprintf '%s\\n' "$*" >> ${JSON.stringify(log)}\nexec ${JSON.stringify(real)} "$@"\n`,
  );
  await chmod(script, 0o755);
  return {
    path: `${dir}${delimiter}${path}`,
    calls: async () => (await readFile(log, 'utf8')).split('\n').filter((line) => line !== ''),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

async function findOnPath(command: string, path: string): Promise<string> {
  for (const dir of path.split(delimiter).filter(Boolean)) {
    const candidate = join(dir, command);
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  throw new Error(`${command} is not on PATH`);
}
