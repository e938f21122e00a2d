import { createHash } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import {
  labelFitsTemplate,
  subdomainLabel,
  uniqueLabel,
} from '../../src/core/preview/subdomain.js';

const vars = { number: 42, owner: 'Acme', repo: 'web', branch: 'main' };
const DNS_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

describe('subdomainLabel', () => {
  it.each([
    ['the default template', 'pr-{number}-{repo}', vars, 'pr-42-web'],
    ['owner, lowercased', '{owner}-{repo}-{number}', vars, 'acme-web-42'],
    [
      'underscores and dots',
      'PR_{number}.{repo}',
      { ...vars, repo: 'My_Site.io' },
      'pr-42-my-site-io',
    ],
    [
      'a branch with slashes, accents and runs of separators',
      '{branch}-{number}',
      { ...vars, branch: 'feature/über--Cool__stuff' },
      'feature-uber-cool-stuff-42',
    ],
    [
      'emoji and edge dashes',
      '{branch}-{number}',
      { ...vars, branch: '--🚀 launch!--' },
      'launch-42',
    ],
    ['an accented repo name', '{number}-{repo}', { ...vars, repo: 'café' }, '42-cafe'],
    ['nothing left after cleaning', '__{repo}__', { ...vars, repo: '..' }, 'pr-42'],
    ['an unknown placeholder kept as text', 'x-{unknown}-{number}', vars, 'x-unknown-42'],
  ])('%s: %j', (_case, template, values, label) => {
    expect(subdomainLabel(template, values)).toBe(label);
  });

  const longBranch = 'feature/' + 'a-very-long-branch-name-'.repeat(4);

  it('cuts a long label to at most 63 characters, ending in a hash of the whole label', () => {
    const label = subdomainLabel('{branch}-{number}', { ...vars, branch: longBranch });
    const whole = `feature${'-a-very-long-branch-name'.repeat(4)}-42`;
    const hash = createHash('sha256').update(whole).digest('hex').slice(0, 6);
    // The 56-character prefix ends on a separator, which is dropped rather than doubled.
    expect(label).toBe(`feature-a-very-long-branch-name-a-very-long-branch-name-${hash}`);
    expect(label).toMatch(DNS_LABEL);
  });

  it('gives two long names that differ only at the end different labels', () => {
    const first = subdomainLabel('{branch}', { ...vars, branch: `${longBranch}one` });
    const second = subdomainLabel('{branch}', { ...vars, branch: `${longBranch}two` });
    expect(first).not.toBe(second);
    expect(first.slice(0, -6)).toBe(second.slice(0, -6));
  });

  it('uses the full 63 characters when the cut falls inside a word', () => {
    const label = subdomainLabel('{branch}', { ...vars, branch: 'c'.repeat(80) });
    expect(label).toMatch(/^c{56}-[0-9a-f]{6}$/);
  });

  it('leaves a label of exactly 63 characters alone', () => {
    const branch = 'b'.repeat(63);
    expect(subdomainLabel('{branch}', { ...vars, branch })).toBe(branch);
  });
});

describe('uniqueLabel', () => {
  it('adds a hash of the repository that stays the same for that repository', () => {
    const label = uniqueLabel('pr-42-web', 'acme/web');
    expect(label).toMatch(/^pr-42-web-[0-9a-f]{6}$/);
    expect(uniqueLabel('pr-42-web', 'Acme/Web')).toBe(label);
    expect(uniqueLabel('pr-42-web', 'other/web')).not.toBe(label);
  });

  it('cuts the label part so the result stays a DNS label', () => {
    const long = subdomainLabel('{branch}', { ...vars, branch: 'x'.repeat(100) });
    const label = uniqueLabel(long, 'acme/web');
    expect(label.length).toBeLessThanOrEqual(63);
    expect(label).toMatch(DNS_LABEL);
    expect(label).toMatch(/-[0-9a-f]{6}$/);
    expect(
      uniqueLabel(subdomainLabel('{branch}', { ...vars, branch: 'x'.repeat(101) }), 'acme/web'),
    ).not.toBe(label);
  });
});

describe('labelFitsTemplate (which records a sweep may treat as a lost preview)', () => {
  const long = {
    ...vars,
    branch: 'a-very-long-branch-name-that-goes-on-and-on-and-on-forever-more',
  };
  it.each([
    ['pr-{number}-{repo}', vars],
    ['{owner}-{repo}-pr{number}', vars],
    ['PR_{number}.{repo}', { ...vars, repo: 'My_Site.io' }],
    ['{branch}-pr-{number}', { ...vars, branch: 'feature/über--Cool__stuff' }],
    ['preview-{number}-{branch}-{repo}', long],
  ])('accepts what %s makes, cut, suffixed or not', (template, values) => {
    const label = subdomainLabel(template, values);
    expect(labelFitsTemplate(template, label)).toBe(true);
    expect(labelFitsTemplate(template, uniqueLabel(label, 'other/web'))).toBe(true);
  });

  it.each([
    ['pr-{number}-{repo}', 'www'],
    ['pr-{number}-{repo}', 'api'],
    ['pr-{number}-{repo}', 'pr-web'],
    ['pr-{number}-{repo}', 'staging-42-web'],
    ['preview-{branch}', 'grafana'],
    // Too loose to tell a preview from anything else: nothing fits.
    ['{branch}', 'feature-login'],
    ['{branch}-{number}', 'api-v2-1'],
    ['{repo}-{number}', 'web-42'],
  ])('refuses records the template cannot make: %s vs %s', (template, label) => {
    expect(labelFitsTemplate(template, label)).toBe(false);
  });
});
