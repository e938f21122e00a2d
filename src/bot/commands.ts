import { parseDuration } from '../core/duration.js';

export type Command =
  | { readonly name: 'deploy' }
  | { readonly name: 'deploy-environment'; readonly environment: string }
  | { readonly name: 'preview-stop' }
  | { readonly name: 'preview-keep'; readonly ms: number }
  | { readonly name: 'logs'; readonly lines: number }
  | { readonly name: 'help' }
  | { readonly name: 'unknown'; readonly text: string };

/** What `/help` lists, and the commands block of the living comment. */
export const HELP_LINES = [
  "`/deploy`: (re)launch this pull request's preview at its current head, also after an idle stop (write access; required for forks)",
  "`/deploy <environment>`: deploy the head's image to an environment from `.github/ecs-paas.yml` (its permission)",
  '`/preview stop`: tear the preview down now (write access)',
  '`/preview keep <duration>`: no idle teardown for that long, e.g. `3d`, at most `30d` (write access)',
  "`/logs [n]`: the last n lines (default 50, at most 500) of each container's logs, in this comment (write access)",
  '`/help`: this list',
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
      if (args.length === 0) return { name: 'deploy' };
      if (args.length === 1 && /^[a-z0-9][a-z0-9-]*$/i.test(args[0] ?? '')) {
        return { name: 'deploy-environment', environment: (args[0] ?? '').toLowerCase() };
      }
      return { name: 'unknown', text: first };
    case '/preview':
      if (args.length === 1 && args[0]?.toLowerCase() === 'stop') return { name: 'preview-stop' };
      if (args.length === 2 && args[0]?.toLowerCase() === 'keep') {
        const ms = parseDuration(args[1] ?? '');
        if (ms !== undefined && ms > 0) return { name: 'preview-keep', ms };
      }
      return { name: 'unknown', text: first };
    case '/logs': {
      const lines = args[0] === undefined ? 50 : Number(args[0]);
      return Number.isInteger(lines) && lines > 0 && args.length <= 1
        ? { name: 'logs', lines: Math.min(lines, 500) }
        : { name: 'unknown', text: first };
    }
    case '/help':
      return { name: 'help' };
    default:
      return { name: 'unknown', text: first };
  }
}

export const PERMISSIONS = ['none', 'read', 'triage', 'write', 'maintain', 'admin'] as const;
export type Permission = (typeof PERMISSIONS)[number];

/** `admin` satisfies `write`, `read` does not: levels compare by position. */
export function hasPermission(actual: string, required: string): boolean {
  const have = PERMISSIONS.indexOf(actual as Permission);
  const need = PERMISSIONS.indexOf(required as Permission);
  return have >= 0 && need >= 0 && have >= need;
}
