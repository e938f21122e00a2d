import { randomBytes } from 'node:crypto';
import { createServer, type ServerResponse } from 'node:http';
import { GitHub } from '@actions/github/lib/utils';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeServicesCommand,
  ECSClient,
  ListTaskDefinitionsCommand,
} from '@aws-sdk/client-ecs';
import { githubRequestOptions } from '../../src/core/github/request-timeout.js';
import { runActionProcess } from '../support/action-process.js';
import {
  awsEnv,
  createDefaultNetwork,
  registerFargateTaskDefinition,
  testAwsConfig,
} from '../support/aws.js';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.js';
import { startMoto, type Moto } from '../support/moto.js';
import { freePort } from '../support/ports.js';

// The network between a runner (or the App) and AWS fails in ways an AWS error does not model:
// connections dropped, answers that never come or stop half way. Each is tried against the bundled
// Action deploying through the fault proxy, and the deploy must still finish.
let moto: Moto;
let proxy: FaultProxy;
let ecs: ECSClient;
let original: string;

const CLUSTER = 'prod';
// A pinned image needs no registry: every request this deploy makes goes to AWS.
const IMAGE = `registry.example.test/web@sha256:${'a'.repeat(64)}`;
// A second in tests instead of 30 s: long enough for moto, short enough to wait for twice.
const REQUEST_TIMEOUT_MS = 1_000;

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
  await ecs.send(new CreateClusterCommand({ clusterName: CLUSTER }));
  const network = await createDefaultNetwork(moto.url);
  const definition = await registerFargateTaskDefinition(ecs, 'web');
  original = definition.taskDefinitionArn ?? '';
  await ecs.send(
    new CreateServiceCommand({
      cluster: CLUSTER,
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
  proxy.resetCounts();
});

function deploy(extraEnv: Record<string, string> = {}) {
  return runActionProcess(
    { cluster: CLUSTER, service: 'web', image: IMAGE },
    {
      ...awsEnv(proxy.url),
      GITHUB_SHA: randomBytes(20).toString('hex'),
      GITHUB_REPOSITORY: 'acme/web',
      ECS_PAAS_POLL_MS: '100',
      ECS_PAAS_AWS_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
      ...extraEnv,
    },
  );
}

/** The revisions of `web` that exist: a retried registration must not leave two. */
async function revisions(): Promise<string[]> {
  const { taskDefinitionArns } = await ecs.send(
    new ListTaskDefinitionsCommand({ familyPrefix: 'web' }),
  );
  return taskDefinitionArns ?? [];
}

async function expectDeployed(run: Awaited<ReturnType<typeof deploy>>): Promise<void> {
  expect(run.log).not.toContain('::error::');
  expect(run.status).toBe(0);
  const arn = run.outputs['task-definition-arn'] ?? '';
  expect(arn).toMatch(/task-definition\/web:2$/);
  const { services } = await ecs.send(
    new DescribeServicesCommand({ cluster: CLUSTER, services: ['web'] }),
  );
  expect(services?.[0]?.taskDefinition).toBe(arn);
}

describe('the bundled Action deploying over a faulty network', () => {
  it('gives up on a request nobody answers and retries it, instead of hanging', async () => {
    proxy.inject('ECS.RegisterTaskDefinition', { kind: 'hold' });
    const run = await deploy();

    await expectDeployed(run);
    // The held attempt never reached moto, the retry did: one new revision.
    expect(proxy.counts()['ECS.RegisterTaskDefinition']).toBe(2);
    expect(await revisions()).toHaveLength(2);
    expect(run.ms).toBeGreaterThanOrEqual(REQUEST_TIMEOUT_MS);
  }, 60_000);

  it('gives up on an answer whose headers keep coming but never end', async () => {
    proxy.inject('ECS.UpdateService', { kind: 'slow-headers' });
    const run = await deploy();

    await expectDeployed(run);
    expect(proxy.counts()['ECS.UpdateService']).toBe(2);
  }, 60_000);

  it('gives up on an answer that stops half way through its body and retries', async () => {
    proxy.inject('ECS.DescribeServices', { kind: 'truncate', then: 'hold' });
    const run = await deploy();

    await expectDeployed(run);
    expect(proxy.counts()['ECS.DescribeServices']).toBeGreaterThanOrEqual(2);
  }, 60_000);

  it('retries a body cut short by a closed connection, three times in a row', async () => {
    proxy.inject('ECS.DescribeServices', { kind: 'truncate', then: 'close' }, 3);
    const run = await deploy();

    await expectDeployed(run);
    expect(proxy.counts()['ECS.DescribeServices']).toBeGreaterThanOrEqual(4);
  }, 60_000);

  it('retries connections dropped without an answer more often than the SDK would', async () => {
    // The SDK's default is 3 attempts in all; 4 drops in a row must still end in a deploy.
    proxy.inject('ECS.RegisterTaskDefinition', { kind: 'drop' }, 4);
    const run = await deploy();

    await expectDeployed(run);
    expect(proxy.counts()['ECS.RegisterTaskDefinition']).toBe(5);
    expect(await revisions()).toHaveLength(2);
  }, 60_000);

  it('refuses a request timeout that is not a number of milliseconds, naming the variable', async () => {
    const run = await deploy({ ECS_PAAS_AWS_REQUEST_TIMEOUT_MS: '30s' });

    expect(run.status).toBe(1);
    expect(run.log).toContain(
      "::error::ECS_PAAS_AWS_REQUEST_TIMEOUT_MS must be a whole number of milliseconds above 0, not '30s'",
    );
    expect(proxy.counts()).toEqual({});
  }, 60_000);
});

describe('GitHub requests over a faulty network', () => {
  it('fail, naming the call, when GitHub holds a connection without answering', async () => {
    // Prism always answers, so a bare loopback server plays the GitHub that goes silent.
    const held: ServerResponse[] = [];
    const server = createServer((_req, res) => void held.push(res));
    const port = await freePort();
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    try {
      const octokit = new GitHub({
        baseUrl: `http://127.0.0.1:${port}`,
        ...githubRequestOptions({ ECS_PAAS_GITHUB_REQUEST_TIMEOUT_MS: '500' }),
      });
      const started = Date.now();
      await expect(octokit.rest.repos.get({ owner: 'acme', repo: 'web' })).rejects.toThrow(
        `GitHub did not answer GET http://127.0.0.1:${port}/repos/acme/web within 500 ms`,
      );
      expect(held).toHaveLength(1);
      expect(Date.now() - started).toBeLessThan(10_000);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }, 20_000);
});
