import type { DeployReport } from '../deploy/deploy-services.js';
import { formatDuration } from '../duration.js';
import { revisionOf } from '../deploy/wait-for-services.js';

const RESULT_WORDS: Record<string, string> = {
  updated: '✅ deployed',
  unchanged: '➖ unchanged',
  'not-waited': '🚀 updated (not waited for)',
  failed: '❌ failed',
  'timed-out': '⏱️ timed out',
  'rolled-back': '↩️ rolled back',
  'rollback-failed': '🔥 rollback did not complete',
};

export interface SummaryInput {
  readonly report: DeployReport;
  readonly image: string;
  readonly digest: string;
  readonly cluster: string;
  readonly timings: ReadonlyArray<readonly [string, number]>;
}

/** The job summary as Markdown: per service old → new revision and result, what changed, timings. */
export function deploySummary({ report, image, digest, cluster, timings }: SummaryInput): string {
  const heading = report.failure
    ? `## ❌ Deploy failed${report.rolledBack ? ' and was rolled back' : ''}`
    : `## ✅ Deployed ${revisionOf(report.taskDefinitionArn)}`;
  const lines = [
    heading,
    '',
    `Cluster \`${cluster}\` · image \`${image}\``,
    `Digest \`${digest}\``,
    '',
    '| Service | Revision | Result | Time |',
    '| --- | --- | --- | --- |',
    ...report.services.map(
      (s) =>
        `| ${s.service} | ${revisionOf(s.from)} → ${revisionOf(s.to)} | ${RESULT_WORDS[s.result] ?? s.result}${s.result === 'rolled-back' ? ` to ${revisionOf(s.from)}` : ''} | ${s.seconds === undefined ? '' : formatDuration(s.seconds * 1_000)} |`,
    ),
    '',
  ];
  if (report.failure) lines.push(`**Why:** ${escape(report.failure)}`, '');
  if (report.explanation.length > 0) {
    lines.push(
      '<details><summary>Stopped tasks and last log lines</summary>',
      '',
      '```',
      ...report.explanation,
      '```',
      '</details>',
      '',
    );
  }
  lines.push(
    report.registered
      ? `### Task definition changes (${revisionOf(report.taskDefinitionArn)})`
      : '### Task definition unchanged',
    '',
    ...(report.changes.length > 0
      ? report.changes.map((change) => `- ${escape(change)}`)
      : ['- no changes']),
    '',
  );
  if (report.prunedRevisions.length > 0) {
    lines.push(
      `Deregistered old revisions: ${report.prunedRevisions.map(revisionOf).join(', ')}`,
      '',
    );
  }
  lines.push(
    '| Phase | Time |',
    '| --- | --- |',
    ...timings.map(([phase, ms]) => `| ${phase} | ${formatDuration(ms)} |`),
    '',
  );
  return lines.join('\n');
}

function escape(text: string): string {
  return text.replace(/[|<>]/g, (c) => `\\${c}`);
}
