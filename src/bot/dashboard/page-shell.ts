import type { ServerResponse } from 'node:http';
import { html, type SafeHtml } from './html.js';

export const SCRIPT_PATH = '/dashboard/dashboard.js';
export const STYLE_PATH = '/dashboard/dashboard.css';

/**
 * Scripts and styles only from the App itself, nothing inline, no framing (clickjacking a Stop
 * button), forms only to the App, no `<base>` to redirect relative links.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

/** Headers every dashboard page and asset carries. */
export const PAGE_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  // The callback URL carries the one-time code; no page of ours should hand its URL on.
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
};

export interface PageOptions {
  readonly title: string;
  /** For a signed-in user: what the page script sends in `x-csrf-token`. */
  readonly csrf?: string;
  /** The line in the header: who is looking, and sign-out. */
  readonly header?: SafeHtml;
  readonly withScript?: boolean;
}

export function page(body: SafeHtml, options: PageOptions): string {
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        ${options.csrf !== undefined && html`<meta name="csrf-token" content="${options.csrf}" />`}
        <title>${options.title}</title>
        <link rel="stylesheet" href="${STYLE_PATH}" />
        ${options.withScript && html`<script src="${SCRIPT_PATH}" defer></script>`}
      </head>
      <body>
        <header>
          <h1>ecs-paas previews</h1>
          ${options.header}
        </header>
        ${body}
      </body>
    </html> `.text;
}

export function sendPage(
  res: ServerResponse,
  status: number,
  text: string,
  headers: Record<string, string | string[]> = {},
): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, {
    ...PAGE_HEADERS,
    'content-type': 'text/html; charset=utf-8',
    ...headers,
  });
  res.end(text);
}
