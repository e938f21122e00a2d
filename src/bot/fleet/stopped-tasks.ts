import { ListTasksCommand, type ECSClient } from '@aws-sdk/client-ecs';
import { withContext } from '../../core/errors.js';
import { describePreviewTasks, type PreviewTask } from '../../core/preview/preview-tasks.js';
import { STARTED_BY } from '../../core/preview/routing-types.js';

/**
 * The preview tasks ECS still keeps stopped in the cluster (about an hour after they stop): one
 * ListTasks walk by `startedBy`, DescribeTasks in hundreds with tags, as for running ones.
 */
export async function listStoppedPreviewTasks(
  ecs: ECSClient,
  cluster: string,
): Promise<PreviewTask[]> {
  const arns: string[] = [];
  let nextToken: string | undefined;
  try {
    do {
      const page = await ecs.send(
        new ListTasksCommand({
          cluster,
          startedBy: STARTED_BY,
          desiredStatus: 'STOPPED',
          maxResults: 100,
          ...(nextToken ? { nextToken } : {}),
        }),
      );
      arns.push(...(page.taskArns ?? []));
      nextToken = page.nextToken;
    } while (nextToken);
  } catch (error) {
    throw withContext(`Could not list stopped preview tasks in cluster '${cluster}'`, error);
  }
  return describePreviewTasks(ecs, cluster, arns);
}
