import { formatDuration } from '../../core/duration.js';
import { errorMessage } from '../../core/errors.js';
import type { PreviewConfig } from '../../core/config/repo-config.js';
import { describePreviewTasks } from '../../core/preview/preview-tasks.js';
import {
  healthOf,
  HEALTH_TAGS,
  tagTask,
  type HealthState,
} from '../../core/preview/health-tags.js';
import { waitUntilReady } from '../../core/preview/readiness.js';
import type { PreviewDeps, PreviewResult } from '../../core/preview/preview-types.js';
import type { PreviewHealth } from '../comment-bodies.js';

const DEFAULT_READY_MS = 5 * 60_000;

type Serving = Extract<PreviewResult, { kind: 'launched' | 'replaced' | 'unchanged' }>;

/**
 * "Ready" means answering. A new dns-mode preview is tagged `starting`, the PR is told so
 * (`onStarting`), and the App waits for it to answer (container health check or HTTP probe, see
 * waitUntilReady) before it is tagged `ready`, or `unhealthy` after `ready-timeout`. An alb-mode
 * preview is ready when launched: its router waited for a healthy target. A task already serving
 * is shown as its tag says, and a wait cut short (a restart mid-wait) is taken up again for the
 * time left. Returns the health to show; undefined is ready.
 */
export async function settleHealth(
  deps: PreviewDeps,
  preview: PreviewConfig,
  result: Serving,
  onStarting: (health: PreviewHealth) => Promise<void>,
): Promise<PreviewHealth | undefined> {
  const routing = preview.routing;
  const timeoutMs = routing.readyTimeoutMs ?? DEFAULT_READY_MS;
  const tag = (state: HealthState) =>
    tagTask(deps.aws.ecs, result.taskArn, HEALTH_TAGS.health, state).catch((error: unknown) =>
      deps.log.warning(`Could not tag the preview ${state}: ${errorMessage(error)}`),
    );
  let remainingMs = timeoutMs;
  if (result.kind === 'unchanged') {
    const [serving] = await describePreviewTasks(deps.aws.ecs, preview.cluster, [result.taskArn]);
    const state = serving ? healthOf(serving.task) : undefined;
    if (state === 'unhealthy') {
      return { state, reason: `it did not answer within ${formatDuration(timeoutMs)}` };
    }
    if (state !== 'starting' || routing.mode !== 'dns') return undefined;
    const since = serving?.launchedAt?.getTime() ?? Date.now();
    remainingMs = Math.max(timeoutMs - (Date.now() - since), deps.pollMs ?? 2_000);
  } else if (routing.mode !== 'dns') {
    await tag('ready');
    return undefined;
  } else {
    await tag('starting');
  }
  const path = routing.healthCheckPath ?? '/';
  const outcome = await waitUntilReady(deps.aws.ecs, preview.cluster, result.taskArn, {
    ...(preview.container ? { container: preview.container } : {}),
    port: routing.port,
    path,
    timeoutMs: remainingMs,
    pollMs: deps.pollMs ?? 2_000,
    onWaiting: () =>
      onStarting({
        state: 'starting',
        waitingFor: `it answers \`${path}\` on port ${routing.port}, or its container health check passes`,
        timeoutMs,
      }),
  });
  if (outcome.state === 'ready') {
    await tag('ready');
    deps.log.info(`${result.url} is ready: ${outcome.how}`);
    return undefined;
  }
  if (outcome.state === 'stopped') {
    // The crash path (EventBridge or the sweep) reports it and relaunches.
    return {
      state: 'unhealthy',
      reason: `it stopped while starting: ${outcome.task.stoppedReason ?? 'no reason given'}`,
    };
  }
  await tag('unhealthy');
  deps.log.warning(`${result.url} is unhealthy: ${outcome.reason}`);
  return { state: 'unhealthy', reason: outcome.reason };
}
