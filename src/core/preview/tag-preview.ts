import { TagResourceCommand, type ECSClient } from '@aws-sdk/client-ecs';
import { listPreviewTasks, type PreviewTask } from './preview-tasks.js';

/**
 * Sets one `ecs-paas:*` tag on a PR's preview tasks, where the preview's state lives; `skip`
 * leaves out tasks that need no write. Returns how many tasks the PR has (tagged or skipped).
 */
export async function tagPreview(
  ecs: ECSClient,
  cluster: string,
  pr: { readonly repo: string; readonly number: number },
  tag: { readonly key: string; readonly value: string },
  skip: (task: PreviewTask) => boolean = () => false,
): Promise<number> {
  const tasks = (await listPreviewTasks(ecs, cluster)).filter(
    (t) => t.repo === pr.repo && t.pr === pr.number,
  );
  for (const task of tasks.filter((t) => !skip(t))) {
    await ecs.send(new TagResourceCommand({ resourceArn: task.arn, tags: [tag] }));
  }
  return tasks.length;
}
