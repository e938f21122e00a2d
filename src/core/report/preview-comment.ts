import { formatDuration } from '../duration.js';
import type { PreviewIdentity } from '../preview/preview-identity.js';
import type { PreviewResult } from '../preview/preview-types.js';

export interface CommentContext {
  readonly sha: string;
  readonly image?: string;
  /** When the preview started serving this commit. */
  readonly since?: Date;
  /** Where its logs are (a CloudWatch console link or the workflow run). */
  readonly logsUrl?: string;
  /** The commands people can type, or omitted where commands do not apply (the Action). */
  readonly commands?: readonly string[];
  /** `preview.idle-after` (null: off), so people know when a quiet preview goes away. */
  readonly idleAfterMs?: number | null;
  /** Whether requests count (ALB, or `activity-metric`); otherwise only PR activity does. */
  readonly requestsMeasured?: boolean;
  /** Why a torn-down preview stopped; without it the comment just says it was torn down. */
  readonly stopped?: StopReason;
}

export type StopReason =
  | {
      readonly kind: 'idle';
      readonly since: Date;
      readonly idleAfterMs: number;
      readonly requestsMeasured: boolean;
    }
  /** Closed or merged: nothing to bring back. */
  | { readonly kind: 'closed'; readonly why: string }
  /** `/preview stop`, a draft, a `no-preview` label: `/deploy` brings it back. */
  | { readonly kind: 'stopped'; readonly why: string };

const short = (sha: string): string => sha.slice(0, 7);

/** The PR comment for a preview result, in words a developer can act on. */
export function previewComment(result: PreviewResult, context: CommentContext): string {
  const lines: string[] = [];
  switch (result.kind) {
    case 'launched':
    case 'replaced':
    case 'unchanged':
      lines.push(
        `### 🚀 Preview ready: ${result.url}`,
        '',
        '| | |',
        '| --- | --- |',
        `| Commit | \`${short(result.sha)}\` |`,
        ...(context.image ? [`| Image | \`${context.image}\` |`] : []),
        ...(context.since ? [`| Since | ${utc(context.since)} |`] : []),
        ...(context.logsUrl ? [`| Logs | [view](${context.logsUrl}) |`] : []),
        ...identityRows(result.identity),
        ...(result.access === 'open-http'
          ? ['| Access | plain HTTP, no login: anyone who can reach this name can open it |']
          : []),
        ...idleRow(context, 'keepUntil' in result ? result.keepUntil : undefined),
      );
      break;
    case 'torn-down':
      lines.push(`### 💤 Preview stopped`, '', stoppedText(context));
      break;
    case 'refused':
      lines.push(`### ⏸️ No preview`, '', result.reason);
      break;
    case 'discarded':
      lines.push(`### ⏭️ Preview skipped for \`${short(result.sha)}\``, '', result.reason);
      break;
    case 'failed':
      lines.push(
        `### ❌ Preview failed for \`${short(context.sha)}\``,
        '',
        result.reason,
        // Container log lines stay out: a PR comment is public and crashing apps print secrets.
        ...(publicDetails(result.details).length > 0
          ? ['', '```', ...publicDetails(result.details), '```']
          : []),
        ...(context.logsUrl ? ['', `[Logs](${context.logsUrl})`] : []),
      );
      break;
  }
  if (context.commands?.length) {
    lines.push(
      '',
      '<details><summary>Commands</summary>',
      '',
      ...context.commands.map((c) => `- ${c}`),
      '',
      '</details>',
    );
  }
  return lines.join('\n');
}

/** `2026-11-22 10:05 UTC`: minutes are enough for people, and one zone avoids confusion. */
function utc(date: Date): string {
  return `${date.toISOString().replace('T', ' ').slice(0, 16)} UTC`;
}

function idleRow(context: CommentContext, keepUntil: Date | undefined): string[] {
  if (keepUntil) return [`| Idle teardown | paused until ${utc(keepUntil)} (\`/preview keep\`) |`];
  if (context.idleAfterMs === undefined) return [];
  if (context.idleAfterMs === null) return ['| Idle teardown | off |'];
  const quiet = context.requestsMeasured
    ? 'without requests, pushes, comments or reviews'
    : 'without pushes, comments or reviews (requests are not measured)';
  return [`| Idle teardown | after ${formatDuration(context.idleAfterMs)} ${quiet} |`];
}

/**
 * Which role and secrets the preview's code runs with, so a reviewer sees what unmerged code can
 * reach. Names only: a comment may be public, and ARNs say where to aim.
 */
function identityRows(identity: PreviewIdentity | undefined): string[] {
  if (!identity) return [];
  const code = (name: string) => `\`${name.replace(/[^\w+=,.@-]/g, '')}\``;
  return [
    `| Task role | ${identity.taskRole ? code(identity.taskRole) : 'none'} |`,
    `| Secrets | ${identity.secrets.length > 0 ? identity.secrets.map(code).join(', ') : 'none'} |`,
  ];
}

function stoppedText(context: CommentContext): string {
  const what = `The preview for \`${short(context.sha)}\``;
  const stop = context.stopped;
  if (!stop) return `${what} was torn down.`;
  switch (stop.kind) {
    case 'idle':
      return (
        `${what} was stopped because nobody used it: ${stop.requestsMeasured ? 'no requests and ' : ''}` +
        `no pushes, comments or reviews since ${utc(stop.since)} (idle for over ` +
        `${formatDuration(stop.idleAfterMs)}). Type \`/deploy\` to bring it back.`
      );
    case 'closed':
      return `${what} was torn down: ${stop.why}.`;
    case 'stopped':
      return `${what} was torn down: ${stop.why}. Type \`/deploy\` to bring it back.`;
  }
}

/** Stopped reasons and exit codes, without the `| log line` rows explain-failure adds. */
function publicDetails(details: readonly string[]): string[] {
  return details.filter((line) => !line.trimStart().startsWith('|'));
}
