import { DescribeTasksCommand, type Task } from '@aws-sdk/client-ecs';
import { errorMessage } from '../../core/errors.js';
import { stoppedBehindOurBack } from '../../core/preview/health-crash.js';
import { HEALTH_TAGS, taskTag } from '../../core/preview/health-tags.js';
import { listPreviewTaskArns } from '../../core/preview/preview-tasks.js';
import type { BotServices } from '../bot-services.js';
import { noticeStoppedTask, type ApiFor } from '../health/notice-stopped.js';
import type { FleetView } from './sweep-read.js';

/**
 * Preview tasks that stopped behind ecs-paas's back since the last look (ECS keeps stopped tasks
 * listable for about an hour): one STOPPED listing per cluster, described in hundreds with tags,
 * each not yet reported handed to noticeStoppedTask. The safety net for the EventBridge rule, and
 * the only way crashes are seen without the queue. Returns how many PRs were told.
 */
export async function noticeCrashes(
  services: BotServices,
  view: FleetView,
  problem: (text: string) => void,
): Promise<number> {
  const apiFor: ApiFor = (repo) =>
    Promise.resolve(view.installedRepos.get(`${repo.owner}/${repo.repo}`.toLowerCase())?.api);
  let told = 0;
  for (const cluster of view.fleet.keys()) {
    let stopped: Task[];
    try {
      stopped = await stoppedTasks(services, cluster);
    } catch (error) {
      // The message names the cluster already (listPreviewTaskArns).
      problem(errorMessage(error));
      continue;
    }
    for (const task of stopped) {
      try {
        const outcome = await noticeStoppedTask(services, apiFor, cluster, task);
        if (outcome.kind !== 'ignored') told++;
      } catch (error) {
        problem(`could not report a stopped preview task: ${errorMessage(error)}`);
      }
    }
  }
  return told;
}

async function stoppedTasks(services: BotServices, cluster: string): Promise<Task[]> {
  const arns = await listPreviewTaskArns(services.aws.ecs, cluster, 'STOPPED');
  const found: Task[] = [];
  for (let start = 0; start < arns.length; start += 100) {
    const { tasks = [] } = await services.aws.ecs.send(
      new DescribeTasksCommand({
        cluster,
        tasks: arns.slice(start, start + 100),
        include: ['TAGS'],
      }),
    );
    found.push(
      ...tasks.filter((t) => stoppedBehindOurBack(t) && !taskTag(t, HEALTH_TAGS.crashNoticed)),
    );
  }
  return found;
}
