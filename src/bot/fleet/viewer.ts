import type { IncomingMessage } from 'node:http';
import { permissionOf } from '../command-permission.js';
import { hasPermission, type Permission } from '../commands.js';
import type { RepoRef } from '../github-api.js';
import { bearerMatches, sameSecret } from '../http/bearer-token.js';
import type { FleetServices } from './fleet-services.js';

/** Who is asking: the operator (the API token) or a GitHub user with a session. */
export type Viewer = { kind: 'operator' } | { kind: 'user'; login: string; csrf: string };

/** Tells who sent a request, or undefined when it carries no credentials this source accepts. */
export type ViewerSource = (req: IncomingMessage) => Promise<Viewer | undefined>;

export const FLEET_ACTIONS = ['read', 'stop', 'relaunch', 'logs'] as const;
export type FleetAction = (typeof FLEET_ACTIONS)[number];

/**
 * The permission each action needs, the same as its slash command: `/preview stop`, `/deploy`
 * and `/logs` want write; seeing a preview at all wants read of its repository.
 */
export const ACTION_PERMISSION: Readonly<Record<FleetAction, Permission>> = {
  read: 'read',
  stop: 'write',
  relaunch: 'write',
  logs: 'write',
};

/** `Authorization: Bearer <ECS_PAAS_API_TOKEN>` makes the operator; without a token, nobody. */
export function bearerViewer(token: string | undefined): ViewerSource {
  return (req) =>
    Promise.resolve(
      token && bearerMatches(req.headers.authorization, token)
        ? { kind: 'operator' as const }
        : undefined,
    );
}

/** The first source that knows the request (the token before a session cookie, say). */
export function anyViewer(...sources: readonly ViewerSource[]): ViewerSource {
  return async (req) => {
    for (const source of sources) {
      const viewer = await source(req);
      if (viewer) return viewer;
    }
    return undefined;
  };
}

/**
 * Whether the viewer may do `action` on the repository. Operators may do everything. A user needs
 * the permission the slash command needs, read from the collaborator-permission API through the
 * App's installation on that repository, exactly as a command's author is judged; a repository
 * the App is not installed on is nobody's but the operator's.
 */
export async function mayDo(
  services: FleetServices,
  viewer: Viewer,
  repo: RepoRef,
  action: FleetAction,
): Promise<boolean> {
  if (viewer.kind === 'operator') return true;
  const api = await services.installation(repo);
  if (!api) return false;
  let permission: string;
  try {
    permission = await permissionOf(api, repo, viewer.login);
  } catch (error) {
    // GitHub answers 404 for a login that is not a collaborator on a private repository.
    if ((error as { status?: number }).status === 404) return false;
    throw error;
  }
  return hasPermission(permission, ACTION_PERMISSION[action]);
}

/**
 * A user's POST must carry its session's CSRF token in `x-csrf-token`: a cookie alone is sent by
 * any page the browser visits. The token in a header is proof of the operator already.
 */
export function csrfAccepted(viewer: Viewer, req: IncomingMessage): boolean {
  if (viewer.kind === 'operator') return true;
  const header = req.headers['x-csrf-token'];
  const given = Array.isArray(header) ? header[0] : header;
  return typeof given === 'string' && given.length > 0 && sameSecret(given, viewer.csrf);
}
