import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { ECRClient } from '@aws-sdk/client-ecr';
import {
  CreateClusterCommand,
  DescribeTasksCommand,
  ECSClient,
  ListTasksCommand,
  type Task,
} from '@aws-sdk/client-ecs';
import { CreateHostedZoneCommand, Route53Client } from '@aws-sdk/client-route-53';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  PurgeQueueCommand,
  ReceiveMessageCommand,
  SQSClient,
  type Message,
} from '@aws-sdk/client-sqs';
import { sweep, webhook, worker } from '../../src/bot/lambda.js';
import { lambdaHandlers } from '../../src/bot/lambda/handlers.js';
import type { BatchResult } from '../../src/bot/lambda/lambda-events.js';
import { APP_ID, APP_PRIVATE_KEY } from '../support/app-process.js';
import {
  awsEnv,
  createDefaultNetwork,
  registerFargateTaskDefinition,
  testAwsConfig,
} from '../support/aws.js';
import { pushEcrImage } from '../support/ecr-image.js';
import { startGitHubApi, type GitHubApi } from '../support/github.js';
import { createGitHubWorld, type GitHubWorld } from '../support/github-world.js';
import { startMoto, type Moto } from '../support/moto.js';
import { signWebhook } from '../support/webhooks.js';

// The Lambda entry (issue 12 §2): the three handlers imported and called in this process with the
// events AWS would hand them, against moto's SQS, ECS, ECR and Route 53 and the contract-checked
// GitHub API. The handlers share one runtime for the whole file, as a warm container would.
const DOMAIN = 'preview.example.com';
const MAX_RECEIVES = 3;
const SECRET = randomBytes(20).toString('hex');
const PR_READ = 'GET /repos/{owner}/{repo}/pulls/{pull_number}';

let moto: Moto;
let api: GitHubApi;
let world: GitHubWorld;
let ecs: ECSClient;
let ecr: ECRClient;
let sqs: SQSClient;
let queueUrl: string;
let queueArn: string;
let savedEnv: NodeJS.ProcessEnv;
const realFetch = globalThis.fetch;

/** What a Lambda function URL hands the function for a POST (payload format 2.0). */
interface FunctionUrlEvent {
  version: '2.0';
  routeKey: string;
  rawPath: string;
  rawQueryString: string;
  headers: Record<string, string>;
  requestContext: {
    accountId: string;
    apiId: string;
    domainName: string;
    http: { method: string; path: string; protocol: string; sourceIp: string; userAgent: string };
    requestId: string;
    routeKey: string;
    stage: string;
    timeEpoch: number;
  };
  body: string;
  isBase64Encoded: boolean;
}

interface Delivery {
  event: string;
  payload: unknown;
  id?: string;
  /** As AWS passes a body it does not take for text. */
  base64?: boolean;
  signature?: string;
  method?: string;
  headers?: Record<string, string>;
}

function functionUrlEvent(delivery: Delivery): FunctionUrlEvent {
  const body =
    typeof delivery.payload === 'string' ? delivery.payload : JSON.stringify(delivery.payload);
  const userAgent = 'GitHub-Hookshot/ecs-paas-tests';
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: '/',
    rawQueryString: '',
    headers: {
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(body)),
      host: 'abcdefghijklmnopqrstuvwxyz.lambda-url.us-east-1.on.aws',
      'user-agent': userAgent,
      'x-forwarded-proto': 'https',
      'x-github-event': delivery.event,
      'x-github-delivery': delivery.id ?? randomUUID(),
      'x-hub-signature-256': delivery.signature ?? signWebhook(body, SECRET),
      ...delivery.headers,
    },
    requestContext: {
      accountId: 'anonymous',
      apiId: 'abcdefghijklmnopqrstuvwxyz',
      domainName: 'abcdefghijklmnopqrstuvwxyz.lambda-url.us-east-1.on.aws',
      http: {
        method: delivery.method ?? 'POST',
        path: '/',
        protocol: 'HTTP/1.1',
        sourceIp: '140.82.115.10',
        userAgent,
      },
      requestId: randomUUID(),
      routeKey: '$default',
      stage: '$default',
      timeEpoch: Date.now(),
    },
    body: delivery.base64 ? Buffer.from(body).toString('base64') : body,
    isBase64Encoded: delivery.base64 ?? false,
  };
}

/** The SQS event source's batch for messages as SQS handed them out. */
function sqsEvent(messages: readonly Message[]) {
  return {
    Records: messages.map((m) => ({
      messageId: m.MessageId ?? '',
      receiptHandle: m.ReceiptHandle ?? '',
      body: m.Body ?? '',
      attributes: {
        ApproximateReceiveCount: m.Attributes?.ApproximateReceiveCount ?? '',
        SentTimestamp: m.Attributes?.SentTimestamp ?? '',
        SenderId: m.Attributes?.SenderId ?? '',
        ApproximateFirstReceiveTimestamp: m.Attributes?.ApproximateFirstReceiveTimestamp ?? '',
        SequenceNumber: m.Attributes?.SequenceNumber ?? '',
        MessageGroupId: m.Attributes?.MessageGroupId ?? '',
        MessageDeduplicationId: m.Attributes?.MessageDeduplicationId ?? '',
      },
      messageAttributes: {},
      md5OfBody: m.MD5OfBody ?? '',
      eventSource: 'aws:sqs',
      eventSourceARN: queueArn,
      awsRegion: 'us-east-1',
    })),
  };
}

/** Receives until `count` messages are held (SQS may hand out fewer per call). */
async function receive(count: number, visibilitySeconds = 60): Promise<Message[]> {
  const messages: Message[] = [];
  for (let tries = 0; messages.length < count && tries < 10; tries++) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: Math.min(10, count - messages.length),
        WaitTimeSeconds: 1,
        VisibilityTimeout: visibilitySeconds,
        MessageSystemAttributeNames: ['All'],
      }),
    );
    messages.push(...Messages);
  }
  expect(messages).toHaveLength(count);
  return messages;
}

/** Hands a batch to the worker, then deletes what it did not name, as the event source does. */
async function work(messages: readonly Message[]): Promise<BatchResult> {
  const result = await worker(sqsEvent(messages));
  const kept = new Set(result.batchItemFailures.map((f) => f.itemIdentifier));
  for (const m of messages) {
    if (!kept.has(m.MessageId ?? '')) {
      await sqs.send(
        new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: m.ReceiptHandle }),
      );
    }
  }
  return result;
}

async function queued(): Promise<number> {
  const { Attributes = {} } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return (
    Number(Attributes.ApproximateNumberOfMessages) +
    Number(Attributes.ApproximateNumberOfMessagesNotVisible)
  );
}

async function runningFor(pr: number): Promise<Task[]> {
  const { taskArns = [] } = await ecs.send(
    new ListTasksCommand({ cluster: 'previews', desiredStatus: 'RUNNING' }),
  );
  if (taskArns.length === 0) return [];
  const { tasks = [] } = await ecs.send(
    new DescribeTasksCommand({ cluster: 'previews', tasks: taskArns, include: ['TAGS'] }),
  );
  return tasks.filter(
    (t) =>
      t.lastStatus === 'RUNNING' &&
      t.tags?.some((tag) => tag.key === 'ecs-paas:pr' && tag.value === String(pr)),
  );
}

const previewComment = (pr: number): string =>
  world.comments(pr).find((c) => c.includes('ecs-paas:preview')) ?? '';

/** A PR whose head has an image in ECR, so its preview can launch. */
async function pull(number: number): Promise<void> {
  const sha = randomBytes(20).toString('hex');
  world.addPull({ number, sha });
  await pushEcrImage(ecr, 'web', sha);
}

async function send(delivery: Delivery) {
  return webhook(functionUrlEvent(delivery));
}

beforeAll(async () => {
  moto = await startMoto({ servicesRunning: 1 });
  api = await startGitHubApi();
  // Nothing in this process may reach past loopback: the App's Octokit uses fetch.
  globalThis.fetch = (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    if (!['127.0.0.1', 'localhost'].includes(url.hostname)) {
      return Promise.reject(new TypeError(`test guard: refused a request to ${url.origin}`));
    }
    return realFetch(input, init);
  };
  const config = testAwsConfig(moto.url);
  ecs = new ECSClient(config);
  ecr = new ECRClient(config);
  sqs = new SQSClient(config);
  const route53 = new Route53Client(config);
  world = createGitHubWorld(api, {
    owner: 'acme',
    repo: 'web',
    appId: APP_ID,
    appKey: APP_PRIVATE_KEY,
    checkAuth: true,
  });
  await ecs.send(new CreateClusterCommand({ clusterName: 'previews' }));
  const network = await createDefaultNetwork(moto.url);
  await registerFargateTaskDefinition(ecs, 'web');
  const zone = await route53.send(
    new CreateHostedZoneCommand({ Name: DOMAIN, CallerReference: randomBytes(8).toString('hex') }),
  );
  route53.destroy();
  const zoneId = zone.HostedZone?.Id?.split('/').pop() ?? '';
  const dead = await sqs.send(
    new CreateQueueCommand({ QueueName: 'ecs-paas-dead.fifo', Attributes: { FifoQueue: 'true' } }),
  );
  const arnOf = async (url: string | undefined): Promise<string> => {
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }),
    );
    return Attributes?.QueueArn ?? '';
  };
  const created = await sqs.send(
    new CreateQueueCommand({
      QueueName: 'ecs-paas-work.fifo',
      Attributes: {
        FifoQueue: 'true',
        RedrivePolicy: JSON.stringify({
          deadLetterTargetArn: await arnOf(dead.QueueUrl),
          maxReceiveCount: MAX_RECEIVES,
        }),
      },
    }),
  );
  queueUrl = created.QueueUrl ?? '';
  queueArn = await arnOf(queueUrl);
  world.setFile(
    '.github/ecs-paas.yml',
    [
      'preview:',
      '  cluster: previews',
      '  task-definition: web',
      '  ecr-repository: web',
      `  subnets: [${network.subnetIds[0] ?? ''}]`,
      `  security-groups: [${network.securityGroupId}]`,
      `  routing: { mode: dns, hosted-zone-id: ${zoneId}, domain: ${DOMAIN} }`,
      '',
    ].join('\n'),
  );
  // What the function's configuration would set; the handlers read it on their first call.
  savedEnv = { ...process.env };
  Object.assign(process.env, awsEnv(moto.url), {
    APP_ID: String(APP_ID),
    PRIVATE_KEY: APP_PRIVATE_KEY,
    WEBHOOK_SECRET: SECRET,
    GITHUB_API_URL: api.url,
    ECS_PAAS_POLICY: 'open',
    ECS_PAAS_POLL_MS: '50',
    ECS_PAAS_QUEUE_URL: queueUrl,
    LOG_LEVEL: 'warn',
  });
});

afterAll(async () => {
  process.env = savedEnv;
  globalThis.fetch = realFetch;
  for (const client of [ecs, ecr, sqs]) client?.destroy();
  await Promise.allSettled([api?.stop(), moto?.stop()]);
});

beforeEach(async () => {
  await sqs.send(new PurgeQueueCommand({ QueueUrl: queueUrl }));
});

afterEach(() => {
  api.assertNoViolations();
});

describe('the Lambda webhook handler', () => {
  it("queues a signed delivery under its PR's message group and answers 202, running nothing", async () => {
    await pull(1);
    const id = randomUUID();
    // Base64, as a function URL passes a body it does not take for text; the signature is over the raw bytes.
    const result = await send({
      event: 'pull_request',
      payload: world.pullRequestEvent('opened', 1),
      id,
      base64: true,
    });
    expect(result.statusCode).toBe(202);
    const [message] = await receive(1);
    expect(message?.Attributes).toMatchObject({
      MessageGroupId: 'acme/web#1',
      MessageDeduplicationId: id,
    });
    expect(JSON.parse(message?.Body ?? '{}')).toMatchObject({
      id,
      name: 'pull_request',
      payload: { action: 'opened', number: 1 },
    });
    expect(await runningFor(1)).toEqual([]);
  });

  it('refuses a bad signature (401), missing headers (400), a body over 25 MB (413) and a GET (405), queuing nothing', async () => {
    const payload = world.pullRequestEvent('opened', 1);
    const signed = JSON.stringify(payload);
    const tampered = JSON.stringify({ ...payload, tampered: true });
    const answers = {
      badSignature: await send({
        event: 'pull_request',
        payload: tampered,
        signature: signWebhook(signed, SECRET),
      }),
      otherSecret: await send({
        event: 'pull_request',
        payload,
        signature: signWebhook(signed, 'not-the-webhook-secret'),
      }),
      missingHeader: await send({
        event: 'pull_request',
        payload,
        headers: { 'x-hub-signature-256': '' },
      }),
      tooLarge: await send({ event: 'pull_request', payload: 'x'.repeat(25 * 1024 * 1024 + 1) }),
      get: await send({ event: 'pull_request', payload, method: 'GET' }),
    };
    expect(
      Object.fromEntries(Object.entries(answers).map(([name, a]) => [name, a.statusCode])),
    ).toEqual({ badSignature: 401, otherSecret: 401, missingHeader: 400, tooLarge: 413, get: 405 });
    expect(await queued()).toBe(0);
  });

  it('answers 202 to an event the App does not act on and queues nothing', async () => {
    const result = await send({ event: 'ping', payload: { zen: 'Keep it logically awesome.' } });
    expect(result.statusCode).toBe(202);
    expect(await queued()).toBe(0);
  });

  it('answers 503 when SQS does not take the delivery, so GitHub shows it failed and can redeliver', async () => {
    const elsewhere = lambdaHandlers({
      ...process.env,
      ECS_PAAS_QUEUE_URL: queueUrl.replace('ecs-paas-work.fifo', 'nobody-made-this.fifo'),
    });
    const result = await elsewhere.webhook(
      functionUrlEvent({ event: 'pull_request', payload: world.pullRequestEvent('opened', 1) }),
    );
    expect(result.statusCode).toBe(503);
  });
});

describe('the Lambda worker handler (SQS event source)', () => {
  it('brings the preview up within the invocation and reports no failures', async () => {
    await pull(10);
    await send({ event: 'pull_request', payload: world.pullRequestEvent('opened', 10) });
    const result = await work(await receive(1));
    expect(result).toEqual({ batchItemFailures: [] });
    // The invocation returned only once the launch was done: no waiting here.
    expect(await runningFor(10)).toHaveLength(1);
    expect(previewComment(10)).toContain('Preview ready');
    expect(await queued()).toBe(0);
  });

  it('names only the record whose work failed; the other one in the batch is done', async () => {
    await pull(11);
    await pull(12);
    await send({ event: 'pull_request', payload: world.pullRequestEvent('opened', 11) });
    await send({ event: 'pull_request', payload: world.pullRequestEvent('opened', 12) });
    const messages = await receive(2);
    const group = (m: Message) => m.Attributes?.MessageGroupId;
    const failing = messages.find((m) => group(m) === 'acme/web#11');
    const succeeding = messages.find((m) => group(m) === 'acme/web#12');
    if (!failing || !succeeding) throw new Error('a message per PR expected');
    // GitHub refuses the first PR read: PR 11's, as its record comes first.
    world.failNext(PR_READ, 403);
    const result = await work([failing, succeeding]);
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: failing.MessageId }] });
    expect(await runningFor(11)).toEqual([]);
    expect(await runningFor(12)).toHaveLength(1);
    expect(previewComment(12)).toContain('Preview ready');
    // SQS still holds the failed one, and hands it out again soon (a short backoff, not the timeout).
    expect(await queued()).toBe(1);
  });

  it("holds back the later records of a failed record's PR, so its events never run out of order", async () => {
    await pull(13);
    await send({ event: 'pull_request', payload: world.pullRequestEvent('opened', 13) });
    await send({ event: 'pull_request', payload: world.pullRequestEvent('synchronize', 13) });
    const messages = await receive(2);
    world.failNext(PR_READ, 403);
    const reads = (): number =>
      world.requests().filter((r) => r === 'GET /repos/acme/web/pulls/13').length;
    const before = reads();
    const result = await work(messages);
    expect(result.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(
      messages.map((m) => m.MessageId),
    );
    expect(reads() - before).toBe(1);
    expect(await runningFor(13)).toEqual([]);
  });

  it(`on the last of ${MAX_RECEIVES} attempts tells the PR, and runs what came after it`, async () => {
    await pull(14);
    await send({ event: 'pull_request', payload: world.pullRequestEvent('opened', 14) });
    await send({ event: 'pull_request', payload: world.pullRequestEvent('synchronize', 14) });
    // The opened message taken twice and given straight back, as two failed attempts leave it;
    // the third receive, its last, brings the synchronize behind it for the first time.
    await receive(1, 0);
    await receive(1, 0);
    const messages = await receive(2);
    expect(messages.map((m) => m.Attributes?.ApproximateReceiveCount)).toEqual(['3', '1']);
    const [head] = messages;
    world.failNext(PR_READ, 403);
    const result = await work(messages);
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: head?.MessageId }] });
    const told = api.requests.filter(
      (r) =>
        r.path.startsWith('/repos/acme/web/issues') &&
        JSON.stringify(r.body ?? '').includes('could not be brought up'),
    );
    expect(told).toHaveLength(1);
    expect(JSON.stringify(told[0]?.body)).toContain(`tried ${MAX_RECEIVES} times`);
    // The synchronize behind it ran: the PR's preview is up after all.
    expect(await runningFor(14)).toHaveLength(1);
    expect(previewComment(14)).toContain('Preview ready');
  });
});

describe('the Lambda sweep handler (EventBridge schedule)', () => {
  const scheduled = {
    version: '0',
    id: randomUUID(),
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: '123456789012',
    time: new Date().toISOString(),
    region: 'us-east-1',
    resources: ['arn:aws:events:us-east-1:123456789012:rule/ecs-paas-sweep'],
    detail: {},
  };

  it('runs one sweep and returns its report; a second call while it runs joins it', async () => {
    const listings = (): number =>
      world.requests().filter((r) => r === 'GET /app/installations').length;
    const before = listings();
    const [first, second] = await Promise.all([sweep(scheduled), sweep(scheduled)]);
    expect(second).toBe(first);
    expect(listings() - before).toBe(1);
    expect(first).toMatchObject({ trigger: 'schedule', repositories: 1, problems: [] });
    expect(first.previews).toBeGreaterThanOrEqual(3);
  });
});

describe('settings', () => {
  it('the webhook and worker handlers name ECS_PAAS_QUEUE_URL when it is not set', async () => {
    const handlers = lambdaHandlers({ ...process.env, ECS_PAAS_QUEUE_URL: undefined });
    await expect(
      handlers.webhook(functionUrlEvent({ event: 'ping', payload: {} })),
    ).rejects.toThrow(/^ECS_PAAS_QUEUE_URL is not set/);
    await expect(handlers.worker({ Records: [] })).rejects.toThrow(
      /^ECS_PAAS_QUEUE_URL is not set/,
    );
  });

  it('a missing App setting fails every handler with the variable named', async () => {
    const handlers = lambdaHandlers({ ...process.env, WEBHOOK_SECRET: undefined });
    await expect(handlers.sweep(undefined)).rejects.toThrow(/^WEBHOOK_SECRET is not set/);
    await expect(handlers.worker({ Records: [] })).rejects.toThrow(/^WEBHOOK_SECRET is not set/);
  });

  it('reads the private key and webhook secret from the Secrets Manager ARNs the stack gives', async () => {
    const secrets = new SecretsManagerClient(testAwsConfig(moto.url));
    const secretArn = async (name: string, value: string): Promise<string> =>
      (await secrets.send(new CreateSecretCommand({ Name: name, SecretString: value }))).ARN ?? '';
    const fromArns = {
      ...process.env,
      PRIVATE_KEY: undefined,
      WEBHOOK_SECRET: undefined,
      PRIVATE_KEY_SECRET_ARN: await secretArn('ecs-paas/private-key', APP_PRIVATE_KEY),
      WEBHOOK_SECRET_ARN: await secretArn('ecs-paas/webhook-secret', SECRET),
    };
    secrets.destroy();
    const handlers = lambdaHandlers(fromArns);
    const payload = { zen: 'Design for failure.' };
    // Signed with the secret's value: only a webhook secret read from the ARN verifies it.
    expect((await handlers.webhook(functionUrlEvent({ event: 'ping', payload }))).statusCode).toBe(
      202,
    );
    const forged = signWebhook(JSON.stringify(payload), 'not-the-webhook-secret');
    expect(
      (await handlers.webhook(functionUrlEvent({ event: 'ping', payload, signature: forged })))
        .statusCode,
    ).toBe(401);
    const missing = lambdaHandlers({
      ...fromArns,
      PRIVATE_KEY_SECRET_ARN: fromArns.PRIVATE_KEY_SECRET_ARN.replace(/private-key.*$/, 'gone'),
    });
    await expect(missing.sweep(undefined)).rejects.toThrow(
      /^PRIVATE_KEY_SECRET_ARN is 'arn:aws:secretsmanager:.*', which cannot be read \(ResourceNotFoundException/,
    );
  });
});
