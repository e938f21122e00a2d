import { spawn } from 'node:child_process';
import type { Logger } from './logger.js';

export interface RunOptions {
  /** Written to standard input, then closed (passwords go here, never on the command line). */
  readonly input?: string;
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly log?: Logger;
}

/** Runs a command, streaming its output to the log, and returns its standard output. */
export async function run(
  command: string,
  args: readonly string[],
  options: RunOptions = {},
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const stdout: Buffer[] = [];
    const stderrTail: string[] = [];
    child.stdout.on('data', (chunk: Buffer) => {
      stdout.push(chunk);
      options.log?.info(chunk.toString().trimEnd());
    });
    child.stderr.on('data', (chunk: Buffer) => {
      const text = chunk.toString().trimEnd();
      stderrTail.push(text);
      if (stderrTail.length > 20) stderrTail.shift();
      options.log?.info(text);
    });
    child.on('error', (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'ENOENT'
          ? new Error(`'${command}' was not found on PATH; install it or choose another builder`)
          : error,
      );
    });
    child.on('close', (code) => {
      if (code === 0) resolve(Buffer.concat(stdout).toString());
      else {
        const tail = stderrTail.join('\n').split('\n').slice(-5).join('\n');
        reject(
          new Error(
            `'${command} ${args[0] ?? ''}' exited with code ${code}${tail ? `:\n${tail}` : ''}`,
          ),
        );
      }
    });
    // A command that exits without reading its input (git rev-parse, a logout, a login that
    // fails early) closes the pipe: EPIPE must not crash the process, the exit code tells.
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.input ?? '');
  });
}
