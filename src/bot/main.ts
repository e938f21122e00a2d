import type { Server } from 'node:http';
import { Probot } from 'probot';
import { createAwsClients } from '../core/aws/clients.js';
import { ecsPaasApp } from './app.js';
import { readAppSettings, SettingsError } from './app-settings.js';
import { BotServices } from './bot-services.js';
import { createAppServer, listen, livenessHandler, type RouteHandler } from './http/app-server.js';
import { DeliveryMemory } from './http/delivery-memory.js';
import { awsCheck, githubCheck, readinessHandler } from './http/readiness.js';
import { settledHandler } from './http/settled-handler.js';
import { webhookIntake } from './http/webhook-intake.js';
import { githubRequestOptions } from '../core/github/request-timeout.js';
import { fetchPolicyDocument } from './policy-document.js';
import { loadPolicy } from './policy-source.js';
import { RepoCredentials } from './repo-credentials.js';
import { assumeWithSts } from './sts-assume.js';
import { runSetup } from './setup/setup-server.js';
import type { Sweeper } from './sweep/sweeper.js';
import { pinoLogger } from './work-log.js';

/**
 * `npm start`: the one way the App starts. Settings come only from the environment (see
 * app-settings.ts); there is no `.env`, no key file picked up from the working directory and no
 * default secret. Registering a new App is a separate, explicit mode: `npm run setup`
 * (ECS_PAAS_SETUP=1), which serves only the registration page, on 127.0.0.1.
 */
async function main(): Promise<void> {
  if (process.env.ECS_PAAS_SETUP === '1') {
    await runSetup(process.env);
    return;
  }
  const settings = await readAppSettings(process.env);
  const aws = createAwsClients(settings.region);
  const policy = await loadPolicy(process.env.ECS_PAAS_POLICY, (reference) =>
    fetchPolicyDocument(aws, reference),
  );
  const credentials = new RepoCredentials(assumeWithSts(settings.region));
  const probot = new Probot({
    appId: settings.appId,
    privateKey: settings.privateKey,
    secret: settings.webhookSecret,
    logLevel: settings.logLevel,
    logFormat: settings.logFormat,
    ...(settings.baseUrl && { baseUrl: settings.baseUrl }),
    // A deadline per attempt: a GitHub that stops answering would hold a PR's queue for good.
    request: githubRequestOptions().request,
  });
  const services = new BotServices(
    aws,
    pinoLogger(() => probot.log),
    {
      ...pollOverride(),
      policy,
      credentials,
      ...(settings.wakeTargetGroupArn && { wakeTargetGroupArn: settings.wakeTargetGroupArn }),
    },
  );
  let sweeper: Sweeper | undefined;
  const added: RouteHandler[] = [];
  await probot.load(
    ecsPaasApp(services, {
      // In queue mode the sweep is asked for through the queue, so one replica sweeps at a time.
      intervalMs: settings.queue ? null : settings.sweepIntervalMs,
      ...(settings.apiToken && { apiToken: settings.apiToken }),
      dashboard: {
        ...(settings.login && { login: settings.login }),
        ...(settings.baseUrl && { githubApiUrl: settings.baseUrl }),
      },
      onSweeper: (s) => {
        sweeper = s;
      },
    }),
    { cwd: process.cwd(), addHandler: (handler) => added.push(handler) },
  );
  // Loaded only in queue mode: the SQS client is start-up time an in-process App never needs.
  const queued =
    settings.queue &&
    (await import('./queue/queue-mode.js')).startQueueMode(
      settings.queue,
      settings.region,
      probot.webhooks,
      (id) => probot.auth(id),
      () => sweeper,
      services.log,
    );
  if (queued && settings.sweepIntervalMs !== null) queued.sweepEvery(settings.sweepIntervalMs);
  const intake = webhookIntake(
    queued ? queued.receiver : probot.webhooks,
    new DeliveryMemory(),
    probot.log,
  );
  const readiness = readinessHandler(
    [
      githubCheck(probot),
      awsCheck(createAwsClients(settings.region, { maxAttempts: 1 }).ecs),
      ...(queued ? [queued.check] : []),
    ],
    { log: probot.log },
  );
  const handlers: RouteHandler[] = [
    livenessHandler,
    readiness,
    intake,
    ...added,
    ...(settings.testHooks ? [settledHandler(intake.accepted, services.work)] : []),
  ];
  const server = createAppServer(
    handlers,
    {
      headersTimeoutMs: Math.min(10_000, settings.requestTimeoutMs),
      requestTimeoutMs: settings.requestTimeoutMs,
    },
    (error) => probot.log.error({ err: error }, 'request failed'),
  );
  const { port } = await listen(server, settings.port, settings.host);
  probot.log.info(`ecs-paas listening on http://${settings.host}:${port}`);
  if (policy.kind === 'open') {
    probot.log.warn(
      'ECS_PAAS_POLICY=open: every installed repository may use any cluster, zone and listener the App can reach; give a policy file to run one App for many teams',
    );
  }
  onStop(server, async () => {
    // Take no more work; what runs finishes or goes back to the queue for another replica.
    await queued?.stop();
    await sweeper?.stop();
    await services.work.idle();
    await services.queue.idle();
    await services.metrics.settled();
  });
}

function onStop(server: Server, drain: () => Promise<void>): void {
  const stop = async (): Promise<void> => {
    // Stop taking deliveries first: GitHub redelivers what it could not hand over.
    server.close();
    server.closeIdleConnections();
    await drain();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop());
  process.once('SIGINT', () => void stop());
}

function pollOverride(): { pollMs?: number } {
  return process.env.ECS_PAAS_POLL_MS ? { pollMs: Number(process.env.ECS_PAAS_POLL_MS) } : {};
}

main().catch((error: unknown) => {
  const message =
    error instanceof SettingsError
      ? error.message
      : error instanceof Error
        ? error.message
        : String(error);
  process.stderr.write(`ecs-paas App failed to start: ${message}\n`);
  process.exit(1);
});
