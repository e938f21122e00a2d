import type { GitHubApi } from './github.js';

export interface HeadChecks {
  /** Commit statuses: context → state. */
  statuses?: Record<string, 'success' | 'failure' | 'pending' | 'error'>;
  /** Check runs: name → conclusion, or 'in_progress' for one still running. */
  runs?: Record<string, 'success' | 'failure' | 'neutral' | 'in_progress'>;
}

/**
 * What GitHub reports for every commit's statuses and check runs from now on, as GitHub shapes
 * them (Prism still checks each request against the OpenAPI description).
 */
export function setHeadChecks(api: GitHubApi, checks: HeadChecks): void {
  const statuses = Object.entries(checks.statuses ?? {});
  const runs = Object.entries(checks.runs ?? {});
  api.on('GET /repos/{owner}/{repo}/commits/{ref}/status', (request) => ({
    status: 200,
    body: {
      state: statuses.every(([, s]) => s === 'success') ? 'success' : 'failure',
      sha: request.params.ref,
      total_count: statuses.length,
      statuses: statuses.map(([context, state], i) => ({
        id: i + 1,
        node_id: `SC_${i + 1}`,
        url: 'https://api.github.com/status',
        avatar_url: null,
        state,
        description: null,
        target_url: null,
        context,
        created_at: '2026-11-30T00:00:00Z',
        updated_at: '2026-11-30T00:00:00Z',
      })),
      repository: {},
      commit_url: 'https://api.github.com/commit',
      url: 'https://api.github.com/status',
    },
  }));
  api.on('GET /repos/{owner}/{repo}/commits/{ref}/check-runs', (request) => ({
    status: 200,
    body: {
      total_count: runs.length,
      check_runs: runs.map(([name, result], i) => ({
        id: i + 1,
        name,
        head_sha: request.params.ref,
        status: result === 'in_progress' ? 'in_progress' : 'completed',
        conclusion: result === 'in_progress' ? null : result,
      })),
    },
  }));
}
