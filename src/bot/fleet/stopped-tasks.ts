import type { ECSClient } from '@aws-sdk/client-ecs';
import {
  describePreviewTasks,
  listPreviewTaskArns,
  type PreviewTask,
} from '../../core/preview/preview-tasks.js';

/**
 * The preview tasks ECS still keeps stopped in the cluster (about an hour after they stop): one
 * ListTasks walk by `startedBy`, DescribeTasks in hundreds with tags, as for running ones.
 */
export async function listStoppedPreviewTasks(
  ecs: ECSClient,
  cluster: string,
): Promise<PreviewTask[]> {
  return describePreviewTasks(ecs, cluster, await listPreviewTaskArns(ecs, cluster, 'STOPPED'));
}
