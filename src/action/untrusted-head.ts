import { readFile } from 'node:fs/promises';

/** Where the code a workflow run was started for comes from. */
export interface EventHead {
  /** GITHUB_EVENT_NAME, e.g. `push` or `pull_request`. */
  readonly event: string;
  /** `owner/repo` of the head, when the event names one. */
  readonly headRepo?: string;
  /** `owner/repo` the workflow runs in. */
  readonly baseRepo: string;
}

interface Payload {
  repository?: { full_name?: string };
  pull_request?: {
    head?: { repo?: { full_name?: string } | null };
    base?: { repo?: { full_name?: string } };
  };
  workflow_run?: { head_repository?: { full_name?: string } | null };
}

/**
 * The event's head repository. Every event with a `pull_request` in its payload (pull_request,
 * its reviews and review comments) and `workflow_run` (which a fork's PR CI triggers, then runs
 * with this repository's secrets) can carry code from another repository.
 */
export async function readEventHead(env: NodeJS.ProcessEnv): Promise<EventHead> {
  const event = env.GITHUB_EVENT_NAME ?? '';
  const baseFallback = env.GITHUB_REPOSITORY ?? '';
  if (!env.GITHUB_EVENT_PATH) return { event, baseRepo: baseFallback };
  let payload: Payload;
  try {
    payload = JSON.parse(await readFile(env.GITHUB_EVENT_PATH, 'utf8')) as Payload;
  } catch (error) {
    // Refusing needs the payload; a run that cannot show where its head comes from is not trusted.
    throw new Error(
      `cannot read the event payload at GITHUB_EVENT_PATH (${env.GITHUB_EVENT_PATH}): ${String(error)}`,
      { cause: error },
    );
  }
  if (payload.pull_request) {
    const baseRepo = payload.pull_request.base?.repo?.full_name ?? baseFallback;
    // A deleted head repository counts as foreign: '' never equals the base.
    return { event, baseRepo, headRepo: payload.pull_request.head?.repo?.full_name ?? '' };
  }
  if (payload.workflow_run) {
    const baseRepo = payload.repository?.full_name ?? baseFallback;
    return { event, baseRepo, headRepo: payload.workflow_run.head_repository?.full_name ?? '' };
  }
  return { event, baseRepo: payload.repository?.full_name ?? baseFallback };
}

/**
 * Throws when `build` or `deploy` would run code this repository did not write with this job's
 * AWS credentials: anything the build runs (a Dockerfile's RUN, a build script) can read them.
 */
export function refuseUntrustedHead(command: string, head: EventHead): void {
  if (head.event === 'pull_request_target') {
    throw new Error(
      `command '${command}' refuses to run on a pull_request_target event: such a run has this repository's secrets and AWS credentials while the code it checks out may come from the pull request, so building it would hand those credentials to the pull request's author. Build and deploy on 'push' (or 'workflow_dispatch') once the change is merged; preview a same-repository pull request with 'command: preview' on 'pull_request', and a fork's with the ecs-paas App, where a maintainer approves the exact SHA.`,
    );
  }
  if (head.headRepo !== undefined && head.headRepo !== head.baseRepo) {
    throw new Error(
      `command '${command}' refuses code from a fork (head ${head.headRepo || 'a deleted repository'}, base ${head.baseRepo}): building it runs the fork's code with this job's AWS credentials, which would hand them to the fork's author. Deploy the change once it is merged (on 'push'), or preview it with the ecs-paas App, where a maintainer approves the exact SHA.`,
    );
  }
}
