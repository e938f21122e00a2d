import type { PreviewResult } from '../core/preview/preview-types.js';
import { previewComment, type StopReason } from '../core/report/preview-comment.js';
import { HELP_LINES } from './commands.js';

export interface BodyExtra {
  readonly image?: string;
  readonly region?: string;
  readonly cluster?: string;
  readonly idleAfterMs?: number | null;
  readonly requestsMeasured?: boolean;
  readonly stopped?: StopReason;
}

/**
 * Left in the comment of a preview stopped for idleness: until someone pushes or types `/deploy`
 * (which rewrite the comment), a CI re-run for the same commit must not bring it back.
 */
export const IDLE_STOPPED_MARKER = '<!-- ecs-paas:idle-stopped -->';

/** The App's living comment for a result: the core's text plus a console logs link and commands. */
export function previewBody(result: PreviewResult, sha: string, extra: BodyExtra = {}): string {
  const taskArn = 'taskArn' in result ? result.taskArn : undefined;
  const taskId = taskArn?.split('/').pop();
  const logsUrl =
    taskId && extra.region && extra.cluster
      ? `https://${extra.region}.console.aws.amazon.com/ecs/v2/clusters/${extra.cluster}/tasks/${taskId}/logs?region=${extra.region}`
      : undefined;
  const since = 'since' in result ? result.since : undefined;
  const text = previewComment(result, {
    sha,
    ...(extra.image ? { image: extra.image } : {}),
    ...(since ? { since } : {}),
    ...(logsUrl ? { logsUrl } : {}),
    ...(extra.idleAfterMs !== undefined ? { idleAfterMs: extra.idleAfterMs } : {}),
    ...(extra.requestsMeasured !== undefined && { requestsMeasured: extra.requestsMeasured }),
    ...(extra.stopped ? { stopped: extra.stopped } : {}),
    commands: HELP_LINES,
  });
  return extra.stopped?.kind === 'idle' ? `${text}\n${IDLE_STOPPED_MARKER}` : text;
}

/** Why a PR's preview went away, as the comment tells it: a closed PR cannot come back. */
export function stopReason(why: string): StopReason {
  return /closed|merged/.test(why) ? { kind: 'closed', why } : { kind: 'stopped', why };
}

export function waitingBody(image: string, sha: string): string {
  return [
    `### ⏳ Waiting for the image of \`${sha.slice(0, 7)}\``,
    '',
    `The preview starts when \`${image}\` exists in ECR: the App tries again when a workflow run or check suite for this commit succeeds, and on \`/deploy\`.`,
    '',
    '<details><summary>Commands</summary>',
    '',
    ...HELP_LINES.map((line) => `- ${line}`),
    '',
    '</details>',
  ].join('\n');
}

export function configErrorBody(message: string): string {
  return [
    '### ⚠️ `.github/ecs-paas.yml` is not valid',
    '',
    'Nothing was launched. Fix these on the default branch:',
    '',
    '```',
    message,
    '```',
  ].join('\n');
}

/** The config is valid but asks for something the operator did not grant this repository. */
export function policyErrorBody(message: string): string {
  return [
    "### ⛔ The operator's policy does not allow this configuration",
    '',
    'Nothing was launched. `.github/ecs-paas.yml` names something this repository is not granted; change it on the default branch, or ask the operator of the App to grant it:',
    '',
    '```',
    message,
    '```',
  ].join('\n');
}
