import { describe, expect, it } from '@jest/globals';
import { SleepingHosts, SLEEPING_TTL_MS } from '../../src/bot/wake/sleeping-hosts.js';
import { wakePage } from '../../src/bot/wake/wake-page.js';
import type { SleepingRoute } from '../../src/core/preview/alb-wake-rules.js';

describe('the waking page', () => {
  it.each([
    ['waking', 503, '10'],
    ['failed', 503, '60'],
    ['closed', 410, undefined],
    ['fork', 403, undefined],
    ['off', 403, undefined],
    ['not-found', 404, undefined],
  ] as const)('%s: status %d, retry after %s', (page, status, retry) => {
    const answer = wakePage(page);
    expect(answer.status).toBe(status);
    expect(answer.headers['retry-after']).toBe(retry);
    expect(answer.headers['cache-control']).toBe('no-store');
    expect(answer.headers['x-robots-tag']).toBe('noindex');
    expect(answer.body.includes('http-equiv="refresh"')).toBe(retry !== undefined);
    expect(answer.body).not.toContain('<script');
  });
});

describe('the sleeping hosts', () => {
  const route: SleepingRoute = {
    hostname: 'pr-1-web.preview.example.com',
    owner: { repo: 'acme/web', pr: 1 },
    listenerArn: 'listener',
    ruleArns: ['rule'],
  };

  it('reads AWS once per interval however many lookups, whatever hosts they name', async () => {
    let now = 0;
    let reads = 0;
    const hosts = new SleepingHosts(
      () => {
        reads++;
        return Promise.resolve([route]);
      },
      () => now,
    );
    const answers = await Promise.all(
      [
        'pr-1-web.preview.example.com',
        'PR-1-WEB.preview.example.com.',
        'pr-2-web.preview.example.com',
        'app.example.org',
      ].map((h) => hosts.lookup(h)),
    );
    expect(answers.map((a) => a.kind)).toEqual(['asleep', 'asleep', 'unknown', 'other']);
    for (let i = 0; i < 50; i++) await hosts.lookup(`x${i}.preview.example.com`);
    expect(reads).toBe(1);
    now += SLEEPING_TTL_MS;
    await hosts.lookup('pr-1-web.preview.example.com');
    expect(reads).toBe(2);
  });

  it('keeps answering from the last read when a read fails, and tries again only after the interval', async () => {
    let now = 0;
    let fail = false;
    const errors: unknown[] = [];
    const hosts = new SleepingHosts(
      () => (fail ? Promise.reject(new Error('throttled')) : Promise.resolve([route])),
      () => now,
      (error) => errors.push(error),
    );
    expect((await hosts.lookup(route.hostname)).kind).toBe('asleep');
    fail = true;
    now += SLEEPING_TTL_MS;
    expect((await hosts.lookup(route.hostname)).kind).toBe('asleep');
    expect((await hosts.lookup('pr-3-web.preview.example.com')).kind).toBe('unknown');
    expect(errors).toHaveLength(1);
  });
});
