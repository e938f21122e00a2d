import { describe, expect, it } from '@jest/globals';
import { fleetPage } from '../../src/bot/dashboard/fleet-page.js';
import { escapeHtml, html, safeHref } from '../../src/bot/dashboard/html.js';
import type { FleetPreview } from '../../src/bot/fleet/fleet-types.js';
import type { FleetAction } from '../../src/bot/fleet/viewer.js';

const HOSTILE = `"><script>alert('x')</script><img src=x onerror=alert(1)>`;
const NOW = new Date('2026-12-04T12:00:00Z');

const preview = (over: Partial<FleetPreview> = {}): FleetPreview => ({
  repository: 'acme/web',
  pr: 7,
  sha: 'c0ffee'.padEnd(40, '0'),
  url: 'https://pr-7-web.preview.example.com',
  state: 'ready',
  startedAt: '2026-12-04T09:30:00Z',
  requests: { count: 12, lastRequestAt: '2026-12-04T11:58:00Z', windowSeconds: 86_400 },
  taskArns: ['arn:aws:ecs:us-east-1:123456789012:task/previews/abc'],
  cluster: 'previews',
  ...over,
});

const render = (
  previews: FleetPreview[],
  allowed: FleetAction[] = ['stop', 'relaunch', 'logs'],
  viewer: Parameters<typeof fleetPage>[0]['viewer'] = {
    kind: 'user',
    login: 'octocat',
    csrf: 'csrf-token-1',
  },
): string =>
  fleetPage({
    viewer,
    listing: { previews, complete: true, problems: [] },
    allowed: new Map([['acme/web', new Set(allowed)]]),
    githubUrl: 'https://github.com',
    now: NOW,
  });

describe('html: every value is text', () => {
  it.each([
    ['<b>', '&lt;b&gt;'],
    ['a & b', 'a &amp; b'],
    [`"quoted" 'single'`, '&quot;quoted&quot; &#39;single&#39;'],
  ])('escapes %s', (value, expected) => {
    expect(escapeHtml(value)).toBe(expected);
    expect(html`<p title="${value}">${value}</p>`.text).toBe(
      `<p title="${expected}">${expected}</p>`,
    );
  });

  it('keeps markup built by html itself, and renders nothing for absent values', () => {
    const inner = html`<em>${'<x>'}</em>`;
    expect(html`<p>${inner}${undefined}${false}${null}${[html`<br />`, '<y>']}</p>`.text).toBe(
      '<p><em>&lt;x&gt;</em><br />&lt;y&gt;</p>',
    );
  });

  it.each([
    ['https://pr-1.example.com/', 'https://pr-1.example.com/'],
    ['http://pr-1.example.com', 'http://pr-1.example.com/'],
    ['javascript:alert(1)', undefined],
    ['data:text/html,<script>', undefined],
    ['not a url', undefined],
  ])('links %s only when it is http(s)', (url, expected) => {
    expect(safeHref(url)).toBe(expected);
  });
});

describe('the fleet page', () => {
  it('shows an HTML-looking stop reason, URL and repository as text, never as markup', () => {
    const page = render([
      preview({ state: 'stopped', stoppedReason: HOSTILE, url: `javascript:${HOSTILE}` }),
    ]);
    expect(page).not.toContain('<script>alert');
    expect(page).not.toContain('<img src=x');
    expect(page).toContain('&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;');
    // A javascript: URL is shown, not linked.
    expect(page).not.toMatch(/href="javascript:/i);
  });

  it('groups previews by repository with PR link, URL, short SHA, age and requests', () => {
    const page = render([preview(), preview({ pr: 8, repository: 'acme/api' })]);
    expect(page.match(/<section class="repository"/g)).toHaveLength(2);
    expect(page).toContain('href="https://github.com/acme/web/pull/7"');
    expect(page).toContain('href="https://pr-7-web.preview.example.com/"');
    expect(page).toContain('>c0ffee0</code>');
    expect(page).toContain('>2h 30m</time>');
    expect(page).toContain('>2m 0s ago</time>');
    expect(page).toContain('>12</span>');
  });

  it.each<[string, FleetAction[], string[]]>([
    ['a writer', ['stop', 'relaunch', 'logs'], ['stop', 'relaunch', 'logs']],
    ['a reader', [], []],
    ['someone who may only read logs', ['logs'], ['logs']],
  ])('gives %s only the buttons mayDo allowed', (_who, allowed, buttons) => {
    const page = render([preview()], allowed);
    expect([...page.matchAll(/data-action="(\w+)"/g)].map((m) => m[1])).toEqual(buttons);
  });

  it('has no Stop button on a stopped preview', () => {
    const page = render([preview({ state: 'stopped-idle' })]);
    expect(page).not.toContain('data-action="stop"');
    expect(page).toContain('Launch again');
  });

  it('puts a user’s CSRF token in the page for the script and the sign-out form', () => {
    const page = render([preview()]);
    expect(page).toContain('<meta name="csrf-token" content="csrf-token-1" />');
    expect(page).toContain('<input type="hidden" name="csrf" value="csrf-token-1" />');
    expect(render([preview()], [], { kind: 'operator' })).not.toContain('csrf-token');
  });

  it('loads its script from the App only: nothing inline for the CSP to allow', () => {
    const page = render([preview()]);
    expect(page).toContain('<script src="/dashboard/dashboard.js" defer></script>');
    expect(page.match(/<script/g)).toHaveLength(1);
    expect(page).not.toMatch(/ on[a-z]+=/);
  });
});
