import type { PullRequestRef } from './preview-types.js';
import type { PreviewTask } from './preview-tasks.js';
import type { RoutingSettings } from './routing-types.js';
import { subdomainLabel, uniqueLabel } from './subdomain.js';

export interface PreviewHost {
  readonly label: string;
  readonly hostname: string;
  readonly url: string;
}

/**
 * The PR's host name. A label another repository's preview already holds (two repos called `web`
 * under one domain) gets a hash of this repository's name, so previews never collide.
 */
export function previewHost(
  routing: RoutingSettings,
  pr: PullRequestRef,
  fleet: readonly PreviewTask[],
): PreviewHost {
  const [owner = '', repo = ''] = pr.repo.split('/');
  const own = fleet.find((t) => t.repo === pr.repo && t.pr === pr.number && t.label);
  let label =
    own?.label ??
    subdomainLabel(routing.subdomain, { number: pr.number, owner, repo, branch: pr.branch });
  if (!own && fleet.some((t) => t.label === label && t.repo !== pr.repo))
    label = uniqueLabel(label, pr.repo);
  const hostname = `${label}.${routing.domain}`;
  return { label, hostname, url: previewUrl(routing, hostname) };
}

/** ALB previews are served over the shared HTTPS listener; DNS previews hit the task's port. */
export function previewUrl(routing: RoutingSettings, hostname: string): string {
  if (routing.mode === 'alb') return `https://${hostname}`;
  return routing.port === 80 ? `http://${hostname}` : `http://${hostname}:${routing.port}`;
}
