import { z } from 'zod';

/**
 * Building blocks for the `.github/ecs-paas.yml` schema. Every field names the form it expects, so
 * each mistake reads `got <value>; expected <form>` — the line a user sees in the PR comment.
 */

/** Zod error parameter that explains any failure of a field as `got …; expected <form>`. */
export function expected(form: string): { error: (issue: { readonly input?: unknown }) => string } {
  return { error: (issue) => `${got(issue.input)}; expected ${form}` };
}

/** What the user wrote, short enough for one line of a PR comment. */
export function got(value: unknown): string {
  if (value === undefined) return 'missing';
  if (value === null) return 'got an empty value';
  if (typeof value === 'string') {
    return `got '${value.length > 60 ? `${value.slice(0, 57)}...` : value}'`;
  }
  if (typeof value === 'number' || typeof value === 'boolean') return `got ${value}`;
  if (Array.isArray(value)) return value.length === 0 ? 'got an empty list' : 'got a list';
  return isMap(value) ? 'got a map' : `got a ${typeof value}`;
}

export function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A YAML map with exactly these keys. Unknown keys are reported one by one, with a suggestion
 * when one is a typo of a known key — alongside any other mistake in the same map, not after it.
 */
export function section<Shape extends z.ZodRawShape>(shape: Shape, form: string) {
  const known = Object.keys(shape);
  return z.looseObject(shape, expected(form)).superRefine(
    (value, ctx) => {
      for (const key of Object.keys(value)) {
        if (known.includes(key)) continue;
        ctx.addIssue({
          code: 'custom',
          path: [key],
          input: value[key],
          message: unknownKey(key, known),
        });
      }
    },
    // By default zod skips refinements once a field has failed; unknown keys are worth reporting anyway.
    { when: (payload) => isMap(payload.value) },
  );
}

/** A map with keys of a given shape, such as environment variable names. */
export function mapOf<Value extends z.ZodType>(
  key: { pattern: RegExp; form: string },
  value: Value,
  form: string,
) {
  return z.record(z.string().regex(key.pattern), value, {
    // A bad key is raised on the map; explain the key, not the map.
    error: (issue) =>
      issue.code === 'invalid_key'
        ? `${got(issue.input)}; expected ${key.form}`
        : `${got(issue.input)}; expected ${form}`,
  });
}

/** A non-blank string, trimmed. */
export function text(form: string) {
  return z.string(expected(form)).trim().min(1);
}

/** A trimmed string of the given shape. */
export function matching(pattern: RegExp, form: string) {
  return text(form).regex(pattern);
}

/** An integer in [min, max]. `Number.isInteger` rather than `.int()`, whose failure would hide unknown keys. */
export function integer(min: number, max: number, form: string) {
  return z.number(expected(form)).refine(Number.isInteger).min(min).max(max);
}

/** A list of `item`; a single value is accepted as a list of one (`services: web`). */
export function oneOrMore<Item extends z.ZodType>(item: Item, form: string) {
  return z.preprocess(
    (value) => (typeof value === 'string' ? [value] : value),
    z.array(item, expected(form)).min(1),
  );
}

function unknownKey(key: string, known: readonly string[]): string {
  const suggestion = closest(key, known);
  return suggestion === undefined
    ? `unknown key; expected one of ${known.join(', ')}`
    : `unknown key; did you mean '${suggestion}'?`;
}

/**
 * The known key within edit distance 2 of `key`, if any. Compared without case or separators, so
 * `taskDefinition` and `task_definition` both find `task-definition`.
 */
function closest(key: string, known: readonly string[]): string | undefined {
  const plain = (s: string) => s.toLowerCase().replace(/[-_]/g, '');
  let best: { key: string; distance: number } | undefined;
  for (const candidate of known) {
    const distance = editDistance(plain(key), plain(candidate));
    if (distance <= 2 && (best === undefined || distance < best.distance)) {
      best = { key: candidate, distance };
    }
  }
  return best?.key;
}

/** Optimal string alignment distance: a swap of two neighbouring letters counts as one edit. */
function editDistance(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  const at = (i: number, j: number) => rows[i]?.[j] ?? Infinity;
  for (let i = 1; i <= a.length; i++) {
    const row = rows[i] ?? [];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let distance = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        distance = Math.min(distance, at(i - 2, j - 2) + 1);
      }
      row[j] = distance;
    }
  }
  return at(a.length, b.length);
}
