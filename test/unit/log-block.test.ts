import { describe, expect, it } from '@jest/globals';
import type { ContainerLogs } from '../../src/core/preview/preview-logs.js';
import {
  LOG_BLOCK_END,
  LOG_BLOCK_START,
  MAX_LOG_BLOCK_LENGTH,
  renderLogBlock,
  replaceLogBlock,
} from '../../src/core/report/log-block.js';

const options = { requested: 50, at: new Date('2025-03-04T09:07:30Z'), requestedBy: 'octocat' };

/**
 * What a CommonMark reader shows inside each code fence of `markdown`: a fence closes only on a
 * line of at least as many backticks as opened it, indented by at most three spaces.
 */
function fencedBodies(markdown: string): string[][] {
  const bodies: string[][] = [];
  let open: { length: number; lines: string[] } | undefined;
  for (const line of markdown.split('\n')) {
    if (open) {
      const close = /^ {0,3}(`+)\s*$/.exec(line);
      if (close && (close[1]?.length ?? 0) >= open.length) {
        bodies.push(open.lines);
        open = undefined;
      } else {
        open.lines.push(line);
      }
      continue;
    }
    const start = /^ {0,3}(`{3,})[^`]*$/.exec(line);
    if (start) open = { length: start[1]?.length ?? 0, lines: [] };
  }
  if (open) bodies.push(open.lines);
  return bodies;
}

const numbered = (count: number, width = 0): string[] =>
  Array.from({ length: count }, (_, i) => `line ${i + 1} `.padEnd(width, '.'));

describe('renderLogBlock', () => {
  it('says how many lines, of which containers, when and for whom, in a collapsed block', () => {
    const block = renderLogBlock(
      [
        { container: 'web', lines: ['started'], source: '/ecs/web › preview/web/abc' },
        { container: 'worker', lines: ['idle'] },
      ],
      options,
    );
    const lines = block.split('\n');
    expect(lines[0]).toBe(LOG_BLOCK_START);
    expect(lines[1]).toBe(
      '<details><summary>📜 Last 50 log lines (web, worker) at 09:07 UTC, for @octocat</summary>',
    );
    expect(lines.at(-2)).toBe('</details>');
    expect(lines.at(-1)).toBe(LOG_BLOCK_END);
    expect(block).toContain('`/ecs/web › preview/web/abc`');
    expect(fencedBodies(block)).toEqual([['started'], ['idle']]);
  });

  it.each([
    ['a line of three backticks', ['```', 'after']],
    ['a longer run than the default fence', ['`````', '````text']],
    ['backticks inside a line', ['run `npm ci` then ```js```']],
    ['an indented fence', ['   ```']],
    ['HTML that would close the block', ['</details>', '<script>alert(1)</script>']],
  ])('keeps %s inside the code fence', (_case, lines) => {
    const block = renderLogBlock([{ container: 'web', lines }], options);
    expect(fencedBodies(block)).toEqual([lines]);
    expect(block.split('\n').at(-2)).toBe('</details>');
  });

  it.each([
    [
      'no awslogs configuration',
      { note: 'no awslogs log configuration' },
      'No lines: no awslogs log configuration',
    ],
    ['an empty stream', {}, 'No lines: the stream is empty'],
    [
      'HTML in an error message',
      { note: 'read failed: <b>denied</b>' },
      'No lines: read failed: &lt;b&gt;denied&lt;/b&gt;',
    ],
  ])('says why a container has no lines: %s', (_case, extra, sentence) => {
    const block = renderLogBlock([{ container: 'sidecar', lines: [], ...extra }], options);
    expect(block).toContain(sentence);
    expect(fencedBodies(block)).toEqual([]);
  });

  it('cuts long lines at 500 characters and strips terminal colours', () => {
    const block = renderLogBlock(
      [{ container: 'web', lines: ['x'.repeat(2_000), '\u001b[31mred\u001b[0m alert'] }],
      options,
    );
    const [body] = fencedBodies(block);
    expect(body?.[0]).toHaveLength(500);
    expect(body?.[0]?.endsWith('…')).toBe(true);
    expect(body?.[1]).toBe('red alert');
  });

  it('stays under the cap by dropping the oldest lines, and says how many went', () => {
    const logs: ContainerLogs[] = [
      { container: 'web', lines: numbered(500, 400) },
      { container: 'worker', lines: numbered(500, 400) },
    ];
    const block = renderLogBlock(logs, options);
    expect(block.length).toBeLessThanOrEqual(MAX_LOG_BLOCK_LENGTH);
    const bodies = fencedBodies(block);
    expect(bodies).toHaveLength(2);
    for (const [i, body] of bodies.entries()) {
      const dropped = Number(
        new RegExp(`#### \`${logs[i]?.container}\`\\n(\\d+) older lines dropped`).exec(block)?.[1],
      );
      expect(dropped).toBeGreaterThan(0);
      expect(dropped + body.length).toBe(500);
      // What is left is the newest lines, oldest first.
      expect(body).toEqual(logs[i]?.lines.slice(dropped));
    }
  });

  it('takes from the container with the most text, so a quiet one keeps all its lines', () => {
    const block = renderLogBlock(
      [
        { container: 'web', lines: numbered(400, 200) },
        { container: 'worker', lines: ['only line'] },
      ],
      { ...options, maxLength: 10_000 },
    );
    expect(block.length).toBeLessThanOrEqual(10_000);
    expect(fencedBodies(block)[1]).toEqual(['only line']);
    expect(fencedBodies(block)[0]?.at(-1)).toBe(numbered(400, 200).at(-1));
    expect(block).toMatch(/\d+ older lines dropped to fit in one comment/);
  });
});

describe('replaceLogBlock', () => {
  const block = renderLogBlock([{ container: 'web', lines: ['new'] }], options);
  const old = renderLogBlock([{ container: 'web', lines: ['old'] }], options);
  const preview = '<!-- ecs-paas:preview -->\n### 🚀 Preview ready';

  it.each([
    ['appends a block to a comment without one', preview, block, `${preview}\n\n${block}`],
    ['replaces the block already there', `${preview}\n\n${old}`, block, `${preview}\n\n${block}`],
    [
      'replaces it in place, keeping what follows',
      `${preview}\n\n${old}\n\nfooter`,
      block,
      `${preview}\n\n${block}\n\nfooter`,
    ],
    ['removes the block', `${preview}\n\n${old}`, undefined, preview],
    [
      'removes it from between',
      `${preview}\n\n${old}\n\nfooter`,
      undefined,
      `${preview}\n\nfooter`,
    ],
    ['leaves a comment without a block alone', `${preview}\n`, undefined, `${preview}\n`],
    [
      'takes over a block cut short',
      `${preview}\n\n${LOG_BLOCK_START}\n<details>`,
      block,
      `${preview}\n\n${block}`,
    ],
    ['fills an empty comment', '', block, block],
  ])('%s', (_case, body, next, expected) => {
    expect(replaceLogBlock(body, next)).toBe(expected);
  });

  it('gives the same body when the same block is put in twice', () => {
    const once = replaceLogBlock(preview, block);
    expect(replaceLogBlock(once, block)).toBe(once);
  });

  it('is not fooled by log lines that hold its own markers', () => {
    const tricky = renderLogBlock(
      [{ container: 'web', lines: [LOG_BLOCK_END, 'injected', LOG_BLOCK_START] }],
      options,
    );
    const body = replaceLogBlock(`${preview}\n\n${tricky}\n\nfooter`, block);
    expect(body).toBe(`${preview}\n\n${block}\n\nfooter`);
    expect(replaceLogBlock(`${preview}\n\n${tricky}`, undefined)).toBe(preview);
  });
});
