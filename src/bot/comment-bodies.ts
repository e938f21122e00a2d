import { formatDuration } from '../core/duration.js';
import type { CrashFacts } from '../core/preview/health-crash.js';
import type { PreviewResult } from '../core/preview/preview-types.js';
import { previewComment, type StopReason } from '../core/report/preview-comment.js';
import { RELAUNCH_LIMIT, type CrashDecision } from './health/relaunch-rule.js';
import { HELP_LINES } from './commands.js';

export interface BodyExtra {
  readonly image?: string;
  readonly region?: string;
  readonly cluster?: string;
  readonly idleAfterMs?: number | null;
  readonly requestsMeasured?: boolean;
  readonly stopped?: StopReason;
  /** Until the preview answers it is starting; past `ready-timeout`, unhealthy with what was seen. */
  readonly health?: PreviewHealth;
  /** Requests over `idle-after`, where a request metric exists (ALB or `activity-metric`). */
  readonly requests?: RequestSummary;
}

export type PreviewHealth =
  | { readonly state: 'starting'; readonly waitingFor: string; readonly timeoutMs: number }
  | { readonly state: 'unhealthy'; readonly reason: string };

export interface RequestSummary {
  readonly count: number;
  readonly overMs: number;
  /** The last period with a request, when there was one. */
  readonly last?: Date;
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
  const shown = withRequests(withHealth(text, extra.health), extra.requests);
  return extra.stopped?.kind === 'idle' ? `${shown}\n${IDLE_STOPPED_MARKER}` : shown;
}

/** "Ready" only once it answers: the heading says starting or unhealthy until then. */
function withHealth(text: string, health: PreviewHealth | undefined): string {
  if (!health) return text;
  const [heading = '', ...rest] = text.split('\n');
  const url = heading.replace(/^### 🚀 Preview ready: /, '');
  if (url === heading) return text;
  const head =
    health.state === 'starting'
      ? [
          `### ⏳ Preview starting: ${url}`,
          '',
          `The task is running; the preview is ready once ${health.waitingFor} (up to ${formatDuration(health.timeoutMs)}).`,
        ]
      : [
          `### ⚠️ Preview unhealthy: ${url}`,
          '',
          `The task is running but ${health.reason}. It is left running so you can look; push a fix or type \`/deploy\` to start it again.`,
        ];
  return [...head, ...rest].join('\n');
}

/**
 * A row after the commit's: how much the preview is used, when that is measured. It replaces the
 * row already there, so the sweep can bring a written comment's figures up to date.
 */
export function withRequests(text: string, requests: RequestSummary | undefined): string {
  if (!requests) return text;
  const lines = text.split('\n').filter((line) => !line.startsWith('| Requests |'));
  const at = lines.findIndex((line) => line.startsWith('| Commit |'));
  if (at < 0) return text;
  const last = requests.last
    ? `, last at ${requests.last.toISOString().replace('T', ' ').slice(0, 16)} UTC`
    : '';
  const row = `| Requests | ${requests.count} in the last ${formatDuration(requests.overMs)}${last} |`;
  return [...lines.slice(0, at + 1), row, ...lines.slice(at + 1)].join('\n');
}

/**
 * The comment for a preview whose task stopped behind ecs-paas's back: what AWS said (reason and
 * exit codes), the last log lines where `/logs` may post them (or where to read them), and what
 * the App does next. No ARN, task id or address: the comment may be public.
 */
export function crashBody(
  sha: string,
  facts: CrashFacts,
  decision: CrashDecision,
  logs: string | undefined,
): string {
  const next =
    decision.kind === 'relaunch'
      ? `Relaunching it in ${formatDuration(decision.afterMs)} (attempt ${decision.attempt} of ${RELAUNCH_LIMIT_TEXT}).`
      : `Gave up after ${decision.attempts} relaunches of this commit: push a fix, or type \`/deploy\` to try again.`;
  return [
    `### 💥 Preview crashed for \`${sha.slice(0, 7)}\``,
    '',
    `The task stopped: ${facts.reason}.`,
    '',
    ...facts.containers.map((c) => `- container \`${c.name.replace(/[^\w.-]/g, '')}\`: ${c.exit}`),
    '',
    next,
    ...(logs ? ['', logs] : []),
    '',
    ...COMMANDS_DETAILS,
  ].join('\n');
}

/** The folded list of slash commands that ends the comments written outside the main body. */
const COMMANDS_DETAILS = [
  '<details><summary>Commands</summary>',
  '',
  ...HELP_LINES.map((line) => `- ${line}`),
  '',
  '</details>',
];

const RELAUNCH_LIMIT_TEXT = String(RELAUNCH_LIMIT);

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
    ...COMMANDS_DETAILS,
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
