/** Markup that is already safe: only `html` (and `raw` for constants) make one. */
export class SafeHtml {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

type Part = SafeHtml | string | number | undefined | null | false | readonly Part[];

/** Text as HTML shows it literally, in element content and in quoted attribute values alike. */
export function escapeHtml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

/**
 * A template where every interpolated value is escaped unless it is SafeHtml (built by `html`
 * itself), so a PR's branch, a tag or a stop reason can never become markup. Arrays join; nullish
 * and false render as nothing.
 */
export function html(strings: TemplateStringsArray, ...values: readonly Part[]): SafeHtml {
  let out = strings[0] ?? '';
  values.forEach((value, i) => {
    out += render(value) + (strings[i + 1] ?? '');
  });
  return new SafeHtml(out);
}

/** A constant written in this code base, never data. */
export function raw(constant: string): SafeHtml {
  return new SafeHtml(constant);
}

function render(value: Part): string {
  if (value === undefined || value === null || value === false) return '';
  if (value instanceof SafeHtml) return value.text;
  if (Array.isArray(value)) return (value as readonly Part[]).map(render).join('');
  return escapeHtml(String(value));
}

/** An href only for http(s) URLs: `javascript:` and friends are shown as text, never linked. */
export function safeHref(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? parsed.href : undefined;
  } catch {
    return undefined;
  }
}
