import { describe, expect, it } from '@jest/globals';
import { stringify } from 'yaml';
import { ConfigError, parseRepoConfig } from '../../src/core/config/repo-config.js';

const PREVIEW = {
  cluster: 'previews',
  'task-definition': 'web',
  subnets: ['subnet-0abc'],
  routing: { domain: 'preview.example.com', 'hosted-zone-id': 'Z0123ABC' },
};

const parse = (logs: unknown) => parseRepoConfig(stringify({ preview: { ...PREVIEW, logs } }));

describe('preview.logs', () => {
  it.each(['comment', 'link', 'off'] as const)('takes %s', (logs) => {
    expect(parse(logs).preview?.logs).toBe(logs);
  });

  it('is left out when not set, so the repository visibility decides', () => {
    const config = parseRepoConfig(stringify({ preview: PREVIEW }));
    expect(config.preview).toBeDefined();
    expect(config.preview).not.toHaveProperty('logs');
  });

  it.each<[string, unknown, string]>([
    ['an unknown word', 'everything', "got 'everything'; expected comment, link or off"],
    ['another case', 'Comment', "got 'Comment'; expected comment, link or off"],
    ['a boolean', true, 'got true; expected comment, link or off'],
    ['a list', ['comment'], 'got a list; expected comment, link or off'],
  ])('refuses %s, naming the key and the values it takes', (_what, logs, message) => {
    let error: unknown;
    try {
      parse(logs);
    } catch (caught: unknown) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).issues).toStrictEqual([{ path: 'preview.logs', message }]);
    expect((error as ConfigError).message).toContain(`preview.logs: ${message}`);
  });
});
