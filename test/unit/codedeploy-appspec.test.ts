import { describe, expect, it } from '@jest/globals';
import type { Service } from '@aws-sdk/client-ecs';
import { appSpecContent, buildAppSpec } from '../../src/core/deploy/codedeploy-appspec.js';

const REVISION = 'arn:aws:ecs:us-east-1:123456789012:task-definition/web:8';

// A CODE_DEPLOY service as DescribeServices returns it (fields the AppSpec does not use dropped).
const SERVICE: Service = {
  serviceName: 'web-bg',
  status: 'ACTIVE',
  taskDefinition: 'arn:aws:ecs:us-east-1:123456789012:task-definition/web:7',
  deploymentController: { type: 'CODE_DEPLOY' },
  loadBalancers: [
    {
      targetGroupArn:
        'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web-blue/0123456789abcdef',
      containerName: 'web',
      containerPort: 8080,
    },
  ],
  launchType: 'FARGATE',
  platformVersion: '1.4.0',
  networkConfiguration: {
    awsvpcConfiguration: {
      subnets: ['subnet-1', 'subnet-2'],
      securityGroups: ['sg-1'],
      assignPublicIp: 'DISABLED',
    },
  },
};

describe('the AppSpec of a blue/green deployment', () => {
  it('names the new revision, the container and port from the load balancer, and keeps the service network and platform', () => {
    const spec = buildAppSpec(SERVICE, REVISION);
    expect(spec.Resources[0].TargetService).toEqual({
      Type: 'AWS::ECS::Service',
      Properties: {
        TaskDefinition: REVISION,
        LoadBalancerInfo: { ContainerName: 'web', ContainerPort: 8080 },
        PlatformVersion: '1.4.0',
        NetworkConfiguration: {
          AwsvpcConfiguration: {
            Subnets: ['subnet-1', 'subnet-2'],
            SecurityGroups: ['sg-1'],
            AssignPublicIp: 'DISABLED',
          },
        },
      },
    });
    expect(spec.Hooks).toBeUndefined();
  });

  it.each<[string, Service, Record<string, unknown>]>([
    [
      'a service with neither network nor platform version (EC2, bridge mode)',
      { ...SERVICE, platformVersion: undefined, networkConfiguration: undefined },
      { TaskDefinition: REVISION, LoadBalancerInfo: { ContainerName: 'web', ContainerPort: 8080 } },
    ],
    [
      'a service on capacity providers',
      {
        ...SERVICE,
        platformVersion: undefined,
        networkConfiguration: undefined,
        capacityProviderStrategy: [
          { capacityProvider: 'FARGATE', base: 1, weight: 1 },
          { capacityProvider: 'FARGATE_SPOT', weight: 3 },
        ],
      },
      {
        TaskDefinition: REVISION,
        LoadBalancerInfo: { ContainerName: 'web', ContainerPort: 8080 },
        CapacityProviderStrategy: [
          { CapacityProvider: 'FARGATE', Base: 1, Weight: 1 },
          { CapacityProvider: 'FARGATE_SPOT', Weight: 3 },
        ],
      },
    ],
  ])('for %s, carries only what the service has', (_case, service, properties) => {
    expect(buildAppSpec(service, REVISION).Resources[0].TargetService.Properties).toEqual(
      properties,
    );
  });

  it('lists the hooks, one object per hook, as the AppSpec reference shows them', () => {
    const spec = buildAppSpec(SERVICE, REVISION, [
      { hook: 'BeforeInstall', lambda: 'warm-caches' },
      { hook: 'AfterAllowTestTraffic', lambda: 'smoke-test' },
    ]);
    expect(spec.Hooks).toEqual([
      { BeforeInstall: 'warm-caches' },
      { AfterAllowTestTraffic: 'smoke-test' },
    ]);
  });

  it('is sent as JSON with the documented version 0.0', () => {
    const content = appSpecContent(buildAppSpec(SERVICE, REVISION));
    expect(content.startsWith('{"version":0.0,"Resources":[')).toBe(true);
    const parsed = JSON.parse(content) as { version: number; Resources: unknown[] };
    expect(parsed.version).toBe(0);
    expect(parsed.Resources).toEqual(buildAppSpec(SERVICE, REVISION).Resources);
  });

  it('refuses a service without a load balancer, naming it', () => {
    expect(() => buildAppSpec({ ...SERVICE, loadBalancers: [] }, REVISION)).toThrow(
      /Service 'web-bg' uses the CODE_DEPLOY controller but has no load balancer/,
    );
  });
});
