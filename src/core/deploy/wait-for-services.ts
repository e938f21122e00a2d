import type { ECSClient, Service } from '@aws-sdk/client-ecs';
import { formatDuration } from '../duration.js';
import type { Logger } from '../logger.js';
import { describeServices } from './describe-services.js';

export interface WaitOptions {
  readonly cluster: string;
  /** Service name → the task definition ARN it must settle on. */
  readonly targets: ReadonlyMap<string, string>;
  readonly timeoutMs: number;
  /** Only events after this instant are streamed. */
  readonly since: Date;
  /** First poll delay; doubles up to `maxPollMs`. */
  readonly pollMs?: number;
  readonly maxPollMs?: number;
  /** Stop early when a rollout fails (off while waiting for a rollback, which has nowhere to go). */
  readonly failFast: boolean;
}

export type ServiceState =
  | { readonly service: string; readonly state: 'stable'; readonly seconds: number }
  | {
      readonly service: string;
      readonly state: 'failed' | 'timed-out';
      readonly reason: string;
      readonly seconds: number;
    };

/** A task that keeps dying without a circuit breaker would be retried forever; give up after this many. */
const FAILED_TASKS_LIMIT = 3;

/**
 * Polls all services in one DescribeServices per round until each is stable on its target, streaming
 * new service events as they arrive. A failed rollout (circuit breaker, rolloutState FAILED, tasks
 * that keep stopping) ends the wait at once instead of running out the timeout.
 */
export async function waitForServices(
  ecs: ECSClient,
  options: WaitOptions,
  log: Logger,
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
): Promise<ServiceState[]> {
  const started = Date.now();
  const seen = new Set<string>();
  const settled = new Map<string, ServiceState>();
  let delay = options.pollMs ?? 2_000;
  for (;;) {
    const pending = [...options.targets.keys()].filter((name) => !settled.has(name));
    const services = await describeServices(ecs, options.cluster, pending);
    const seconds = (Date.now() - started) / 1_000;
    for (const [name, service] of services) {
      streamEvents(name, service, options.since, seen, log);
      const target = options.targets.get(name) ?? '';
      if (isStable(service, target)) {
        settled.set(name, { service: name, state: 'stable', seconds });
        log.info(
          `${name}: stable on ${revisionOf(target)} after ${formatDuration(seconds * 1_000)}`,
        );
        continue;
      }
      const failure = options.failFast ? rolloutFailure(service, target) : undefined;
      if (failure) settled.set(name, { service: name, state: 'failed', reason: failure, seconds });
    }
    if (settled.size === options.targets.size) break;
    if (Date.now() - started + delay > options.timeoutMs) {
      for (const name of options.targets.keys()) {
        if (!settled.has(name)) {
          settled.set(name, {
            service: name,
            state: 'timed-out',
            reason: `not stable on ${revisionOf(options.targets.get(name) ?? '')} within ${formatDuration(options.timeoutMs)}`,
            seconds: (Date.now() - started) / 1_000,
          });
        }
      }
      break;
    }
    await sleep(delay);
    delay = Math.min(delay * 2, options.maxPollMs ?? 15_000);
  }
  return [...options.targets.keys()].map((name) => settled.get(name) as ServiceState);
}

/** Stable: one deployment, on the target, with every desired task running. */
export function isStable(service: Service, target: string): boolean {
  const deployments = service.deployments ?? [];
  const primary = deployments.find((d) => d.status === 'PRIMARY');
  return (
    service.taskDefinition === target &&
    deployments.length === 1 &&
    (primary?.rolloutState === undefined || primary.rolloutState === 'COMPLETED') &&
    service.runningCount === service.desiredCount
  );
}

/** Why the rollout to `target` has failed, or undefined while it may still succeed. */
export function rolloutFailure(service: Service, target: string): string | undefined {
  const primary = (service.deployments ?? []).find((d) => d.status === 'PRIMARY');
  if (!primary) return undefined;
  if (primary.rolloutState === 'FAILED') {
    return primary.rolloutStateReason ?? 'the deployment circuit breaker marked the rollout FAILED';
  }
  if (service.taskDefinition !== target) {
    return `the service moved to ${revisionOf(service.taskDefinition ?? '')} instead (the circuit breaker may have rolled it back)`;
  }
  if ((primary.failedTasks ?? 0) >= FAILED_TASKS_LIMIT) {
    return `${primary.failedTasks} tasks of the new revision stopped before becoming healthy`;
  }
  return undefined;
}

function streamEvents(
  name: string,
  service: Service,
  since: Date,
  seen: Set<string>,
  log: Logger,
): void {
  const fresh = (service.events ?? [])
    .filter((event) => event.id && !seen.has(event.id) && (event.createdAt ?? new Date(0)) >= since)
    .sort((a, b) => (a.createdAt?.getTime() ?? 0) - (b.createdAt?.getTime() ?? 0));
  for (const event of fresh) {
    seen.add(event.id ?? '');
    log.info(`${name}: ${event.createdAt?.toISOString() ?? ''} ${event.message ?? ''}`);
  }
}

/** `arn:…:task-definition/web:42` → `web:42`. */
export function revisionOf(arn: string): string {
  return arn.split('/').pop() ?? arn;
}
