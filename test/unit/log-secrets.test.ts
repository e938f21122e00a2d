import { describe, expect, it } from '@jest/globals';
import type { KeyValuePair } from '@aws-sdk/client-ecs';
import { maskLogLines, maskSecrets, secretsOf } from '../../src/core/preview/log-secrets.js';

const env = (vars: Record<string, string>): KeyValuePair[] =>
  Object.entries(vars).map(([name, value]) => ({ name, value }));
const oneContainer = (vars: Record<string, string>) => ({
  containerDefinitions: [{ name: 'web', environment: env(vars) }],
});

describe('secretsOf', () => {
  it.each([
    ['an API key', 'API_KEY', 'k-9f8e7d6c5b4a'],
    ['a password', 'DB_PASSWORD', 'correct-horse'],
    ['a short password name', 'MYSQL_PWD', 'hunter22'],
    ['a GitHub token', 'GITHUB_TOKEN', 'not-a-real-token'],
    ['an AWS secret key', 'AWS_SECRET_ACCESS_KEY', 'wJalrXUtnFEMI/K7MDENG/bPxRfiCY'],
    ['a session secret', 'SESSION_SECRET', 'keyboard cat'],
    ['a key by any other name', 'STRIPE_KEY', 'sk_test_51abc'],
    ['a credential file', 'GOOGLE_APPLICATION_CREDENTIALS_JSON', '{"type":"service"}'],
    ['a Sentry DSN', 'SENTRY_DSN', 'https://abc123@o1.ingest.sentry.io/42'],
    ['an auth header', 'UPSTREAM_AUTH', 'Basic dXNlcjpwYXNz'],
    ['a signing key', 'COOKIE_SIGNING', 'sign-me-please'],
    ['a salt', 'PASSWORD_SALT', 'NaCl-and-more'],
    ['a camelCase name', 'apiToken', 'camel-cased-token'],
    ['a camelCase key', 'stripeKey', 'sk_live_camel'],
    ['a database URL with a password', 'DATABASE_URL', 'postgres://app:pw-1234@db:5432/app'],
  ])('%s (%s) is a secret', (_case, name, value) => {
    expect(secretsOf(oneContainer({ [name]: value }))).toContain(value);
  });

  it.each([
    ['a setting', 'NODE_ENV', 'production'],
    ['a port', 'PORT', '8080'],
    ['a word that merely contains KEY', 'MONKEY_MODE', 'bananas-all-day'],
    ['a word that merely contains AUTH', 'AUTHOR', 'Ada Lovelace'],
    ['a URL without credentials', 'DATABASE_URL', 'postgres://db:5432/app'],
    ['a flag under a secret-looking name', 'AUTH_ENABLED', 'true'],
    ['a one-character value', 'API_KEY', '1'],
    ['a three-character value', 'SECRET', 'abc'],
    ['a timeout under a secret-looking name', 'SESSION_TIMEOUT', '3600'],
    ['an environment name under a secret-looking name', 'TOKEN_AUDIENCE', 'production'],
    ['an empty value', 'API_SECRET', ''],
  ])('%s (%s=%s) is not', (_case, name, value) => {
    expect(secretsOf(oneContainer({ [name]: value }))).toEqual([]);
  });

  it('takes the password out of any URL, whatever the variable is called', () => {
    const secrets = secretsOf(oneContainer({ UPSTREAM: 'https://bot:p%40ss-w0rd@api.example' }));
    expect(secrets).toEqual(expect.arrayContaining(['p%40ss-w0rd', 'p@ss-w0rd']));
    expect(secrets).not.toContain('https://bot:p%40ss-w0rd@api.example');
  });

  it('reads every container and the RunTask overrides', () => {
    const secrets = secretsOf(
      {
        containerDefinitions: [
          { name: 'web', environment: env({ WEB_TOKEN: 'web-token-1' }) },
          { name: 'worker', environment: env({ WORKER_SECRET: 'worker-secret-2' }) },
          { name: 'sidecar' },
        ],
      },
      { containerOverrides: [{ name: 'web', environment: env({ PR_TOKEN: 'override-3' }) }] },
    );
    expect(secrets).toEqual(
      expect.arrayContaining(['web-token-1', 'worker-secret-2', 'override-3']),
    );
  });

  it('lists longer secrets first, each once', () => {
    const secrets = secretsOf(
      oneContainer({ SHORT_SECRET: 'abcd', LONG_SECRET: 'abcdefgh', SAME_TOKEN: 'abcd' }),
    );
    expect(secrets).toEqual(['abcdefgh', 'abcd']);
  });
});

describe('maskSecrets', () => {
  it.each([
    ['a known secret', 'connecting with s3cr3t-value', ['s3cr3t-value'], 's3cr3t-value'],
    [
      'a secret that contains another, masked whole',
      'key=abcd-efgh-ijkl',
      ['abcd', 'abcd-efgh-ijkl'],
      'efgh',
    ],
    ['an AWS access key id', 'using AKIAIOSFODNN7EXAMPLE for s3', [], 'AKIAIOSFODNN7EXAMPLE'],
    ['temporary AWS credentials', 'key ASIAY34FZKBOKMUTVV7A', [], 'ASIAY34FZKBOKMUTVV7A'],
    ['a classic GitHub token', `token ghp_${'a1B2'.repeat(9)}`, [], `ghp_${'a1B2'.repeat(9)}`],
    ['a GitHub App token', `ghs_${'Z9'.repeat(18)} expired`, [], `ghs_${'Z9'.repeat(18)}`],
    [
      'a fine-grained GitHub token',
      `github_pat_11ABCDEFG0_${'x'.repeat(40)}`,
      [],
      `11ABCDEFG0_${'x'.repeat(40)}`,
    ],
    [
      'a bearer token',
      'Authorization: Bearer eyJhbGciOi.abc-def_ghi',
      [],
      'eyJhbGciOi.abc-def_ghi',
    ],
    [
      'credentials in a URL',
      'connecting to postgres://app:Pa55word!@db.internal:5432/app',
      [],
      'Pa55word!',
    ],
    [
      'a JSON web token outside a header',
      'GET /callback?id_token=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.sig-nature_x',
      [],
      'eyJzdWIiOiIxMjM0In0',
    ],
    ['a dumped password setting', 'config: {"db_password": "tr0ub4dor"}', [], 'tr0ub4dor'],
    [
      'a private key in one message',
      '-----BEGIN RSA PRIVATE KEY-----\nMIIEow\nIBAAK\n-----END RSA PRIVATE KEY-----',
      [],
      'MIIEow',
    ],
  ])('hides %s', (_case, line, secrets, hidden) => {
    const masked = maskSecrets(line, secrets);
    expect(masked).not.toContain(hidden);
    expect(masked).toContain('***');
  });

  it.each([
    ['an ordinary request line', 'GET /health 200 3ms', []],
    [
      'common words, however they were configured',
      'env=production debug=true retries=1',
      ['true', 'production', '1'],
    ],
    ['a token count', 'used tokens=1234 of 5000', []],
    ['a URL without credentials', 'fetching https://example.com/a@b', []],
    ['a boolean setting named like a secret', 'secret=true', []],
  ])('leaves %s alone', (_case, line, secrets) => {
    expect(maskSecrets(line, secrets)).toBe(line);
  });

  it('keeps what the masked value was: the scheme and user of a URL, the word Bearer', () => {
    expect(maskSecrets('redis://cache:hunter2@cache:6379', [])).toBe(
      'redis://cache:***@cache:6379',
    );
    expect(maskSecrets('Authorization: Bearer abc.def', [])).toBe('Authorization: Bearer ***');
  });
});

describe('maskLogLines', () => {
  it('masks a private key printed one line per event, and nothing after its END line', () => {
    const lines = [
      'loading key',
      '-----BEGIN PRIVATE KEY-----',
      'MIIEvQIBADANBgkqhkiG9w0BAQEFAASC',
      'BKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj',
      '-----END PRIVATE KEY-----',
      'listening on :8080',
    ];
    expect(maskLogLines(lines, [])).toEqual([
      'loading key',
      '-----BEGIN PRIVATE KEY-----',
      '***',
      '***',
      '***-----END PRIVATE KEY-----',
      'listening on :8080',
    ]);
  });

  it('never lets a secret from the environment through, whichever form it is printed in', () => {
    const definition = oneContainer({
      DATABASE_URL: 'postgres://app:s3cret%2Fpass@db:5432/app',
      API_TOKEN: 'tok_live_0123456789',
      PRIVATE_KEY:
        '-----BEGIN PRIVATE KEY-----\nAAAABBBBCCCCDDDD\nEEEEFFFFGGGGHHHH\n-----END PRIVATE KEY-----',
    });
    const secrets = secretsOf(definition);
    const masked = maskLogLines(
      [
        'db: postgres://app:s3cret%2Fpass@db:5432/app',
        'password was s3cret/pass',
        'calling with tok_live_0123456789',
        'key line EEEEFFFFGGGGHHHH',
      ],
      secrets,
    ).join('\n');
    for (const hidden of [
      's3cret%2Fpass',
      's3cret/pass',
      'tok_live_0123456789',
      'EEEEFFFFGGGGHHHH',
    ]) {
      expect(masked).not.toContain(hidden);
    }
  });
});
