import { createHash } from 'node:crypto';

/** What a subdomain template's placeholders are filled from. */
export interface SubdomainVars {
  readonly number: number;
  readonly owner: string;
  readonly repo: string;
  readonly branch: string;
}

/** The placeholders a subdomain template may use (the config schema checks templates against it). */
export const SUBDOMAIN_PLACEHOLDERS = ['number', 'repo', 'owner', 'branch'] as const;

/** RFC 1035 caps a DNS label at 63 octets; Route 53 rejects anything longer. */
const MAX_LABEL = 63;
const HASH_LENGTH = 6;

/**
 * The DNS label for a PR's preview: `pr-{number}-{repo}` → `pr-42-web`. Lowercase `[a-z0-9-]` only,
 * no leading, trailing or doubled `-`, at most 63 characters. A label that has to be cut ends in a
 * hash of the whole label, so two long branch names that differ only at the end stay apart.
 */
export function subdomainLabel(template: string, vars: SubdomainVars): string {
  const filled = template.replace(/\{(\w+)\}/g, (placeholder, name: string) =>
    isPlaceholder(name) ? String(vars[name]) : placeholder,
  );
  // A template of nothing but punctuation would give an empty label: fall back to the PR number.
  const label = sanitize(filled) || `pr-${vars.number}`;
  return fit(label, MAX_LABEL);
}

/**
 * `label` made distinct for one repository: used when another repository's preview already holds
 * `label` under the same domain (two repositories both called `web`).
 */
export function uniqueLabel(label: string, repo: string): string {
  // GitHub names are case-insensitive; one repository must always get the same suffix.
  const suffix = shortHash(repo.toLowerCase());
  const base = fit(label, MAX_LABEL - suffix.length - 1);
  return base ? `${base}-${suffix}` : suffix;
}

function isPlaceholder(name: string): name is (typeof SUBDOMAIN_PLACEHOLDERS)[number] {
  return (SUBDOMAIN_PLACEHOLDERS as readonly string[]).includes(name);
}

function sanitize(text: string): string {
  return (
    text
      // Decompose accents so `über` reads as `uber` rather than losing the letter.
      .normalize('NFKD')
      .replace(/\p{M}/gu, '')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
  );
}

/** Cuts `label` to `max` characters, ending in a hash of the uncut label so cut labels stay unique. */
function fit(label: string, max: number): string {
  if (label.length <= max) return label;
  const prefix = label.slice(0, max - HASH_LENGTH - 1).replace(/-+$/, '');
  return `${prefix}-${shortHash(label)}`;
}

function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, HASH_LENGTH);
}

/**
 * Whether `label` could have come from `template`: the sweep deletes a DNS record without a task
 * only when it passes, since the zone may hold records that are not previews at all. Placeholders
 * match what they can produce; a label cut to 63 characters or given a repository suffix still
 * passes on its leading literal text. Templates too loose to tell previews from other records
 * (no `{number}`, or no fixed word) fit nothing.
 */
export function labelFitsTemplate(template: string, label: string): boolean {
  const parts = template.split(/(\{\w+\})/).filter(Boolean);
  // Without a PR number and a fixed word (the `pr` of `pr-{number}-{repo}`) a template fits
  // `www` or `grafana` too: no plain record is then ever taken for a lost preview.
  const fixedWord = parts.some((p) => !p.startsWith('{') && /[a-z0-9]/i.test(p));
  if (!template.includes('{number}') || !fixedWord) return false;
  const pattern = parts
    .map((part) => {
      const name = /^\{(\w+)\}$/.exec(part)?.[1];
      if (name === 'number') return '\\d+';
      if (name && isPlaceholder(name)) return '[a-z0-9-]*';
      return escapeRegExp(sanitize(part) ? part.toLowerCase().replace(/[^a-z0-9]+/g, '-') : '-');
    })
    .join('');
  const hash = `(-[0-9a-f]{${HASH_LENGTH}})?`;
  if (new RegExp(`^${pattern}${hash}$`).test(label)) return true;
  // Cut labels keep their first characters; the literal before the first placeholder must be there.
  const lead = parts[0] && !parts[0].startsWith('{') ? sanitize(parts[0]) : '';
  return label.length >= MAX_LABEL - HASH_LENGTH - 1 && lead !== '' && label.startsWith(lead);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
