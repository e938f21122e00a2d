import type { ApplicationFunctionOptions, Context, Probot } from 'probot';
import { errorMessage, withContext } from '../core/errors.js';
import { collectWork } from './queue/delivery-scope.js';
import { withWorkFields } from './work-log.js';
import type { BotServices } from './bot-services.js';
import type { GitHubApi, RepoRef } from './github-api.js';
import { handleCommandComment } from './handle-command.js';
import { reconcilePullRequest } from './reconcile-pull-request.js';
import { reportDispatchedRun } from './report-dispatch.js';
import { recordActivity } from './record-activity.js';
import { installedRepositories } from './sweep/installed-repositories.js';
import { sweepApi } from './sweep/sweep-api.js';
import { Sweeper } from './sweep/sweeper.js';
import { dashboardSurface, type DashboardSettings } from './dashboard/dashboard-surface.js';
import { installationOf, type FleetServices } from './fleet/fleet-services.js';
import { fleetApi } from './http/fleet-api.js';
import { wakeHandler } from './wake/wake-handler.js';

export interface SweepSettings {
  /** How often the App sweeps by itself; null: only when `POST /api/sweep` asks. */
  readonly intervalMs: number | null;
  /** Bearer token for `/api/sweep`; without one the endpoint is off. */
  readonly apiToken?: string;
  /** Hands the sweeper to whoever stops the App, so shutdown waits for a running sweep. */
  readonly onSweeper?: (sweeper: Sweeper) => void;
  /** GitHub sign-in for the dashboard, and the API root a signed-in user is asked about. */
  readonly dashboard?: Omit<DashboardSettings, 'apiToken'>;
}

const PREVIEW_ACTIONS = [
  'pull_request.opened',
  'pull_request.reopened',
  'pull_request.synchronize',
  'pull_request.ready_for_review',
  'pull_request.converted_to_draft',
  'pull_request.labeled',
  'pull_request.unlabeled',
] as const;

/**
 * The App: every event becomes one reconcile of the PR(s) it concerns. Handlers only translate
 * payloads; what to do is decided in reconcilePullRequest from GitHub's and AWS's current state.
 * Work is queued and the delivery acknowledged at once: a launch takes minutes and GitHub gives a
 * webhook ten seconds before it counts it as failed.
 */
export function ecsPaasApp(services: BotServices, sweep: SweepSettings = { intervalMs: null }) {
  return (app: Probot, options?: Partial<ApplicationFunctionOptions>): void => {
    const sweeper = new Sweeper(
      services,
      installedRepositories((id) => app.auth(id)),
    );
    // First: a sleeping preview's name must never reach any other handler of the App.
    if (services.wakeTargetGroupArn) {
      options?.addHandler?.(
        wakeHandler(services, services.wakeTargetGroupArn, (id) => app.auth(id)),
      );
    }
    options?.addHandler?.(sweepApi(sweeper, sweep.apiToken));
    const fleet: FleetServices = {
      bot: services,
      installed: installedRepositories((id) => app.auth(id)),
      installation: installationOf((id) => app.auth(id)),
    };
    const surface = dashboardSurface(fleet, {
      ...(sweep.apiToken && { apiToken: sweep.apiToken }),
      ...sweep.dashboard,
    });
    for (const handler of surface.handlers) options?.addHandler?.(handler);
    const signIn = sweep.apiToken || sweep.dashboard?.login;
    options?.addHandler?.(fleetApi(fleet, signIn ? surface.viewers : undefined));
    if (sweep.intervalMs !== null) sweeper.every(sweep.intervalMs);
    sweep.onSweeper?.(sweeper);

    app.on([...PREVIEW_ACTIONS], (context) => {
      const { pull_request: pull } = context.payload;
      if (context.payload.action === 'labeled' || context.payload.action === 'unlabeled') {
        if (context.payload.label?.name !== 'no-preview') return;
      }
      background(context, services, () =>
        reconcile(context, services, pull.number, { actor: context.payload.sender.login }),
      );
    });

    app.on('pull_request.closed', (context) => {
      background(context, services, () =>
        reconcile(context, services, context.payload.pull_request.number, {
          teardown: context.payload.pull_request.merged
            ? 'the pull request was merged'
            : 'the pull request was closed',
        }),
      );
    });

    // A workflow run or check suite that succeeded for a SHA may mean its image is in ECR now.
    app.on(['workflow_run.completed', 'check_suite.completed'], (context) => {
      const run =
        'workflow_run' in context.payload
          ? context.payload.workflow_run
          : context.payload.check_suite;
      if (
        'workflow_run' in context.payload &&
        context.payload.workflow_run.event === 'workflow_dispatch'
      ) {
        const dispatched = context.payload.workflow_run;
        background(context, services, () =>
          reportDispatchedRun(api(context), repoOf(context), dispatched),
        );
      }
      if (run.conclusion !== 'success') return;
      const numbers = (run.pull_requests ?? []).flatMap((p) => (p ? [p.number] : []));
      background(context, services, () =>
        imageMayBeReady(context, services, run.head_sha, numbers),
      );
    });

    // A review or a human's comment is PR activity: the preview is being looked at.
    app.on(['pull_request_review.submitted', 'pull_request_review_comment.created'], (context) => {
      if (context.payload.sender.type === 'Bot') return;
      const number = context.payload.pull_request.number;
      background(context, services, () =>
        recordActivity(api(context), services, repoOf(context), number),
      );
    });

    app.on('issue_comment.created', (context) => {
      const { comment, issue } = context.payload;
      if (issue.pull_request && comment.user?.type !== 'Bot') {
        background(context, services, () =>
          recordActivity(api(context), services, repoOf(context), issue.number),
        );
      }
      background(context, services, () =>
        handleCommandComment(api(context), services, repoOf(context), {
          id: comment.id,
          body: comment.body,
          author: comment.user?.login ?? '',
          authorType: comment.user?.type ?? 'User',
          issueNumber: issue.number,
          onPullRequest: Boolean(issue.pull_request),
          createdAt: new Date(comment.created_at),
          htmlUrl: comment.html_url,
          delivery: context.id,
        }),
      );
    });
  };
}

type AnyContext = Context<
  | 'pull_request'
  | 'workflow_run'
  | 'check_suite'
  | 'issue_comment'
  | 'pull_request_review'
  | 'pull_request_review_comment'
>;

function repoOf(context: AnyContext): RepoRef {
  const { owner, repo } = context.repo();
  return { owner, repo };
}

function api(context: AnyContext): GitHubApi {
  return context.octokit;
}

async function reconcile(
  context: AnyContext,
  services: BotServices,
  number: number,
  trigger: Parameters<typeof reconcilePullRequest>[4],
): Promise<void> {
  try {
    await withWorkFields({ pr: number }, async () => {
      const outcome = await reconcilePullRequest(
        api(context),
        services,
        repoOf(context),
        number,
        trigger,
      );
      services.log.info(`PR #${number}: ${outcome.kind}`);
    });
  } catch (error) {
    // In process it is only logged (GitHub would redeliver into the same failure); a queue worker
    // gets it back and tries the message again later.
    throw withContext(`PR #${number}: reconcile failed`, error);
  }
}

/** A workflow or check suite for a SHA succeeded: the PRs whose head it is may have an image now. */
async function imageMayBeReady(
  context: AnyContext,
  services: BotServices,
  sha: string,
  numbers: number[],
): Promise<void> {
  let prs = numbers;
  if (prs.length === 0) {
    // Fork PRs are not listed on workflow runs; ask which open PRs have this commit.
    const { data } = await api(context).request(
      'GET /repos/{owner}/{repo}/commits/{commit_sha}/pulls',
      { ...repoOf(context), commit_sha: sha },
    );
    prs = (data as Array<{ number: number; state: string; head: { sha: string } }>)
      .filter((p) => p.state === 'open' && p.head.sha === sha)
      .map((p) => p.number);
  }
  // One PR's failure must not keep the others waiting; the first is reported once all were tried.
  const failures: unknown[] = [];
  for (const number of new Set(prs)) {
    await reconcile(context, services, number, { imageReady: true }).catch((error: unknown) => {
      failures.push(error);
    });
  }
  if (failures.length > 0) throw failures[0];
}

/** Runs handler work after the delivery is acknowledged; failures are logged, never thrown. */
function background(
  context: AnyContext,
  services: BotServices,
  work: () => Promise<unknown>,
): void {
  const payload = context.payload as {
    pull_request?: { number?: number };
    issue?: { number?: number };
  };
  const pr = payload.pull_request?.number ?? payload.issue?.number;
  const { owner, repo } = context.repo();
  const fields = {
    repo: `${owner}/${repo}`,
    ...(pr !== undefined && { pr }),
    delivery: context.id,
  };
  const running = withWorkFields(fields, work);
  collectWork(running);
  services.work.track(
    withWorkFields(fields, () =>
      running.catch((error: unknown) =>
        services.log.warning(`handler failed: ${errorMessage(error)}`),
      ),
    ),
  );
}
