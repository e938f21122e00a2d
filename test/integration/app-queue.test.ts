import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { ECRClient } from '@aws-sdk/client-ecr';
import {
  CreateClusterCommand,
  DescribeTasksCommand,
  ECSClient,
  ListTaskDefinitionsCommand,
  ListTasksCommand,
  type Task,
} from '@aws-sdk/client-ecs';
import {
  CreateHostedZoneCommand,
  ListResourceRecordSetsCommand,
  Route53Client,
} from '@aws-sdk/client-route-53';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { deliver, startApp, type AppProcess } from '../support/app-process.js';
import {
  createDefaultNetwork,
  registerFargateTaskDefinition,
  testAwsConfig,
} from '../support/aws.js';
import { pushEcrImage } from '../support/ecr-image.js';
import { eventually as pollFor } from '../support/eventually.js';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.js';
import { startGitHubApi, type GitHubApi } from '../support/github.js';
import { createGitHubWorld, type GitHubWorld } from '../support/github-world.js';
import { startMoto, type Moto } from '../support/moto.js';

// Durable work (issue 12 §1): with ECS_PAAS_QUEUE_URL the App only verifies, queues and
// acknowledges; any replica works a PR's deliveries in order, and a replica that dies loses none.
const DOMAIN = 'preview.example.com';
const MAX_RECEIVES = 3;

let moto: Moto;
let proxy: FaultProxy;
let api: GitHubApi;
let world: GitHubWorld;
let ecs: ECSClient;
let ecr: ECRClient;
let route53: Route53Client;
let sqs: SQSClient;
let zoneId: string;
let queueUrl: string;
let deadLetterUrl: string;
let replicas: AppProcess[] = [];

const sha = (): string => randomBytes(20).toString('hex');

function replica(env: Record<string, string> = {}): Promise<AppProcess> {
  return startApp({
    githubUrl: api.url,
    awsEndpoint: proxy.url,
    env: {
      ECS_PAAS_POLL_MS: '50',
      ECS_PAAS_QUEUE_URL: queueUrl,
      ECS_PAAS_QUEUE_VISIBILITY: '5s',
      ECS_PAAS_QUEUE_WAIT: '1s',
      ...env,
    },
  }).then((app) => {
    replicas.push(app);
    return app;
  });
}

const output = (): string => replicas.map((r) => r.output().slice(-2000)).join('\n---\n');
const eventually = <T>(what: string, probe: () => Promise<T | undefined> | T | undefined) =>
  pollFor(what, probe, { timeoutMs: 40_000, context: output });

async function running(): Promise<Task[]> {
  const { taskArns = [] } = await ecs.send(
    new ListTasksCommand({ cluster: 'previews', desiredStatus: 'RUNNING' }),
  );
  if (taskArns.length === 0) return [];
  const { tasks = [] } = await ecs.send(
    new DescribeTasksCommand({ cluster: 'previews', tasks: taskArns, include: ['TAGS'] }),
  );
  return tasks.filter((t) => t.desiredStatus === 'RUNNING');
}

const tag = (task: Task, key: string) => task.tags?.find((t) => t.key === key)?.value;

/** The running task per PR, by SHA, once every PR has exactly the one it should. */
async function converged(heads: Record<number, string>): Promise<boolean> {
  const tasks = await running();
  const byPr = new Map<string, string[]>();
  for (const task of tasks) {
    const pr = tag(task, 'ecs-paas:pr') ?? '';
    byPr.set(pr, [...(byPr.get(pr) ?? []), tag(task, 'ecs-paas:sha') ?? '']);
  }
  const comments = Object.keys(heads).every((n) =>
    (world.comments(Number(n)).find((c) => c.includes('ecs-paas:preview')) ?? '').includes(
      'Preview ready',
    ),
  );
  return (
    comments &&
    byPr.size === Object.keys(heads).length &&
    Object.entries(heads).every(([n, head]) => {
      const shas = byPr.get(n) ?? [];
      return shas.length === 1 && shas[0] === head;
    })
  );
}

async function aRecords(): Promise<string[]> {
  const { ResourceRecordSets = [] } = await route53.send(
    new ListResourceRecordSetsCommand({ HostedZoneId: zoneId }),
  );
  return ResourceRecordSets.filter((r) => r.Type === 'A').map((r) => r.Name ?? '');
}

async function previewRevisions(): Promise<number> {
  const { taskDefinitionArns = [] } = await ecs.send(
    new ListTaskDefinitionsCommand({ status: 'ACTIVE' }),
  );
  return taskDefinitionArns.filter((arn) => !arn.endsWith('/web:1')).length;
}

beforeAll(async () => {
  moto = await startMoto({ servicesRunning: 1 });
  proxy = await startFaultProxy(moto.url);
  api = await startGitHubApi();
  const config = testAwsConfig(moto.url);
  ecs = new ECSClient(config);
  ecr = new ECRClient(config);
  route53 = new Route53Client(config);
  sqs = new SQSClient(config);
});

afterAll(async () => {
  for (const client of [ecs, ecr, route53, sqs]) client?.destroy();
  await Promise.allSettled([api?.stop(), proxy?.stop(), moto?.stop()]);
});

beforeEach(async () => {
  await moto.reset();
  proxy.clear();
  api.reset();
  world = createGitHubWorld(api, { owner: 'acme', repo: 'web' });
  await ecs.send(new CreateClusterCommand({ clusterName: 'previews' }));
  const network = await createDefaultNetwork(moto.url);
  await registerFargateTaskDefinition(ecs, 'web');
  const zone = await route53.send(
    new CreateHostedZoneCommand({ Name: DOMAIN, CallerReference: randomBytes(8).toString('hex') }),
  );
  zoneId = zone.HostedZone?.Id?.split('/').pop() ?? '';
  const dead = await sqs.send(
    new CreateQueueCommand({
      QueueName: 'ecs-paas-dead.fifo',
      Attributes: { FifoQueue: 'true' },
    }),
  );
  deadLetterUrl = dead.QueueUrl ?? '';
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: deadLetterUrl, AttributeNames: ['QueueArn'] }),
  );
  const work = await sqs.send(
    new CreateQueueCommand({
      QueueName: 'ecs-paas-work.fifo',
      Attributes: {
        FifoQueue: 'true',
        RedrivePolicy: JSON.stringify({
          deadLetterTargetArn: Attributes?.QueueArn,
          maxReceiveCount: MAX_RECEIVES,
        }),
      },
    }),
  );
  queueUrl = work.QueueUrl ?? '';
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
});

afterEach(async () => {
  await Promise.allSettled(replicas.map((r) => r.stop()));
  replicas = [];
  api.assertNoViolations();
});

async function pull(number: number): Promise<string> {
  const head = sha();
  world.addPull({ number, sha: head });
  await pushEcrImage(ecr, 'web', head);
  return head;
}

describe('durable work on an SQS FIFO queue', () => {
  it('acknowledges a delivery once SQS holds it, and two replicas converge on one preview per PR under interleaved events', async () => {
    const [a, b] = await Promise.all([replica(), replica()]);
    if (!a || !b) throw new Error('no replicas');
    const first = await pull(1);
    const other = await pull(2);
    expect((await deliver(a, 'pull_request', world.pullRequestEvent('opened', 1))).status).toBe(
      202,
    );
    await deliver(b, 'pull_request', world.pullRequestEvent('opened', 2));
    const second = sha();
    await pushEcrImage(ecr, 'web', second);
    world.updatePull(1, { sha: second });
    await deliver(b, 'pull_request', world.pullRequestEvent('synchronize', 1));
    await deliver(
      a,
      'pull_request',
      world.pullRequestEvent('labeled', 2, { label: { name: 'x' } }),
    );
    await eventually('one preview per PR at its head', async () =>
      (await converged({ 1: second, 2: other })) ? true : undefined,
    );
    expect(first).not.toBe(second);
    expect((await aRecords()).sort()).toEqual([`pr-1-web.${DOMAIN}.`, `pr-2-web.${DOMAIN}.`]);
  });

  it('a replica killed right after acknowledging opened loses nothing: the other brings the preview up, nothing orphaned', async () => {
    const [doomed, survivor] = await Promise.all([replica(), replica()]);
    if (!doomed || !survivor) throw new Error('no replicas');
    const head = await pull(3);
    const answer = await deliver(doomed, 'pull_request', world.pullRequestEvent('opened', 3));
    doomed.kill();
    expect(answer.status).toBe(202);
    await doomed.exited;
    await eventually('the preview, from the surviving replica', async () =>
      (await converged({ 3: head })) ? true : undefined,
    );
    expect(await aRecords()).toEqual([`pr-3-web.${DOMAIN}.`]);
    expect(await previewRevisions()).toBe(1);
  });

  it('the same delivery sent five times, to either replica, is one piece of work', async () => {
    const [a, b] = await Promise.all([replica(), replica()]);
    if (!a || !b) throw new Error('no replicas');
    const head = await pull(4);
    const event = world.pullRequestEvent('opened', 4);
    const deliveryId = randomBytes(16).toString('hex');
    for (const target of [a, b, a, b, b]) {
      expect((await deliver(target, 'pull_request', event, { deliveryId })).status).toBeLessThan(
        300,
      );
    }
    await eventually('the preview', async () =>
      (await converged({ 4: head })) ? true : undefined,
    );
    // Each piece of work reads the config once: one read, one piece of work.
    const reads = () =>
      world.requests().filter((r) => r.startsWith('GET /repos/acme/web/contents/.github')).length;
    // The message goes once its work is done, a moment after the comment.
    await eventually('an empty queue', async () => {
      const { Attributes = {} } = await sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: queueUrl,
          AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
        }),
      );
      return Attributes.ApproximateNumberOfMessages === '0' &&
        Attributes.ApproximateNumberOfMessagesNotVisible === '0'
        ? true
        : undefined;
    });
    expect(reads()).toBe(1);
  });

  it(`a delivery that fails ${MAX_RECEIVES} times lands in the dead-letter queue and its PR says the preview could not be brought up`, async () => {
    await replica();
    const [a] = replicas;
    if (!a) throw new Error('no replica');
    await pull(5);
    // GitHub refuses the PR read every time (403: not retried by Octokit, so attempts are quick).
    world.failNext('GET /repos/{owner}/{repo}/pulls/{pull_number}', 403, 100);
    await deliver(a, 'pull_request', world.pullRequestEvent('opened', 5));
    const comment = await eventually('the give-up comment', () =>
      world.comments(5).find((c) => c.includes('could not be brought up')),
    );
    expect(comment).toContain(`tried ${MAX_RECEIVES} times`);
    expect(comment).not.toMatch(/arn:aws|\d{12}/);
    const dead = await eventually('the message in the dead-letter queue', async () => {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: deadLetterUrl, WaitTimeSeconds: 1 }),
      );
      return Messages[0];
    });
    expect(JSON.parse(dead.Body ?? '{}')).toMatchObject({ name: 'pull_request' });
    expect(await running()).toEqual([]);
  });

  it('SIGTERM mid-launch loses no work: the launch finishes or goes back to the queue', async () => {
    const [first] = await Promise.all([replica()]);
    if (!first) throw new Error('no replica');
    const head = await pull(6);
    // The launch is held at RunTask long enough for the stop to land in the middle of it.
    proxy.inject('ECS.RunTask', { kind: 'latency', ms: 3_000 }, 1);
    await deliver(first, 'pull_request', world.pullRequestEvent('opened', 6));
    await eventually('RunTask asked for', () =>
      (proxy.counts()['ECS.RunTask'] ?? 0) > 0 ? true : undefined,
    );
    const second = await replica();
    await first.stop();
    expect((await first.exited).code).toBe(0);
    await eventually('the preview', async () =>
      (await converged({ 6: head })) ? true : undefined,
    );
    expect(await previewRevisions()).toBe(1);
    void second;
  });

  it('/readyz names the queue when it cannot be reached', async () => {
    const app = await replica({
      ECS_PAAS_QUEUE_URL: queueUrl.replace('ecs-paas-work.fifo', 'nobody-made-this.fifo'),
    });
    const response = await fetch(`${app.url}/readyz`);
    expect(response.status).toBe(503);
    const report = (await response.json()) as { checks: Record<string, string> };
    expect(report.checks.queue).not.toBe('ok');
    expect(report.checks.github).toBe('ok');
  });
});
