import type { DeploymentInfo, DeploymentTarget, LifecycleEvent } from '@aws-sdk/client-codedeploy';
import { ECS_HOOKS, type CodeDeployHook } from './codedeploy-hooks.js';

/** What a poll of the deployment has already printed, so each change is told once. */
export type SeenEvents = Map<string, string>;

function eventsOf(targets: readonly DeploymentTarget[]): [string, LifecycleEvent][] {
  return targets.flatMap((target) => {
    const id = target.ecsTarget?.targetId ?? target.ecsTarget?.targetArn ?? 'target';
    return (target.ecsTarget?.lifecycleEvents ?? []).map((e): [string, LifecycleEvent] => [id, e]);
  });
}

/**
 * The lifecycle events whose status changed since the last poll, as log lines. Pending events are
 * left out until they start: an ECS deployment lists all of them from the beginning.
 */
export function lifecycleChanges(
  targets: readonly DeploymentTarget[],
  seen: SeenEvents,
  hooks: readonly CodeDeployHook[] = [],
): string[] {
  const lines: string[] = [];
  for (const [target, event] of eventsOf(targets)) {
    const name = event.lifecycleEventName ?? 'unknown event';
    const status = event.status ?? 'Unknown';
    const key = `${target}/${name}`;
    if (status === 'Pending' || seen.get(key) === status) continue;
    seen.set(key, status);
    const why = status === 'Failed' ? diagnosticsText(event) : '';
    lines.push(`${target}: ${describeEvent(name, hooks)} ${status}${why ? `: ${why}` : ''}`);
  }
  return lines;
}

/** What a finished deployment tells of its failure: one headline and the lines behind it. */
export interface CodeDeployFailure {
  readonly headline: string;
  readonly details: readonly string[];
  /** CodeDeploy started a rollback deployment of its own. */
  readonly rolledBack: boolean;
}

/**
 * Explains a Failed or Stopped deployment from GetDeployment and its targets' lifecycle events:
 * the first failed event names the hook (and its Lambda) or the phase, with CodeDeploy's
 * diagnostics; the deployment's own error and rollback information follow.
 */
export function explainCodeDeployFailure(
  info: DeploymentInfo,
  targets: readonly DeploymentTarget[],
  hooks: readonly CodeDeployHook[] = [],
): CodeDeployFailure {
  const id = info.deploymentId ?? 'the deployment';
  const failed = eventsOf(targets).find(([, e]) => e.status === 'Failed')?.[1];
  const error = info.errorInformation;
  const errorText = [error?.code, error?.message].filter(Boolean).join(': ');
  const status = info.status ?? 'Failed';
  const verb = status === 'Stopped' ? 'was stopped' : 'failed';
  const headline = failed
    ? `CodeDeploy deployment ${id} failed in ${describeEvent(failed.lifecycleEventName ?? 'unknown event', hooks)}${diagnosticsText(failed) ? `: ${diagnosticsText(failed)}` : errorText ? `: ${errorText}` : ''}`
    : `CodeDeploy deployment ${id} ${verb}${errorText ? `: ${errorText}` : ' and reported no reason'}`;

  const details: string[] = [];
  if (failed && errorText) details.push(`deployment error: ${errorText}`);
  const tail = failed?.diagnostics?.logTail?.trim();
  if (tail) details.push(`${failed?.lifecycleEventName ?? 'event'} log tail:`, ...tail.split('\n'));
  for (const message of info.deploymentStatusMessages ?? []) details.push(message);
  const rollback = info.rollbackInfo;
  const rolledBack = Boolean(rollback?.rollbackDeploymentId);
  if (rolledBack) {
    details.push(
      `CodeDeploy rolls back on its own: rollback deployment ${rollback?.rollbackDeploymentId ?? ''}${rollback?.rollbackMessage ? ` (${rollback.rollbackMessage})` : ''}; traffic stays on (or returns to) the original task set`,
    );
  } else {
    details.push(
      "CodeDeploy reported no rollback: the deployment group's automatic rollback (autoRollbackConfiguration with DEPLOYMENT_FAILURE) decides; ecs-paas does not UpdateService a CODE_DEPLOY service back",
    );
  }
  return { headline, details, rolledBack };
}

/** `hook AfterAllowTestTraffic (Lambda 'check')` or `phase Install`. */
function describeEvent(name: string, hooks: readonly CodeDeployHook[]): string {
  if (!(ECS_HOOKS as readonly string[]).includes(name)) return `phase ${name}`;
  const lambda = hooks.find((h) => h.hook === name)?.lambda;
  return `hook ${name}${lambda ? ` (Lambda '${lambda}')` : ''}`;
}

function diagnosticsText(event: LifecycleEvent): string {
  const d = event.diagnostics;
  if (!d) return '';
  const code = d.errorCode && d.errorCode !== 'Success' ? d.errorCode : '';
  return [code, d.message?.trim()].filter(Boolean).join(': ');
}
