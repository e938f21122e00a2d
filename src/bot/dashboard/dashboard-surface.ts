import { githubRequestTimeoutMs } from '../../core/github/request-timeout.js';
import type { LoginSettings } from '../app-settings.js';
import type { FleetServices } from '../fleet/fleet-services.js';
import { anyViewer, bearerViewer, type ViewerSource } from '../fleet/viewer.js';
import type { RouteHandler } from '../http/app-server.js';
import { loginRoutes } from '../http/oauth-routes.js';
import { SessionSeal } from '../http/session-seal.js';
import { DashboardSessions } from '../http/session-viewer.js';
import { dashboardRoutes } from './dashboard-routes.js';

export interface DashboardSettings {
  /** ECS_PAAS_API_TOKEN: the operator's way in. */
  readonly apiToken?: string;
  /** GitHub sign-in; without it only the token opens the dashboard. */
  readonly login?: LoginSettings;
  /** GITHUB_API_URL, where the signed-in user's `GET /user` goes; api.github.com when unset. */
  readonly githubApiUrl?: string;
}

export interface DashboardSurface {
  /** Who a request is, for the fleet API as for the dashboard: the token, then a session. */
  readonly viewers: ViewerSource;
  /** `/login`, `/login/callback`, `/logout`, `/dashboard` and its script and stylesheet. */
  readonly handlers: readonly RouteHandler[];
}

/**
 * The operator surface's entry: one set of viewer sources shared by the fleet API and the
 * dashboard, so both judge a request the same way. No routes at all when neither a token nor a
 * login is configured, as `/api/sweep` has none without a token.
 */
export function dashboardSurface(
  fleet: FleetServices,
  settings: DashboardSettings,
): DashboardSurface {
  const { login } = settings;
  const sessions =
    login && new DashboardSessions(new SessionSeal(login.sessionSecret), login.publicUrl);
  const viewers = anyViewer(
    bearerViewer(settings.apiToken),
    ...(sessions ? [sessions.viewer] : []),
  );
  if (!settings.apiToken && !login) return { viewers, handlers: [] };
  const log = fleet.bot.log;
  return {
    viewers,
    handlers: [
      loginRoutes({
        login,
        sessions,
        apiUrl: settings.githubApiUrl ?? 'https://api.github.com',
        timeoutMs: githubRequestTimeoutMs(),
        log,
      }),
      dashboardRoutes({
        fleet,
        viewers,
        loginEnabled: Boolean(login),
        githubUrl: login?.oauthUrl ?? 'https://github.com',
        log,
      }),
    ],
  };
}
