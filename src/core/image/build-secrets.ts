import { constants } from 'node:fs';
import { access, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { InputError } from '../errors.js';
import type { Logger } from '../logger.js';

/** A BuildKit secret: a value from the `secrets` input, or a file from `secret-files`. */
export type BuildSecret =
  { readonly id: string; readonly value: string } | { readonly id: string; readonly file: string };

/** What `--secret id=<id>,src=<src>` names: the secret's id and a file that holds it. */
export interface SecretMount {
  readonly id: string;
  readonly src: string;
}

export interface MountedSecrets {
  readonly mounts: readonly SecretMount[];
  /** Deletes the files written for `secrets` values; safe to call more than once. */
  remove(): Promise<void>;
}

/**
 * Parses `id=value` (input `secrets`) or `id=path` (`secret-files`) lines. A line may be wrapped
 * in double quotes, as docker/build-push-action users write them. A bad `secrets` line is named by
 * its number only: its text may be the secret itself.
 */
export function parseSecretLines(value: string, input: 'secrets' | 'secret-files'): BuildSecret[] {
  const secrets: BuildSecret[] = [];
  const seen = new Set<string>();
  for (const [index, raw] of value.split('\n').entries()) {
    let line = raw.trim();
    if (!line) continue;
    if (line.length >= 2 && line.startsWith('"') && line.endsWith('"')) line = line.slice(1, -1);
    const match = /^([A-Za-z0-9_.-]+)=(.*)$/s.exec(line);
    const form = input === 'secrets' ? 'id=value' : 'id=path';
    if (!match?.[1]) {
      throw new InputError(
        input,
        `line ${index + 1} is not ${form} (an id of letters, digits, '.', '_' or '-', then '='); one secret per line` +
          (input === 'secrets'
            ? ', and a value of several lines goes in a file for secret-files'
            : ''),
      );
    }
    const id = match[1];
    if (seen.has(id)) throw new InputError(input, `line ${index + 1}: id '${id}' is given twice`);
    seen.add(id);
    const rest = match[2] ?? '';
    if (input === 'secrets') {
      secrets.push({ id, value: rest });
      continue;
    }
    const file = rest.trim();
    if (!file) throw new InputError(input, `line ${index + 1}: id '${id}' names no file`);
    // --secret is itself a comma-separated list; a comma in the path would split it.
    if (file.includes(',')) {
      throw new InputError(input, `line ${index + 1}: '${file}' has a comma; rename or move it`);
    }
    secrets.push({ id, file });
  }
  return secrets;
}

/** Registers every secret value with the log before anything else can print it. */
export function maskSecrets(secrets: readonly BuildSecret[], log: Logger): void {
  for (const secret of secrets) {
    if ('value' in secret && secret.value) log.secret(secret.value);
  }
}

/**
 * Gives each secret a file for `--secret src=`: values are written (mode 0600, in a directory of
 * their own under RUNNER_TEMP, which the runner empties after the job), files are checked readable.
 */
export async function mountSecrets(
  secrets: readonly BuildSecret[],
  env: Readonly<Record<string, string | undefined>>,
): Promise<MountedSecrets> {
  const mounts: SecretMount[] = [];
  for (const secret of secrets) {
    if (!('file' in secret)) continue;
    const src = resolve(secret.file);
    await access(src, constants.R_OK).catch(() => {
      throw new InputError(
        'secret-files',
        `'${secret.id}=${secret.file}': cannot read ${src}; write the file in an earlier step or fix the path`,
      );
    });
    mounts.push({ id: secret.id, src });
  }
  const values = secrets.filter((secret) => 'value' in secret);
  if (values.length === 0) return { mounts, remove: () => Promise.resolve() };

  const dir = await mkdtemp(join(env.RUNNER_TEMP || tmpdir(), 'ecs-paas-secrets-'));
  const remove = (): Promise<void> => rm(dir, { recursive: true, force: true });
  try {
    if (dir.includes(',')) throw new Error(`the temporary directory ${dir} has a comma in it`);
    for (const [index, secret] of values.entries()) {
      if (!('value' in secret)) continue;
      const src = join(dir, String(index));
      await writeFile(src, secret.value, { mode: 0o600, flag: 'wx' });
      mounts.push({ id: secret.id, src });
    }
  } catch (error) {
    await remove();
    throw error;
  }
  return { mounts, remove };
}
