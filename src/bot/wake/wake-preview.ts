import { errorMessage } from '../../core/errors.js';
import { markWaking, type SleepingRoute } from '../../core/preview/alb-wake-rules.js';
import type { BotServices } from '../bot-services.js';
import { readRepoConfig } from '../config-reader.js';
import { getPull, type GitHubApi, type RepoRef } from '../github-api.js';
import { reconcilePullRequest } from '../reconcile-pull-request.js';
import { withWorkFields } from '../work-log.js';
import type { WakePage } from './wake-page.js';

/** `auth()` is the App itself (JWT); `auth(id)` that installation. */
export type AppAuth = (installationId?: number) => Promise<GitHubApi>;

/** After a wake ended (or was refused), the next visit within this long starts none. */
export const WAKE_COOLDOWN_MS = 60_000;
/** Another replica's wake, as its tag on the rule says, counts as under way for this long. */
const OTHERS_WAKE_MS = 10 * 60_000;

interface Wake {
  readonly answer: Promise<WakePage>;
  endedAt?: number;
}

/**
 * One relaunch in flight per sleeping preview, however many visits arrive: the first visit's
 * checks and launch are shared by every request for that preview until they end, and for
 * WAKE_COOLDOWN_MS after. Keyed by the rule's owner tags (AWS), never by anything in a request,
 * so the map holds at most one entry per sleeping preview.
 */
export class WakeLaunches {
  private readonly wakes = new Map<string, Wake>();

  constructor(
    private readonly services: BotServices,
    private readonly auth: AppAuth,
    /** Called when a wake's work is over: the preview's rule has changed (or will not). */
    private readonly onEnded: () => void = () => undefined,
  ) {}

  /** What to tell the visitor; starts the relaunch when it is the first visit that may. */
  wake(route: SleepingRoute): Promise<WakePage> {
    const now = this.services.now().getTime();
    for (const [key, wake] of this.wakes) {
      if (wake.endedAt !== undefined && now - wake.endedAt >= WAKE_COOLDOWN_MS) {
        this.wakes.delete(key);
      }
    }
    const key = `${route.owner.repo.toLowerCase()}#${route.owner.pr}`;
    const running = this.wakes.get(key);
    if (running) return running.answer;
    if (route.wakingSince && now - route.wakingSince.getTime() < OTHERS_WAKE_MS) {
      return Promise.resolve('waking');
    }
    const wake: Wake = {
      answer: this.start(route, () => {
        wake.endedAt = this.services.now().getTime();
        this.onEnded();
      }),
    };
    this.wakes.set(key, wake);
    return wake.answer;
  }

  private start(route: SleepingRoute, ended: () => void): Promise<WakePage> {
    const { repo: full, pr } = route.owner;
    const [owner = '', name = ''] = full.split('/');
    const repo: RepoRef = { owner, repo: name };
    const fields = { repo: full, pr };
    let launch: Promise<unknown> = Promise.resolve();
    const answer = withWorkFields(fields, async (): Promise<WakePage> => {
      try {
        const api = await installationApi(this.auth, repo);
        const page = await judge(api, this.services, repo, pr);
        if (page !== 'waking') {
          this.services.log.info(`wake on request refused (${page})`);
          if (page === 'closed') launch = this.closed(api, repo, pr);
          return page;
        }
        launch = this.relaunch(api, route, repo);
        return 'waking';
      } catch (error) {
        this.services.log.warning(`wake on request failed: ${errorMessage(error)}`);
        return 'failed';
      }
    });
    const done = answer.then(() => launch).finally(ended);
    this.services.work.track(done);
    return answer;
  }

  private relaunch(api: GitHubApi, route: SleepingRoute, repo: RepoRef): Promise<unknown> {
    const { pr } = route.owner;
    return withWorkFields({ repo: route.owner.repo, pr }, async () => {
      try {
        await markWaking(await this.services.aws.elbv2(), route, this.services.now());
        this.services.log.info('waking on request: relaunching at the head');
        // The same loop as `/deploy` without a SHA: the head as GitHub has it now, the config
        // from the default branch under the operator's policy, quotas and every refusal.
        const outcome = await reconcilePullRequest(api, this.services, repo, pr, {});
        this.services.log.info(`woken on request: ${outcome.kind}`);
      } catch (error) {
        this.services.log.warning(`wake on request failed: ${errorMessage(error)}`);
      }
    });
  }

  /** The PR closed while the App was away: its sleeping rule goes now, as a close would do. */
  private closed(api: GitHubApi, repo: RepoRef, pr: number): Promise<unknown> {
    return reconcilePullRequest(api, this.services, repo, pr, {
      teardown: 'the pull request was closed',
    }).catch((error: unknown) => {
      this.services.log.warning(
        `could not remove a closed PR's sleeping route: ${errorMessage(error)}`,
      );
    });
  }
}

async function installationApi(auth: AppAuth, repo: RepoRef): Promise<GitHubApi> {
  const { data } = await (
    await auth()
  ).request('GET /repos/{owner}/{repo}/installation', {
    ...repo,
  });
  return auth((data as { id: number }).id);
}

/**
 * The rules of `/deploy` for a visitor, who has no GitHub identity: the PR open and not a fork
 * (never run fork code for an anonymous visit), the config on the default branch valid, within
 * the operator's policy, in alb mode and still asking for wake on request; no draft or
 * `no-preview` label.
 */
async function judge(
  api: GitHubApi,
  services: BotServices,
  repo: RepoRef,
  pr: number,
): Promise<WakePage> {
  const pull = await getPull(api, repo, pr);
  if (pull.state !== 'open') return 'closed';
  if ((pull.head.repo?.full_name ?? '') !== `${repo.owner}/${repo.repo}`) return 'fork';
  if (pull.draft || pull.labels?.some((l) => l.name === 'no-preview')) return 'off';
  const read = await readRepoConfig(api, repo, services.configCache, services.policy);
  const preview = read.kind === 'ok' ? read.config.preview : undefined;
  if (!preview?.wakeOnRequest || preview.routing.mode !== 'alb') return 'off';
  return 'waking';
}
