import type { Service } from '@aws-sdk/client-ecs';
import type { CodeDeployHook } from './codedeploy-hooks.js';

/** The AppSpec CodeDeploy reads for an ECS blue/green deployment (version 0.0). */
export interface EcsAppSpec {
  readonly version: 0;
  readonly Resources: readonly [
    {
      readonly TargetService: {
        readonly Type: 'AWS::ECS::Service';
        readonly Properties: {
          readonly TaskDefinition: string;
          readonly LoadBalancerInfo: {
            readonly ContainerName: string;
            readonly ContainerPort: number;
          };
          readonly PlatformVersion?: string;
          readonly NetworkConfiguration?: {
            readonly AwsvpcConfiguration: {
              readonly Subnets: readonly string[];
              readonly SecurityGroups?: readonly string[];
              readonly AssignPublicIp?: string;
            };
          };
          readonly CapacityProviderStrategy?: readonly {
            readonly CapacityProvider: string;
            readonly Base?: number;
            readonly Weight?: number;
          }[];
        };
      };
    },
  ];
  readonly Hooks?: readonly Readonly<Record<string, string>>[];
}

/**
 * The AppSpec that moves `service` to `taskDefinitionArn`. The replacement task set gets the
 * network, platform version and capacity providers the service has today, so a blue/green deploy
 * changes the revision and nothing else. Throws when the service has no load balancer to shift.
 */
export function buildAppSpec(
  service: Service,
  taskDefinitionArn: string,
  hooks: readonly CodeDeployHook[] = [],
): EcsAppSpec {
  const name = service.serviceName ?? 'the service';
  const balancer = service.loadBalancers?.[0];
  if (!balancer?.containerName || balancer.containerPort === undefined) {
    throw new Error(
      `Service '${name}' uses the CODE_DEPLOY controller but has no load balancer with a container name and port; CodeDeploy blue/green shifts traffic between two target groups, so the service needs one`,
    );
  }
  const vpc = service.networkConfiguration?.awsvpcConfiguration;
  const strategy = service.capacityProviderStrategy ?? [];
  return {
    version: 0,
    Resources: [
      {
        TargetService: {
          Type: 'AWS::ECS::Service',
          Properties: {
            TaskDefinition: taskDefinitionArn,
            LoadBalancerInfo: {
              ContainerName: balancer.containerName,
              ContainerPort: balancer.containerPort,
            },
            ...(service.platformVersion ? { PlatformVersion: service.platformVersion } : {}),
            ...(vpc?.subnets?.length
              ? {
                  NetworkConfiguration: {
                    AwsvpcConfiguration: {
                      Subnets: vpc.subnets,
                      ...(vpc.securityGroups?.length ? { SecurityGroups: vpc.securityGroups } : {}),
                      ...(vpc.assignPublicIp ? { AssignPublicIp: vpc.assignPublicIp } : {}),
                    },
                  },
                }
              : {}),
            ...(strategy.length > 0
              ? {
                  CapacityProviderStrategy: strategy.map((s) => ({
                    CapacityProvider: s.capacityProvider ?? '',
                    ...(s.base !== undefined ? { Base: s.base } : {}),
                    ...(s.weight !== undefined ? { Weight: s.weight } : {}),
                  })),
                }
              : {}),
          },
        },
      },
    ],
    ...(hooks.length > 0 ? { Hooks: hooks.map((h) => ({ [h.hook]: h.lambda })) } : {}),
  };
}

/**
 * The AppSpec as the text CreateDeployment carries. AWS documents `"version": 0.0`, which
 * JSON.stringify would print as `0`; the literal is written out so the file reads as documented.
 */
export function appSpecContent(spec: EcsAppSpec): string {
  const { version: _version, ...rest } = spec;
  return `{"version":0.0,${JSON.stringify(rest).slice(1)}`;
}
