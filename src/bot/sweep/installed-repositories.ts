import type { GitHubApi, RepoRef } from '../github-api.js';

/** A repository the App is installed on, with a client authenticated for its installation. */
export interface InstalledRepo {
  readonly repo: RepoRef;
  readonly api: GitHubApi;
}

/** The repositories a sweep looks at, and installations it could not look into. */
export interface Fleet {
  readonly repos: InstalledRepo[];
  /** Suspended installations: their repositories' previews may share a zone with the others'. */
  readonly unreadable: readonly string[];
  /** The accounts (owners) of those installations, lower-case: their repositories are unknown. */
  readonly unreadableOwners?: readonly string[];
}

/** Where a sweep learns which repositories to look at. */
export type FleetSource = () => Promise<Fleet>;

const PER_PAGE = 100;

/** Every item of a paged GitHub list, a page of 100 at a time. */
export async function allPages<T>(
  api: GitHubApi,
  route: string,
  parameters: Record<string, unknown>,
  items: (data: unknown) => T[],
): Promise<T[]> {
  const all: T[] = [];
  for (let page = 1; ; page++) {
    const { data } = await api.request(route, { ...parameters, per_page: PER_PAGE, page });
    const batch = items(data);
    all.push(...batch);
    if (batch.length < PER_PAGE) return all;
  }
}

/**
 * Every repository of every installation, from GitHub itself: two list calls per hundred, so a
 * restarted App knows its fleet without any state of its own. `auth()` without an id is the App
 * (JWT); with one, that installation.
 */
export function installedRepositories(
  auth: (installationId?: number) => Promise<GitHubApi>,
): FleetSource {
  return async () => {
    const installations = await allPages(
      await auth(),
      'GET /app/installations',
      {},
      (data) =>
        data as Array<{ id: number; suspended_at?: string | null; account?: { login?: string } }>,
    );
    const repos: InstalledRepo[] = [];
    const unreadable: string[] = [];
    const unreadableOwners: string[] = [];
    for (const installation of installations) {
      // A suspended installation cannot get a token; its previews wait until it is back.
      if (installation.suspended_at) {
        unreadable.push(
          `installation ${installation.id} (${installation.account?.login ?? '?'}) is suspended`,
        );
        unreadableOwners.push((installation.account?.login ?? '*').toLowerCase());
        continue;
      }
      const api = await auth(installation.id);
      const list = await allPages(
        api,
        'GET /installation/repositories',
        {},
        (data) =>
          (data as { repositories?: Array<{ name: string; owner: { login: string } }> })
            .repositories ?? [],
      );
      for (const r of list) repos.push({ repo: { owner: r.owner.login, repo: r.name }, api });
    }
    return { repos, unreadable, unreadableOwners };
  };
}
