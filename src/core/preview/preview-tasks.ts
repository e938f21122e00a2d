import {
  DescribeTasksCommand,
  ListTasksCommand,
  type ECSClient,
  type Task,
} from '@aws-sdk/client-ecs';
import { withContext } from '../errors.js';
import { STARTED_BY, TAGS, type RoutingSettings } from './routing-types.js';
import { routingFromTags } from './tagged-routing.js';

/** A preview task as AWS knows it: the task plus what its `ecs-paas:*` tags say. */
export interface PreviewTask {
  readonly task: Task;
  readonly arn: string;
  /** The cluster it was listed in (the name or ARN the listing was given). */
  readonly cluster: string;
  readonly repo: string;
  readonly pr: number;
  readonly sha: string;
  readonly label: string;
  readonly url?: string;
  readonly launchedBy?: string;
  /** When the PR last saw a push, comment or review that reached the App. */
  readonly lastActivity?: Date;
  /** `/preview keep`: exempt from idle teardown until then. */
  readonly keepUntil?: Date;
  /** PENDING, RUNNING, … as ECS reports it. */
  readonly status: string;
  readonly startedAt?: Date;
  readonly createdAt?: Date;
  /** From our own tag, set when the launch began. */
  readonly launchedAt?: Date;
  /** Where its route lives, from the tags written at launch (absent on older tasks). */
  readonly routing?: RoutingSettings;
}

/** DescribeTasks takes at most 100 tasks per call. */
const DESCRIBE_BATCH = 100;

/**
 * Every managed preview task in the cluster that is not stopping, from AWS alone: one ListTasks
 * walk by `startedBy`, then DescribeTasks in hundreds with tags. Tasks without our tags (someone
 * else's `startedBy=ecs-paas`) are left out.
 */
export async function listPreviewTasks(ecs: ECSClient, cluster: string): Promise<PreviewTask[]> {
  return describePreviewTasks(ecs, cluster, await listPreviewTaskArns(ecs, cluster, 'RUNNING'));
}

/**
 * The ARNs of `startedBy=ecs-paas` tasks whose desired status is `status`, every page of them.
 * STOPPED ones are those ECS still keeps (about an hour after they stop).
 */
export async function listPreviewTaskArns(
  ecs: ECSClient,
  cluster: string,
  status: 'RUNNING' | 'STOPPED',
): Promise<string[]> {
  const arns: string[] = [];
  let nextToken: string | undefined;
  try {
    do {
      const page = await ecs.send(
        new ListTasksCommand({
          cluster,
          startedBy: STARTED_BY,
          desiredStatus: status,
          maxResults: 100,
          ...(nextToken ? { nextToken } : {}),
        }),
      );
      arns.push(...(page.taskArns ?? []));
      nextToken = page.nextToken;
    } while (nextToken);
  } catch (error) {
    const which = status === 'STOPPED' ? 'stopped preview tasks' : 'preview tasks';
    throw withContext(`Could not list ${which} in cluster '${cluster}'`, error);
  }
  return arns;
}

export async function describePreviewTasks(
  ecs: ECSClient,
  cluster: string,
  arns: readonly string[],
): Promise<PreviewTask[]> {
  const result: PreviewTask[] = [];
  for (let start = 0; start < arns.length; start += DESCRIBE_BATCH) {
    const response = await ecs
      .send(
        new DescribeTasksCommand({
          cluster,
          tasks: arns.slice(start, start + DESCRIBE_BATCH),
          include: ['TAGS'],
        }),
      )
      .catch((error: unknown) =>
        Promise.reject(withContext('Could not describe preview tasks', error)),
      );
    for (const task of response.tasks ?? []) {
      const preview = toPreviewTask(task, cluster);
      if (preview) result.push(preview);
    }
  }
  return result;
}

function toPreviewTask(task: Task, cluster: string): PreviewTask | undefined {
  const tags = new Map((task.tags ?? []).map((tag) => [tag.key ?? '', tag.value ?? '']));
  if (tags.get(TAGS.managed) !== 'true' || !task.taskArn) return undefined;
  const pr = Number(tags.get(TAGS.pr));
  const repo = tags.get(TAGS.repo);
  if (!repo || !Number.isInteger(pr)) return undefined;
  const url = tags.get(TAGS.url);
  const launchedBy = tags.get(TAGS.launchedBy);
  const lastActivity = dateTag(tags.get(TAGS.lastActivity));
  const launchedAt = dateTag(tags.get(TAGS.launchedAt));
  const keepUntil = dateTag(tags.get(TAGS.keepUntil));
  const routing = routingFromTags(tags);
  return {
    task,
    arn: task.taskArn,
    cluster,
    repo,
    pr,
    sha: tags.get(TAGS.sha) ?? '',
    label: tags.get(TAGS.subdomain) ?? '',
    ...(url ? { url } : {}),
    ...(launchedBy ? { launchedBy } : {}),
    ...(lastActivity && { lastActivity }),
    ...(launchedAt && { launchedAt }),
    ...(keepUntil && { keepUntil }),
    ...(routing && { routing }),
    status: task.lastStatus ?? 'UNKNOWN',
    ...(task.startedAt ? { startedAt: task.startedAt } : {}),
    ...(task.createdAt ? { createdAt: task.createdAt } : {}),
  };
}

/** A tag holding an ISO 8601 time; anything else (edited by hand, cut short) counts as absent. */
function dateTag(value: string | undefined): Date | undefined {
  if (!value) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : new Date(ms);
}

/** Oldest first, ARN as the tie-break, so every racer agrees on which duplicate survives. */
export function byAge(a: PreviewTask, b: PreviewTask): number {
  const when = (t: PreviewTask) => (t.launchedAt ?? t.createdAt)?.getTime() ?? 0;
  const age = when(a) - when(b);
  return age !== 0 ? age : a.arn.localeCompare(b.arn);
}
