import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { ECRClient } from '@aws-sdk/client-ecr';
import {
  CreateClusterCommand,
  DescribeTasksCommand,
  ECSClient,
  ListTasksCommand,
  StopTaskCommand,
  type Task,
} from '@aws-sdk/client-ecs';
import { CreateHostedZoneCommand, Route53Client } from '@aws-sdk/client-route-53';
import { CreateQueueCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { COMMENT_MARKER } from '../../src/core/github/living-comment.js';
import { deliver, settled, startApp, type AppProcess } from '../support/app-process.js';
import {
  createDefaultNetwork,
  registerFargateTaskDefinition,
  testAwsConfig,
} from '../support/aws.js';
import { pushEcrImage } from '../support/ecr-image.js';
import { eventually as pollFor } from '../support/eventually.js';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.js';
import { runningTasks, tagOf } from '../support/fleet-state.js';
import { startGitHubApi, type GitHubApi } from '../support/github.js';
import { createGitHubWorld, type GitHubWorld } from '../support/github-world.js';
import { startMoto, type Moto } from '../support/moto.js';
import { freePort } from '../support/ports.js';

// Preview health (issue 14 §3): ready means answering, and a preview task that stops behind the
// App's back is reported on its PR and relaunched, three times per head SHA at most.
const DOMAIN = 'preview.example.com';
const TOKEN = randomBytes(24).toString('hex');
const CRASH = 'Essential container in task exited';

let moto: Moto;
let proxy: FaultProxy;
let api: GitHubApi;
let world: GitHubWorld;
let ecs: ECSClient;
let ecr: ECRClient;
let route53: Route53Client;
let sqs: SQSClient;
let network: Awaited<ReturnType<typeof createDefaultNetwork>>;
let zoneId: string;
/** The App as an operator without the queue runs it: the sweep notices crashes. */
let app: AppProcess;
let apps: AppProcess[] = [];

const sha = (): string => randomBytes(20).toString('hex');
const output = (): string => apps.map((a) => a.output().slice(-2500)).join('\n---\n');
const eventually = <T>(what: string, probe: () => Promise<T | undefined> | T | undefined) =>
  pollFor(what, probe, { timeoutMs: 60_000, context: output });

function config(lines: readonly string[] = [], routing = ''): string {
  return [
    'preview:',
    '  cluster: previews',
    '  task-definition: web',
    '  ecr-repository: web',
    `  subnets: [${network.subnetIds[0] ?? ''}]`,
    `  security-groups: [${network.securityGroupId}]`,
    `  routing: { mode: dns, hosted-zone-id: ${zoneId}, domain: ${DOMAIN}${routing} }`,
    ...lines,
    '',
  ].join('\n');
}

beforeAll(async () => {
  moto = await startMoto({ servicesRunning: 1 });
  proxy = await startFaultProxy(moto.url);
  api = await startGitHubApi();
  const aws = testAwsConfig(moto.url);
  ecs = new ECSClient(aws);
  ecr = new ECRClient(aws);
  route53 = new Route53Client(aws);
  sqs = new SQSClient(aws);
  app = await startApp({
    githubUrl: api.url,
    awsEndpoint: proxy.url,
    env: { ECS_PAAS_POLL_MS: '50', ECS_PAAS_API_TOKEN: TOKEN, ECS_PAAS_SWEEP_INTERVAL: 'never' },
  });
  apps = [app];
}, 120_000);

afterAll(async () => {
  for (const client of [ecs, ecr, route53, sqs]) client?.destroy();
  await Promise.allSettled(apps.map((a) => a.stop()));
  await Promise.allSettled([api?.stop(), proxy?.stop(), moto?.stop()]);
});

beforeEach(async () => {
  await moto.reset();
  proxy.clear();
  api.reset();
  // Private: the last log lines of a crash are posted only there, as `/logs` would.
  world = createGitHubWorld(api, { owner: 'acme', repo: 'web', private: true });
  await ecs.send(new CreateClusterCommand({ clusterName: 'previews' }));
  network = await createDefaultNetwork(moto.url);
  await registerFargateTaskDefinition(ecs, 'web');
  const zone = await route53.send(
    new CreateHostedZoneCommand({ Name: DOMAIN, CallerReference: randomBytes(8).toString('hex') }),
  );
  zoneId = zone.HostedZone?.Id?.split('/').pop() ?? '';
  world.setFile('.github/ecs-paas.yml', config());
});

afterEach(async () => {
  await Promise.all(apps.map((a) => settled(a)));
  api.assertNoViolations();
});

const living = (n: number): string =>
  world
    .commentObjects(n)
    .find((c) => c.user?.login === world.botLogin && c.body?.includes(COMMENT_MARKER))?.body ?? '';

/** Every status the PR's preview Deployments went through, as `state: description`. */
const deploymentStates = (n: number): string[] =>
  world.deployments
    .filter((d) => d.environment === `preview/pr-${n}`)
    .flatMap((d) => d.statuses.map((s) => `${s.state}: ${s.description ?? ''}`));

/** Opens PR `number` with its image in ECR on `target`; resolves with the head SHA. */
async function open(number: number, target: AppProcess): Promise<string> {
  const head = sha();
  world.addPull({ number, sha: head });
  await pushEcrImage(ecr, 'web', head);
  await deliver(target, 'pull_request', world.pullRequestEvent('opened', number));
  return head;
}

/** Every task of the cluster that ever ran for `head`, stopped ones included. */
async function tasksOf(head: string): Promise<Task[]> {
  const arns: string[] = [];
  for (const desiredStatus of ['RUNNING', 'STOPPED'] as const) {
    const { taskArns = [] } = await ecs.send(
      new ListTasksCommand({ cluster: 'previews', desiredStatus }),
    );
    arns.push(...taskArns);
  }
  if (arns.length === 0) return [];
  const { tasks = [] } = await ecs.send(
    new DescribeTasksCommand({ cluster: 'previews', tasks: arns, include: ['TAGS'] }),
  );
  return tasks.filter((t) => tagOf(t, 'ecs-paas:sha') === head);
}

async function serving(head: string, relaunches?: string): Promise<Task | undefined> {
  const task = (await runningTasks(ecs)).find((t) => tagOf(t, 'ecs-paas:sha') === head);
  if (!task || tagOf(task, 'ecs-paas:relaunches') !== relaunches) return undefined;
  return tagOf(task, 'ecs-paas:health') === 'ready' && living(1).includes('Preview ready')
    ? task
    : undefined;
}

/**
 * The task dies as a crashing app's would: ECS stops it with its own reason, and (moto records
 * exit code 0 for every container) DescribeTasks shows the container's exit code 137 as ECS does
 * after an OOM kill.
 */
async function crash(task: Task): Promise<void> {
  await ecs.send(new StopTaskCommand({ cluster: 'previews', task: task.taskArn, reason: CRASH }));
}

function stoppedContainersExit137(): void {
  proxy.intercept('ECS.DescribeTasks', (_request, response) => {
    const body = JSON.parse(response.body) as { tasks?: Task[] };
    let changed = false;
    for (const task of body.tasks ?? []) {
      if (task.lastStatus !== 'STOPPED') continue;
      for (const container of task.containers ?? []) {
        container.exitCode = 137;
        container.reason = 'OutOfMemoryError: Container killed due to memory usage';
        changed = true;
      }
    }
    return changed ? { ...response, body: JSON.stringify(body) } : undefined;
  });
}

async function sweep(): Promise<{ crashed?: number }> {
  const response = await fetch(`${app.url}/api/sweep?wait=1`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}` },
    signal: AbortSignal.timeout(60_000),
  });
  expect(response.status).toBe(200);
  return (await response.json()) as { crashed?: number };
}

describe('a preview task stopped behind the App back, without the queue', () => {
  it('is reported by the sweep and relaunched three times, then the App gives up', async () => {
    stoppedContainersExit137();
    const head = await open(1, app);
    let task = await eventually('the first preview', () => serving(head));

    for (const attempt of ['1', '2', '3']) {
      await crash(task);
      const report = await sweep();
      expect(report.crashed).toBe(1);
      task = await eventually(`relaunch ${attempt}`, () => serving(head, attempt));
    }
    const deployments = deploymentStates(1);
    expect(deployments.filter((d) => d === `failure: Crashed: ${CRASH}`)).toHaveLength(3);

    await crash(task);
    expect((await sweep()).crashed).toBe(1);
    const body = living(1);
    expect(body).toContain('Preview crashed');
    expect(body).toContain(CRASH);
    expect(body).toContain('exit code 137 (OutOfMemoryError');
    expect(body).toContain('Gave up after 3 relaunches');
    // The last lines under the /logs rules: this private repository gets the block (nothing logged here).
    expect(body).toContain('ecs-paas:logs');
    expect(deploymentStates(1).at(-1)).toBe(`failure: Crashed: ${CRASH}`);
    // No fourth relaunch: the first task and three relaunches, all stopped; a second sweep agrees.
    expect((await sweep()).crashed).toBe(0);
    expect(await runningTasks(ecs)).toHaveLength(0);
    expect(await tasksOf(head)).toHaveLength(4);

    // A push is a new head: its preview starts again from no relaunches.
    const next = sha();
    world.updatePull(1, { sha: next });
    await pushEcrImage(ecr, 'web', next);
    await deliver(app, 'pull_request', world.pullRequestEvent('synchronize', 1));
    task = await eventually('the pushed head', () => serving(next));
    await crash(task);
    await sweep();
    await eventually('a relaunch of the new head', () => serving(next, '1'));
  }, 240_000);

  it('leaves alone a preview ecs-paas stopped itself', async () => {
    const head = await open(1, app);
    const task = await eventually('the preview', () => serving(head));
    await ecs.send(
      new StopTaskCommand({ cluster: 'previews', task: task.taskArn, reason: 'ecs-paas: idle' }),
    );
    expect((await sweep()).crashed).toBe(0);
    expect(living(1)).toContain('Preview ready');
  }, 120_000);
});

describe('a dns preview that must answer before it is ready', () => {
  let server: Server;
  let status = 503;
  let port: number;

  beforeAll(async () => {
    port = await freePort();
    server = createServer((_request, response) => {
      response.writeHead(status).end();
    });
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  beforeEach(async () => {
    status = 503;
    // The preview's own code, without a container health check: the App probes it over HTTP.
    await registerFargateTaskDefinition(ecs, 'plain', [
      {
        name: 'web',
        image: 'public.ecr.aws/nginx/nginx:latest',
        portMappings: [{ containerPort: port }],
        healthCheck: undefined,
      },
    ]);
    world.setFile(
      '.github/ecs-paas.yml',
      config(
        ['  task-definition: plain'],
        `, port: ${port}, health-check-path: /healthz, ready-timeout: 10s`,
      ).replace('  task-definition: web\n', ''),
    );
    // moto's tasks get addresses nobody answers on: this one gets the test server's, as its ENI.
    proxy.intercept('ECS.DescribeTasks', (_request, response) =>
      response.body.includes('privateIPv4Address')
        ? {
            ...response,
            body: response.body.replace(
              /("name":\s*"privateIPv4Address",\s*"value":\s*")[\d.]+"/g,
              '$1127.0.0.1"',
            ),
          }
        : undefined,
    );
  });

  const task = async (): Promise<Task | undefined> => (await runningTasks(ecs))[0];

  it('stays starting while it answers 503, and is ready once it answers', async () => {
    await open(1, app);
    await eventually('a starting comment', () =>
      living(1).includes('Preview starting') ? true : undefined,
    );
    expect(living(1)).toContain('`/healthz` on port');
    expect(tagOf(await task(), 'ecs-paas:health')).toBe('starting');
    expect(deploymentStates(1).at(-1)).toMatch(/^in_progress/);
    status = 404;
    await eventually('ready', () => (living(1).includes('Preview ready') ? true : undefined));
    expect(tagOf(await task(), 'ecs-paas:health')).toBe('ready');
    expect(deploymentStates(1).at(-1)).toMatch(/^success/);
  }, 120_000);

  it('turns unhealthy when it never answers within ready-timeout', async () => {
    await open(1, app);
    await eventually('a starting comment', () =>
      living(1).includes('Preview starting') ? true : undefined,
    );
    await eventually('unhealthy', () =>
      living(1).includes('Preview unhealthy') ? true : undefined,
    );
    expect(living(1)).toContain('GET /healthz on port');
    expect(living(1)).toContain('answered 503');
    expect(living(1)).not.toContain('127.0.0.1');
    expect(tagOf(await task(), 'ecs-paas:health')).toBe('unhealthy');
    expect(deploymentStates(1).at(-1)).toMatch(/^failure: Unhealthy: it did not answer within 10s/);
  }, 120_000);
});

describe('a preview task stopped behind the App back, with the queue', () => {
  let queued: AppProcess;
  let queueUrl: string;

  beforeEach(async () => {
    const work = await sqs.send(
      new CreateQueueCommand({
        QueueName: 'ecs-paas-work.fifo',
        Attributes: { FifoQueue: 'true', ContentBasedDeduplication: 'true' },
      }),
    );
    queueUrl = work.QueueUrl ?? '';
    queued = await startApp({
      githubUrl: api.url,
      awsEndpoint: proxy.url,
      env: {
        ECS_PAAS_POLL_MS: '50',
        ECS_PAAS_QUEUE_URL: queueUrl,
        ECS_PAAS_QUEUE_VISIBILITY: '5s',
        ECS_PAAS_QUEUE_WAIT: '1s',
        ECS_PAAS_SWEEP_INTERVAL: 'never',
      },
    });
    apps.push(queued);
  }, 90_000);

  afterEach(async () => {
    await queued?.stop();
    apps = apps.filter((a) => a !== queued);
  });

  /** What the stack's EventBridge rule puts on the queue when ECS stops the task. */
  async function taskStateChange(task: Task, detail: Record<string, unknown> = {}): Promise<void> {
    const event = {
      version: '0',
      id: randomBytes(16).toString('hex'),
      'detail-type': 'ECS Task State Change',
      source: 'aws.ecs',
      account: '123456789012',
      time: new Date().toISOString(),
      region: 'us-east-1',
      resources: [task.taskArn],
      detail: {
        clusterArn: task.clusterArn,
        taskArn: task.taskArn,
        lastStatus: 'STOPPED',
        desiredStatus: 'STOPPED',
        startedBy: 'ecs-paas',
        group: task.group,
        stopCode: 'EssentialContainerExited',
        stoppedReason: CRASH,
        containers: [{ name: 'web', exitCode: 1, lastStatus: 'STOPPED' }],
        ...detail,
      },
    };
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: JSON.stringify(event),
        MessageGroupId: 'ecs-task-state',
      }),
    );
  }

  it('is reported from the EventBridge event and relaunched three times, then the App gives up', async () => {
    const head = await open(1, queued);
    let task = await eventually('the first preview', () => serving(head));
    for (const attempt of ['1', '2', '3']) {
      await crash(task);
      await taskStateChange(task);
      task = await eventually(`relaunch ${attempt}`, () => serving(head, attempt));
    }
    await crash(task);
    // The message names another PR: whose task it was comes from the task's tags, not the message.
    await taskStateChange(task, { overrides: { repo: 'acme/other', pr: 7 } });
    await eventually('gave up', () =>
      living(1).includes('Gave up after 3 relaunches') ? true : undefined,
    );
    expect(living(1)).toContain(CRASH);
    // The comment is written first, then the Deployment: wait for the fourth failure too.
    await eventually('four failed Deployments', () =>
      deploymentStates(1).filter((d) => d === `failure: Crashed: ${CRASH}`).length === 4
        ? true
        : undefined,
    );
    expect(world.comments(7)).toHaveLength(0);
    expect(await runningTasks(ecs)).toHaveLength(0);
    expect(await tasksOf(head)).toHaveLength(4);
  }, 240_000);
});
