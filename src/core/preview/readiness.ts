import { DescribeTasksCommand, type ECSClient, type Task } from '@aws-sdk/client-ecs';
import { describeTaskDefinition } from '../deploy/load-task-definition.js';
import { formatDuration } from '../duration.js';
import { pollUntil } from '../poll.js';
import { probeOnce, probeUrl } from './readiness-probe.js';

export type Readiness =
  | { readonly state: 'ready'; readonly how: string }
  | { readonly state: 'unhealthy'; readonly reason: string }
  /** It stopped while starting: the crash path (event or sweep) tells the PR. */
  | { readonly state: 'stopped'; readonly task: Task };

export interface ReadinessOptions {
  /** The preview container; the definition's first when left out. */
  readonly container?: string;
  readonly port: number;
  readonly path: string;
  readonly timeoutMs: number;
  readonly pollMs: number;
  /** Called once, when the first look finds it not answering yet (the PR is told "starting"). */
  readonly onWaiting?: () => Promise<void>;
}

class NotReady extends Error {}

/**
 * Waits until a RUNNING dns-mode preview answers: the container's own `healthCheck` turned
 * HEALTHY when its definition has one (ECS runs it inside the task), otherwise an HTTP GET of the
 * health check path on the task's private address answered below 500. Polls with the engine's
 * backoff; past `timeoutMs` it is unhealthy, with what the last look saw.
 */
export async function waitUntilReady(
  ecs: ECSClient,
  cluster: string,
  taskArn: string,
  options: ReadinessOptions,
): Promise<Readiness> {
  const byHealthCheck = await hasHealthCheck(ecs, cluster, taskArn, options.container);
  let saw = 'nothing yet';
  let told = false;
  const miss = async (what: string): Promise<{ miss: string }> => {
    saw = what;
    if (!told) {
      told = true;
      await options.onWaiting?.();
    }
    return { miss: what };
  };
  try {
    return await pollUntil<Readiness, string>(
      async () => {
        const { tasks = [] } = await ecs.send(
          new DescribeTasksCommand({ cluster, tasks: [taskArn] }),
        );
        const task = tasks[0];
        if (!task || task.lastStatus === 'STOPPED' || task.desiredStatus === 'STOPPED') {
          return task ? { done: { state: 'stopped', task } } : miss('the task is gone');
        }
        if (byHealthCheck) {
          const container = task.containers?.find((c) => c.name === byHealthCheck);
          if (task.healthStatus === 'HEALTHY' || container?.healthStatus === 'HEALTHY') {
            return { done: { state: 'ready', how: 'its container health check passed' } };
          }
          return miss(
            `the container health check reported ${container?.healthStatus ?? task.healthStatus ?? 'UNKNOWN'}`,
          );
        }
        const url = probeUrl(task, options.port, options.path);
        if (!(url instanceof URL)) return miss(url.problem);
        const result = await probeOnce(url, Math.min(5_000, options.timeoutMs));
        return result.answering ? { done: { state: 'ready', how: result.saw } } : miss(result.saw);
      },
      { timeoutMs: options.timeoutMs, pollMs: options.pollMs },
      () => new NotReady(),
    );
  } catch (error) {
    if (!(error instanceof NotReady)) throw error;
    return {
      state: 'unhealthy',
      reason: `it did not answer within ${formatDuration(options.timeoutMs)}; last: ${saw}`,
    };
  }
}

/** The preview container's name when its definition has a `healthCheck`; undefined otherwise. */
async function hasHealthCheck(
  ecs: ECSClient,
  cluster: string,
  taskArn: string,
  container: string | undefined,
): Promise<string | undefined> {
  const { tasks = [] } = await ecs.send(new DescribeTasksCommand({ cluster, tasks: [taskArn] }));
  const revision = tasks[0]?.taskDefinitionArn;
  if (!revision) return undefined;
  const { input } = await describeTaskDefinition(ecs, revision);
  const definitions = input.containerDefinitions ?? [];
  const chosen = container ? definitions.find((c) => c.name === container) : definitions[0];
  return chosen?.healthCheck?.command?.length ? (chosen.name ?? '') : undefined;
}
