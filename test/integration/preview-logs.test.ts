import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  PutLogEventsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import {
  CreateClusterCommand,
  ECSClient,
  RunTaskCommand,
  type ContainerDefinition,
  type Task,
} from '@aws-sdk/client-ecs';
import { createAwsClients, type AwsClients } from '../../src/core/aws/clients.js';
import {
  listLogStreams,
  readPreviewLogs,
  type ContainerLogs,
} from '../../src/core/preview/preview-logs.js';
import {
  createDefaultNetwork,
  registerFargateTaskDefinition,
  testAwsConfig,
} from '../support/aws.js';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.js';
import { startMoto, type Moto } from '../support/moto.js';

let moto: Moto;
let proxy: FaultProxy;
let aws: AwsClients;
let ecs: ECSClient;
let logs: CloudWatchLogsClient;
let task: Task;
let taskId: string;

const CLUSTER = 'previews';
const GROUP = '/ecs/preview-web';
const API_TOKEN = 'tok_live_9f8e7d6c5b4a';
const DB_PASSWORD = 'db-pass-31337';
const OVERRIDE_SECRET = 'pr-override-secret-42';

const awslogs = (region = 'us-east-1'): ContainerDefinition['logConfiguration'] => ({
  logDriver: 'awslogs',
  options: { 'awslogs-group': GROUP, 'awslogs-region': region, 'awslogs-stream-prefix': 'pr-7' },
});

const CONTAINERS: ContainerDefinition[] = [
  {
    name: 'web',
    image: 'nginx',
    portMappings: [{ containerPort: 80 }],
    environment: [
      { name: 'NODE_ENV', value: 'production' },
      { name: 'API_TOKEN', value: API_TOKEN },
      { name: 'DATABASE_URL', value: `postgres://app:${DB_PASSWORD}@db:5432/app` },
    ],
    logConfiguration: awslogs(),
  },
  { name: 'worker', image: 'busybox', essential: false, logConfiguration: awslogs() },
  { name: 'sidecar', image: 'envoy', essential: false },
  { name: 'elsewhere', image: 'busybox', essential: false, logConfiguration: awslogs('eu-west-1') },
];

beforeAll(async () => {
  moto = await startMoto();
  proxy = await startFaultProxy(moto.url);
  // Through the proxy, so a test can break one stream's reads; few retries keep failures quick.
  aws = createAwsClients('us-east-1', {
    endpoint: proxy.url,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    maxAttempts: 2,
    retryMode: 'standard',
  });
  ecs = new ECSClient(testAwsConfig(moto.url));
  logs = new CloudWatchLogsClient(testAwsConfig(moto.url));
});

afterAll(async () => {
  aws?.ecs.destroy();
  (await aws?.logs())?.destroy();
  ecs?.destroy();
  logs?.destroy();
  await Promise.allSettled([proxy?.stop(), moto?.stop()]);
});

beforeEach(async () => {
  await moto.reset();
  proxy.clear();
  await ecs.send(new CreateClusterCommand({ clusterName: CLUSTER }));
  const network = await createDefaultNetwork(moto.url);
  const definition = await registerFargateTaskDefinition(ecs, 'preview-web', CONTAINERS);
  const { tasks } = await ecs.send(
    new RunTaskCommand({
      cluster: CLUSTER,
      taskDefinition: definition.taskDefinitionArn,
      launchType: 'FARGATE',
      networkConfiguration: {
        awsvpcConfiguration: {
          subnets: network.subnetIds.slice(0, 1),
          securityGroups: [network.securityGroupId],
        },
      },
      overrides: {
        containerOverrides: [
          { name: 'web', environment: [{ name: 'PR_SECRET', value: OVERRIDE_SECRET }] },
        ],
      },
    }),
  );
  const started = tasks?.[0];
  if (!started?.taskArn) throw new Error('RunTask started no task');
  task = started;
  taskId = started.taskArn.split('/').pop() ?? '';
  await logs.send(new CreateLogGroupCommand({ logGroupName: GROUP }));
});

async function writeLines(container: string, messages: string[]): Promise<string> {
  const stream = `pr-7/${container}/${taskId}`;
  await logs.send(new CreateLogStreamCommand({ logGroupName: GROUP, logStreamName: stream }));
  const start = Date.now() - messages.length;
  await logs.send(
    new PutLogEventsCommand({
      logGroupName: GROUP,
      logStreamName: stream,
      logEvents: messages.map((message, i) => ({ message, timestamp: start + i })),
    }),
  );
  return stream;
}

const byName = (all: ContainerLogs[], name: string): ContainerLogs | undefined =>
  all.find((entry) => entry.container === name);

const numbered = (count: number): string[] =>
  Array.from({ length: count }, (_, i) => `request ${i + 1} served`);

describe('readPreviewLogs', () => {
  it('returns the last n lines of each container, oldest first, with secrets masked', async () => {
    const stream = await writeLines('web', [
      ...numbered(120),
      `calling the API with ${API_TOKEN}`,
      `connected to postgres://app:${DB_PASSWORD}@db:5432/app`,
      `retrying after ${DB_PASSWORD} was rejected`,
      `the PR secret is ${OVERRIDE_SECRET}`,
      'NODE_ENV is production',
    ]);

    const result = await readPreviewLogs(aws, CLUSTER, task, 100);

    expect(result.map((entry) => entry.container)).toEqual([
      'web',
      'worker',
      'sidecar',
      'elsewhere',
    ]);
    const web = byName(result, 'web');
    expect(web?.source).toBe(`${GROUP} › ${stream}`);
    expect(web?.lines).toHaveLength(100);
    expect(web?.lines.slice(0, 95)).toEqual(numbered(120).slice(-95));
    expect(web?.lines.slice(95)).toEqual([
      'calling the API with ***',
      // DATABASE_URL carries a password, so the whole URL is a secret, and so is the password.
      'connected to ***',
      'retrying after *** was rejected',
      'the PR secret is ***',
      'NODE_ENV is production',
    ]);
    const text = JSON.stringify(result);
    for (const secret of [API_TOKEN, DB_PASSWORD, OVERRIDE_SECRET]) {
      expect(text).not.toContain(secret);
    }
  });

  it('says why a container has no lines, and still reads the others', async () => {
    await writeLines('web', ['ready']);

    const result = await readPreviewLogs(aws, CLUSTER, task, 50);

    expect(byName(result, 'web')?.lines).toEqual(['ready']);
    expect(byName(result, 'worker')).toMatchObject({
      lines: [],
      source: `${GROUP} › pr-7/worker/${taskId}`,
      note: expect.stringContaining('log stream not found') as unknown,
    });
    expect(byName(result, 'sidecar')).toEqual({
      container: 'sidecar',
      lines: [],
      note: 'no awslogs log configuration',
    });
    expect(byName(result, 'elsewhere')?.note).toBe(
      'the logs are in eu-west-1, and the App reads us-east-1',
    );
  });

  it('keeps the other containers when one read fails', async () => {
    await writeLines('web', ['web is fine']);
    await writeLines('worker', ['never seen']);
    proxy.intercept('CloudWatchLogs.GetLogEvents', (request, response) =>
      request.body.includes('/worker/')
        ? {
            status: 400,
            headers: {
              ...response.headers,
              'x-amzn-errortype': 'AccessDeniedException',
            },
            body: JSON.stringify({
              __type: 'AccessDeniedException',
              message: 'not allowed to read this stream',
            }),
          }
        : undefined,
    );

    const result = await readPreviewLogs(aws, CLUSTER, task, 50);

    expect(byName(result, 'web')?.lines).toEqual(['web is fine']);
    expect(byName(result, 'worker')?.lines).toEqual([]);
    expect(byName(result, 'worker')?.note).toMatch(
      /^read failed: AccessDeniedException: not allowed to read this stream/,
    );
  });

  it('returns what there is when a stream is shorter than asked', async () => {
    await writeLines('web', numbered(7));
    expect(byName(await readPreviewLogs(aws, CLUSTER, task, 50), 'web')?.lines).toEqual(
      numbered(7),
    );
  });

  it('follows older pages when the service returns fewer lines than asked', async () => {
    await writeLines('web', numbered(300));
    // Real CloudWatch Logs may answer with a short page; cut moto's first page down to its newest
    // 40 events and hand back the backward token that leads to the ones before them.
    proxy.intercept(
      'CloudWatchLogs.GetLogEvents',
      (request, response) => {
        const asked = JSON.parse(request.body) as { logStreamName: string; nextToken?: string };
        if (!asked.logStreamName.startsWith('pr-7/web/') || asked.nextToken) return undefined;
        const page = JSON.parse(response.body) as { events: unknown[]; nextBackwardToken: string };
        const first = Number(page.nextBackwardToken.slice(2)) + page.events.length - 40;
        return {
          ...response,
          body: JSON.stringify({
            ...page,
            events: page.events.slice(-40),
            nextBackwardToken: `b/${String(first).padStart(56, '0')}`,
          }),
        };
      },
      1,
    );
    const webReads: string[] = [];
    proxy.intercept('CloudWatchLogs.GetLogEvents', (request) => {
      if (request.body.includes('pr-7/web/')) webReads.push(request.body);
      return undefined;
    });

    const web = byName(await readPreviewLogs(aws, CLUSTER, task, 100), 'web');

    expect(web?.lines).toEqual(numbered(300).slice(-100));
    expect(webReads).toHaveLength(2);
  });

  it('reads at most 500 lines, however many are asked for', async () => {
    await writeLines('web', numbered(600));
    const web = byName(await readPreviewLogs(aws, CLUSTER, task, 10_000), 'web');
    expect(web?.lines).toEqual(numbered(600).slice(-500));
  });
});

describe('listLogStreams', () => {
  it('names each container’s group, stream and region without reading a line', async () => {
    await writeLines('web', [`calling the API with ${API_TOKEN}`]);
    proxy.resetCounts();

    const streams = await listLogStreams(aws, CLUSTER, task);

    expect(streams).toEqual([
      {
        container: 'web',
        location: { group: GROUP, stream: `pr-7/web/${taskId}`, region: 'us-east-1' },
      },
      {
        container: 'worker',
        location: { group: GROUP, stream: `pr-7/worker/${taskId}`, region: 'us-east-1' },
      },
      { container: 'sidecar', note: 'no awslogs log configuration' },
      {
        container: 'elsewhere',
        location: { group: GROUP, stream: `pr-7/elsewhere/${taskId}`, region: 'eu-west-1' },
      },
    ]);
    expect(proxy.counts()['CloudWatchLogs.GetLogEvents']).toBeUndefined();
    expect(JSON.stringify(streams)).not.toContain(API_TOKEN);
  });
});
