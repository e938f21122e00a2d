import type { ContainerLogs } from '../preview/preview-logs.js';

export const LOG_BLOCK_START = '<!-- ecs-paas:logs -->';
export const LOG_BLOCK_END = '<!-- /ecs-paas:logs -->';

/** GitHub refuses comments over 65,536 characters; the preview part of the comment needs the rest. */
export const MAX_LOG_BLOCK_LENGTH = 55_000;
const MAX_LINE_LENGTH = 500;
const MAX_NOTE_LENGTH = 500;
// Room kept for each container's "N older lines dropped" sentence while choosing what to drop.
const DROP_NOTE_ROOM = 80;

export interface LogBlockOptions {
  /** The n of `/logs n`. */
  readonly requested: number;
  readonly at: Date;
  /** The GitHub login that asked. */
  readonly requestedBy: string;
  /** Tests use a smaller cap; the App keeps the default. */
  readonly maxLength?: number;
}

/**
 * A collapsed block with each container's lines in a code fence no line can close, marked so that
 * replaceLogBlock finds it again. Over the cap, the oldest lines go first, and each container says
 * how many of its lines went.
 */
export function renderLogBlock(logs: readonly ContainerLogs[], options: LogBlockOptions): string {
  const maxLength = options.maxLength ?? MAX_LOG_BLOCK_LENGTH;
  const lines = logs.map((container) => container.lines.map(cleanLine));
  const dropped = logs.map(() => 0);
  const render = (): string =>
    assemble(
      logs.map((container, i) => ({
        container,
        lines: lines[i]?.slice(dropped[i]) ?? [],
        dropped: dropped[i] ?? 0,
      })),
      options,
    );

  let block = render();
  if (block.length <= maxLength) return block;
  // Estimate first, then drop one line at a time only for what the estimate missed: rendering
  // after every dropped line would be quadratic in a 500-line, many-container block.
  const sizes = lines.map((kept) => kept.reduce((sum, line) => sum + line.length + 1, 0));
  /** Drops one line and says how many characters that saved; 0 when nothing is left to drop. */
  const dropOldest = (): number => {
    // Lines carry no timestamps across containers, so the container with the most text gives
    // up its oldest line: each container keeps its newest lines and a fair share of the room.
    const i = sizes.reduce((best, size, j) => (size > (sizes[best] ?? -1) ? j : best), 0);
    const line = lines[i]?.[dropped[i] ?? 0];
    if (line === undefined) return 0;
    dropped[i] = (dropped[i] ?? 0) + 1;
    sizes[i] = (sizes[i] ?? 0) - line.length - 1;
    return line.length + 1;
  };
  let excess = block.length - maxLength + DROP_NOTE_ROOM * logs.length;
  while (excess > 0) {
    const saved = dropOldest();
    if (saved === 0) break;
    excess -= saved;
  }
  block = render();
  while (block.length > maxLength && dropOldest() > 0) block = render();
  return block;
}

/**
 * Puts `block` where the body's marked block is, appends it when there is none, and takes the
 * marked block out when `block` is undefined. The rest of the body is left as it was, so
 * replacing with the same block gives the same body (and the comment is not edited for nothing).
 */
export function replaceLogBlock(body: string, block: string | undefined): string {
  const start = body.indexOf(LOG_BLOCK_START);
  if (start < 0 && block === undefined) return body;
  const marked =
    block === undefined || block.startsWith(LOG_BLOCK_START)
      ? block
      : `${LOG_BLOCK_START}\n${block}\n${LOG_BLOCK_END}`;
  const endAt = start < 0 ? -1 : body.indexOf(LOG_BLOCK_END, start);
  // A start marker without an end one means someone cut the block short; it owns the rest.
  const end = endAt < 0 ? body.length : endAt + LOG_BLOCK_END.length;
  const before = (start < 0 ? body : body.slice(0, start)).replace(/\n+$/, '');
  const after = start < 0 ? '' : body.slice(end).replace(/^\n+/, '');
  return [before, marked, after].filter((part) => part !== undefined && part !== '').join('\n\n');
}

interface Section {
  readonly container: ContainerLogs;
  readonly lines: readonly string[];
  readonly dropped: number;
}

function assemble(sections: readonly Section[], options: LogBlockOptions): string {
  const names = sections.map((section) => section.container.container).join(', ');
  const plural = options.requested === 1 ? '' : 's';
  const inner = [
    `<details><summary>📜 Last ${options.requested} log line${plural} (${escapeHtml(names)}) at ${options.at.toISOString().slice(11, 16)} UTC, for @${escapeHtml(options.requestedBy)}</summary>`,
    ...sections.flatMap(renderSection),
    '',
    '</details>',
  ].join('\n');
  // A log line holding our end marker would make the next replaceLogBlock stop early; a zero-width
  // space keeps the text looking the same while no longer being an HTML comment.
  return `${LOG_BLOCK_START}\n${inner.replaceAll('<!--', '<!-\u200B-')}\n${LOG_BLOCK_END}`;
}

function renderSection({ container, lines, dropped }: Section): string[] {
  const about = [
    ...(container.source ? [inlineCode(container.source)] : []),
    ...(dropped > 0
      ? [`${dropped} older line${dropped === 1 ? '' : 's'} dropped to fit in one comment`]
      : []),
  ];
  const heading = [
    '',
    `#### ${inlineCode(container.container)}`,
    ...(about.length ? [about.join(' · ')] : []),
  ];
  if (lines.length === 0) {
    const note = container.note ? cut(container.note, MAX_NOTE_LENGTH) : 'the stream is empty';
    return [...heading, '', `No lines: ${escapeHtml(note)}`];
  }
  // Only a run of backticks at least as long as the opening fence can close it.
  const fence = '`'.repeat(Math.max(3, longestBacktickRun(lines) + 1));
  return [...heading, '', `${fence}text`, ...lines, fence];
}

/** One line as it can sit in a code fence: colours and control characters out, cut to length. */
function cleanLine(line: string): string {
  const plain = line
    // eslint-disable-next-line no-control-regex -- terminal colour codes are what it removes
    .replace(/\u001B\[[0-?]*[ -/]*[@-~]|\u001B\][^\u0007\u001B]*(?:\u0007|\u001B\\)?/g, '')
    // eslint-disable-next-line no-control-regex -- control characters are what it removes
    .replace(/[\u0000-\u0008\u000A-\u001F\u007F]/g, ' ');
  return cut(plain, MAX_LINE_LENGTH);
}

function cut(text: string, max: number): string {
  if (text.length <= max) return text;
  // Never split a surrogate pair: half an emoji is an invalid character.
  const end = /[\uD800-\uDBFF]/.test(text.charAt(max - 2)) ? max - 2 : max - 1;
  return `${text.slice(0, end)}…`;
}

function longestBacktickRun(lines: readonly string[]): number {
  return lines.reduce(
    (longest, line) =>
      Math.max(longest, ...Array.from(line.matchAll(/`+/g), (run) => run[0].length)),
    0,
  );
}

/** Inline code that no backtick inside can end early. */
function inlineCode(text: string): string {
  const ticks = '`'.repeat(longestBacktickRun([text]) + 1);
  const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : '';
  return `${ticks}${pad}${text}${pad}${ticks}`;
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** The marked `/logs` block of a comment body, markers included, when it has one. */
export function logBlockOf(body: string | undefined): string | undefined {
  const start = body?.indexOf(LOG_BLOCK_START) ?? -1;
  if (!body || start < 0) return undefined;
  const end = body.indexOf(LOG_BLOCK_END, start);
  return end < 0 ? body.slice(start) : body.slice(start, end + LOG_BLOCK_END.length);
}
