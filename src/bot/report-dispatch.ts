import { dispatchMarker } from './deploy-environment.js';
import type { GitHubApi, RepoRef } from './github-api.js';

interface Run {
  readonly id: number;
  readonly head_sha: string;
  readonly conclusion: string | null;
  readonly html_url: string;
}

/**
 * A workflow run that `/deploy <env>` dispatched has finished: the App's reply that started it
 * (found by its hidden run marker, on the open PRs whose head is the run's SHA) gets the result.
 */
export async function reportDispatchedRun(
  api: GitHubApi,
  repo: RepoRef,
  run: Run,
): Promise<boolean> {
  const { data } = await api.request('GET /repos/{owner}/{repo}/commits/{commit_sha}/pulls', {
    ...repo,
    commit_sha: run.head_sha,
  });
  const marker = dispatchMarker(run.id);
  for (const pull of data as Array<{ number: number; state: string }>) {
    if (pull.state !== 'open') continue;
    const { data: comments } = await api.request(
      'GET /repos/{owner}/{repo}/issues/{issue_number}/comments',
      { ...repo, issue_number: pull.number, per_page: 100 },
    );
    const ours = (
      comments as Array<{ id: number; body?: string; user?: { type?: string } | null }>
    ).find((c) => c.user?.type === 'Bot' && c.body?.includes(marker));
    if (!ours?.body) continue;
    const result =
      run.conclusion === 'success'
        ? `✅ The workflow run succeeded: ${run.html_url}`
        : `❌ The workflow run finished as ${words(run.conclusion)}: ${run.html_url}`;
    await api.request('PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}', {
      ...repo,
      comment_id: ours.id,
      body: `${ours.body.replace(marker, '').trimEnd()}\n\n${result}`,
    });
    return true;
  }
  return false;
}

/** GitHub's conclusions are a fixed set; anything else is not repeated. */
function words(conclusion: string | null): string {
  const known = [
    'failure',
    'cancelled',
    'timed_out',
    'action_required',
    'neutral',
    'skipped',
    'stale',
  ];
  return conclusion && known.includes(conclusion) ? conclusion.replace('_', ' ') : 'not successful';
}
