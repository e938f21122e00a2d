import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  PutLogEventsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { CreateClusterCommand, CreateServiceCommand, ECSClient } from '@aws-sdk/client-ecs';
import { runActionProcess } from '../support/action-process.js';
import {
  awsEnv,
  createDefaultNetwork,
  registerFargateTaskDefinition,
  testAwsConfig,
} from '../support/aws.js';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.js';
import { startMoto, type Moto } from '../support/moto.js';

// A failed rollout prints the stopped tasks' last log lines into the Action's log, which everyone
// with read access to the repository can read. Apps print their configuration when they fail to
// start, so every value of the task definition's environment is masked first.
let moto: Moto;
let proxy: FaultProxy;
let ecs: ECSClient;
let original: string;

const PARTNER_ID = 'zq4471-partner-internal';
const DB_PASSWORD = 's3cr3t-db-pass';
const DATABASE_URL = `postgres://app:${DB_PASSWORD}@db.internal:5432/app`;
const TASK_ID = '0f1e2d3c4b5a69788796a5b4c3d2e1f0';

beforeAll(async () => {
  moto = await startMoto({ servicesRunning: 1 });
  proxy = await startFaultProxy(moto.url);
  ecs = new ECSClient(testAwsConfig(moto.url));
});

afterAll(async () => {
  ecs?.destroy();
  await Promise.allSettled([moto?.stop(), proxy?.stop()]);
});

beforeEach(async () => {
  await moto.reset();
  proxy.clear();
  await ecs.send(new CreateClusterCommand({ clusterName: 'prod' }));
  const network = await createDefaultNetwork(moto.url);
  const definition = await registerFargateTaskDefinition(ecs, 'web', [
    {
      name: 'web',
      image: 'public.ecr.aws/nginx/nginx:1.27',
      environment: [
        // Not named like a secret: masked all the same, the Action cannot tell what is one.
        { name: 'PARTNER_ID', value: PARTNER_ID },
        { name: 'DATABASE_URL', value: DATABASE_URL },
        // Masking `true` would hide nothing and blank the word everywhere in the log.
        { name: 'FEATURE_FLAG', value: 'true' },
      ],
      logConfiguration: {
        logDriver: 'awslogs',
        options: {
          'awslogs-group': '/ecs/web',
          'awslogs-region': 'us-east-1',
          'awslogs-stream-prefix': 'ecs',
        },
      },
    },
  ]);
  original = definition.taskDefinitionArn ?? '';
  await ecs.send(
    new CreateServiceCommand({
      cluster: 'prod',
      serviceName: 'web',
      taskDefinition: original,
      desiredCount: 1,
      launchType: 'FARGATE',
      networkConfiguration: {
        awsvpcConfiguration: {
          subnets: network.subnetIds.slice(0, 1),
          securityGroups: [network.securityGroupId],
        },
      },
    }),
  );
  await writeLogLines('/ecs/web', `ecs/web/${TASK_ID}`, [
    `booting with partner ${PARTNER_ID} feature=true`,
    `connecting to ${DATABASE_URL}`,
    `FATAL: password ${DB_PASSWORD} rejected`,
  ]);
});

async function writeLogLines(group: string, stream: string, messages: string[]): Promise<void> {
  const logs = new CloudWatchLogsClient(testAwsConfig(moto.url));
  await logs.send(new CreateLogGroupCommand({ logGroupName: group }));
  await logs.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: stream }));
  await logs.send(
    new PutLogEventsCommand({
      logGroupName: group,
      logStreamName: stream,
      logEvents: messages.map((message, i) => ({ message, timestamp: Date.now() + i })),
    }),
  );
  logs.destroy();
}

/**
 * moto never fails a rollout nor stops a service's task: answer as ECS does when the circuit
 * breaker trips on the new revision, with one stopped task of it whose container exited 1.
 */
function failTheRollout(): void {
  const newRevision = original.replace(/:1$/, ':2');
  const taskArn = `arn:aws:ecs:us-east-1:123456789012:task/prod/${TASK_ID}`;
  proxy.intercept('ECS.DescribeServices', (_request, response) => {
    const body = JSON.parse(response.body) as { services?: Array<Record<string, unknown>> };
    for (const service of body.services ?? []) {
      if (service.taskDefinition === original) continue;
      service.deployments = [
        {
          id: 'ecs-svc/1',
          status: 'PRIMARY',
          taskDefinition: service.taskDefinition,
          rolloutState: 'FAILED',
          rolloutStateReason: 'ECS deployment circuit breaker: tasks failed to start.',
          failedTasks: 1,
        },
      ];
    }
    return { ...response, body: JSON.stringify(body) };
  });
  proxy.intercept('ECS.ListTasks', (request, response) =>
    request.body.includes('"STOPPED"')
      ? { ...response, body: JSON.stringify({ taskArns: [taskArn] }) }
      : undefined,
  );
  proxy.intercept('ECS.DescribeTasks', (request, response) =>
    request.body.includes(TASK_ID)
      ? {
          ...response,
          body: JSON.stringify({
            tasks: [
              {
                taskArn,
                taskDefinitionArn: newRevision,
                lastStatus: 'STOPPED',
                desiredStatus: 'STOPPED',
                stopCode: 'EssentialContainerExited',
                stoppedReason: 'Essential container in task exited',
                stoppedAt: Date.now() / 1000,
                containers: [{ name: 'web', lastStatus: 'STOPPED', exitCode: 1 }],
              },
            ],
            failures: [],
          }),
        }
      : undefined,
  );
}

describe('a failed rollout of dist/index.js', () => {
  it("shows the stopped task's last log lines with every environment value masked", async () => {
    failTheRollout();
    const run = await runActionProcess(
      {
        cluster: 'prod',
        service: 'web',
        image: `127.0.0.1:5000/web@sha256:${'0'.repeat(64)}`,
      },
      {
        ...awsEnv(proxy.url),
        GITHUB_SHA: randomBytes(20).toString('hex'),
        GITHUB_REPOSITORY: 'acme/web',
        ECS_PAAS_POLL_MS: '100',
      },
    );
    expect(run.status).toBe(1);
    expect(run.log).toContain('::error::web failed: ECS deployment circuit breaker');
    expect(run.log).toContain(`task ${TASK_ID} stopped: Essential container in task exited`);
    expect(run.log).toContain('    | booting with partner *** feature=true');
    expect(run.log).toContain('    | connecting to ***');
    expect(run.log).toContain('    | FATAL: password *** rejected');

    // Each value reaches the log only in the runner's ::add-mask:: command, which the runner
    // swallows, and that comes before any log line it could hide in.
    const lines = run.log.split('\n');
    const firstLogLine = lines.findIndex((line) => line.startsWith('    | '));
    for (const value of [PARTNER_ID, DATABASE_URL, DB_PASSWORD]) {
      const shown = lines.flatMap((line, index) => (line.includes(value) ? [index] : []));
      expect(shown.length).toBeGreaterThan(0);
      for (const index of shown) {
        expect(lines[index]).toMatch(/^::add-mask::/);
        expect(index).toBeLessThan(firstLogLine);
      }
    }
    expect(lines).not.toContain('::add-mask::true');
  });
});
