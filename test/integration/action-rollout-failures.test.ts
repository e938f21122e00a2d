import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { CreateClusterCommand, DescribeServicesCommand, ECSClient } from '@aws-sdk/client-ecs';
import { runActionProcess, type ActionRun } from '../support/action-process.js';
import {
  awsEnv,
  createDefaultNetwork,
  createFargateService,
  registerFargateTaskDefinition,
  testAwsConfig,
} from '../support/aws.js';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.js';
import { startMoto, type Moto } from '../support/moto.js';

// How dist/index.js ends a rollout that goes wrong: what `rollback: never` leaves behind, and how
// soon it gives up on a revision whose tasks keep dying. moto never fails a rollout (UpdateService
// makes no new deployment), so the proxy answers as ECS does in each case.
let moto: Moto;
let proxy: FaultProxy;
let ecs: ECSClient;
let original: string;
let next: string;

const CLUSTER = 'prod';
const SERVICES = ['web', 'web-canary'];
const IMAGE = `127.0.0.1:5000/web@sha256:${'a'.repeat(64)}`;
const STOPPED_TASK_ID = '5c4b3a29180716f5e4d3c2b1a0f9e8d7';

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
  next = original.replace(/:1$/, ':2');
  for (const name of SERVICES) {
    await createFargateService(ecs, network, {
      cluster: CLUSTER,
      name: name,
      taskDefinition: original,
    });
  }
  proxy.resetCounts();
});

function deploy(inputs: Record<string, string>, services = SERVICES): Promise<ActionRun> {
  return runActionProcess(
    { cluster: CLUSTER, service: services.join('\n'), image: IMAGE, ...inputs },
    {
      ...awsEnv(proxy.url),
      GITHUB_SHA: randomBytes(20).toString('hex'),
      GITHUB_REPOSITORY: 'acme/web',
      ECS_PAAS_POLL_MS: '100',
    },
  );
}

/** What each service runs, read from moto itself so no rewrite of the proxy can colour it. */
async function serviceDefinitions(services = SERVICES): Promise<string[]> {
  const found = await ecs.send(new DescribeServicesCommand({ cluster: CLUSTER, services }));
  return (found.services ?? []).map((s) => s.taskDefinition ?? '');
}

/** ECS's answer for `web` once it runs anything but the original revision. */
function rewriteWeb(change: (service: Record<string, unknown>) => void): void {
  proxy.intercept('ECS.DescribeServices', (_request, response) => {
    const body = JSON.parse(response.body) as { services?: Array<Record<string, unknown>> };
    let changed = false;
    for (const service of body.services ?? []) {
      if (service.serviceName !== 'web' || service.taskDefinition === original) continue;
      change(service);
      changed = true;
    }
    return changed ? { ...response, body: JSON.stringify(body) } : undefined;
  });
}

/** The stopped task of the new revision ECS lists for `web`, so the failure can say why it died. */
function stoppedTaskOfNextRevision(): void {
  const taskArn = `arn:aws:ecs:us-east-1:123456789012:task/${CLUSTER}/${STOPPED_TASK_ID}`;
  proxy.intercept('ECS.ListTasks', (request, response) =>
    request.body.includes('"STOPPED"') && request.body.includes('"web"')
      ? { ...response, body: JSON.stringify({ taskArns: [taskArn] }) }
      : undefined,
  );
  proxy.intercept('ECS.DescribeTasks', (request, response) =>
    request.body.includes(STOPPED_TASK_ID)
      ? {
          ...response,
          body: JSON.stringify({
            tasks: [
              {
                taskArn,
                taskDefinitionArn: next,
                lastStatus: 'STOPPED',
                desiredStatus: 'STOPPED',
                stopCode: 'EssentialContainerExited',
                stoppedReason: 'Essential container in task exited',
                stoppedAt: Date.now() / 1000,
                containers: [{ name: 'web', lastStatus: 'STOPPED', exitCode: 137 }],
              },
            ],
            failures: [],
          }),
        }
      : undefined,
  );
}

describe('a failed rollout of dist/index.js', () => {
  it('with rollback: never leaves the services on the new revision and fails saying so', async () => {
    rewriteWeb((service) => {
      service.deployments = [
        {
          id: 'ecs-svc/2',
          status: 'PRIMARY',
          taskDefinition: service.taskDefinition,
          rolloutState: 'FAILED',
          rolloutStateReason: 'ECS deployment circuit breaker: tasks failed to start.',
          failedTasks: 3,
        },
      ];
    });
    const run = await deploy({ rollback: 'never', 'wait-timeout': '10m' });

    expect(run.status).toBe(1);
    expect(run.log).toContain(
      '::error::web failed: ECS deployment circuit breaker: tasks failed to start.; not rolled back (rollback: never)',
    );
    expect(run.log).not.toMatch(/rolling back|rolled back to/);
    expect(run.outputs['rolled-back']).toBe('false');
    expect(run.outputs['task-definition-arn']).toBe(next);
    expect(await serviceDefinitions()).toEqual([next, next]);
    expect(proxy.counts()['ECS.UpdateService']).toBe(2);
    expect(run.summary).toContain('## ❌ Deploy failed\n');
    expect(run.summary).toMatch(/\| web \| web:1 → web:2 \| ❌ failed \|/);
    expect(run.summary).toMatch(/\| web-canary \| web:1 → web:2 \| ✅ deployed \|/);
  });

  it('with rollback: never keeps the services it moved when a later one cannot be updated', async () => {
    // IAM scoped per service: moto cannot deny, so answer as ECS does for web-canary.
    proxy.intercept('ECS.UpdateService', (request, response) =>
      request.body.includes('"web-canary"')
        ? {
            status: 400,
            headers: { ...response.headers, 'x-amzn-errortype': 'AccessDeniedException' },
            body: JSON.stringify({
              __type: 'AccessDeniedException',
              message: 'not authorized to perform ecs:UpdateService on web-canary',
            }),
          }
        : undefined,
    );
    const run = await deploy({ rollback: 'never' });

    expect(run.status).toBe(1);
    expect(run.log).toMatch(
      /::error::Could not update service 'web-canary': AccessDeniedException: not authorized to perform ecs:UpdateService on web-canary\n/,
    );
    expect(run.log).not.toMatch(/rolling back|rolled back/);
    expect(run.outputs['rolled-back']).toBe('false');
    // Only web is read back: the proxy rewrites moto's answer, so moto did move web-canary.
    expect(await serviceDefinitions(['web'])).toEqual([next]);
    // One update forward for each service, none back.
    expect(proxy.counts()['ECS.UpdateService']).toBe(2);
  });

  it('gives up well before wait-timeout when tasks of the new revision keep stopping, and says why', async () => {
    // No circuit breaker: ECS keeps the rollout IN_PROGRESS and starts task after task, each of
    // which dies; only failedTasks grows, by one per look here.
    let looks = 0;
    rewriteWeb((service) => {
      looks += 1;
      service.runningCount = 0;
      service.deployments = [
        {
          id: 'ecs-svc/2',
          status: 'PRIMARY',
          taskDefinition: service.taskDefinition,
          rolloutState: 'IN_PROGRESS',
          rolloutStateReason: 'ECS deployment ecs-svc/2 in progress.',
          desiredCount: 1,
          runningCount: 0,
          failedTasks: looks,
        },
      ];
    });
    stoppedTaskOfNextRevision();
    const run = await deploy({ 'wait-timeout': '1m' }, ['web']);

    expect(run.log).toContain(
      '::error::web failed: 3 tasks of the new revision stopped before becoming healthy; rolled back to web:1',
    );
    expect(run.log).toContain(
      `task ${STOPPED_TASK_ID} stopped: Essential container in task exited`,
    );
    expect(run.log).toContain('container web: exit code 137');
    expect(run.status).toBe(1);
    expect(run.outputs['rolled-back']).toBe('true');
    expect(await serviceDefinitions(['web'])).toEqual([original]);
    // The whole step, rollback included, in a fraction of the minute it was allowed to wait.
    expect(run.ms).toBeLessThan(30_000);
  }, 150_000);
});
