import { StopTaskCommand } from '@aws-sdk/client-ecs';
import { errorMessage } from '../errors.js';
import type { PreviewTask } from './preview-tasks.js';
import type { PreviewDeps } from './preview-types.js';

/**
 * Stops preview tasks one by one (ECS has no batch stop); a task that will not stop is a warning,
 * not the end of the others. Returns the ARNs that did stop, so callers act only on those.
 */
export async function stopPreviewTasks(
  deps: Pick<PreviewDeps, 'aws' | 'log'>,
  cluster: string,
  tasks: readonly PreviewTask[],
  reason: string,
): Promise<string[]> {
  const stopped: string[] = [];
  for (const task of tasks) {
    try {
      await deps.aws.ecs.send(new StopTaskCommand({ cluster, task: task.arn, reason }));
      stopped.push(task.arn);
    } catch (error) {
      deps.log.warning(`Could not stop ${task.arn}: ${errorMessage(error)}`);
    }
  }
  return stopped;
}
