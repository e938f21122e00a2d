import type { ServerResponse } from 'node:http';
import { errorMessage } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import type { FleetServices } from '../fleet/fleet-services.js';
import { mayDo, type FleetAction, type Viewer, type ViewerSource } from '../fleet/viewer.js';
import { visibleFleet } from '../fleet/visible-fleet.js';
import type { RouteHandler } from '../http/app-server.js';
import { DASHBOARD_SCRIPT, DASHBOARD_STYLE } from './dashboard-assets.js';
import { fleetPage } from './fleet-page.js';
import { loginPage, problemPage } from './login-page.js';
import { PAGE_HEADERS, SCRIPT_PATH, sendPage, STYLE_PATH } from './page-shell.js';

export interface DashboardOptions {
  readonly fleet: FleetServices;
  /** The API token, then a session: the same sources the fleet API uses. */
  readonly viewers: ViewerSource;
  readonly loginEnabled: boolean;
  /** github.com or the GHES host, for repository and PR links. */
  readonly githubUrl: string;
  readonly log: Logger;
  readonly now?: () => Date;
}

const ROW_ACTIONS: readonly FleetAction[] = ['stop', 'relaunch', 'logs'];

/**
 * `GET /dashboard`: the fleet the viewer may read, rendered on the server, with the buttons mayDo
 * allows per repository. Without a viewer it is a sign-in page, and nothing of the fleet.
 */
export function dashboardRoutes(options: DashboardOptions): RouteHandler {
  const now = options.now ?? (() => new Date());
  return async (req, res) => {
    const { pathname } = new URL(req.url ?? '/', 'http://localhost');
    if (pathname === SCRIPT_PATH || pathname === STYLE_PATH) {
      const script = pathname === SCRIPT_PATH;
      res.writeHead(200, {
        ...PAGE_HEADERS,
        'content-type': script ? 'text/javascript; charset=utf-8' : 'text/css; charset=utf-8',
        'cache-control': 'no-cache',
      });
      res.end(script ? DASHBOARD_SCRIPT : DASHBOARD_STYLE);
      return true;
    }
    if (pathname !== '/dashboard' && pathname !== '/dashboard/') return false;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET', 'content-type': 'text/plain' }).end('use GET');
      return true;
    }
    const viewer = await options.viewers(req);
    if (!viewer) {
      sendPage(res, 401, loginPage({ loginEnabled: options.loginEnabled }), {
        'www-authenticate': 'Bearer',
      });
      return true;
    }
    await render(res, viewer, options, now());
    return true;
  };
}

async function render(
  res: ServerResponse,
  viewer: Viewer,
  options: DashboardOptions,
  at: Date,
): Promise<void> {
  // Each repository's installation is looked up once per page, however many questions follow.
  const fleet = { ...options.fleet, installation: once(options.fleet.installation) };
  let page: string;
  try {
    const listing = await visibleFleet(fleet, viewer);
    const repositories = [...new Set(listing.previews.map((p) => p.repository))];
    const allowed = new Map<string, Set<FleetAction>>(
      await Promise.all(
        repositories.map(async (repository) => {
          const [owner = '', repo = ''] = repository.split('/');
          const actions = new Set<FleetAction>();
          for (const action of ROW_ACTIONS) {
            if (await mayDo(fleet, viewer, { owner, repo }, action)) actions.add(action);
          }
          return [repository.toLowerCase(), actions] as const;
        }),
      ),
    );
    page = fleetPage({ viewer, listing, allowed, githubUrl: options.githubUrl, now: at });
  } catch (error) {
    options.log.warning(`dashboard: the fleet could not be read: ${errorMessage(error)}`);
    sendPage(
      res,
      502,
      problemPage('The fleet could not be read from AWS or GitHub just now; reload in a minute.'),
    );
    return;
  }
  sendPage(res, 200, page);
}

/** The same answer for the same repository within one page. */
function once(lookup: FleetServices['installation']): FleetServices['installation'] {
  const seen = new Map<string, ReturnType<FleetServices['installation']>>();
  return (repo) => {
    const key = `${repo.owner}/${repo.repo}`.toLowerCase();
    let found = seen.get(key);
    if (!found) {
      found = lookup(repo);
      seen.set(key, found);
    }
    return found;
  };
}
