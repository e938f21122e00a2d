/** What a visitor of a sleeping preview is told; never which repository or PR it belongs to. */
export type WakePage = 'waking' | 'closed' | 'fork' | 'off' | 'failed' | 'not-found';

interface PageText {
  readonly status: number;
  readonly title: string;
  readonly text: string;
  /** Seconds until the page asks again (meta refresh and Retry-After); none: it stays as is. */
  readonly refresh?: number;
}

const PAGES: Readonly<Record<WakePage, PageText>> = {
  waking: {
    status: 503,
    title: 'Waking up',
    text: 'This preview was stopped because nobody used it. It is starting again; this page reloads by itself and shows the preview once it is ready, usually within a minute or two.',
    refresh: 10,
  },
  closed: {
    status: 410,
    title: 'Preview removed',
    text: 'The pull request of this preview is closed, so it will not start again.',
  },
  fork: {
    status: 403,
    title: 'Preview not started',
    text: 'Previews of pull requests from forks do not wake on a visit. A maintainer can start it again from the pull request.',
  },
  off: {
    status: 403,
    title: 'Preview not started',
    text: 'This preview does not wake on a visit any more. It can be started again from its pull request.',
  },
  failed: {
    status: 503,
    title: 'Preview not started',
    text: 'This preview could not be started just now; the pull request says why. This page tries again in a minute.',
    refresh: 60,
  },
  'not-found': {
    status: 404,
    title: 'No preview here',
    text: 'There is no preview at this address.',
  },
};

/**
 * The answer as status, headers and a small self-contained HTML page: no script, a meta refresh
 * while waking, 503 with Retry-After so crawlers come back later instead of indexing it, and no
 * caching anywhere (the next load must reach the preview).
 */
export function wakePage(page: WakePage): {
  status: number;
  headers: Record<string, string>;
  body: string;
} {
  const { status, title, text, refresh } = PAGES[page];
  const body = [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="robots" content="noindex">',
    ...(refresh === undefined ? [] : [`<meta http-equiv="refresh" content="${refresh}">`]),
    `<title>${title}</title>`,
    '<style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:15vh auto;padding:0 1rem;color:#222}h1{font-size:1.4rem}</style>',
    '</head>',
    '<body>',
    `<h1>${title}</h1>`,
    `<p>${text}</p>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
  return {
    status,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      'x-robots-tag': 'noindex',
      ...(refresh !== undefined && { 'retry-after': String(refresh) }),
    },
    body,
  };
}
