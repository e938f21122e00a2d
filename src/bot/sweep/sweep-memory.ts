import type { FleetView } from './sweep-read.js';

/**
 * Drops what the App remembers per preview (`owner/repo#n` → a time) for previews a sweep found
 * gone, so a long-running App holds memory only for previews that exist: those of a repository it
 * no longer sweeps (uninstalled, config removed or unreadable this time), or missing from their
 * cluster's task listing. A cluster that could not be listed keeps its previews' memory, since
 * losing it would restart the waits it measures.
 */
export function forgetGone(view: FleetView, memories: ReadonlyArray<Map<string, number>>): void {
  const found = new Set<string>();
  for (const tasks of view.fleet.values()) for (const t of tasks) found.add(`${t.repo}#${t.pr}`);
  const unlisted = new Set(
    view.swept.filter((r) => !view.fleet.has(r.config.cluster)).map((r) => r.full),
  );
  for (const memory of memories) {
    for (const key of memory.keys()) {
      const repo = key.slice(0, key.lastIndexOf('#'));
      if (!found.has(key) && !unlisted.has(repo)) memory.delete(key);
    }
  }
}
