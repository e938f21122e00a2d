import {
  DeregisterTaskDefinitionCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  StopTaskCommand,
  type Tag,
  type Task,
} from '@aws-sdk/client-ecs';
import { explainStoppedTasks } from '../deploy/explain-failure.js';
import { describeTaskDefinition } from '../deploy/load-task-definition.js';
import type { TaskDefinitionInput } from '../deploy/render-task-definition.js';
import { errorMessage, publicReason } from '../errors.js';
import {
  byAge,
  describePreviewTasks,
  listPreviewTasks,
  type PreviewTask,
} from './preview-tasks.js';
import { HEALTH_TAGS } from './health-tags.js';
import { identityOf, type PreviewIdentity } from './preview-identity.js';
import { previewTaskDefinition } from './preview-task-definition.js';
import type {
  LaunchRequest,
  PreviewAccess,
  PreviewDeps,
  PreviewResult,
  PreviewSettings,
  PullRequestRef,
} from './preview-types.js';
import { previewHost, type PreviewHost } from './preview-host.js';
import { stopPreviewTasks } from './stop-preview-tasks.js';
import { STARTED_BY, TAGS, tagValue } from './routing-types.js';
import { routingTags } from './tagged-routing.js';
import { taskAddress } from './task-address.js';
import { waitForTask } from './wait-for-task.js';

/** Why ecs-paas stopped a task; read back to tell "replaced" from "crashed". */
export const SUPERSEDED = 'ecs-paas: superseded by';

/**
 * Brings one PR's preview to its head: nothing when a task for this SHA already serves it,
 * otherwise launch, wait for RUNNING, switch the route, and stop the PR's older tasks. Safe to
 * run twice and to race: every racer lists the PR's tasks again before switching over, and the
 * loser stops only its own task.
 */
export async function launchPreview(
  deps: PreviewDeps,
  settings: PreviewSettings,
  request: LaunchRequest,
): Promise<PreviewResult> {
  const { pr } = request;
  const started = Date.now();
  if (pr.fork && settings.forks === 'never') {
    return {
      kind: 'refused',
      reason: 'previews of pull requests from forks are disabled (forks: never)',
    };
  }
  if (pr.fork && !request.approved) {
    return {
      kind: 'refused',
      reason: 'this pull request comes from a fork: a maintainer must approve it with /deploy',
    };
  }

  const fleet = await listPreviewTasks(deps.aws.ecs, settings.cluster);
  const host = previewHost(settings.routing, pr, fleet);
  const mine = fleet.filter((t) => t.repo === pr.repo && t.pr === pr.number);
  const current = mine.filter((t) => t.sha === pr.sha).sort(byAge)[0];
  if (current && current.status === 'RUNNING') {
    // Converge the route too: a crash between RUNNING and the DNS switch leaves it behind.
    const { url } = await routeTask(deps, settings, pr, host, current.task);
    await stopTasks(
      deps,
      settings.cluster,
      mine.filter((t) => t !== current),
      pr.sha,
    );
    const since = current.launchedAt ?? current.startedAt;
    const identity = await servingIdentity(deps, current);
    return {
      kind: 'unchanged',
      url,
      sha: pr.sha,
      taskArn: current.arn,
      ...(since ? { since } : {}),
      // A keep that ran out is history, not something to show.
      ...(current.keepUntil && current.keepUntil.getTime() > Date.now()
        ? { keepUntil: current.keepUntil }
        : {}),
      ...(identity && { identity }),
      access: previewAccess(settings),
    };
  }
  const others = new Set(
    fleet.filter((t) => t.repo === pr.repo && t.pr !== pr.number).map((t) => t.pr),
  );
  if (mine.length === 0 && others.size >= settings.maxPreviews) {
    return {
      kind: 'refused',
      reason: `${pr.repo} already has ${others.size} previews running (max-previews: ${settings.maxPreviews}); close or stop one first`,
    };
  }

  // Before any revision or task exists: a route that cannot be made as configured (an alb
  // listener without HTTPS or a certificate for *.<domain>, an unusable routing.auth secret).
  let unready: string | undefined;
  try {
    unready = await deps.router.preflight?.();
  } catch (error) {
    return {
      kind: 'failed',
      reason: `the preview's route could not be checked: ${publicReason(error, deps.log)}`,
      details: [],
    };
  }
  if (unready !== undefined) return { kind: 'refused', reason: unready };

  // A push must not undo `/preview keep`: the new task inherits the exemption.
  const keepUntil = mine
    .map((t) => t.keepUntil)
    .filter((d): d is Date => d !== undefined && d.getTime() > started)
    .sort((a, b) => b.getTime() - a.getTime())[0];
  const tags: Tag[] = Object.entries({
    [TAGS.managed]: 'true',
    [TAGS.repo]: pr.repo,
    [TAGS.pr]: String(pr.number),
    [TAGS.sha]: pr.sha,
    [TAGS.subdomain]: host.label,
    [TAGS.url]: host.url,
    [TAGS.launchedBy]: request.launchedBy,
    [TAGS.launchedAt]: new Date(started).toISOString(),
    ...(keepUntil && { [TAGS.keepUntil]: keepUntil.toISOString() }),
    ...(request.relaunches !== undefined && {
      [HEALTH_TAGS.relaunches]: String(request.relaunches),
    }),
    ...routingTags(settings.routing),
  }).map(([key, value]) => ({ key, value: tagValue(value) }));
  const base = await describeTaskDefinition(deps.aws.ecs, settings.taskDefinition);
  const { definition, container } = previewTaskDefinition(base.input, {
    ...(settings.container ? { container: settings.container } : {}),
    image: request.image,
    env: {
      ...settings.env,
      PREVIEW_URL: host.url,
      PR_NUMBER: String(pr.number),
      GIT_SHA: pr.sha,
      GIT_BRANCH: pr.branch,
    },
    tags: tags.filter(
      (t) =>
        t.key !== TAGS.url &&
        t.key !== TAGS.launchedAt &&
        t.key !== TAGS.keepUntil &&
        t.key !== HEALTH_TAGS.relaunches,
    ),
    identity: {
      ...(settings.taskRoleArn !== undefined && { taskRoleArn: settings.taskRoleArn }),
      ...(settings.executionRoleArn !== undefined && {
        executionRoleArn: settings.executionRoleArn,
      }),
      secrets: settings.secrets ?? {},
      inherit: settings.inherit ?? [],
      fork: pr.fork,
    },
    ...(settings.cpu !== undefined && { cpu: settings.cpu }),
    ...(settings.memory !== undefined && { memory: settings.memory }),
  });
  const registered = await deps.aws.ecs.send(new RegisterTaskDefinitionCommand(definition));
  const revision = registered.taskDefinition?.taskDefinitionArn ?? '';

  // From here on a task may exist: any error stops it and drops its revision, so a failed launch
  // never leaves a task, a record or a revision behind.
  const launched: { taskArn?: string } = {};
  try {
    return await startAndRoute(
      deps,
      settings,
      request,
      { host, tags, definition, container, revision, mine, started, keepUntil },
      launched,
    );
  } catch (error) {
    if (launched.taskArn) {
      await deps.aws.ecs
        .send(
          new StopTaskCommand({
            cluster: settings.cluster,
            task: launched.taskArn,
            reason: 'ecs-paas: launch failed',
          }),
        )
        .catch(() => undefined);
    }
    await deregister(deps, [revision]);
    return {
      kind: 'failed',
      reason: `the preview could not be launched: ${publicReason(error, deps.log)}`,
      details: [],
    };
  }
}

interface LaunchContext {
  readonly host: PreviewHost;
  readonly tags: Tag[];
  readonly definition: TaskDefinitionInput;
  readonly container: string;
  readonly revision: string;
  readonly mine: readonly PreviewTask[];
  readonly started: number;
  readonly keepUntil: Date | undefined;
}

async function startAndRoute(
  deps: PreviewDeps,
  settings: PreviewSettings,
  request: LaunchRequest,
  { host, tags, definition, container, revision, mine, started, keepUntil }: LaunchContext,
  launched: { taskArn?: string },
): Promise<PreviewResult> {
  const { pr } = request;
  const run = await deps.aws.ecs.send(
    new RunTaskCommand({
      cluster: settings.cluster,
      taskDefinition: revision,
      // ECS takes one or the other: a strategy (FARGATE_SPOT) replaces the launch type.
      ...(settings.capacityProviderStrategy?.length
        ? {
            capacityProviderStrategy: settings.capacityProviderStrategy.map((item) => ({
              ...item,
            })),
          }
        : { launchType: settings.launchType }),
      startedBy: STARTED_BY,
      tags,
      enableECSManagedTags: true,
      networkConfiguration: {
        awsvpcConfiguration: {
          subnets: [...settings.subnets],
          securityGroups: [...settings.securityGroups],
          assignPublicIp: settings.assignPublicIp ? 'ENABLED' : 'DISABLED',
        },
      },
    }),
  );
  const taskArn = run.tasks?.[0]?.taskArn;
  if (taskArn) launched.taskArn = taskArn;
  if (!taskArn) {
    await deregister(deps, [revision]);
    const failure = run.failures?.[0];
    return {
      kind: 'failed',
      reason: `ECS did not start the task: ${failure?.reason ?? 'no reason given'}`,
      details: failure?.detail ? [failure.detail] : [],
    };
  }
  deps.log.info(
    `PR #${pr.number}: started ${taskArn.split('/').pop() ?? ''} for ${pr.sha.slice(0, 7)}`,
  );

  const outcome = await waitForTask(deps.aws.ecs, settings.cluster, taskArn, {
    timeoutMs: deps.startTimeoutMs ?? 10 * 60_000,
    pollMs: deps.pollMs ?? 2_000,
  });
  if (outcome.state !== 'running') {
    await deregister(deps, [revision]);
    const reason = outcome.task?.stoppedReason ?? '';
    if (reason.startsWith(SUPERSEDED)) {
      return { kind: 'discarded', sha: pr.sha, reason: reason.slice('ecs-paas: '.length) };
    }
    const details = outcome.task
      ? await explainStoppedTasks(deps.aws, settings.cluster, [outcome.task], definition, deps.log)
      : [];
    return {
      kind: 'failed',
      reason:
        outcome.state === 'timed-out'
          ? outcome.reason
          : `the task stopped before it was running: ${reason || 'no reason given'}`,
      details,
    };
  }

  if (request.isCurrentHead && !(await request.isCurrentHead(pr.sha))) {
    await stopOwn(deps, settings.cluster, taskArn, revision, 'a newer commit is the head now');
    return {
      kind: 'discarded',
      sha: pr.sha,
      reason: 'a newer commit became the head while this one started',
    };
  }
  const rivals = (await listPreviewTasks(deps.aws.ecs, settings.cluster)).filter(
    (t) => t.repo === pr.repo && t.pr === pr.number && t.arn !== taskArn,
  );
  const me = (await describePreviewTasks(deps.aws.ecs, settings.cluster, [taskArn]))[0];
  const olderTwin = rivals.find((t) => t.sha === pr.sha && me && byAge(t, me) < 0);
  const newerHead =
    !request.isCurrentHead && rivals.find((t) => t.sha !== pr.sha && me && byAge(t, me) > 0);
  if (olderTwin || newerHead) {
    const winner = (olderTwin || newerHead) as PreviewTask;
    await stopOwn(
      deps,
      settings.cluster,
      taskArn,
      revision,
      `${winner.sha.slice(0, 7)} (${winner.arn.split('/').pop() ?? ''})`,
    );
    const identity = olderTwin && (await servingIdentity(deps, olderTwin));
    return olderTwin
      ? {
          kind: 'unchanged',
          url: host.url,
          sha: pr.sha,
          taskArn: olderTwin.arn,
          ...(identity && { identity }),
          access: previewAccess(settings),
        }
      : {
          kind: 'discarded',
          sha: pr.sha,
          reason: `a launch for ${winner.sha.slice(0, 7)} started after this one`,
        };
  }

  let url: string;
  let ip: string;
  try {
    ({ url, ip } = await routeTask(deps, settings, pr, host, outcome.task));
  } catch (error) {
    await stopOwn(deps, settings.cluster, taskArn, revision, 'its route could not be created');
    return {
      kind: 'failed',
      reason: `the preview started but could not be routed: ${publicReason(error, deps.log)}`,
      details: [],
    };
  }
  const stopped = await stopTasks(deps, settings.cluster, rivals, pr.sha);
  deps.log.info(`PR #${pr.number}: ${url} → ${ip} (${container})`);
  return {
    kind: mine.length > 0 ? 'replaced' : 'launched',
    url,
    sha: pr.sha,
    taskArn,
    ip,
    image: request.image,
    stopped,
    seconds: (Date.now() - started) / 1_000,
    since: new Date(started),
    ...(keepUntil && { keepUntil }),
    identity: identityOf(definition),
    access: previewAccess(settings),
  };
}

/** What the task already serving a PR runs as, read from its revision; undefined if unreadable. */
async function servingIdentity(
  deps: PreviewDeps,
  task: PreviewTask,
): Promise<PreviewIdentity | undefined> {
  const revision = task.task.taskDefinitionArn;
  if (!revision) return undefined;
  try {
    return identityOf((await describeTaskDefinition(deps.aws.ecs, revision)).input);
  } catch (error) {
    deps.log.warning(`Could not read what ${revision} runs as: ${errorMessage(error)}`);
    return undefined;
  }
}

function previewAccess(settings: PreviewSettings): PreviewAccess {
  return settings.routing.mode === 'dns' ? 'open-http' : 'https';
}

/** Stops tasks the PR no longer needs and deregisters their preview revisions. */
export async function stopTasks(
  deps: PreviewDeps,
  cluster: string,
  tasks: readonly PreviewTask[],
  sha: string,
): Promise<string[]> {
  const stopped = await stopPreviewTasks(deps, cluster, tasks, `${SUPERSEDED} ${sha.slice(0, 7)}`);
  await deregister(
    deps,
    tasks.map((t) => t.task.taskDefinitionArn ?? ''),
  );
  return stopped;
}

async function stopOwn(
  deps: PreviewDeps,
  cluster: string,
  taskArn: string,
  revision: string,
  why: string,
): Promise<void> {
  await deps.aws.ecs.send(
    new StopTaskCommand({ cluster, task: taskArn, reason: `${SUPERSEDED} ${why}` }),
  );
  await deregister(deps, [revision]);
}

export async function deregister(
  deps: Pick<PreviewDeps, 'aws' | 'log'>,
  revisions: readonly string[],
): Promise<void> {
  for (const revision of new Set(revisions.filter(Boolean))) {
    await deps.aws.ecs
      .send(new DeregisterTaskDefinitionCommand({ taskDefinition: revision }))
      .catch((error: unknown) =>
        deps.log.warning(`Could not deregister ${revision}: ${errorMessage(error)}`),
      );
  }
}

/** Points the PR's host name at a running task; returns the URL and the address it routed to. */
async function routeTask(
  deps: PreviewDeps,
  settings: PreviewSettings,
  pr: PullRequestRef,
  host: PreviewHost,
  task: Task,
): Promise<{ url: string; ip: string }> {
  const ip = await taskAddress(task, deps.aws, settings.assignPublicIp);
  const target = {
    ...host,
    ip,
    port: settings.routing.port,
    repo: pr.repo,
    pr: pr.number,
    sha: pr.sha,
  };
  const { url } = await deps.router.route(target);
  return { url, ip };
}
