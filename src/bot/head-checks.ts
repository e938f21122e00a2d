import type { GitHubApi, RepoRef } from './github-api.js';

interface CombinedStatus {
  state: string;
  total_count: number;
  statuses: Array<{ context: string; state: string }>;
}
interface CheckRuns {
  total_count: number;
  check_runs: Array<{ name: string; status: string; conclusion: string | null }>;
}

const GREEN_CONCLUSIONS = new Set(['success', 'neutral', 'skipped']);
/** 10,000 checks on one commit is far past any real CI; stop reading there. */
const MAX_PAGES = 100;

/**
 * Whether a commit is green: every commit status and every check run reported for it succeeded.
 * A commit with nothing reported is not green: "no CI" must be said in the config
 * (`require-checks: false`), not inferred from silence.
 */
export async function headChecks(
  api: GitHubApi,
  repo: RepoRef,
  sha: string,
): Promise<{ green: true } | { green: false; why: string }> {
  const combined = { total_count: 0, statuses: [] as CombinedStatus['statuses'] };
  const runs: CheckRuns['check_runs'] = [];
  // Every page: a red check on page two must not pass for green.
  for (let page = 1; page <= MAX_PAGES; page++) {
    const { data } = await api.request('GET /repos/{owner}/{repo}/commits/{ref}/status', {
      ...repo,
      ref: sha,
      per_page: 100,
      page,
    });
    const answer = data as CombinedStatus;
    combined.total_count = answer.total_count;
    combined.statuses.push(...answer.statuses);
    if (answer.statuses.length < 100 || combined.statuses.length >= answer.total_count) break;
  }
  for (let page = 1; page <= MAX_PAGES; page++) {
    const { data } = await api.request('GET /repos/{owner}/{repo}/commits/{ref}/check-runs', {
      ...repo,
      ref: sha,
      per_page: 100,
      page,
    });
    const answer = data as CheckRuns;
    runs.push(...answer.check_runs);
    if (answer.check_runs.length < 100 || runs.length >= answer.total_count) break;
  }
  if (combined.total_count === 0 && runs.length === 0) {
    return { green: false, why: 'no status or check has been reported for it yet' };
  }
  const red = combined.statuses.filter((s) => s.state !== 'success').map((s) => s.context);
  const unfinished = runs.filter((r) => r.status !== 'completed').map((r) => r.name);
  const failed = runs
    .filter((r) => r.status === 'completed' && !GREEN_CONCLUSIONS.has(r.conclusion ?? ''))
    .map((r) => r.name);
  if (red.length + unfinished.length + failed.length === 0) return { green: true };
  const parts = [
    unfinished.length ? `${unfinished.length} check(s) still running` : '',
    failed.length + red.length ? `${failed.length + red.length} check(s) not successful` : '',
  ].filter(Boolean);
  return { green: false, why: parts.join(' and ') };
}

/** Whether someone other than the author approved exactly this SHA (their latest review counts). */
export async function approvedAt(
  api: GitHubApi,
  repo: RepoRef,
  number: number,
  sha: string,
): Promise<boolean> {
  const { data } = await api.request('GET /repos/{owner}/{repo}/pulls/{pull_number}/reviews', {
    ...repo,
    pull_number: number,
    per_page: 100,
  });
  const latest = new Map<string, { state: string; commit_id: string | null }>();
  for (const review of data as Array<{
    user: { login: string } | null;
    state: string;
    commit_id: string | null;
  }>) {
    if (!review.user || review.state === 'COMMENTED') continue;
    latest.set(review.user.login, review);
  }
  return [...latest.values()].some((r) => r.state === 'APPROVED' && r.commit_id === sha);
}
