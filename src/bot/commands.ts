import { parseDuration } from '../core/duration.js';

export type Command =
  | { readonly name: 'deploy'; readonly sha?: string }
  | { readonly name: 'deploy-environment'; readonly environment: string; readonly sha?: string }
  | { readonly name: 'preview-stop' }
  | { readonly name: 'preview-keep'; readonly ms: number }
  | { readonly name: 'logs'; readonly lines: number }
  | { readonly name: 'help' }
  | { readonly name: 'unknown' };

/** What `/help` lists, and the commands block of the living comment. */
export const HELP_LINES = [
  "`/deploy [sha]`: (re)launch this pull request's preview at its current head, also after an idle stop (write access; for forks it approves exactly that SHA)",
  "`/deploy <environment> [sha]`: deploy the head's image to an environment from `.github/ecs-paas.yml` once its checks are green (the environment's permission, at least write)",
  '`/preview stop`: tear the preview down now (write access)',
  '`/preview keep <duration>`: no idle teardown for that long, e.g. `3d`, at most `30d` (write access)',
  "`/logs [n]`: the last n lines (default 50, at most 500) of each container's logs, in this comment on private repositories; on public ones, where to read them (write access; `preview.logs` in .github/ecs-paas.yml)",
  '`/help`: this list (triage access)',
] as const;

/**
 * Reads a command from the first line of a comment only; anything that does not start with `/`
 * is not a command at all (undefined), so ordinary comments that mention `/deploy` are ignored.
 */
export function parseCommand(body: string): Command | undefined {
  const first = body.split(/\r?\n/, 1)[0]?.trim() ?? '';
  if (!first.startsWith('/')) return undefined;
  const [word = '', ...args] = first.split(/\s+/);
  switch (word.toLowerCase()) {
    case '/deploy':
      return parseDeploy(args);
    case '/preview':
      if (args.length === 1 && args[0]?.toLowerCase() === 'stop') return { name: 'preview-stop' };
      if (args.length === 2 && args[0]?.toLowerCase() === 'keep') {
        const ms = parseDuration(args[1] ?? '');
        if (ms !== undefined && ms > 0) return { name: 'preview-keep', ms };
      }
      return UNKNOWN;
    case '/logs': {
      const lines = args[0] === undefined ? 50 : Number(args[0]);
      return Number.isInteger(lines) && lines > 0 && args.length <= 1
        ? { name: 'logs', lines: Math.min(lines, 500) }
        : UNKNOWN;
    }
    case '/help':
      return { name: 'help' };
    default:
      return UNKNOWN;
  }
}

const UNKNOWN: Command = { name: 'unknown' };

/** 7 to 40 hex characters: an abbreviated or full commit SHA, never an environment name. */
export const SHA_ARGUMENT = /^[0-9a-f]{7,40}$/i;
const ENVIRONMENT_ARGUMENT = /^[a-z0-9][a-z0-9-]*$/i;

/** `/deploy`, `/deploy <sha>`, `/deploy <env>`, `/deploy <env> <sha>`. */
function parseDeploy(args: readonly string[]): Command {
  const [first, second, ...rest] = args;
  if (first === undefined) return { name: 'deploy' };
  if (rest.length > 0) return UNKNOWN;
  if (SHA_ARGUMENT.test(first)) {
    return second === undefined ? { name: 'deploy', sha: first.toLowerCase() } : UNKNOWN;
  }
  if (!ENVIRONMENT_ARGUMENT.test(first)) return UNKNOWN;
  const environment = first.toLowerCase();
  if (second === undefined) return { name: 'deploy-environment', environment };
  return SHA_ARGUMENT.test(second)
    ? { name: 'deploy-environment', environment, sha: second.toLowerCase() }
    : UNKNOWN;
}

export const PERMISSIONS = ['none', 'read', 'triage', 'write', 'maintain', 'admin'] as const;
export type Permission = (typeof PERMISSIONS)[number];

/** `admin` satisfies `write`, `read` does not: levels compare by position. */
export function hasPermission(actual: string, required: string): boolean {
  const have = PERMISSIONS.indexOf(actual as Permission);
  const need = PERMISSIONS.indexOf(required as Permission);
  return have >= 0 && need >= 0 && have >= need;
}
