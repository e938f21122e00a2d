import type { FleetListing, FleetPreview } from '../fleet/fleet-types.js';
import type { FleetAction, Viewer } from '../fleet/viewer.js';
import { html, safeHref, type SafeHtml } from './html.js';
import { page } from './page-shell.js';

export interface FleetPageInput {
  readonly viewer: Viewer;
  readonly listing: FleetListing;
  /** Per repository (lower case): the actions the viewer may take, from mayDo. */
  readonly allowed: ReadonlyMap<string, ReadonlySet<FleetAction>>;
  /** github.com, or the GHES host: where PR links point. */
  readonly githubUrl: string;
  readonly now: Date;
}

/** The dashboard: previews grouped by repository, with buttons only where mayDo said yes. */
export function fleetPage(input: FleetPageInput): string {
  const { viewer } = input;
  const who =
    viewer.kind === 'operator'
      ? html`<p class="who">Operator (API token)</p>`
      : html`<form class="who" method="post" action="/logout">
          Signed in as <strong>${viewer.login}</strong>
          <input type="hidden" name="csrf" value="${viewer.csrf}" />
          <button type="submit">Sign out</button>
        </form>`;
  return page(
    html`<p id="notice" role="status" aria-live="polite"></p>
      ${fleetSection(input)}
      <section id="logs" hidden>
        <h2>Logs <span id="logs-title"></span></h2>
        <pre id="logs-lines"></pre>
      </section>`,
    {
      title: 'Previews · ecs-paas',
      header: who,
      withScript: true,
      ...(viewer.kind === 'user' && { csrf: viewer.csrf }),
    },
  );
}

/** The part the page script swaps in on refresh. */
export function fleetSection(input: FleetPageInput): SafeHtml {
  const groups = new Map<string, FleetPreview[]>();
  for (const preview of input.listing.previews) {
    const list = groups.get(preview.repository) ?? [];
    list.push(preview);
    groups.set(preview.repository, list);
  }
  const problems = input.listing.problems;
  return html`<main id="fleet" data-rendered-at="${input.now.toISOString()}">
    ${!input.listing.complete && html`<p class="problem">Some clusters could not be listed; this list may be short.</p>`}
    ${
      problems.length > 0 &&
      html`<ul class="problems">
        ${problems.map((p) => html`<li>${p}</li>`)}
      </ul>`
    }
    ${groups.size === 0 && html`<p class="empty">No previews you can see.</p>`}
    ${[...groups].map(([repository, previews]) => repositoryTable(repository, previews, input))}
  </main>`;
}

function repositoryTable(
  repository: string,
  previews: readonly FleetPreview[],
  input: FleetPageInput,
): SafeHtml {
  const allowed = input.allowed.get(repository.toLowerCase()) ?? new Set<FleetAction>();
  return html`<section class="repository" data-repo="${repository}">
    <h2>
      <a href="${`${input.githubUrl}/${repository}`}">${repository}</a>
      <span class="count">${previews.length}</span>
    </h2>
    <table>
      <thead>
        <tr>
          <th>PR</th>
          <th>Status</th>
          <th>URL</th>
          <th>Head</th>
          <th>Age</th>
          <th>Last request</th>
          <th>Requests</th>
          <th></th>
        </tr>
      </thead>
      <tbody>
        ${previews.map((p) => previewRow(p, allowed, input))}
      </tbody>
    </table>
  </section>`;
}

function previewRow(
  preview: FleetPreview,
  allowed: ReadonlySet<FleetAction>,
  input: FleetPageInput,
): SafeHtml {
  const running = preview.state !== 'stopped' && preview.state !== 'stopped-idle';
  const href = safeHref(preview.url);
  const pull = `${input.githubUrl}/${preview.repository}/pull/${preview.pr}`;
  const requests = preview.requests;
  const buttons = [
    running && allowed.has('stop') && button('stop', 'Stop'),
    allowed.has('relaunch') && button('relaunch', running ? 'Relaunch' : 'Launch again'),
    allowed.has('logs') && button('logs', 'Logs'),
  ];
  return html`<tr
    class="preview"
    data-repo="${preview.repository}"
    data-pr="${preview.pr}"
    data-state="${preview.state}"
  >
    <td><a href="${pull}">#${preview.pr}</a></td>
    <td>
      <span class="state state-${preview.state}" title="${preview.stoppedReason}"
        >${preview.state}</span
      >${
        preview.stoppedReason && html`<div class="reason">${preview.stoppedReason}</div>`
      }${preview.keepUntil && html`<div class="keep">kept until ${when(preview.keepUntil)}</div>`}
    </td>
    <td>${href ? html`<a href="${href}">${preview.url}</a>` : (preview.url ?? '—')}</td>
    <td><code title="${preview.sha}">${preview.sha.slice(0, 7)}</code></td>
    <td>
      ${preview.startedAt ? html`<time datetime="${preview.startedAt}">${age(preview.startedAt, input.now)}</time>` : '—'}
    </td>
    <td>
      ${requests?.lastRequestAt ? html`<time datetime="${requests.lastRequestAt}">${age(requests.lastRequestAt, input.now)} ago</time>` : '—'}
    </td>
    <td>
      ${requests ? html`<span title="${`over the last ${duration(requests.windowSeconds * 1_000)}`}">${requests.count}</span>` : '—'}
    </td>
    <td class="actions">${buttons}</td>
  </tr>`;
}

function button(action: FleetAction, label: string): SafeHtml {
  return html`<button type="button" data-action="${action}">${label}</button>`;
}

function when(iso: string): SafeHtml {
  return html`<time datetime="${iso}"
    >${iso.replace('T', ' ').replace(/\.\d+Z$|Z$/, ' UTC')}</time
  >`;
}

/** How long ago, to the two largest units: `3d 4h`, `12m`, `40s`. */
export function age(iso: string, now: Date): string {
  const then = Date.parse(iso);
  if (Number.isNaN(then)) return '—';
  return duration(Math.max(0, now.getTime() - then));
}

function duration(ms: number): string {
  const units: Array<[string, number]> = [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1_000],
  ];
  const parts: string[] = [];
  let rest = ms;
  for (const [unit, size] of units) {
    const n = Math.floor(rest / size);
    if (n > 0 || parts.length > 0 || unit === 's') parts.push(`${n}${unit}`);
    rest -= n * size;
    if (parts.length === 2) break;
  }
  return parts.join(' ');
}
