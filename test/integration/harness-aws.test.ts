import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeClustersCommand,
  DescribeServicesCommand,
  DescribeTasksCommand,
  ECSClient,
  RunTaskCommand,
} from '@aws-sdk/client-ecs';
import { startMoto, type Moto } from '../support/moto.js';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.js';
import {
  createDefaultNetwork,
  registerFargateTaskDefinition,
  testAwsConfig,
} from '../support/aws.js';

let moto: Moto;
let proxy: FaultProxy;
let ecs: ECSClient;

beforeAll(async () => {
  moto = await startMoto();
  proxy = await startFaultProxy(moto.url);
  ecs = new ECSClient(testAwsConfig(proxy.url));
});

afterAll(async () => {
  ecs?.destroy();
  await proxy?.stop();
  await moto?.stop();
});

afterEach(async () => {
  proxy.clear();
  proxy.resetCounts();
  await moto.reset();
});

describe('AWS test harness', () => {
  it('keeps a Fargate awsvpc task RUNNING with a private IPv4 ENI', async () => {
    const network = await createDefaultNetwork(proxy.url);
    await ecs.send(new CreateClusterCommand({ clusterName: 'harness' }));
    const taskDefinition = await registerFargateTaskDefinition(ecs, 'harness-task');

    const { tasks } = await ecs.send(
      new RunTaskCommand({
        cluster: 'harness',
        taskDefinition: taskDefinition.taskDefinitionArn,
        launchType: 'FARGATE',
        networkConfiguration: {
          awsvpcConfiguration: {
            subnets: network.subnetIds.slice(0, 1),
            securityGroups: [network.securityGroupId],
          },
        },
      }),
    );
    const taskArn = tasks?.[0]?.taskArn;
    expect(taskArn).toBeDefined();

    for (let poll = 0; poll < 5; poll++) {
      const described = await ecs.send(
        new DescribeTasksCommand({ cluster: 'harness', tasks: [taskArn ?? ''] }),
      );
      expect(described.tasks?.[0]?.lastStatus).toBe('RUNNING');
    }
    const [task] =
      (await ecs.send(new DescribeTasksCommand({ cluster: 'harness', tasks: [taskArn ?? ''] })))
        .tasks ?? [];
    const eni = task?.attachments?.find((a) => a.type === 'ElasticNetworkInterface');
    const ip = eni?.details?.find((d) => d.name === 'privateIPv4Address')?.value;
    expect(ip).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    expect(proxy.counts()['ECS.DescribeTasks']).toBe(6);
  });

  it('lets the SDK retry injected throttling until the call succeeds', async () => {
    proxy.inject('ECS.RegisterTaskDefinition', { kind: 'throttle' }, 2);

    const taskDefinition = await registerFargateTaskDefinition(ecs, 'throttled');

    expect(taskDefinition.revision).toBe(1);
    expect(proxy.counts()['ECS.RegisterTaskDefinition']).toBe(3);
  });

  it('lets the SDK retry an injected 503', async () => {
    proxy.inject('ECS.RegisterTaskDefinition', { kind: 'server-error' }, 1);

    await registerFargateTaskDefinition(ecs, 'unavailable');

    expect(proxy.counts()['ECS.RegisterTaskDefinition']).toBe(2);
  });

  it('rewrites a real DescribeServices response', async () => {
    const network = await createDefaultNetwork(proxy.url);
    await ecs.send(new CreateClusterCommand({ clusterName: 'harness' }));
    await registerFargateTaskDefinition(ecs, 'web');
    await ecs.send(
      new CreateServiceCommand({
        cluster: 'harness',
        serviceName: 'web',
        taskDefinition: 'web',
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
    proxy.intercept('ECS.DescribeServices', (_request, response) => {
      const body = JSON.parse(response.body) as {
        services: { deployments: { rolloutState?: string }[] }[];
      };
      for (const deployment of body.services[0]?.deployments ?? []) {
        deployment.rolloutState = 'FAILED';
      }
      return { ...response, body: JSON.stringify(body) };
    });

    const { services } = await ecs.send(
      new DescribeServicesCommand({ cluster: 'harness', services: ['web'] }),
    );

    expect(services?.[0]?.deployments?.[0]?.rolloutState).toBe('FAILED');
  });

  it('wipes state on reset', async () => {
    await ecs.send(new CreateClusterCommand({ clusterName: 'before-reset' }));

    await moto.reset();

    const { clusters, failures } = await ecs.send(
      new DescribeClustersCommand({ clusters: ['before-reset'] }),
    );
    expect(clusters).toEqual([]);
    expect(failures?.[0]?.reason).toBe('MISSING');
  });
});
