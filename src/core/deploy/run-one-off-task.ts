import {
  DescribeTasksCommand,
  RunTaskCommand,
  StopTaskCommand,
  type Service,
  type Task,
} from '@aws-sdk/client-ecs';
import type { AwsClients } from '../aws/clients.js';
import { formatDuration } from '../duration.js';
import { withContext } from '../errors.js';
import type { Logger } from '../logger.js';
import { explainStoppedTasks } from './explain-failure.js';
import type { TaskDefinitionInput } from './render-task-definition.js';

export interface OneOffTask {
  readonly cluster: string;
  readonly taskDefinitionArn: string;
  readonly definition: TaskDefinitionInput;
  /** Network and launch settings are copied from this service so the task reaches what it reaches. */
  readonly service: Service;
  readonly container: string;
  readonly command: string;
  readonly timeoutMs: number;
  readonly pollMs?: number;
}

/**
 * Runs `command` (through `sh -c`) once in the new revision, waits for it to stop and fails unless
 * the container exited 0. A task still running at the timeout is stopped, never left behind.
 */
export async function runOneOffTask(
  clients: AwsClients,
  task: OneOffTask,
  log: Logger,
): Promise<void> {
  const { service } = task;
  const response = await clients.ecs
    .send(
      new RunTaskCommand({
        cluster: task.cluster,
        taskDefinition: task.taskDefinitionArn,
        startedBy: 'ecs-paas/run-before',
        ...(service.capacityProviderStrategy?.length
          ? { capacityProviderStrategy: service.capacityProviderStrategy }
          : { launchType: service.launchType ?? 'FARGATE' }),
        ...(service.networkConfiguration
          ? { networkConfiguration: service.networkConfiguration }
          : {}),
        ...(service.platformVersion ? { platformVersion: service.platformVersion } : {}),
        overrides: {
          containerOverrides: [{ name: task.container, command: ['sh', '-c', task.command] }],
        },
      }),
    )
    .catch((error: unknown) =>
      Promise.reject(withContext('Could not start the run-before task', error)),
    );
  const arn = response.tasks?.[0]?.taskArn;
  if (!arn) {
    const failure = response.failures?.[0];
    throw new Error(
      `run-before task did not start: ${failure?.reason ?? 'unknown'} ${failure?.detail ?? ''}`.trim(),
    );
  }
  log.info(
    `run-before: task ${arn.split('/').pop() ?? arn} started: sh -c ${JSON.stringify(task.command)}`,
  );

  const started = Date.now();
  let delay = task.pollMs ?? 2_000;
  let stopped: Task | undefined;
  while (!stopped) {
    if (Date.now() - started > task.timeoutMs) {
      await clients.ecs.send(
        new StopTaskCommand({ cluster: task.cluster, task: arn, reason: 'run-before timed out' }),
      );
      throw new Error(
        `run-before task did not finish within ${formatDuration(task.timeoutMs)}; it was stopped`,
      );
    }
    await new Promise((r) => setTimeout(r, delay));
    delay = Math.min(delay * 2, 15_000);
    const described = await clients.ecs
      .send(new DescribeTasksCommand({ cluster: task.cluster, tasks: [arn] }))
      .catch(async (error: unknown) => {
        // Losing sight of the task must not leave it running a migration nobody watches.
        await clients.ecs
          .send(
            new StopTaskCommand({ cluster: task.cluster, task: arn, reason: 'run-before lost' }),
          )
          .catch(() => undefined);
        throw withContext('Could not follow the run-before task (it was stopped)', error);
      });
    const current = described.tasks?.[0];
    if (current?.lastStatus === 'STOPPED') stopped = current;
  }
  const container = stopped.containers?.find((c) => c.name === task.container);
  if (container?.exitCode === 0) {
    log.info(`run-before: exited 0 after ${formatDuration(Date.now() - started)}`);
    return;
  }
  const why = await explainStoppedTasks(clients, task.cluster, [stopped], task.definition, log);
  throw new Error(
    `run-before command failed (${container?.exitCode === undefined ? 'no exit code' : `exit code ${container.exitCode}`}); nothing was deployed\n${why.join('\n')}`,
  );
}
