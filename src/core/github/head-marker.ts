/**
 * The head SHA the App last showed in a PR's comment, and since when it has shown it: hidden in
 * the comment the App alone writes (found by the bot-only marker). GitHub does not say when a
 * fork's commit was pushed, and a commit's own date is whatever its author wrote; the time the
 * App first saw a head is no earlier than its push, so "seen before the command was written"
 * proves the commenter could have reviewed it.
 */
export interface HeadSeen {
  readonly sha: string;
  readonly since: Date;
  /** The head the comment showed before this one, so a refusal can name what was reviewed. */
  readonly previous?: string;
}

const PATTERN =
  /<!-- ecs-paas:head sha=([0-9a-f]{40}) since=(\d{4}-\d\d-\d\dT[\d:.]+Z)(?: previous=([0-9a-f]{40}))? -->/;

export function readHeadMarker(body: string | undefined): HeadSeen | undefined {
  const match = body ? PATTERN.exec(body) : null;
  if (!match?.[1] || !match[2]) return undefined;
  const since = new Date(match[2]);
  if (Number.isNaN(since.getTime())) return undefined;
  return { sha: match[1], since, ...(match[3] && { previous: match[3] }) };
}

/** `text` with the marker for `sha`: kept from `existing` when it already shows that SHA. */
export function withHeadMarker(
  text: string,
  existing: string | undefined,
  sha: string,
  now: Date,
): string {
  const shown = readHeadMarker(existing);
  const same = shown?.sha === sha;
  const since = same ? shown.since : now;
  const previous = same ? shown.previous : shown?.sha;
  const marker = `<!-- ecs-paas:head sha=${sha} since=${since.toISOString()}${previous ? ` previous=${previous}` : ''} -->`;
  return PATTERN.test(text) ? text.replace(PATTERN, marker) : `${text}\n${marker}`;
}

const APPROVAL = /<!-- ecs-paas:approved sha=([0-9a-f]{40}) -->/;

/**
 * A fork's head a writer approved with `/deploy` while its image was not built yet: kept in the
 * App's comment so the launch that follows the image (a workflow_run, a check suite) still
 * knows. It binds that SHA only; any other head is not approved by it.
 */
export function readApproval(body: string | undefined): string | undefined {
  return body ? APPROVAL.exec(body)?.[1] : undefined;
}

export function withApproval(text: string, sha: string | undefined): string {
  const stripped = text.replace(APPROVAL, '').trimEnd();
  return sha ? `${stripped}\n<!-- ecs-paas:approved sha=${sha} -->` : stripped;
}
