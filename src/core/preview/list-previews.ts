import type { ECSClient } from '@aws-sdk/client-ecs';
import { listPreviewTasks } from './preview-tasks.js';

/** One managed preview, as an operator's listing shows it. */
export interface PreviewSummary {
  readonly repo: string;
  readonly pr: number;
  readonly sha: string;
  readonly url?: string;
  readonly status: string;
  readonly startedAt?: Date;
  readonly taskArn: string;
}

/** Every managed preview in the cluster, from AWS alone (no state of our own). */
export async function listPreviews(ecs: ECSClient, cluster: string): Promise<PreviewSummary[]> {
  const tasks = await listPreviewTasks(ecs, cluster);
  return tasks
    .map((t) => ({
      repo: t.repo,
      pr: t.pr,
      sha: t.sha,
      ...(t.url ? { url: t.url } : {}),
      status: t.status,
      ...(t.startedAt ? { startedAt: t.startedAt } : {}),
      taskArn: t.arn,
    }))
    .sort((a, b) => a.repo.localeCompare(b.repo) || a.pr - b.pr);
}
