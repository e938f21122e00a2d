import {
  BatchGetDeploymentTargetsCommand,
  CreateDeploymentCommand,
  GetDeploymentCommand,
  ListDeploymentTargetsCommand,
  StopDeploymentCommand,
  type CodeDeployClient,
  type DeploymentInfo,
  type DeploymentTarget,
} from '@aws-sdk/client-codedeploy';
import type { Service } from '@aws-sdk/client-ecs';
import type { AwsClients } from '../aws/clients.js';
import { formatDuration } from '../duration.js';
import { errorMessage, withContext } from '../errors.js';
import type { Logger } from '../logger.js';
import { appSpecContent, buildAppSpec } from './codedeploy-appspec.js';
import type { CodeDeployTarget } from './codedeploy-controller.js';
import {
  explainCodeDeployFailure,
  lifecycleChanges,
  type SeenEvents,
} from './codedeploy-events.js';

export interface CodeDeployRequest {
  readonly service: Service;
  readonly taskDefinitionArn: string;
  readonly target: CodeDeployTarget;
  readonly wait: boolean;
  readonly waitTimeoutMs: number;
  /** On a timeout, `on-failure` stops the deployment with CodeDeploy's rollback. */
  readonly rollback: 'on-failure' | 'never';
  readonly pollMs?: number;
  readonly maxPollMs?: number;
}

export interface CodeDeployOutcome {
  readonly deploymentId: string;
  readonly result: 'succeeded' | 'not-waited' | 'failed' | 'timed-out';
  readonly seconds: number;
  /** CodeDeploy rolled back (or was asked to, when a timed-out deployment was stopped). */
  readonly rolledBack: boolean;
  readonly failure?: string;
  readonly explanation: readonly string[];
}

/**
 * Creates the blue/green deployment of the new revision, then (when asked to) waits for it,
 * printing each lifecycle event as its status changes. A failure is left to CodeDeploy's own
 * rollback; only a deployment still running at the timeout is stopped, so it cannot shift
 * traffic later while the step reports failure.
 * Throws only when the deployment could not be created: the caller then undoes what it registered.
 */
export async function deployWithCodeDeploy(
  clients: AwsClients,
  request: CodeDeployRequest,
  log: Logger,
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
): Promise<CodeDeployOutcome> {
  const { target } = request;
  const name = request.service.serviceName ?? '';
  const content = appSpecContent(
    buildAppSpec(request.service, request.taskDefinitionArn, target.hooks),
  );
  const codedeploy = await clients.codedeploy();
  const created = await codedeploy
    .send(
      new CreateDeploymentCommand({
        applicationName: target.application,
        deploymentGroupName: target.deploymentGroup,
        ...(target.config ? { deploymentConfigName: target.config } : {}),
        description: `ecs-paas: ${name} → ${request.taskDefinitionArn.split('/').pop() ?? ''}`,
        revision: { revisionType: 'AppSpecContent', appSpecContent: { content } },
      }),
    )
    .catch((error: unknown) =>
      Promise.reject(
        withContext(
          `Could not create a CodeDeploy deployment (application '${target.application}', deployment group '${target.deploymentGroup}')`,
          error,
        ),
      ),
    );
  const deploymentId = created.deploymentId ?? '';
  log.info(
    `${name}: CodeDeploy deployment ${deploymentId} created (${target.application}/${target.deploymentGroup})`,
  );
  log.debug(`AppSpec: ${content}`);
  if (!request.wait) {
    return { deploymentId, result: 'not-waited', seconds: 0, rolledBack: false, explanation: [] };
  }
  return log
    .group(`Wait for CodeDeploy deployment ${deploymentId}`, () =>
      waitForDeployment(codedeploy, deploymentId, request, log, sleep),
    )
    .catch((error: unknown): CodeDeployOutcome => {
      // The deployment exists and goes on without us: the step still names it (the output).
      const failure = `${errorMessage(error)}; the deployment goes on in CodeDeploy, which rolls it back on failure if the group says so`;
      return {
        deploymentId,
        result: 'failed',
        seconds: 0,
        rolledBack: false,
        failure,
        explanation: [],
      };
    });
}

async function waitForDeployment(
  codedeploy: CodeDeployClient,
  deploymentId: string,
  request: CodeDeployRequest,
  log: Logger,
  sleep: (ms: number) => Promise<void>,
): Promise<CodeDeployOutcome> {
  const started = Date.now();
  const seen: SeenEvents = new Map();
  const hooks = request.target.hooks;
  let lastStatus = '';
  let targetsUnreadable = false;
  let delay = request.pollMs ?? 2_000;
  for (;;) {
    const { deploymentInfo: info = {} } = await codedeploy
      .send(new GetDeploymentCommand({ deploymentId }))
      .catch((error: unknown) =>
        Promise.reject(withContext(`Could not read CodeDeploy deployment ${deploymentId}`, error)),
      );
    const status = info.status ?? 'Unknown';
    if (status !== lastStatus) {
      lastStatus = status;
      log.info(`CodeDeploy ${deploymentId}: ${status}${statusNote(info)}`);
    }
    const targets = await readTargets(codedeploy, deploymentId).catch((error: unknown) => {
      // Events are a courtesy; the deployment's status alone decides the outcome.
      if (!targetsUnreadable)
        log.warning(`Could not read the deployment's lifecycle events: ${errorMessage(error)}`);
      targetsUnreadable = true;
      return [] as DeploymentTarget[];
    });
    for (const line of lifecycleChanges(targets, seen, hooks)) log.info(line);
    const seconds = (Date.now() - started) / 1_000;

    if (status === 'Succeeded') {
      log.info(
        `${request.service.serviceName ?? ''}: CodeDeploy deployment succeeded after ${formatDuration(seconds * 1_000)}`,
      );
      return { deploymentId, result: 'succeeded', seconds, rolledBack: false, explanation: [] };
    }
    if (status === 'Failed' || status === 'Stopped') {
      const failure = explainCodeDeployFailure(info, targets, hooks);
      return {
        deploymentId,
        result: 'failed',
        seconds,
        rolledBack: failure.rolledBack,
        failure: failure.headline,
        explanation: failure.details,
      };
    }
    if (Date.now() - started + delay > request.waitTimeoutMs) {
      return stopTimedOut(codedeploy, deploymentId, request, status, seconds, log);
    }
    await sleep(delay);
    delay = Math.min(delay * 2, request.maxPollMs ?? 15_000);
  }
}

/** A deployment still running at the timeout is stopped so that it cannot shift traffic later. */
async function stopTimedOut(
  codedeploy: CodeDeployClient,
  deploymentId: string,
  request: CodeDeployRequest,
  status: string,
  seconds: number,
  log: Logger,
): Promise<CodeDeployOutcome> {
  const rollback = request.rollback === 'on-failure';
  const headline = `CodeDeploy deployment ${deploymentId} still ${status} after ${formatDuration(request.waitTimeoutMs)} (wait-timeout)`;
  try {
    const stopped = await codedeploy.send(
      new StopDeploymentCommand({ deploymentId, autoRollbackEnabled: rollback }),
    );
    const done = rollback
      ? 'stopped it with automatic rollback: CodeDeploy puts traffic back on the original task set'
      : 'stopped it without rollback (rollback: never): traffic stays where CodeDeploy left it';
    log.warning(
      `${headline}; ${done} (${stopped.status ?? 'Pending'}${stopped.statusMessage ? `: ${stopped.statusMessage}` : ''})`,
    );
    return {
      deploymentId,
      result: 'timed-out',
      seconds,
      rolledBack: rollback,
      failure: `${headline}; ${done}`,
      explanation: [],
    };
  } catch (error) {
    const failure = `${headline}; could not stop it (${errorMessage(error)}): it may still shift traffic, see the CodeDeploy console`;
    log.warning(failure);
    return {
      deploymentId,
      result: 'timed-out',
      seconds,
      rolledBack: false,
      failure,
      explanation: [],
    };
  }
}

function statusNote(info: DeploymentInfo): string {
  if (info.status === 'Ready')
    return " (waiting for traffic to be rerouted: ContinueDeployment, or the group's timeout)";
  const overview = info.deploymentOverview;
  return info.status === 'InProgress' && overview?.InProgress
    ? ` (${overview.InProgress} target in progress)`
    : '';
}

/** The deployment's targets with their lifecycle events; an ECS deployment has one. */
async function readTargets(
  codedeploy: CodeDeployClient,
  deploymentId: string,
): Promise<DeploymentTarget[]> {
  const ids: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await codedeploy.send(
      new ListDeploymentTargetsCommand({ deploymentId, ...(nextToken ? { nextToken } : {}) }),
    );
    ids.push(...(page.targetIds ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  if (ids.length === 0) return [];
  const targets: DeploymentTarget[] = [];
  // BatchGetDeploymentTargets takes at most 25 ids per call.
  for (let start = 0; start < ids.length; start += 25) {
    const batch = await codedeploy.send(
      new BatchGetDeploymentTargetsCommand({
        deploymentId,
        targetIds: ids.slice(start, start + 25),
      }),
    );
    targets.push(...(batch.deploymentTargets ?? []));
  }
  return targets;
}
