import { STARTED_BY } from '../../core/preview/routing-types.js';

/**
 * A stopped preview task as EventBridge's "ECS Task State Change" event names it. Only where to
 * look is taken from the message: what the task was and whose PR it served is read back from ECS
 * (DescribeTasks with its tags), as anyone allowed to send to the queue could write a message.
 */
export interface StoppedTaskEvent {
  readonly taskArn: string;
  readonly clusterArn: string;
}

const TASK_ARN = /^arn:aws[a-z-]*:ecs:[a-z0-9-]+:\d{12}:task\/[\w-]+(\/[\w-]+)?$/;
const CLUSTER_ARN = /^arn:aws[a-z-]*:ecs:[a-z0-9-]+:\d{12}:cluster\/[\w-]+$/;

/**
 * The event, when `message` is one EventBridge delivers for a preview task that stopped:
 * `source: aws.ecs`, `detail-type: ECS Task State Change`, `detail.lastStatus: STOPPED`, started
 * by ecs-paas, with a task and cluster ARN. Anything else (a webhook delivery, another state, a
 * task of someone else) is undefined.
 */
export function parseStoppedTaskEvent(message: unknown): StoppedTaskEvent | undefined {
  if (!isRecord(message)) return undefined;
  if (message.source !== 'aws.ecs' || message['detail-type'] !== 'ECS Task State Change') {
    return undefined;
  }
  const detail = message.detail;
  if (!isRecord(detail) || detail.lastStatus !== 'STOPPED') return undefined;
  const { taskArn, clusterArn, startedBy, containers, stoppedReason } = detail;
  if (typeof taskArn !== 'string' || !TASK_ARN.test(taskArn)) return undefined;
  if (typeof clusterArn !== 'string' || !CLUSTER_ARN.test(clusterArn)) return undefined;
  if (startedBy !== STARTED_BY) return undefined;
  if (stoppedReason !== undefined && typeof stoppedReason !== 'string') return undefined;
  if (containers !== undefined && !Array.isArray(containers)) return undefined;
  return { taskArn, clusterArn };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
