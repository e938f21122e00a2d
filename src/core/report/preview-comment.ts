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
}

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
        ...(context.since
          ? [`| Since | ${context.since.toISOString().replace('T', ' ').slice(0, 16)} UTC |`]
          : []),
        ...(context.logsUrl ? [`| Logs | [view](${context.logsUrl}) |`] : []),
      );
      break;
    case 'torn-down':
      lines.push(
        `### 💤 Preview stopped`,
        '',
        `The preview for \`${short(context.sha)}\` was torn down.`,
      );
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

/** Stopped reasons and exit codes, without the `| log line` rows explain-failure adds. */
function publicDetails(details: readonly string[]): string[] {
  return details.filter((line) => !line.trimStart().startsWith('|'));
}
