import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import {
  CreateClusterCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSClient,
  ListTasksCommand,
  PutClusterCapacityProvidersCommand,
  RegisterContainerInstanceCommand,
  RegisterTaskDefinitionCommand,
  type ContainerDefinition,
  type TaskDefinition,
} from '@aws-sdk/client-ecs';
import { DescribeImagesCommand, EC2Client, RunInstancesCommand } from '@aws-sdk/client-ec2';
import { CreateHostedZoneCommand, Route53Client } from '@aws-sdk/client-route-53';
import { createAwsClients, type AwsClients } from '../../src/core/aws/clients.js';
import { silentLogger } from '../../src/core/logger.js';
import { createDnsRouter } from '../../src/core/preview/dns-router.js';
import { launchPreview } from '../../src/core/preview/launch-preview.js';
import type {
  PreviewDeps,
  PreviewResult,
  PreviewSettings,
  PullRequestRef,
} from '../../src/core/preview/preview-types.js';
import { createDefaultNetwork, testAwsConfig } from '../support/aws.js';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.js';
import { startMoto, type Moto } from '../support/moto.js';

// What a preview runs as, against moto's real RegisterTaskDefinition, DescribeTaskDefinition and
// RunTask: the base definition is production's, with production's role, secrets and environment.
let moto: Moto;
let proxy: FaultProxy;
let aws: AwsClients;
let route53: Route53Client;
let ecs: ECSClient;
let settings: PreviewSettings;
let deps: PreviewDeps;

const ACCOUNT = '123456789012';
const role = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;
const PROD_TASK_ROLE = role('prod-web-task');
const PROD_EXECUTION_ROLE = role('prod-web-execution');
const PROD_DB = `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:prod/db-AbCdEf`;
const PROD_AGENT_KEY = `arn:aws:ssm:us-east-1:${ACCOUNT}:parameter/prod/agent-key`;
const PREVIEW_DB = `arn:aws:ssm:us-east-1:${ACCOUNT}:parameter/preview/db`;
const IMAGE = `${ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/web@sha256:${'c'.repeat(64)}`;

const BASE_CONTAINERS: ContainerDefinition[] = [
  {
    name: 'web',
    image: 'nginx',
    portMappings: [{ containerPort: 80 }],
    environment: [
      { name: 'NODE_ENV', value: 'production' },
      { name: 'STRIPE_KEY', value: 'sk_live_in_plain_sight' },
    ],
    environmentFiles: [{ type: 's3', value: 'arn:aws:s3:::prod-config/web.env' }],
    secrets: [{ name: 'DATABASE_URL', valueFrom: PROD_DB }],
  },
  {
    name: 'agent',
    image: 'public.ecr.aws/datadog/agent:7',
    essential: false,
    environment: [{ name: 'DD_ENV', value: 'production' }],
    secrets: [{ name: 'DD_API_KEY', valueFrom: PROD_AGENT_KEY }],
  },
];

beforeAll(async () => {
  moto = await startMoto();
  proxy = await startFaultProxy(moto.url);
  const config = testAwsConfig(proxy.url);
  aws = createAwsClients('us-east-1', {
    endpoint: config.endpoint,
    credentials: config.credentials,
  });
  route53 = new Route53Client(config);
  ecs = new ECSClient(testAwsConfig(moto.url));
});

afterAll(async () => {
  aws?.ecs.destroy();
  route53?.destroy();
  ecs?.destroy();
  await Promise.allSettled([proxy?.stop(), moto?.stop()]);
});

beforeEach(async () => {
  await moto.reset();
  proxy.clear();
  await ecs.send(new CreateClusterCommand({ clusterName: 'previews' }));
  const network = await createDefaultNetwork(moto.url);
  await registerProductionBase();
  const zone = await route53.send(
    new CreateHostedZoneCommand({
      Name: 'preview.example.com',
      CallerReference: randomBytes(8).toString('hex'),
    }),
  );
  settings = {
    cluster: 'previews',
    taskDefinition: 'web',
    container: 'web',
    launchType: 'FARGATE',
    subnets: network.subnetIds.slice(0, 1),
    securityGroups: [network.securityGroupId],
    assignPublicIp: false,
    routing: {
      mode: 'dns',
      domain: 'preview.example.com',
      hostedZoneId: zone.HostedZone?.Id?.split('/').pop() ?? '',
      port: 80,
      subdomain: 'pr-{number}-{repo}',
    },
    env: { NODE_ENV: 'preview' },
    maxPreviews: 10,
    forks: 'require-approval',
  };
  deps = {
    aws,
    router: createDnsRouter(route53, settings.routing as never),
    log: silentLogger,
    pollMs: 50,
    startTimeoutMs: 20_000,
  };
});

/** Production's definition: a task role, an execution role, secrets and plain values in both containers. */
async function registerProductionBase(): Promise<void> {
  await ecs.send(
    new RegisterTaskDefinitionCommand({
      family: 'web',
      networkMode: 'awsvpc',
      requiresCompatibilities: ['FARGATE'],
      cpu: '256',
      memory: '512',
      taskRoleArn: PROD_TASK_ROLE,
      executionRoleArn: PROD_EXECUTION_ROLE,
      // moto rejects RunTask unless every container names its own memory.
      containerDefinitions: BASE_CONTAINERS.map((c) => ({ essential: true, memory: 256, ...c })),
    }),
  );
}

const pr = (overrides: Partial<PullRequestRef> = {}): PullRequestRef => ({
  repo: 'acme/web',
  number: 7,
  sha: randomBytes(20).toString('hex'),
  branch: 'feature/login',
  author: 'octocat',
  fork: false,
  ...overrides,
});

async function launch(
  changes: Partial<PreviewSettings> = {},
  ref = pr(),
  approved = false,
): Promise<{ result: PreviewResult; revision: TaskDefinition }> {
  const result = await launchPreview(
    deps,
    { ...settings, ...changes },
    { pr: ref, image: IMAGE, launchedBy: ref.author, approved },
  );
  expect(result.kind).toBe('launched');
  const { taskArns } = await ecs.send(new ListTasksCommand({ cluster: 'previews' }));
  const { tasks } = await ecs.send(
    new DescribeTasksCommand({ cluster: 'previews', tasks: taskArns }),
  );
  const { taskDefinition } = await ecs.send(
    new DescribeTaskDefinitionCommand({ taskDefinition: tasks?.[0]?.taskDefinitionArn }),
  );
  if (!taskDefinition) throw new Error('the preview task has no task definition');
  return { result, revision: taskDefinition };
}

const container = (revision: TaskDefinition, name: string) =>
  revision.containerDefinitions?.find((c) => c.name === name);
const names = (pairs: readonly { name?: string | undefined }[] | undefined) =>
  (pairs ?? []).map((p) => p.name).sort();
const allSecrets = (revision: TaskDefinition) =>
  (revision.containerDefinitions ?? []).flatMap((c) => c.secrets ?? []);

describe("a preview's identity (moto)", () => {
  it("has none of the base's task role, secrets or environment values by default, and keeps its execution role", async () => {
    const { result, revision } = await launch();
    expect(revision.taskRoleArn).toBeUndefined();
    expect(revision.executionRoleArn).toBe(PROD_EXECUTION_ROLE);
    expect(allSecrets(revision)).toEqual([]);
    const web = container(revision, 'web');
    expect(names(web?.environment)).toEqual([
      'GIT_BRANCH',
      'GIT_SHA',
      'NODE_ENV',
      'PREVIEW_URL',
      'PR_NUMBER',
    ]);
    expect(web?.environment).toContainEqual({ name: 'NODE_ENV', value: 'preview' });
    expect(web?.environmentFiles ?? []).toEqual([]);
    expect(container(revision, 'agent')?.environment ?? []).toEqual([]);
    expect([revision.cpu, revision.memory]).toEqual(['256', '512']);
    expect(result).toMatchObject({ identity: { secrets: [] }, access: 'open-http' });
    expect(result.kind === 'launched' && result.identity).not.toHaveProperty('taskRole');
  });

  it('runs with the configured task role, execution role and secrets', async () => {
    const { result, revision } = await launch({
      taskRoleArn: role('preview-web'),
      executionRoleArn: role('preview-execution'),
      secrets: { DATABASE_URL: PREVIEW_DB, API_TOKEN: '/preview/api-token' },
    });
    expect(revision.taskRoleArn).toBe(role('preview-web'));
    expect(revision.executionRoleArn).toBe(role('preview-execution'));
    expect(container(revision, 'web')?.secrets).toEqual([
      { name: 'DATABASE_URL', valueFrom: PREVIEW_DB },
      { name: 'API_TOKEN', valueFrom: '/preview/api-token' },
    ]);
    // Configured secrets go to the preview's container only; the sidecar keeps nothing of production.
    expect(container(revision, 'agent')?.secrets ?? []).toEqual([]);
    expect(result).toMatchObject({
      identity: { taskRole: 'preview-web', secrets: ['API_TOKEN', 'DATABASE_URL'] },
    });
  });

  it("brings the base's task role, secrets and environment back with inherit, configured ones winning", async () => {
    const { result, revision } = await launch({
      inherit: ['task-role', 'secrets', 'environment'],
      secrets: { DATABASE_URL: PREVIEW_DB },
    });
    expect(revision.taskRoleArn).toBe(PROD_TASK_ROLE);
    expect(container(revision, 'web')?.secrets).toEqual([
      { name: 'DATABASE_URL', valueFrom: PREVIEW_DB },
    ]);
    expect(container(revision, 'agent')?.secrets).toEqual([
      { name: 'DD_API_KEY', valueFrom: PROD_AGENT_KEY },
    ]);
    const web = container(revision, 'web');
    expect(web?.environment).toEqual(
      expect.arrayContaining([
        { name: 'NODE_ENV', value: 'preview' },
        { name: 'STRIPE_KEY', value: 'sk_live_in_plain_sight' },
      ]),
    );
    expect(web?.environmentFiles).toEqual([
      { type: 's3', value: 'arn:aws:s3:::prod-config/web.env' },
    ]);
    expect(container(revision, 'agent')?.environment).toEqual([
      { name: 'DD_ENV', value: 'production' },
    ]);
    expect(result).toMatchObject({
      identity: { taskRole: 'prod-web-task', secrets: ['DATABASE_URL', 'DD_API_KEY'] },
    });
  });

  it.each<[string, readonly ('task-role' | 'secrets' | 'environment')[]]>([
    ['task-role only', ['task-role']],
    ['secrets only', ['secrets']],
    ['environment only', ['environment']],
  ])('inherits %s when only that is listed', async (_case, inherit) => {
    const { revision } = await launch({ inherit });
    expect(revision.taskRoleArn).toBe(inherit.includes('task-role') ? PROD_TASK_ROLE : undefined);
    expect(names(allSecrets(revision))).toEqual(
      inherit.includes('secrets') ? ['DATABASE_URL', 'DD_API_KEY'] : [],
    );
    expect(names(container(revision, 'agent')?.environment)).toEqual(
      inherit.includes('environment') ? ['DD_ENV'] : [],
    );
  });

  it("gives an approved fork no task role, no secrets and none of the base's environment, whatever the config says", async () => {
    const { result, revision } = await launch(
      {
        taskRoleArn: role('preview-web'),
        secrets: { DATABASE_URL: PREVIEW_DB },
        inherit: ['task-role', 'secrets', 'environment'],
      },
      pr({ fork: true, author: 'mallory' }),
      true,
    );
    expect(revision.taskRoleArn).toBeUndefined();
    expect(allSecrets(revision)).toEqual([]);
    expect(names(container(revision, 'agent')?.environment)).toEqual([]);
    // It still pulls its image and ships logs with the execution role.
    expect(revision.executionRoleArn).toBe(PROD_EXECUTION_ROLE);
    expect(result).toMatchObject({ identity: { secrets: [] } });
    expect(result.kind === 'launched' && result.identity).not.toHaveProperty('taskRole');
  });

  it('tells a redelivered launch what the serving task runs as, read back from its revision', async () => {
    const ref = pr();
    const changes = { taskRoleArn: role('preview-web'), secrets: { DATABASE_URL: PREVIEW_DB } };
    await launch(changes, ref);
    const again = await launchPreview(
      deps,
      { ...settings, ...changes },
      { pr: ref, image: IMAGE, launchedBy: ref.author },
    );
    expect(again).toMatchObject({
      kind: 'unchanged',
      identity: { taskRole: 'preview-web', secrets: ['DATABASE_URL'] },
      access: 'open-http',
    });
  });

  it("overrides the base's cpu and memory", async () => {
    const { revision } = await launch({ cpu: '1024', memory: '2048' });
    expect([revision.cpu, revision.memory]).toEqual(['1024', '2048']);
  });
});

async function ec2Instance(): Promise<string> {
  const ec2 = new EC2Client(testAwsConfig(moto.url));
  try {
    const { Images } = await ec2.send(
      new DescribeImagesCommand({ Owners: ['amazon'], MaxResults: 5 }),
    );
    const { Instances } = await ec2.send(
      new RunInstancesCommand({ ImageId: Images?.[0]?.ImageId, MinCount: 1, MaxCount: 1 }),
    );
    return Instances?.[0]?.InstanceId ?? '';
  } finally {
    ec2.destroy();
  }
}

describe('capacity providers (moto)', () => {
  it('runs the task with the capacity provider strategy instead of a launch type', async () => {
    await ecs.send(
      new PutClusterCapacityProvidersCommand({
        cluster: 'previews',
        capacityProviders: ['FARGATE', 'FARGATE_SPOT'],
        defaultCapacityProviderStrategy: [],
      }),
    );
    // moto ignores capacityProviderStrategy and places a task without a launch type on a
    // container instance, so give it one; the request itself is read on its way to moto.
    await ecs.send(
      new RegisterContainerInstanceCommand({
        cluster: 'previews',
        instanceIdentityDocument: JSON.stringify({ instanceId: await ec2Instance() }),
      }),
    );
    const runTasks: Record<string, unknown>[] = [];
    proxy.intercept('ECS.RunTask', (request) => {
      runTasks.push(JSON.parse(request.body) as Record<string, unknown>);
      return undefined;
    });
    await launch({
      capacityProviderStrategy: [
        { capacityProvider: 'FARGATE_SPOT', weight: 3, base: 0 },
        { capacityProvider: 'FARGATE', weight: 1, base: 1 },
      ],
    });
    expect(runTasks).toHaveLength(1);
    expect(runTasks[0]?.capacityProviderStrategy).toEqual([
      { capacityProvider: 'FARGATE_SPOT', weight: 3, base: 0 },
      { capacityProvider: 'FARGATE', weight: 1, base: 1 },
    ]);
    expect(runTasks[0]).not.toHaveProperty('launchType');
  });

  it('runs with the launch type when no strategy is configured', async () => {
    const runTasks: Record<string, unknown>[] = [];
    proxy.intercept('ECS.RunTask', (request) => {
      runTasks.push(JSON.parse(request.body) as Record<string, unknown>);
      return undefined;
    });
    await launch();
    expect(runTasks[0]?.launchType).toBe('FARGATE');
    expect(runTasks[0]).not.toHaveProperty('capacityProviderStrategy');
  });
});
