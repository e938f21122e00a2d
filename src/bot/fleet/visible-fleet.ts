import type { FleetServices } from './fleet-services.js';
import type { FleetFilter, FleetListing } from './fleet-types.js';
import { readFleet } from './read-fleet.js';
import { mayDo, type Viewer } from './viewer.js';

/**
 * The fleet as one viewer may see it: a user gets only the previews of repositories they may
 * read (one permission look-up per repository), and no problems, which name other repositories.
 */
export async function visibleFleet(
  services: FleetServices,
  viewer: Viewer,
  filter: FleetFilter = {},
): Promise<FleetListing> {
  const listing = await readFleet(services, filter);
  if (viewer.kind === 'operator') return listing;
  const readable = new Map<string, boolean>();
  for (const preview of listing.previews) {
    const key = preview.repository.toLowerCase();
    if (readable.has(key)) continue;
    const [owner = '', repo = ''] = preview.repository.split('/');
    readable.set(key, await mayDo(services, viewer, { owner, repo }, 'read'));
  }
  return {
    previews: listing.previews.filter((p) => readable.get(p.repository.toLowerCase())),
    complete: listing.complete,
    problems: [],
  };
}
