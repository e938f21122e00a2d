import { PERMISSIONS, hasPermission } from './commands.js';
import type { GitHubApi, RepoRef } from './github-api.js';

/**
 * The commenter's permission on the repository, from the collaborator-permission API (never from
 * author_association, which a payload carries and says nothing of write access). `role_name`
 * knows maintain and triage; custom role names fall back to the base permission.
 */
export async function permissionOf(api: GitHubApi, repo: RepoRef, login: string): Promise<string> {
  const { data } = await api.request(
    'GET /repos/{owner}/{repo}/collaborators/{username}/permission',
    { ...repo, username: login },
  );
  const answer = data as { permission?: string; role_name?: string };
  return answer.role_name && (PERMISSIONS as readonly string[]).includes(answer.role_name)
    ? answer.role_name
    : (answer.permission ?? 'none');
}

/** undefined when `login` has `required`; otherwise the refusal to post. */
export async function needPermission(
  api: GitHubApi,
  repo: RepoRef,
  login: string,
  required: string,
): Promise<{ ok: false; reply: string } | undefined> {
  const permission = await permissionOf(api, repo, login);
  return hasPermission(permission, required)
    ? undefined
    : {
        ok: false,
        reply: `@${login} needs ${required} access for this command (has ${permission}).`,
      };
}
