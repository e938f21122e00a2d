import { execFile } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const execGit = promisify(execFile);

/** Runs git in `dir` with a fixed identity, so commits need no global git config. */
export async function git(dir: string, ...args: string[]): Promise<string> {
  const { stdout } = await execGit(
    'git',
    ['-c', 'user.name=ecs-paas tests', '-c', 'user.email=tests@example.com', ...args],
    { cwd: dir },
  );
  return stdout.trim();
}

/** Makes `dir` a fresh repository whose `master` holds everything in it; returns that commit. */
export async function freshCheckout(dir: string): Promise<string> {
  await rm(join(dir, '.git'), { recursive: true, force: true });
  await git(dir, 'init', '--quiet', '--initial-branch=master');
  return commitAll(dir, 'base');
}

/** Commits everything in the work tree; returns the new commit's SHA. */
export async function commitAll(dir: string, message: string): Promise<string> {
  await git(dir, 'add', '--all');
  await git(dir, 'commit', '--quiet', '--allow-empty', '-m', message);
  return git(dir, 'rev-parse', 'HEAD');
}
