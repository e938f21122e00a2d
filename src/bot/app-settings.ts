import { readFile } from 'node:fs/promises';
import { parseDuration } from '../core/duration.js';
import {
  GITHUB_REQUEST_TIMEOUT_VARIABLE,
  githubRequestTimeoutMs,
} from '../core/github/request-timeout.js';

/** Everything the App reads from its environment, parsed once at start-up. */
export interface AppSettings {
  readonly appId: string;
  readonly privateKey: string;
  readonly webhookSecret: string;
  readonly host: string;
  readonly port: number;
  /** GitHub's REST API root; undefined means api.github.com. */
  readonly baseUrl?: string;
  readonly region: string;
  /** How often the App sweeps by itself; null: only when `POST /api/sweep` asks. */
  readonly sweepIntervalMs: number | null;
  /** Bearer token for the operator API; without one the API is off. */
  readonly apiToken?: string;
  readonly logLevel: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';
  /** LOG_FORMAT: JSON lines (the default, for log pipelines) or `pretty` for a terminal. */
  readonly logFormat: 'json' | 'pretty';
  /** `NODE_ENV=test`: the settled-work endpoint for the test harness is served. */
  readonly testHooks: boolean;
  /** ECS_PAAS_REQUEST_TIMEOUT: a request's headers and body must arrive within this (default 30s). */
  readonly requestTimeoutMs: number;
  /** ECS_PAAS_QUEUE_URL: durable work on this SQS FIFO queue; in process when unset. */
  readonly queue?: QueueSettings;
  /**
   * ECS_PAAS_WAKE_TARGET_GROUP_ARN: the App's own target group on the previews' load balancer;
   * idle previews with `wake-on-request` forward there while asleep. Wake on request is off unset.
   */
  readonly wakeTargetGroupArn?: string;
  /** GITHUB_CLIENT_ID and its companions: dashboard login with GitHub; off when unset. */
  readonly login?: LoginSettings;
}

/** The dashboard's "Sign in with GitHub", through the App's own OAuth credentials. */
export interface LoginSettings {
  readonly clientId: string;
  readonly clientSecret: string;
  /** GITHUB_OAUTH_URL: where `/login/oauth/*` lives; https://github.com unless GHES (or a test). */
  readonly oauthUrl: string;
  /** ECS_PAAS_SESSION_SECRET: seals session cookies, so every replica can read any replica's. */
  readonly sessionSecret: string;
  /** ECS_PAAS_PUBLIC_URL: the App's address as browsers see it (callback URL, Secure cookies). */
  readonly publicUrl?: string;
}

export interface QueueSettings {
  readonly url: string;
  /** ECS_PAAS_QUEUE_VISIBILITY: how long a taken message is hidden from other replicas (default 60s). */
  readonly visibilitySeconds: number;
  /** ECS_PAAS_QUEUE_WAIT: long-poll wait per receive (default 20s). */
  readonly waitSeconds: number;
}

/** A start-up problem: names the variable and what to set it to. The App exits non-zero with it. */
export class SettingsError extends Error {
  constructor(
    readonly variable: string,
    problem: string,
  ) {
    super(`${variable} ${problem}`);
    this.name = 'SettingsError';
  }
}

/** The shortest webhook secret accepted: a short secret can be guessed offline from one delivery. */
export const MIN_WEBHOOK_SECRET = 16;
/** The shortest API token accepted: the token grants every operator action. */
export const MIN_API_TOKEN = 32;
/** The shortest session secret accepted: it is the key that forges any user's session. */
export const MIN_SESSION_SECRET = 32;
const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Reads the one start-up path's settings. There is no fallback: no `.env`, no `*.pem` found in
 * the working directory, no default secret. Probot's own `run()` did all three, and its
 * public default secret `development` let anyone sign a delivery.
 */
export async function readAppSettings(env: Env): Promise<AppSettings> {
  const appId = env.APP_ID?.trim();
  if (!appId || !/^\d+$/.test(appId)) {
    throw new SettingsError(
      'APP_ID',
      `is ${appId ? `'${appId}'` : 'not set'}; set it to the numeric id of your GitHub App (run 'npm run setup' to register one)`,
    );
  }
  const privateKey = await readPrivateKey(env);
  const webhookSecret = env.WEBHOOK_SECRET ?? '';
  if (webhookSecret.length < MIN_WEBHOOK_SECRET) {
    throw new SettingsError(
      'WEBHOOK_SECRET',
      `${webhookSecret ? `is ${webhookSecret.length} characters` : 'is not set'}; set it to the GitHub App's webhook secret, at least ${MIN_WEBHOOK_SECRET} random characters (e.g. openssl rand -hex 32)`,
    );
  }
  const region = env.AWS_REGION?.trim() || env.AWS_DEFAULT_REGION?.trim();
  if (!region)
    throw new SettingsError('AWS_REGION', 'is not set; set it to the region of your ECS clusters');
  const apiToken = env.ECS_PAAS_API_TOKEN?.trim();
  if (apiToken && apiToken.length < MIN_API_TOKEN) {
    throw new SettingsError(
      'ECS_PAAS_API_TOKEN',
      `is ${apiToken.length} characters; set it to at least ${MIN_API_TOKEN} random characters (e.g. openssl rand -hex 32), or unset it to turn the API off`,
    );
  }
  const baseUrl = apiBaseUrl(env.GITHUB_API_URL);
  try {
    githubRequestTimeoutMs(env);
  } catch {
    throw new SettingsError(
      GITHUB_REQUEST_TIMEOUT_VARIABLE,
      `is '${env[GITHUB_REQUEST_TIMEOUT_VARIABLE] ?? ''}'; set it to a whole number of milliseconds above 0, or unset it for 30000`,
    );
  }
  const level = (env.LOG_LEVEL?.trim() || 'info').toLowerCase();
  if (!(LOG_LEVELS as readonly string[]).includes(level)) {
    throw new SettingsError(
      'LOG_LEVEL',
      `is '${level}'; set it to one of ${LOG_LEVELS.join(', ')}`,
    );
  }
  return {
    appId,
    privateKey,
    webhookSecret,
    host: env.HOST?.trim() || '0.0.0.0',
    port: port(env.PORT),
    ...(baseUrl && { baseUrl }),
    region,
    sweepIntervalMs: sweepInterval(env.ECS_PAAS_SWEEP_INTERVAL),
    ...(apiToken && { apiToken }),
    logLevel: level as AppSettings['logLevel'],
    logFormat: logFormat(env.LOG_FORMAT),
    testHooks: env.NODE_ENV === 'test',
    requestTimeoutMs: requestTimeout(env.ECS_PAAS_REQUEST_TIMEOUT),
    ...queueSettings(env),
    ...wakeSettings(env),
    ...loginSettings(env),
  };
}

/** The dashboard login's settings: all of them or none, so a half-set login fails start-up. */
export function loginSettings(env: Env): { login?: LoginSettings } {
  const clientId = env.GITHUB_CLIENT_ID?.trim();
  const clientSecret = env.GITHUB_CLIENT_SECRET?.trim();
  if (!clientId && !clientSecret) return {};
  if (!clientId || !clientSecret) {
    const missing = clientId ? 'GITHUB_CLIENT_SECRET' : 'GITHUB_CLIENT_ID';
    throw new SettingsError(
      missing,
      `is not set while ${clientId ? 'GITHUB_CLIENT_ID' : 'GITHUB_CLIENT_SECRET'} is; copy both from the GitHub App's settings page (Client ID, and a generated client secret), or unset both to turn dashboard login off`,
    );
  }
  const sessionSecret = env.ECS_PAAS_SESSION_SECRET?.trim() ?? '';
  if (sessionSecret.length < MIN_SESSION_SECRET) {
    throw new SettingsError(
      'ECS_PAAS_SESSION_SECRET',
      `${sessionSecret ? `is ${sessionSecret.length} characters` : 'is not set'}; dashboard login needs it to seal session cookies: set it to at least ${MIN_SESSION_SECRET} random characters (e.g. openssl rand -hex 32), the same on every replica`,
    );
  }
  const publicUrl = webUrl(
    'ECS_PAAS_PUBLIC_URL',
    env.ECS_PAAS_PUBLIC_URL,
    'https://previews.example.com',
  );
  return {
    login: {
      clientId,
      clientSecret,
      oauthUrl:
        webUrl('GITHUB_OAUTH_URL', env.GITHUB_OAUTH_URL, 'https://github.example.com') ??
        'https://github.com',
      sessionSecret,
      ...(publicUrl && { publicUrl }),
    },
  };
}

/** An optional http(s) origin (a path is kept for a prefix), its trailing `/` dropped. */
function webUrl(variable: string, raw: string | undefined, example: string): string | undefined {
  const value = raw?.trim().replace(/\/+$/, '');
  if (!value) return undefined;
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:') || url.search || url.hash) {
    throw new SettingsError(variable, `is '${value}'; set it to an http(s) URL such as ${example}`);
  }
  return value;
}

/** The queue mode's settings, each checked so a typo fails start-up instead of losing work. */
export function queueSettings(env: Env): { queue?: QueueSettings } {
  const url = env.ECS_PAAS_QUEUE_URL?.trim();
  if (!url) return {};
  if (!/^https?:\/\/\S+\/\d{12}\/[\w-]+\.fifo$/.test(url)) {
    throw new SettingsError(
      'ECS_PAAS_QUEUE_URL',
      `is '${url}'; set it to an SQS FIFO queue URL such as https://sqs.us-east-1.amazonaws.com/123456789012/ecs-paas-work.fifo (a FIFO queue keeps each PR's work in order)`,
    );
  }
  const seconds = (variable: string, fallback: string, min: number, max: number): number => {
    const value = env[variable]?.trim() || fallback;
    const ms = parseDuration(value);
    if (ms === undefined || ms < min * 1_000 || ms > max * 1_000 || ms % 1_000 !== 0) {
      throw new SettingsError(
        variable,
        `is '${value}'; set it to whole seconds from ${min}s to ${max}s`,
      );
    }
    return ms / 1_000;
  };
  return {
    queue: {
      url,
      visibilitySeconds: seconds('ECS_PAAS_QUEUE_VISIBILITY', '60s', 3, 43_200),
      waitSeconds: seconds('ECS_PAAS_QUEUE_WAIT', '20s', 0, 20),
    },
  };
}

const TARGET_GROUP_ARN =
  /^arn:aws(-[a-z]+)*:elasticloadbalancing:[a-z0-9-]+:\d{12}:targetgroup\/[\w-]{1,32}\/[0-9a-f]+$/;

/** The wake target group, checked so a typo fails start-up rather than every sleep. */
export function wakeSettings(env: Env): { wakeTargetGroupArn?: string } {
  const arn = env.ECS_PAAS_WAKE_TARGET_GROUP_ARN?.trim();
  if (!arn) return {};
  if (!TARGET_GROUP_ARN.test(arn)) {
    throw new SettingsError(
      'ECS_PAAS_WAKE_TARGET_GROUP_ARN',
      `is '${arn}'; set it to the ARN of the App's target group on the previews' load balancer, such as arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/ecs-paas-wake/0123456789abcdef (the stack's WakeTargetGroupArn output), or unset it to turn wake on request off`,
    );
  }
  return { wakeTargetGroupArn: arn };
}

async function readPrivateKey(env: Env): Promise<string> {
  const inline = env.PRIVATE_KEY?.trim();
  const path = env.PRIVATE_KEY_PATH?.trim();
  let key = inline;
  if (!key && path) {
    try {
      key = await readFile(path, 'utf8');
    } catch (error) {
      throw new SettingsError(
        'PRIVATE_KEY_PATH',
        `is '${path}', which cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'}); point it at the App's .pem file`,
      );
    }
  }
  if (!key) {
    throw new SettingsError(
      'PRIVATE_KEY',
      "is not set, nor PRIVATE_KEY_PATH; set one to the GitHub App's private key (PEM)",
    );
  }
  // Some secret stores keep newlines escaped; a PEM always has real ones.
  const pem = key.includes('\\n') && !key.includes('\n') ? key.replace(/\\n/g, '\n') : key;
  if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(pem)) {
    throw new SettingsError(
      path && !inline ? 'PRIVATE_KEY_PATH' : 'PRIVATE_KEY',
      "does not hold a PEM private key; use the .pem file GitHub gave when the App's key was generated",
    );
  }
  return pem;
}

/** GITHUB_API_URL for GitHub Enterprise Server (or a local API in tests); its trailing `/` dropped. */
export function apiBaseUrl(raw: string | undefined): string | undefined {
  const value = raw?.trim().replace(/\/+$/, '');
  if (!value || value === 'https://api.github.com') return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new SettingsError(
      'GITHUB_API_URL',
      `is '${value}'; set it to the REST API root, e.g. https://github.example.com/api/v3`,
    );
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new SettingsError('GITHUB_API_URL', `is '${value}'; it must be an http(s) URL`);
  }
  return value;
}

function logFormat(raw: string | undefined): 'json' | 'pretty' {
  const value = raw?.trim().toLowerCase() || 'json';
  if (value !== 'json' && value !== 'pretty') {
    throw new SettingsError('LOG_FORMAT', `is '${value}'; set it to json or pretty`);
  }
  return value;
}

function port(raw: string | undefined): number {
  const value = raw?.trim() || '3000';
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65_535) {
    throw new SettingsError('PORT', `is '${value}'; set it to a TCP port from 1 to 65535`);
  }
  return n;
}

/**
 * ECS_PAAS_SWEEP_INTERVAL: default 5m; `never` or `0` leaves sweeping to an external scheduler.
 * Node's timers cannot wait longer than about 24.8 days; a day is already a lazy sweep.
 */
export function sweepInterval(raw: string | undefined): number | null {
  const value = raw?.trim() || '5m';
  const ms = value.toLowerCase() === 'never' ? 0 : parseDuration(value);
  if (ms === undefined || (ms > 0 && ms < 10_000) || ms > 86_400_000) {
    throw new SettingsError(
      'ECS_PAAS_SWEEP_INTERVAL',
      `is '${value}'; set it to a duration from 10s to 24h such as 5m or 15m, or to 'never'`,
    );
  }
  return ms === 0 ? null : ms;
}

function requestTimeout(raw: string | undefined): number {
  const value = raw?.trim() || '30s';
  const ms = parseDuration(value);
  if (ms === undefined || ms < 1_000 || ms > 120_000) {
    throw new SettingsError(
      'ECS_PAAS_REQUEST_TIMEOUT',
      `is '${value}'; set it to a duration from 1s to 120s (GitHub sends a delivery in well under 10s)`,
    );
  }
  return ms;
}
