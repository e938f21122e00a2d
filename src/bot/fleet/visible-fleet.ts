import type { FleetServices } from './fleet-services.js';
import type { FleetFilter, FleetListing, FleetPreview } from './fleet-types.js';
import { readFleet } from './read-fleet.js';
import { mayDo, type Viewer } from './viewer.js';

/**
 * The fleet as one viewer may see it: a user gets only the previews of repositories they may
 * read (permission look-ups per repository), and no problems, which name other repositories.
 * Task ARNs carry the AWS account id, which THREATS.md keeps out of what the public may read: a
 * user who may read but not stop a preview (anyone, on a public repository) gets none, and the
 * cluster by its name only.
 */
export async function visibleFleet(
  services: FleetServices,
  viewer: Viewer,
  filter: FleetFilter = {},
): Promise<FleetListing> {
  const listing = await readFleet(services, filter);
  if (viewer.kind === 'operator') return listing;
  const readable = new Map<string, boolean>();
  const actionable = new Map<string, boolean>();
  for (const preview of listing.previews) {
    const key = preview.repository.toLowerCase();
    if (readable.has(key)) continue;
    const [owner = '', repo = ''] = preview.repository.split('/');
    const mayRead = await mayDo(services, viewer, { owner, repo }, 'read');
    readable.set(key, mayRead);
    actionable.set(key, mayRead && (await mayDo(services, viewer, { owner, repo }, 'stop')));
  }
  return {
    previews: listing.previews
      .filter((p) => readable.get(p.repository.toLowerCase()))
      .map((p) => (actionable.get(p.repository.toLowerCase()) ? p : withoutAccount(p))),
    complete: listing.complete,
    problems: [],
  };
}

function withoutAccount(preview: FleetPreview): FleetPreview {
  return { ...preview, taskArns: [], cluster: preview.cluster.split('/').pop() ?? preview.cluster };
}
