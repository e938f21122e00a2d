import { createAwsClients } from '../core/aws/clients.js';
import type { Logger } from '../core/logger.js';
import { Probot, Server, run } from 'probot';
import { parseDuration } from '../core/duration.js';
import { ecsPaasApp, type SweepSettings } from './app.js';
import { BotServices } from './bot-services.js';
import type { Sweeper } from './sweep/sweeper.js';

/**
 * `npm start`: the App with Probot's environment (APP_ID, PRIVATE_KEY or PRIVATE_KEY_PATH,
 * WEBHOOK_SECRET, PORT, HOST) plus GITHUB_API_URL for GitHub Enterprise Server or a local API, and
 * the AWS SDK's own environment. Without credentials it serves Probot's setup page, which
 * registers the App from app.yml.
 */
async function main(): Promise<void> {
  const region = process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
  if (!region) throw new Error('AWS_REGION is not set; set it to the region of your ECS clusters');
  const services = new BotServices(createAwsClients(region), consoleLogger(), pollOverride());
  let sweeper: Sweeper | undefined;
  const appFn = ecsPaasApp(services, {
    ...sweepSettings(),
    onSweeper: (s) => {
      sweeper = s;
    },
  });
  const privateKey =
    process.env.PRIVATE_KEY ??
    (process.env.PRIVATE_KEY_PATH ? await readKey(process.env.PRIVATE_KEY_PATH) : undefined);
  if (!process.env.APP_ID || !privateKey) {
    await run(appFn);
    return;
  }
  // Probot falls back to a well-known secret: anyone could then sign a `/deploy production`.
  if (!process.env.WEBHOOK_SECRET) {
    throw new Error('WEBHOOK_SECRET is not set; set it to the webhook secret of the GitHub App');
  }
  const baseUrl = process.env.GITHUB_API_URL?.replace(/\/$/, '');
  const server = new Server({
    host: process.env.HOST ?? '0.0.0.0',
    port: Number(process.env.PORT ?? 3000),
    Probot: Probot.defaults({
      appId: process.env.APP_ID,
      privateKey,
      secret: process.env.WEBHOOK_SECRET,
      ...(baseUrl && baseUrl !== 'https://api.github.com' ? { baseUrl } : {}),
      logLevel: (process.env.LOG_LEVEL as 'info' | undefined) ?? 'info',
    }),
  });
  await server.load(appFn);
  await server.start();
  const stop = async (): Promise<void> => {
    await sweeper?.stop();
    await services.queue.idle();
    await services.metrics.settled();
    await server.stop();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop());
  process.once('SIGINT', () => void stop());
}

async function readKey(path: string): Promise<string> {
  const { readFile } = await import('node:fs/promises');
  return readFile(path, 'utf8');
}

/**
 * ECS_PAAS_SWEEP_INTERVAL (default 5m; `never` or `0` leaves sweeping to an external scheduler)
 * and ECS_PAAS_API_TOKEN (turns `POST /api/sweep` on).
 */
function sweepSettings(): SweepSettings {
  const raw = process.env.ECS_PAAS_SWEEP_INTERVAL?.trim() || '5m';
  const ms = raw.toLowerCase() === 'never' ? 0 : parseDuration(raw);
  // Node's timers cannot wait longer than about 24.8 days; a day is already a lazy sweep.
  if (ms === undefined || (ms > 0 && ms < 10_000) || ms > 86_400_000) {
    throw new Error(
      `ECS_PAAS_SWEEP_INTERVAL is '${raw}'; set it to a duration from 10s to 24h such as 5m or 15m, or to 'never'`,
    );
  }
  const token = process.env.ECS_PAAS_API_TOKEN?.trim();
  return { intervalMs: ms === 0 ? null : ms, ...(token && { apiToken: token }) };
}

function pollOverride(): { pollMs?: number } {
  return process.env.ECS_PAAS_POLL_MS ? { pollMs: Number(process.env.ECS_PAAS_POLL_MS) } : {};
}

function consoleLogger(): Logger {
  const line = (level: string, message: string) =>
    process.stdout.write(`${JSON.stringify({ level, msg: message, time: Date.now() })}\n`);
  return {
    info: (m) => line('info', m),
    warning: (m) => line('warn', m),
    debug: () => undefined,
    group: (_title, work) => work(),
    secret: () => undefined,
  };
}

main().catch((error: unknown) => {
  process.stderr.write(
    `ecs-paas App failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
