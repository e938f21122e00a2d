import { describe, expect, it } from '@jest/globals';
import type { Service } from '@aws-sdk/client-ecs';
import type { AwsClients } from '../../src/core/aws/clients.js';
import { deployServices, type DeployRequest } from '../../src/core/deploy/deploy-services.js';
import type { Logger } from '../../src/core/logger.js';

const ARN = 'arn:aws:ecs:us-east-1:123456789012:task-definition/web';
const GOOD = 'repo@sha256:good';
const BAD = 'repo@sha256:bad';

interface FakeService {
  taskDefinition: string;
  /** UpdateService to a new revision is refused (an IAM denial, a throttled call…). */
  refuseUpdate?: boolean;
  /** Another deploy moves the service here while ours waits. */
  movedOnTo?: string;
}

/**
 * ECS's side of a deploy, in memory: the task definitions registered so far and each service's
 * current one. A revision whose image starts with BAD never becomes healthy: its deployment is FAILED (the
 * circuit breaker). Any command a deploy should not send fails the test.
 */
function fakeEcs(services: Record<string, FakeService>, previousImage = GOOD) {
  const definitions = new Map<string, { family: string; image: string }>([
    [`${ARN}:1`, { family: 'web', image: previousImage }],
  ]);
  const updates: string[] = [];
  const describe = (arn: string) => {
    const found = definitions.get(arn) ?? definitions.get(`${ARN}:${definitions.size}`);
    return {
      taskDefinition: {
        taskDefinitionArn: definitions.has(arn) ? arn : `${ARN}:${definitions.size}`,
        family: 'web',
        containerDefinitions: [{ name: 'app', image: found?.image, memory: 512 }],
      },
    };
  };
  const state = (name: string): Service => {
    const service = services[name] as FakeService;
    if (service.movedOnTo && service.taskDefinition.endsWith(':2')) {
      service.taskDefinition = service.movedOnTo;
    }
    const bad = definitions.get(service.taskDefinition)?.image.startsWith(BAD) ?? false;
    return {
      serviceName: name,
      status: 'ACTIVE',
      taskDefinition: service.taskDefinition,
      desiredCount: 1,
      runningCount: 1,
      deployments: [
        {
          status: 'PRIMARY',
          rolloutState: bad ? 'FAILED' : 'COMPLETED',
          ...(bad && { rolloutStateReason: 'circuit breaker: tasks failed to start' }),
        },
      ],
    };
  };
  const answer = (name: string, input: Record<string, unknown>): unknown => {
    switch (name) {
      case 'DescribeServicesCommand':
        return { services: (input.services as string[]).map(state) };
      case 'DescribeTaskDefinitionCommand':
        return describe(input.taskDefinition as string);
      case 'RegisterTaskDefinitionCommand': {
        const arn = `${ARN}:${definitions.size + 1}`;
        const containers = input.containerDefinitions as Array<{ image: string }>;
        definitions.set(arn, { family: 'web', image: containers[0]?.image ?? '' });
        return { taskDefinition: { taskDefinitionArn: arn } };
      }
      case 'UpdateServiceCommand': {
        const service = services[input.service as string] as FakeService;
        const target = input.taskDefinition as string;
        if (service.refuseUpdate && target !== `${ARN}:1`) {
          throw Object.assign(new Error('User is not authorized to perform: ecs:UpdateService'), {
            name: 'AccessDeniedException',
          });
        }
        updates.push(`${input.service as string} → ${target.split('/').pop() ?? ''}`);
        service.taskDefinition = target;
        return {};
      }
      case 'ListTasksCommand':
        return { taskArns: [] };
      default:
        throw new Error(`unexpected ECS request: ${name}`);
    }
  };
  const clients = {
    region: 'us-east-1',
    ecs: {
      send: (command: { input: Record<string, unknown> }) => {
        try {
          return Promise.resolve(answer(command.constructor.name, command.input));
        } catch (error) {
          return Promise.reject(error instanceof Error ? error : new Error(String(error)));
        }
      },
    },
  } as unknown as AwsClients;
  return { clients, updates, services };
}

const quiet: Logger = {
  info: () => undefined,
  warning: () => undefined,
  debug: () => undefined,
  group: (_title, work) => work(),
  secret: () => undefined,
};

function request(change: Partial<DeployRequest>): DeployRequest {
  return {
    cluster: 'prod',
    services: ['web'],
    containers: [],
    taskDefinition: { kind: 'service' },
    image: BAD,
    wait: true,
    waitTimeoutMs: 200,
    rollback: 'on-failure',
    keepRevisions: 0,
    pollMs: 1,
    ...change,
  };
}

const summary = (report: Awaited<ReturnType<typeof deployServices>>) => ({
  rolledBack: report.rolledBack,
  results: report.services.map((s) => `${s.service}: ${s.result}`),
  failure: report.failure,
});

describe('deployServices: when a failed deploy is rolled back', () => {
  it('rolls a failed rollout back to the revision each service ran', async () => {
    const ecs = fakeEcs({ web: { taskDefinition: `${ARN}:1` } });
    const report = await deployServices(ecs.clients, request({}), quiet);
    expect(summary(report)).toEqual({
      rolledBack: true,
      results: ['web: rolled-back'],
      failure: 'web failed: circuit breaker: tasks failed to start; rolled back to web:1',
    });
    expect(report.services[0]).toMatchObject({ from: `${ARN}:1`, to: `${ARN}:2` });
    expect(ecs.updates).toEqual(['web → web:2', 'web → web:1']);
    expect(report.explanation).toEqual([
      'web: circuit breaker: tasks failed to start',
      'no stopped tasks were found in cluster prod',
    ]);
  });

  it('leaves a failed rollout in place with rollback: never', async () => {
    const ecs = fakeEcs({ web: { taskDefinition: `${ARN}:1` } });
    const report = await deployServices(ecs.clients, request({ rollback: 'never' }), quiet);
    expect(summary(report)).toEqual({
      rolledBack: false,
      results: ['web: failed'],
      failure:
        'web failed: circuit breaker: tasks failed to start; not rolled back (rollback: never)',
    });
    expect(report.services[0]).toMatchObject({ reason: 'circuit breaker: tasks failed to start' });
    expect(ecs.updates).toEqual(['web → web:2']);
  });

  it('does not roll back a deploy that succeeded', async () => {
    const ecs = fakeEcs({
      web: { taskDefinition: `${ARN}:1` },
      worker: { taskDefinition: `${ARN}:1` },
    });
    const report = await deployServices(
      ecs.clients,
      request({ image: 'repo@sha256:new', services: ['web', 'worker'] }),
      quiet,
    );
    expect(summary(report)).toEqual({
      rolledBack: false,
      results: ['web: updated', 'worker: updated'],
      failure: undefined,
    });
    expect(ecs.updates).toEqual(['web → web:2', 'worker → web:2']);
  });

  it.each<[string, DeployRequest['rollback'], ReturnType<typeof summary>, string[]]>([
    [
      'rolls back the services already moved when a later update is refused',
      'on-failure',
      {
        rolledBack: true,
        results: ['web: rolled-back', 'worker: unchanged'],
        failure:
          "Could not update service 'worker': AccessDeniedException: User is not authorized to perform: ecs:UpdateService; rolled back web",
      },
      ['web → web:2', 'web → web:1'],
    ],
    [
      'leaves them moved with rollback: never',
      'never',
      {
        rolledBack: false,
        results: ['web: not-waited', 'worker: unchanged'],
        failure:
          "Could not update service 'worker': AccessDeniedException: User is not authorized to perform: ecs:UpdateService",
      },
      ['web → web:2'],
    ],
  ])('%s', async (_case, rollback, expected, updates) => {
    const ecs = fakeEcs({
      web: { taskDefinition: `${ARN}:1` },
      worker: { taskDefinition: `${ARN}:1`, refuseUpdate: true },
    });
    const report = await deployServices(
      ecs.clients,
      request({ image: 'repo@sha256:new', services: ['web', 'worker'], rollback }),
      quiet,
    );
    expect(summary(report)).toEqual(expected);
    expect(ecs.updates).toEqual(updates);
  });

  it('has nothing to roll back when the first update is refused', async () => {
    const ecs = fakeEcs({ web: { taskDefinition: `${ARN}:1`, refuseUpdate: true } });
    const report = await deployServices(ecs.clients, request({ image: 'repo@sha256:new' }), quiet);
    expect(summary(report)).toEqual({
      rolledBack: false,
      results: ['web: unchanged'],
      failure:
        "Could not update service 'web': AccessDeniedException: User is not authorized to perform: ecs:UpdateService",
    });
    expect(ecs.updates).toEqual([]);
  });

  it('does not undo a newer deploy that moved a service on while ours failed', async () => {
    const warnings: string[] = [];
    const ecs = fakeEcs({
      web: { taskDefinition: `${ARN}:1` },
      worker: { taskDefinition: `${ARN}:1`, movedOnTo: `${ARN}:9` },
    });
    const report = await deployServices(ecs.clients, request({ services: ['web', 'worker'] }), {
      ...quiet,
      warning: (message) => warnings.push(message),
    });
    expect(summary(report)).toEqual({
      rolledBack: true,
      results: ['web: rolled-back', 'worker: unchanged'],
      failure:
        'web failed: circuit breaker: tasks failed to start; worker failed: the service moved to web:9 instead (the circuit breaker may have rolled it back); rolled back to web:1',
    });
    expect(ecs.updates).toEqual(['web → web:2', 'worker → web:2', 'web → web:1']);
    expect(ecs.services.worker?.taskDefinition).toBe(`${ARN}:9`);
    expect(warnings).toContain('worker: now runs web:9 from another deploy; not rolling it back');
  });

  it('says so when the revision rolled back to does not become stable either', async () => {
    const failing = fakeEcs({ web: { taskDefinition: `${ARN}:1` } }, BAD);
    const rolled = await deployServices(
      failing.clients,
      request({ image: `${BAD}2`, waitTimeoutMs: 50 }),
      quiet,
    );
    expect(summary(rolled)).toEqual({
      rolledBack: true,
      results: ['web: rollback-failed'],
      failure:
        'web failed: circuit breaker: tasks failed to start; rollback did not complete to web:1',
    });
    expect(rolled.services[0]?.reason).toMatch(/^not stable on web:1 within /);
  });
});
