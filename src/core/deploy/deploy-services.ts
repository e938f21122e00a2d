import {
  DeregisterTaskDefinitionCommand,
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand,
  type Service,
} from '@aws-sdk/client-ecs';
import type { AwsClients } from '../aws/clients.js';
import { errorMessage, withContext } from '../errors.js';
import type { Logger } from '../logger.js';
import { deployModeFor, type CodeDeployTarget } from './codedeploy-controller.js';
import { describeChanges, sameTaskDefinition } from './compare-task-definitions.js';
import { describeServices } from './describe-services.js';
import { explainStoppedTasks, stoppedServiceTasks } from './explain-failure.js';
import {
  describeTaskDefinition,
  readTaskDefinitionFile,
  type LoadedTaskDefinition,
} from './load-task-definition.js';
import { pruneRevisions } from './prune-revisions.js';
import { pinImage, selectContainers, type TaskDefinitionInput } from './render-task-definition.js';
import { runOneOffTask } from './run-one-off-task.js';
import { revisionOf, waitForServices, type ServiceState } from './wait-for-services.js';

/** Where the task definition to render comes from; `service` means each service's current one. */
export type TaskDefinitionSource =
  { kind: 'service' } | { kind: 'file'; path: string } | { kind: 'reference'; reference: string };

export interface DeployRequest {
  readonly cluster: string;
  readonly services: readonly string[];
  /** Containers that get the image; empty means the only container. */
  readonly containers: readonly string[];
  readonly taskDefinition: TaskDefinitionSource;
  /** Pinned image reference (`repo@sha256:…`). */
  readonly image: string;
  readonly wait: boolean;
  readonly waitTimeoutMs: number;
  readonly rollback: 'on-failure' | 'never';
  readonly runBefore?: string;
  readonly keepRevisions: number;
  readonly pollMs?: number;
  /** Where a CODE_DEPLOY service's deployment goes; without it such a service is refused. */
  readonly codeDeploy?: CodeDeployTarget;
}

export type ServiceResult =
  | 'updated'
  | 'unchanged'
  | 'not-waited'
  | 'failed'
  | 'timed-out'
  | 'rolled-back'
  | 'rollback-failed';

export interface ServiceReport {
  readonly service: string;
  /** What the service ran before; after a rollback it runs this again. */
  readonly from: string;
  /** The revision this deploy moved (or tried to move) it to. */
  readonly to: string;
  readonly result: ServiceResult;
  readonly seconds?: number;
  readonly reason?: string;
}

export interface DeployReport {
  readonly taskDefinitionArn: string;
  /** What the first service ran before; every service's own is in `services[].from`. */
  readonly previousTaskDefinitionArn: string;
  readonly registered: boolean;
  readonly changes: readonly string[];
  readonly services: readonly ServiceReport[];
  readonly rolledBack: boolean;
  /** Set when the deploy failed; the step must fail with it. */
  readonly failure?: string;
  /** Stopped reasons, exit codes and log lines that explain a failure. */
  readonly explanation: readonly string[];
  readonly prunedRevisions: readonly string[];
  /** Set when the service was deployed through CodeDeploy (blue/green). */
  readonly codeDeployDeploymentId?: string;
}

/**
 * One deploy: render the task definition with the image pinned, register it unless nothing changed,
 * run the one-off task, update every service, wait, and on failure explain and roll every service
 * back to exactly what it ran before.
 */
export async function deployServices(
  clients: AwsClients,
  request: DeployRequest,
  log: Logger,
): Promise<DeployReport> {
  const { ecs } = clients;
  const services = await describeServices(ecs, request.cluster, request.services);
  // Before anything is registered: a controller we cannot drive is refused with nothing changed.
  const mode = deployModeFor(services, request.codeDeploy);
  const previous = new Map(
    [...services].map(([name, service]) => [name, service.taskDefinition ?? '']),
  );
  const base = await loadBase(clients, request.taskDefinition, services);
  const containers = selectContainers(base.input, request.containers);
  const rendered = pinImage(base.input, containers, request.image);

  const latest = base.arn
    ? base
    : await describeTaskDefinition(ecs, rendered.family ?? '').catch(() => undefined);
  let taskDefinitionArn: string;
  let registered = false;
  if (latest?.arn && sameTaskDefinition(latest.input, rendered)) {
    taskDefinitionArn = latest.arn;
    log.info(`Task definition unchanged: reusing ${revisionOf(taskDefinitionArn)}`);
  } else {
    const response = await ecs
      .send(new RegisterTaskDefinitionCommand(rendered))
      .catch((error: unknown) =>
        Promise.reject(withContext('Could not register the task definition', error)),
      );
    taskDefinitionArn = response.taskDefinition?.taskDefinitionArn ?? '';
    registered = true;
    log.info(`Registered ${revisionOf(taskDefinitionArn)}`);
  }
  const firstPrevious = previous.get(request.services[0] ?? '') ?? '';
  // Changes are told against what the (first) service ran, which a file or a named revision may
  // not be; one more describe only in that case.
  const ranBefore =
    firstPrevious && firstPrevious !== latest?.arn
      ? await describeTaskDefinition(ecs, firstPrevious).catch(() => latest)
      : latest;
  const changes = ranBefore
    ? describeChanges(ranBefore.input, rendered)
    : ['new task definition family'];
  const report = {
    taskDefinitionArn,
    previousTaskDefinitionArn: firstPrevious,
    registered,
    changes,
    rolledBack: false,
    explanation: [] as string[],
    prunedRevisions: [] as string[],
  };

  if (request.runBefore) {
    const first = services.get(request.services[0] ?? '') as Service;
    try {
      await log.group('run-before', () =>
        runOneOffTask(
          clients,
          {
            cluster: request.cluster,
            taskDefinitionArn,
            definition: rendered,
            service: first,
            container: containers[0] ?? '',
            command: request.runBefore ?? '',
            timeoutMs: request.waitTimeoutMs,
            ...(request.pollMs ? { pollMs: request.pollMs } : {}),
          },
          log,
        ),
      );
    } catch (error) {
      // Nothing was deployed, so a revision registered only for this run must not linger.
      if (registered)
        await ecs
          .send(new DeregisterTaskDefinitionCommand({ taskDefinition: taskDefinitionArn }))
          .catch(() => undefined);
      const [headline = '', ...explanation] = errorMessage(error).split('\n');
      await showExplanation(explanation, log);
      return {
        ...report,
        services: request.services.map((service) => ({
          service,
          from: previous.get(service) ?? '',
          to: previous.get(service) ?? '',
          result: 'unchanged' as const,
        })),
        failure: headline,
        explanation,
      };
    }
  }

  if (mode.kind === 'codedeploy') {
    const service = services.get(mode.service) as Service;
    const from = previous.get(mode.service) ?? '';
    if (from === taskDefinitionArn) {
      return {
        ...report,
        services: [{ service: mode.service, from, to: from, result: 'unchanged' }],
      };
    }
    // Loaded only here: the CodeDeploy commands (and their client) are a chunk of their own that
    // a deploy through UpdateService never loads.
    const { deployWithCodeDeploy } = await import('./codedeploy-deployment.js');
    const outcome = await deployWithCodeDeploy(
      clients,
      {
        service,
        taskDefinitionArn,
        target: mode.target,
        wait: request.wait,
        waitTimeoutMs: request.waitTimeoutMs,
        rollback: request.rollback,
        ...(request.pollMs ? { pollMs: request.pollMs } : {}),
      },
      log,
    ).catch(async (error: unknown) => {
      // No deployment exists, so a revision registered only for it must not linger.
      if (registered)
        await ecs
          .send(new DeregisterTaskDefinitionCommand({ taskDefinition: taskDefinitionArn }))
          .catch(() => undefined);
      throw error;
    });
    await showExplanation(outcome.explanation, log);
    const result: ServiceResult =
      outcome.result === 'succeeded'
        ? 'updated'
        : outcome.result === 'not-waited'
          ? 'not-waited'
          : outcome.rolledBack
            ? 'rolled-back'
            : outcome.result;
    return {
      ...report,
      codeDeployDeploymentId: outcome.deploymentId,
      rolledBack: outcome.rolledBack,
      services: [
        {
          service: mode.service,
          from,
          to: taskDefinitionArn,
          result,
          ...(outcome.result === 'not-waited' ? {} : { seconds: outcome.seconds }),
          ...(outcome.failure ? { reason: outcome.failure } : {}),
        },
      ],
      ...(outcome.failure
        ? { failure: `${mode.service}: ${outcome.failure}`, explanation: [...outcome.explanation] }
        : {
            prunedRevisions: await prune(
              clients,
              rendered,
              request,
              taskDefinitionArn,
              previous,
              log,
            ),
          }),
    };
  }

  const started = new Date(Date.now() - 1_000);
  const updated = new Map<string, string>();
  let updateFailure: string | undefined;
  for (const name of request.services) {
    if (previous.get(name) === taskDefinitionArn) continue;
    try {
      await ecs.send(
        new UpdateServiceCommand({
          cluster: request.cluster,
          service: name,
          taskDefinition: taskDefinitionArn,
        }),
      );
    } catch (error) {
      // The services already moved must not be left half-deployed: stop here and roll them back.
      updateFailure = withContext(`Could not update service '${name}'`, error).message;
      break;
    }
    updated.set(name, taskDefinitionArn);
    log.info(`${name}: ${revisionOf(previous.get(name) ?? '')} → ${revisionOf(taskDefinitionArn)}`);
  }
  if (updateFailure) {
    const { states: back, refused } =
      request.rollback === 'never' || updated.size === 0
        ? { states: [], refused: new Set<string>() }
        : await rollBack(clients, request, updated, previous, log);
    const wentBack = back.filter((s) => !refused.has(s.service)).map((s) => s.service);
    const notBack = back.filter(
      (s): s is Extract<ServiceState, { reason: string }> =>
        s.state !== 'stable' && refused.has(s.service),
    );
    return {
      ...report,
      rolledBack: wentBack.length > 0,
      services: request.services.map((name) => ({
        service: name,
        from: previous.get(name) ?? '',
        to: taskDefinitionArn,
        result: !updated.has(name)
          ? 'unchanged'
          : wentBack.includes(name)
            ? 'rolled-back'
            : refused.has(name)
              ? 'rollback-failed'
              : 'not-waited',
      })),
      failure: [
        updateFailure,
        ...(wentBack.length > 0 ? [`rolled back ${wentBack.join(', ')}`] : []),
        ...notBack.map((s) => `${s.service}: ${s.reason}`),
      ].join('; '),
      explanation: [],
    };
  }

  const reportFor = (name: string, result: ServiceResult, state?: ServiceState): ServiceReport => ({
    service: name,
    from: previous.get(name) ?? '',
    to: taskDefinitionArn,
    result,
    ...(state ? { seconds: state.seconds } : {}),
    ...(state && state.state !== 'stable' ? { reason: state.reason } : {}),
  });

  if (!request.wait || updated.size === 0) {
    return {
      ...report,
      services: request.services.map((name) =>
        reportFor(name, updated.has(name) ? 'not-waited' : 'unchanged'),
      ),
      prunedRevisions: await prune(clients, rendered, request, taskDefinitionArn, previous, log),
    };
  }

  const states = await log.group('Wait for services', () =>
    waitForServices(
      ecs,
      {
        cluster: request.cluster,
        targets: updated,
        timeoutMs: request.waitTimeoutMs,
        since: started,
        failFast: true,
        ...(request.pollMs ? { pollMs: request.pollMs } : {}),
      },
      log,
    ),
  );
  const failed = states.filter(
    (state): state is Extract<ServiceState, { reason: string }> => state.state !== 'stable',
  );
  if (failed.length === 0) {
    const stateOf = new Map(states.map((s) => [s.service, s]));
    return {
      ...report,
      services: request.services.map((name) =>
        reportFor(name, updated.has(name) ? 'updated' : 'unchanged', stateOf.get(name)),
      ),
      prunedRevisions: await prune(clients, rendered, request, taskDefinitionArn, previous, log),
    };
  }

  const explanation: string[] = [];
  for (const state of failed) {
    const tasks = await stoppedServiceTasks(
      clients,
      request.cluster,
      state.service,
      taskDefinitionArn,
    );
    explanation.push(`${state.service}: ${state.reason}`);
    explanation.push(
      ...(await explainStoppedTasks(clients, request.cluster, tasks, rendered, log)),
    );
  }
  await showExplanation(explanation, log);
  const failure = failed
    .map((s) => `${s.service} ${s.state === 'timed-out' ? 'timed out' : 'failed'}: ${s.reason}`)
    .join('; ');

  if (request.rollback === 'never') {
    const stateOf = new Map(states.map((s) => [s.service, s]));
    return {
      ...report,
      services: request.services.map((name) => {
        const state = stateOf.get(name);
        return reportFor(
          name,
          !state ? 'unchanged' : state.state === 'stable' ? 'updated' : state.state,
          state,
        );
      }),
      failure: `${failure}; not rolled back (rollback: never)`,
      explanation,
    };
  }

  const { states: rollbackResults, refused } = await log.group('Roll back', () =>
    rollBack(clients, request, updated, previous, log),
  );
  const allBack = rollbackResults.every((state) => state.state === 'stable');
  const notBack = rollbackResults.filter(
    (state): state is Extract<ServiceState, { reason: string }> =>
      state.state !== 'stable' && refused.has(state.service),
  );
  return {
    ...report,
    // Rolled back when ECS took at least one service back, settled or not; refusals say so below.
    rolledBack: rollbackResults.some((state) => !refused.has(state.service)),
    services: request.services.map((name) => {
      const back = rollbackResults.find((s) => s.service === name);
      if (!back) return reportFor(name, 'unchanged');
      return reportFor(name, back.state === 'stable' ? 'rolled-back' : 'rollback-failed', back);
    }),
    failure: `${failure}; ${allBack ? 'rolled back' : 'rollback did not complete'} to ${[...new Set([...updated.keys()].map((n) => revisionOf(previous.get(n) ?? '')))].join(', ')}${notBack.map((s) => `; ${s.service}: ${s.reason}`).join('')}`,
    explanation,
  };
}

async function rollBack(
  clients: AwsClients,
  request: DeployRequest,
  updated: ReadonlyMap<string, string>,
  previous: ReadonlyMap<string, string>,
  log: Logger,
): Promise<{ states: ServiceState[]; refused: ReadonlySet<string> }> {
  const targets = new Map<string, string>();
  const refused: Extract<ServiceState, { reason: string }>[] = [];
  const now = await describeServices(clients.ecs, request.cluster, [...updated.keys()]);
  for (const [name, ours] of updated) {
    const back = previous.get(name) ?? '';
    const current = now.get(name)?.taskDefinition ?? '';
    if (current !== ours && current !== back) {
      // Another deploy moved it on since ours began; rolling it back would undo that one.
      log.warning(
        `${name}: now runs ${revisionOf(current)} from another deploy; not rolling it back`,
      );
      continue;
    }
    try {
      await clients.ecs.send(
        new UpdateServiceCommand({ cluster: request.cluster, service: name, taskDefinition: back }),
      );
    } catch (error) {
      // One refusal must not leave the other services on the failed revision: note it, go on.
      const reason = `could not roll back to ${revisionOf(back)}: ${errorMessage(error)}; ${name} still runs ${revisionOf(current || ours)}`;
      log.warning(`${name}: ${reason}`);
      refused.push({ service: name, state: 'failed', reason, seconds: 0 });
      continue;
    }
    targets.set(name, back);
    log.info(`${name}: rolling back to ${revisionOf(back)}`);
  }
  const names = new Set(refused.map((r) => r.service));
  if (targets.size === 0) return { states: refused, refused: names };
  const settled = await waitForServices(
    clients.ecs,
    {
      cluster: request.cluster,
      targets,
      timeoutMs: request.waitTimeoutMs,
      since: new Date(),
      failFast: false,
      ...(request.pollMs ? { pollMs: request.pollMs } : {}),
    },
    log,
  );
  return { states: [...settled, ...refused], refused: names };
}

async function loadBase(
  clients: AwsClients,
  source: TaskDefinitionSource,
  services: ReadonlyMap<string, Service>,
): Promise<LoadedTaskDefinition> {
  if (source.kind === 'file') return readTaskDefinitionFile(source.path);
  if (source.kind === 'reference') return describeTaskDefinition(clients.ecs, source.reference);
  const current = [...services.values()].map((s) => s.taskDefinition ?? '');
  const families = new Set(current.map((arn) => revisionOf(arn).replace(/:\d+$/, '')));
  if (families.size > 1) {
    throw new Error(
      `Input 'task-definition': the services run different task definition families (${[...families].join(', ')}); name the one to deploy`,
    );
  }
  return describeTaskDefinition(clients.ecs, current[0] ?? '');
}

async function prune(
  clients: AwsClients,
  rendered: TaskDefinitionInput,
  request: DeployRequest,
  current: string,
  previous: ReadonlyMap<string, string>,
  log: Logger,
): Promise<string[]> {
  return pruneRevisions(
    clients.ecs,
    rendered.family ?? '',
    request.keepRevisions,
    new Set([current, ...previous.values()]),
    log,
  ).catch((error: unknown) => {
    log.warning(`Could not prune old revisions: ${errorMessage(error)}`);
    return [];
  });
}

/** The why of a failure, folded in the log; the step's error stays one readable line. */
async function showExplanation(lines: readonly string[], log: Logger): Promise<void> {
  if (lines.length === 0) return;
  await log.group('Why it failed: stopped tasks, exit codes, last log lines', () => {
    for (const line of lines) log.info(line);
    return Promise.resolve();
  });
}
