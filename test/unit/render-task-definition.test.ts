import { describe, expect, it } from '@jest/globals';
import type { TaskDefinition } from '@aws-sdk/client-ecs';
import {
  describeChanges,
  sameTaskDefinition,
} from '../../src/core/deploy/compare-task-definitions.js';
import {
  pinImage,
  selectContainers,
  toRegisterInput,
} from '../../src/core/deploy/render-task-definition.js';

const DESCRIBED: TaskDefinition = {
  taskDefinitionArn: 'arn:aws:ecs:us-east-1:123456789012:task-definition/web:7',
  family: 'web',
  revision: 7,
  status: 'ACTIVE',
  requiresAttributes: [{ name: 'com.amazonaws.ecs.capability.docker-remote-api.1.18' }],
  compatibilities: ['EC2', 'FARGATE'],
  registeredAt: new Date('2026-01-01T00:00:00Z'),
  registeredBy: 'arn:aws:iam::123456789012:user/ci',
  networkMode: 'awsvpc',
  requiresCompatibilities: ['FARGATE'],
  cpu: '256',
  memory: '512',
  volumes: [],
  placementConstraints: [],
  containerDefinitions: [
    {
      name: 'web',
      image: 'repo/web:old',
      cpu: 0,
      essential: true,
      memory: 512,
      portMappings: [{ containerPort: 80, hostPort: 80, protocol: 'tcp' }],
      environment: [
        { name: 'B', value: '2' },
        { name: 'EMPTY', value: '' },
      ],
      mountPoints: [],
      volumesFrom: [],
    },
    { name: 'sidecar', image: 'envoy:1.30', essential: false, memory: 128 },
  ],
};

describe('toRegisterInput', () => {
  it('strips every describe-only field and keeps empty environment values', () => {
    const input = toRegisterInput(DESCRIBED) as unknown as Record<string, unknown>;
    for (const field of [
      'taskDefinitionArn',
      'revision',
      'status',
      'requiresAttributes',
      'compatibilities',
      'registeredAt',
      'registeredBy',
    ]) {
      expect(input).not.toHaveProperty(field);
    }
    expect(input).not.toHaveProperty('volumes');
    const web = (input.containerDefinitions as Array<{ environment: unknown }>)[0];
    expect(web?.environment).toEqual([
      { name: 'B', value: '2' },
      { name: 'EMPTY', value: '' },
    ]);
  });

  it('stores task-level cpu and memory as the strings ECS returns', () => {
    const input = toRegisterInput({
      family: 'web',
      cpu: 256,
      memory: 512,
      containerDefinitions: [{ name: 'a' }],
    });
    expect([input.cpu, input.memory]).toEqual(['256', '512']);
  });

  it.each([
    [{ containerDefinitions: [{ name: 'a' }] }, "no 'family'"],
    [{ family: 'web' }, "no 'containerDefinitions'"],
  ])('rejects %j', (definition, message) => {
    expect(() => toRegisterInput(definition)).toThrow(message);
  });
});

describe('selectContainers', () => {
  const input = toRegisterInput(DESCRIBED);
  it.each<[string[], string[] | RegExp]>([
    [['web'], ['web']],
    [
      ['web', 'sidecar'],
      ['web', 'sidecar'],
    ],
    [[], /has 2 containers \(web, sidecar\); name the one\(s\)/],
    [['api'], /'api' not in task definition 'web'; its containers are: web, sidecar/],
  ])('picks %j', (requested, expected) => {
    if (expected instanceof RegExp)
      expect(() => selectContainers(input, requested)).toThrow(expected);
    else expect(selectContainers(input, requested)).toEqual(expected);
  });

  it('picks the only container when none is named', () => {
    const single = toRegisterInput({
      family: 'x',
      containerDefinitions: [{ name: 'only', image: 'a' }],
    });
    expect(selectContainers(single, [])).toEqual(['only']);
  });
});

describe('pinImage', () => {
  it('pins the named containers and leaves the others untouched', () => {
    const input = toRegisterInput(DESCRIBED);
    const pinned = pinImage(input, ['web'], 'repo/web@sha256:' + 'a'.repeat(64));
    expect(pinned.containerDefinitions?.[0]?.image).toBe('repo/web@sha256:' + 'a'.repeat(64));
    expect(pinned.containerDefinitions?.[1]).toEqual(input.containerDefinitions?.[1]);
  });
});

describe('sameTaskDefinition', () => {
  const described = toRegisterInput(DESCRIBED);
  const handWritten = toRegisterInput({
    family: 'web',
    networkMode: 'awsvpc',
    requiresCompatibilities: ['FARGATE'],
    cpu: '256',
    memory: '512',
    containerDefinitions: [
      {
        name: 'web',
        image: 'repo/web:old',
        memory: 512,
        portMappings: [{ containerPort: 80 }],
        environment: [
          { name: 'EMPTY', value: '' },
          { name: 'B', value: '2' },
        ],
      },
      { name: 'sidecar', image: 'envoy:1.30', essential: false, memory: 128 },
    ],
  });

  it('treats ECS defaults and list order as no change', () => {
    expect(sameTaskDefinition(described, handWritten)).toBe(true);
  });

  it.each([
    ['a new image', pinImage(described, ['web'], 'repo/web:new')],
    ['a changed cpu', { ...described, cpu: '512' }],
    [
      'an env value emptied',
      {
        ...described,
        containerDefinitions: [
          {
            ...described.containerDefinitions![0]!,
            environment: [
              { name: 'B', value: '' },
              { name: 'EMPTY', value: '' },
            ],
          },
          described.containerDefinitions![1]!,
        ],
      },
    ],
  ])('sees %s', (_case, changed) => {
    expect(sameTaskDefinition(described, changed)).toBe(false);
  });
});

describe('describeChanges', () => {
  it('lists image, resources and env names (sorted by name), never env values', () => {
    const before = toRegisterInput(DESCRIBED);
    const web = before.containerDefinitions![0]!;
    const after = {
      ...before,
      cpu: '512',
      containerDefinitions: [
        {
          ...web,
          image: 'repo/web@sha256:abc',
          environment: [
            { name: 'B', value: 'secret-value' },
            { name: 'NEW', value: 'x' },
          ],
        },
        before.containerDefinitions![1]!,
      ],
    };
    const changes = describeChanges(before, after);
    expect(changes).toEqual([
      'cpu: 256 → 512',
      'web: image repo/web:old → repo/web@sha256:abc',
      'web: environment B changed',
      'web: environment NEW added',
      'web: environment EMPTY removed',
    ]);
    expect(changes.join('\n')).not.toContain('secret-value');
  });
});
