import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { readAppSettings, SettingsError } from '../../src/bot/app-settings.js';

const PEM = '-----BEGIN RSA PRIVATE KEY-----\nMIIB\n-----END RSA PRIVATE KEY-----\n';
const SECRET = 's'.repeat(16);
const ENV = { APP_ID: '123', PRIVATE_KEY: PEM, WEBHOOK_SECRET: SECRET, AWS_REGION: 'eu-west-1' };

/** The variable and message the App would exit with, or the settings it would start with. */
async function start(env: Record<string, string | undefined>) {
  try {
    return await readAppSettings(env);
  } catch (error) {
    if (!(error instanceof SettingsError)) throw error;
    expect(error.name).toBe('SettingsError');
    expect(error.message.startsWith(`${error.variable} `)).toBe(true);
    return { refused: error.variable, message: error.message };
  }
}

describe('readAppSettings: what the App starts with', () => {
  it('applies the defaults', async () => {
    expect(await start(ENV)).toEqual({
      appId: '123',
      privateKey: PEM.trim(),
      webhookSecret: SECRET,
      host: '0.0.0.0',
      port: 3000,
      region: 'eu-west-1',
      sweepIntervalMs: 300_000,
      logLevel: 'info',
      logFormat: 'json',
      testHooks: false,
      requestTimeoutMs: 30_000,
    });
  });

  it('reads every setting, trimmed', async () => {
    expect(
      await start({
        ...ENV,
        APP_ID: ' 42 ',
        // Some secret stores keep a PEM's newlines escaped.
        PRIVATE_KEY: PEM.replace(/\n/g, '\\n'),
        HOST: ' 127.0.0.1 ',
        PORT: ' 8080 ',
        GITHUB_API_URL: 'https://github.example.com/api/v3//',
        AWS_REGION: ' ',
        AWS_DEFAULT_REGION: ' us-east-2 ',
        ECS_PAAS_SWEEP_INTERVAL: 'never',
        ECS_PAAS_API_TOKEN: ` ${'t'.repeat(32)} `,
        LOG_LEVEL: ' DEBUG ',
        NODE_ENV: 'test',
        ECS_PAAS_REQUEST_TIMEOUT: '5s',
      }),
    ).toEqual({
      appId: '42',
      privateKey: PEM,
      webhookSecret: SECRET,
      host: '127.0.0.1',
      port: 8080,
      baseUrl: 'https://github.example.com/api/v3',
      region: 'us-east-2',
      sweepIntervalMs: null,
      apiToken: 't'.repeat(32),
      logLevel: 'debug',
      logFormat: 'json',
      testHooks: true,
      requestTimeoutMs: 5_000,
    });
  });

  it('prefers AWS_REGION to AWS_DEFAULT_REGION', async () => {
    expect(await start({ ...ENV, AWS_DEFAULT_REGION: 'us-east-2' })).toMatchObject({
      region: 'eu-west-1',
    });
  });

  it('reads the private key from PRIVATE_KEY_PATH', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ecs-paas-key-'));
    writeFileSync(join(dir, 'app.pem'), PEM);
    const settings = await start({
      ...ENV,
      PRIVATE_KEY: ' ',
      PRIVATE_KEY_PATH: join(dir, 'app.pem'),
    });
    expect(settings).toMatchObject({ privateKey: PEM });
    const notAKey = join(dir, 'notes.txt');
    writeFileSync(notAKey, 'hello');
    expect(await start({ ...ENV, PRIVATE_KEY: undefined, PRIVATE_KEY_PATH: notAKey })).toEqual({
      refused: 'PRIVATE_KEY_PATH',
      message:
        "PRIVATE_KEY_PATH does not hold a PEM private key; use the .pem file GitHub gave when the App's key was generated",
    });
  });

  it('keeps an inline key with real newlines as it is, escaped sequences included', async () => {
    const key = `${PEM}comment \\n kept`;
    expect(await start({ ...ENV, PRIVATE_KEY: key })).toMatchObject({ privateKey: key.trim() });
  });

  it.each<[string, Record<string, string | undefined>, string, string]>([
    [
      'no APP_ID',
      { APP_ID: undefined },
      'APP_ID',
      "APP_ID is not set; set it to the numeric id of your GitHub App (run 'npm run setup' to register one)",
    ],
    [
      'a blank APP_ID',
      { APP_ID: '  ' },
      'APP_ID',
      "APP_ID is not set; set it to the numeric id of your GitHub App (run 'npm run setup' to register one)",
    ],
    [
      'an APP_ID that is not a number',
      { APP_ID: 'my-app' },
      'APP_ID',
      "APP_ID is 'my-app'; set it to the numeric id of your GitHub App (run 'npm run setup' to register one)",
    ],
    [
      'an APP_ID with a number inside',
      { APP_ID: 'x12y' },
      'APP_ID',
      "APP_ID is 'x12y'; set it to the numeric id of your GitHub App (run 'npm run setup' to register one)",
    ],
    [
      'no private key',
      { PRIVATE_KEY: undefined },
      'PRIVATE_KEY',
      "PRIVATE_KEY is not set, nor PRIVATE_KEY_PATH; set one to the GitHub App's private key (PEM)",
    ],
    [
      'a private key that is not PEM',
      { PRIVATE_KEY: 'ssh-rsa AAAA' },
      'PRIVATE_KEY',
      "PRIVATE_KEY does not hold a PEM private key; use the .pem file GitHub gave when the App's key was generated",
    ],
    [
      'a public key',
      { PRIVATE_KEY: '-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----' },
      'PRIVATE_KEY',
      "PRIVATE_KEY does not hold a PEM private key; use the .pem file GitHub gave when the App's key was generated",
    ],
    [
      'a key path that cannot be read',
      { PRIVATE_KEY: undefined, PRIVATE_KEY_PATH: '/nonexistent/app.pem' },
      'PRIVATE_KEY_PATH',
      "PRIVATE_KEY_PATH is '/nonexistent/app.pem', which cannot be read (ENOENT); point it at the App's .pem file",
    ],
    [
      'no webhook secret',
      { WEBHOOK_SECRET: undefined },
      'WEBHOOK_SECRET',
      "WEBHOOK_SECRET is not set; set it to the GitHub App's webhook secret, at least 16 random characters (e.g. openssl rand -hex 32)",
    ],
    [
      'a 15-character webhook secret',
      { WEBHOOK_SECRET: 'x'.repeat(15) },
      'WEBHOOK_SECRET',
      "WEBHOOK_SECRET is 15 characters; set it to the GitHub App's webhook secret, at least 16 random characters (e.g. openssl rand -hex 32)",
    ],
    [
      'the public default secret of Probot',
      { WEBHOOK_SECRET: 'development' },
      'WEBHOOK_SECRET',
      "WEBHOOK_SECRET is 11 characters; set it to the GitHub App's webhook secret, at least 16 random characters (e.g. openssl rand -hex 32)",
    ],
    [
      'no region',
      { AWS_REGION: undefined },
      'AWS_REGION',
      'AWS_REGION is not set; set it to the region of your ECS clusters',
    ],
    [
      'a blank region',
      { AWS_REGION: ' ', AWS_DEFAULT_REGION: ' ' },
      'AWS_REGION',
      'AWS_REGION is not set; set it to the region of your ECS clusters',
    ],
    [
      'a 31-character API token',
      { ECS_PAAS_API_TOKEN: 't'.repeat(31) },
      'ECS_PAAS_API_TOKEN',
      'ECS_PAAS_API_TOKEN is 31 characters; set it to at least 32 random characters (e.g. openssl rand -hex 32), or unset it to turn the API off',
    ],
    [
      'an unknown log level',
      { LOG_LEVEL: 'Verbose' },
      'LOG_LEVEL',
      "LOG_LEVEL is 'verbose'; set it to one of trace, debug, info, warn, error, fatal",
    ],
    [
      'an unknown log format',
      { LOG_FORMAT: 'xml' },
      'LOG_FORMAT',
      "LOG_FORMAT is 'xml'; set it to json or pretty",
    ],
    [
      'a GitHub API URL that is not a URL',
      { GITHUB_API_URL: 'github.example.com' },
      'GITHUB_API_URL',
      "GITHUB_API_URL is 'github.example.com'; set it to the REST API root, e.g. https://github.example.com/api/v3",
    ],
    [
      'a GitHub API URL that is not http(s)',
      { GITHUB_API_URL: 'ftp://github.example.com/' },
      'GITHUB_API_URL',
      "GITHUB_API_URL is 'ftp://github.example.com'; it must be an http(s) URL",
    ],
    [
      'a port that is not a number',
      { PORT: 'http' },
      'PORT',
      "PORT is 'http'; set it to a TCP port from 1 to 65535",
    ],
    [
      'a port above 65535',
      { PORT: '65536' },
      'PORT',
      "PORT is '65536'; set it to a TCP port from 1 to 65535",
    ],
    [
      'a negative port',
      { PORT: '-1' },
      'PORT',
      "PORT is '-1'; set it to a TCP port from 1 to 65535",
    ],
    [
      'a fractional port',
      { PORT: '80.5' },
      'PORT',
      "PORT is '80.5'; set it to a TCP port from 1 to 65535",
    ],
    [
      'a sweep interval under 10s',
      { ECS_PAAS_SWEEP_INTERVAL: '9s' },
      'ECS_PAAS_SWEEP_INTERVAL',
      "ECS_PAAS_SWEEP_INTERVAL is '9s'; set it to a duration from 10s to 24h such as 5m or 15m, or to 'never'",
    ],
    [
      'a sweep interval over 24h',
      { ECS_PAAS_SWEEP_INTERVAL: '25h' },
      'ECS_PAAS_SWEEP_INTERVAL',
      "ECS_PAAS_SWEEP_INTERVAL is '25h'; set it to a duration from 10s to 24h such as 5m or 15m, or to 'never'",
    ],
    [
      'a sweep interval that is not a duration',
      { ECS_PAAS_SWEEP_INTERVAL: 'hourly' },
      'ECS_PAAS_SWEEP_INTERVAL',
      "ECS_PAAS_SWEEP_INTERVAL is 'hourly'; set it to a duration from 10s to 24h such as 5m or 15m, or to 'never'",
    ],
    [
      'a request timeout under 1s',
      { ECS_PAAS_REQUEST_TIMEOUT: '999ms' },
      'ECS_PAAS_REQUEST_TIMEOUT',
      "ECS_PAAS_REQUEST_TIMEOUT is '999ms'; set it to a duration from 1s to 120s (GitHub sends a delivery in well under 10s)",
    ],
    [
      'a request timeout over 120s',
      { ECS_PAAS_REQUEST_TIMEOUT: '121s' },
      'ECS_PAAS_REQUEST_TIMEOUT',
      "ECS_PAAS_REQUEST_TIMEOUT is '121s'; set it to a duration from 1s to 120s (GitHub sends a delivery in well under 10s)",
    ],
    [
      'a request timeout that is not a duration',
      { ECS_PAAS_REQUEST_TIMEOUT: 'soon' },
      'ECS_PAAS_REQUEST_TIMEOUT',
      "ECS_PAAS_REQUEST_TIMEOUT is 'soon'; set it to a duration from 1s to 120s (GitHub sends a delivery in well under 10s)",
    ],
  ])('refuses to start with %s', async (_case, change, variable, message) => {
    expect(await start({ ...ENV, ...change })).toEqual({ refused: variable, message });
  });

  it.each<[string, Record<string, string>, object]>([
    [
      'a 16-character webhook secret',
      { WEBHOOK_SECRET: 'x'.repeat(16) },
      { webhookSecret: 'x'.repeat(16) },
    ],
    [
      'a 32-character API token',
      { ECS_PAAS_API_TOKEN: 't'.repeat(32) },
      { apiToken: 't'.repeat(32) },
    ],
    ['a blank API token (the API off)', { ECS_PAAS_API_TOKEN: '  ' }, {}],
    ['api.github.com named explicitly', { GITHUB_API_URL: 'https://api.github.com/' }, {}],
    [
      'a local http API',
      { GITHUB_API_URL: 'http://127.0.0.1:4010' },
      { baseUrl: 'http://127.0.0.1:4010' },
    ],
    ['port 0 (any free port)', { PORT: '0' }, { port: 0 }],
    ['port 65535', { PORT: '65535' }, { port: 65_535 }],
    ['a sweep interval of 10s', { ECS_PAAS_SWEEP_INTERVAL: '10s' }, { sweepIntervalMs: 10_000 }],
    [
      'a sweep interval of 24h',
      { ECS_PAAS_SWEEP_INTERVAL: '24h' },
      { sweepIntervalMs: 86_400_000 },
    ],
    ['a sweep interval of 0', { ECS_PAAS_SWEEP_INTERVAL: '0' }, { sweepIntervalMs: null }],
    [
      'a sweep interval of NEVER',
      { ECS_PAAS_SWEEP_INTERVAL: ' NEVER ' },
      { sweepIntervalMs: null },
    ],
    ['a request timeout of 1s', { ECS_PAAS_REQUEST_TIMEOUT: '1s' }, { requestTimeoutMs: 1_000 }],
    [
      'a request timeout of 120s',
      { ECS_PAAS_REQUEST_TIMEOUT: '120s' },
      { requestTimeoutMs: 120_000 },
    ],
    ['NODE_ENV production (no test hooks)', { NODE_ENV: 'production' }, { testHooks: false }],
    ['LOG_LEVEL fatal', { LOG_LEVEL: 'fatal' }, { logLevel: 'fatal' }],
    ['LOG_FORMAT pretty', { LOG_FORMAT: ' Pretty ' }, { logFormat: 'pretty' }],
  ])('starts with %s', async (_case, change, expected) => {
    const settings = await start({ ...ENV, ...change });
    expect(settings).not.toHaveProperty('refused');
    expect(settings).toMatchObject(expected);
    if (!('apiToken' in expected)) expect(settings).not.toHaveProperty('apiToken');
    if (!('baseUrl' in expected)) expect(settings).not.toHaveProperty('baseUrl');
  });
});
