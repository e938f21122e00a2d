import { isIP } from 'node:net';
import { errorMessage } from '../../core/errors.js';
import { findSleeping } from '../../core/preview/alb-wake-rules.js';
import type { BotServices } from '../bot-services.js';
import type { RouteHandler } from '../http/app-server.js';
import { SleepingHosts } from './sleeping-hosts.js';
import { wakePage, type WakePage } from './wake-page.js';
import { WakeLaunches, type AppAuth } from './wake-preview.js';

/** A DNS name as a Host header may carry it (a port after it); anything else is not ours. */
const HOST =
  /^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.?(:\d{1,5})?$/;

function hostOf(header: string | undefined): string | undefined {
  const value = header?.trim().toLowerCase() ?? '';
  if (value.length > 260 || !HOST.test(value)) return undefined;
  const name = value.replace(/:\d+$/, '').replace(/\.$/, '');
  return isIP(name) ? undefined : name;
}

/**
 * Wake on request: a request whose Host is a sleeping preview's name (its rule forwards to the
 * App's target group, as AWS tags say) gets the waking page on every path and method, and its
 * first visit relaunches the preview. A name under a preview domain that is not asleep gets a
 * 404; no other handler of the App ever answers for a preview's name. Every other host (the App's
 * own) passes on to the App's other handlers.
 */
export function wakeHandler(services: BotServices, wakeArn: string, auth: AppAuth): RouteHandler {
  const sleeping = new SleepingHosts(
    async () => findSleeping(await services.aws.elbv2(), wakeArn),
    () => services.now().getTime(),
    (error) => services.log.warning(`wake on request: ${errorMessage(error)}`),
  );
  const launches = new WakeLaunches(services, auth, () => sleeping.expire());
  return async (req, res) => {
    const host = hostOf(req.headers.host);
    if (!host) return false;
    const found = await sleeping.lookup(host);
    if (found.kind === 'other') return false;
    // The body is never read: nothing a visitor sends is used.
    let page: WakePage = 'not-found';
    if (found.kind === 'asleep') {
      page =
        req.method === 'GET' || req.method === 'HEAD' ? await launches.wake(found.route) : 'waking';
    }
    const { status, headers, body } = wakePage(page);
    res.writeHead(status, headers);
    res.end(req.method === 'HEAD' ? undefined : body);
    return true;
  };
}
