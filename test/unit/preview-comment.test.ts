import { describe, expect, it } from '@jest/globals';
import type { PreviewResult } from '../../src/core/preview/preview-types.js';
import { previewComment } from '../../src/core/report/preview-comment.js';

const SHA = 'a'.repeat(40);
type Launched = Extract<PreviewResult, { kind: 'launched' | 'replaced' }>;
const launched = (extra: Partial<Launched>): Launched => ({
  kind: 'launched',
  url: 'http://pr-7-web.preview.example.com',
  sha: SHA,
  taskArn: 'arn:aws:ecs:us-east-1:123456789012:task/previews/abc',
  ip: '10.0.0.7',
  image: 'web@sha256:1',
  stopped: [],
  seconds: 12,
  since: new Date('2026-11-22T10:05:00Z'),
  ...extra,
});
const rows = (text: string) => text.split('\n').filter((line) => line.startsWith('| '));

describe('previewComment: what the preview runs as', () => {
  it.each<[string, PreviewResult, string[]]>([
    [
      'the role name and secret names',
      launched({ identity: { taskRole: 'preview-web', secrets: ['API_KEY', 'DATABASE_URL'] } }),
      ['| Task role | `preview-web` |', '| Secrets | `API_KEY`, `DATABASE_URL` |'],
    ],
    [
      'none of either',
      launched({ identity: { secrets: [] } }),
      ['| Task role | none |', '| Secrets | none |'],
    ],
    ['nothing when it is not known', launched({}), []],
  ])('tells %s', (_case, result, expected) => {
    const table = rows(previewComment(result, { sha: SHA }));
    for (const row of expected) expect(table).toContain(row);
    if (expected.length === 0) expect(table.join('\n')).not.toMatch(/Task role|Secrets/);
  });

  it('keeps characters that would break the table out of names', () => {
    const text = previewComment(launched({ identity: { taskRole: 'x`|y', secrets: ['A|B'] } }), {
      sha: SHA,
    });
    expect(rows(text)).toEqual(
      expect.arrayContaining(['| Task role | `xy` |', '| Secrets | `AB` |']),
    );
  });

  it('says plainly that a dns-mode URL is plain HTTP that anyone can open', () => {
    const open = previewComment(launched({ access: 'open-http' }), { sha: SHA });
    expect(rows(open)).toContain(
      '| Access | plain HTTP, no login: anyone who can reach this name can open it |',
    );
    const alb = previewComment(launched({ access: 'https' }), { sha: SHA });
    expect(alb).not.toContain('plain HTTP');
  });

  it('tells an unchanged preview the same', () => {
    const text = previewComment(
      {
        kind: 'unchanged',
        url: 'http://pr-7-web.preview.example.com',
        sha: SHA,
        taskArn: 'arn:aws:ecs:us-east-1:123456789012:task/previews/abc',
        identity: { taskRole: 'preview-web', secrets: ['API_KEY'] },
        access: 'open-http',
      },
      { sha: SHA },
    );
    expect(rows(text)).toEqual(
      expect.arrayContaining([
        '| Task role | `preview-web` |',
        '| Secrets | `API_KEY` |',
        '| Access | plain HTTP, no login: anyone who can reach this name can open it |',
      ]),
    );
  });
});
