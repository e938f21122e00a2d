import { SQSClient } from '@aws-sdk/client-sqs';
import { Probot } from 'probot';
import { createAwsClients } from '../../core/aws/clients.js';
import { awsHttpTimeouts } from '../../core/aws/http-timeouts.js';
import { githubRequestOptions } from '../../core/github/request-timeout.js';
import type { Logger } from '../../core/logger.js';
import { pinoLogger } from '../work-log.js';
import { ecsPaasApp } from '../app.js';
import { readAppSettings, SettingsError } from '../app-settings.js';
import { BotServices } from '../bot-services.js';
import { fetchPolicyDocument } from '../policy-document.js';
import { loadPolicy } from '../policy-source.js';
import { SqsWorkQueue } from '../queue/work-queue.js';
import { RepoCredentials } from '../repo-credentials.js';
import { assumeWithSts } from '../sts-assume.js';
import type { Sweeper } from '../sweep/sweeper.js';
import { lazyValue } from './lazy-value.js';
import { readSecretString, resolveSecretArns } from './secret-env.js';

type Env = Readonly<Record<string, string | undefined>>;

/** What one Lambda container builds once and every handler in it shares. */
export interface LambdaRuntime {
  readonly probot: Probot;
  readonly services: BotServices;
  readonly sweeper: Sweeper;
  /** ECS_PAAS_QUEUE_URL's queue; only the sweep handler runs without one. */
  readonly queue?: LambdaQueue;
  readonly log: Logger;
}

export interface LambdaQueue {
  readonly work: SqsWorkQueue;
  /** The redrive policy's maxReceiveCount, read once per container (a failed read is retried). */
  readonly maxReceiveCount: () => Promise<number | undefined>;
}

/**
 * The App as main.ts assembles it, minus everything a Lambda must not have: no HTTP server (AWS
 * is the front door), no sweep timer (EventBridge calls the sweep handler) and no queue poller
 * (the SQS event source hands batches to the worker handler).
 */
export async function buildRuntime(given: Env): Promise<LambdaRuntime> {
  const env = await resolveSecretArns(given, readSecretString);
  const settings = await readAppSettings(env);
  const aws = createAwsClients(settings.region, {}, env);
  const policy = await loadPolicy(env.ECS_PAAS_POLICY, (reference) =>
    fetchPolicyDocument(aws, reference),
  );
  const probot = new Probot({
    appId: settings.appId,
    privateKey: settings.privateKey,
    secret: settings.webhookSecret,
    logLevel: settings.logLevel,
    // CloudWatch Logs keeps lines, not a terminal: JSON (the default) is what Logs Insights queries.
    logFormat: settings.logFormat,
    ...(settings.baseUrl && { baseUrl: settings.baseUrl }),
    request: githubRequestOptions(env).request,
  });
  await probot.ready();
  const log = pinoLogger(() => probot.log);
  const services = new BotServices(aws, log, {
    ...pollOverride(env),
    policy,
    credentials: new RepoCredentials(assumeWithSts(settings.region)),
  });
  let sweeper: Sweeper | undefined;
  await probot.load(
    ecsPaasApp(services, {
      intervalMs: null,
      onSweeper: (s) => {
        sweeper = s;
      },
    }),
    // The operator's sweep API needs a server; here the scheduler invokes the sweep handler.
    { cwd: process.cwd(), addHandler: () => undefined },
  );
  if (!sweeper) throw new Error('the App did not hand over its sweeper');
  const queue = settings.queue && lambdaQueue(settings.queue.url, settings.region, env);
  return { probot, services, sweeper, log, ...(queue && { queue }) };
}

function lambdaQueue(url: string, region: string, env: Env): LambdaQueue {
  const work = new SqsWorkQueue(
    new SQSClient({ region, requestHandler: awsHttpTimeouts(env) }),
    url,
  );
  return { work, maxReceiveCount: lazyValue(() => work.maxReceiveCount()) };
}

/** The runtime's queue, or the error that names the variable to set. */
export function requireQueue(runtime: LambdaRuntime): LambdaQueue {
  if (runtime.queue) return runtime.queue;
  throw new SettingsError(
    'ECS_PAAS_QUEUE_URL',
    "is not set; the webhook and worker handlers need the SQS FIFO queue the function's event source reads, e.g. https://sqs.us-east-1.amazonaws.com/123456789012/ecs-paas-work.fifo",
  );
}

/** ECS_PAAS_POLL_MS, as main.ts reads it: tests poll ECS faster than a real launch needs. */
function pollOverride(env: Env): { pollMs?: number } {
  const raw = env.ECS_PAAS_POLL_MS?.trim();
  if (!raw) return {};
  const pollMs = Number(raw);
  if (!Number.isInteger(pollMs) || pollMs <= 0) {
    throw new SettingsError(
      'ECS_PAAS_POLL_MS',
      `is '${raw}'; set it to whole milliseconds above 0`,
    );
  }
  return { pollMs };
}
