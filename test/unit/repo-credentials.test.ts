import { describe, expect, it } from '@jest/globals';
import { RepoCredentials, type AssumeRole } from '../../src/bot/repo-credentials.js';

describe('RepoCredentials', () => {
  it('reuses a session until five minutes before expiry, per repository and PR, and forgets old ones', async () => {
    let now = new Date('2026-11-30T10:00:00Z');
    const asked: string[] = [];
    const assume: AssumeRole = ({ sessionName, tags }) => {
      asked.push(`${sessionName} ${tags.map((t) => `${t.key}=${t.value}`).join(',')}`);
      return Promise.resolve({
        accessKeyId: `ASIA${asked.length}`,
        secretAccessKey: 's',
        sessionToken: 't',
        expiration: new Date(now.getTime() + 3_600_000),
      });
    };
    const credentials = new RepoCredentials(assume, () => now);
    const role = 'arn:aws:iam::123456789012:role/web';
    const pr1 = credentials.provider(role, 'acme/web', 1);
    expect((await pr1()).accessKeyId).toBe('ASIA1');
    expect((await pr1()).accessKeyId).toBe('ASIA1');
    expect((await credentials.provider(role, 'acme/web', 2)()).accessKeyId).toBe('ASIA2');
    expect(asked).toEqual([
      'ecs-paas-acme-web-1 repo=acme/web,pr=1',
      'ecs-paas-acme-web-2 repo=acme/web,pr=2',
    ]);
    now = new Date(now.getTime() + 56 * 60_000);
    expect((await pr1()).accessKeyId).toBe('ASIA3');
    expect(credentials.size).toBe(1);
  });

  it('asks again after a failed AssumeRole', async () => {
    let fail = true;
    const credentials = new RepoCredentials(() =>
      fail
        ? Promise.reject(new Error('AccessDenied'))
        : Promise.resolve({
            accessKeyId: 'ASIAOK',
            secretAccessKey: 's',
            sessionToken: 't',
            expiration: new Date(Date.now() + 3_600_000),
          }),
    );
    const provider = credentials.provider('arn:aws:iam::1:role/x', 'acme/web', undefined);
    await expect(provider()).rejects.toThrow('AccessDenied');
    fail = false;
    expect((await provider()).accessKeyId).toBe('ASIAOK');
  });
});
