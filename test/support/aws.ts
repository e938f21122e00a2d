import {
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import {
  CreateServiceCommand,
  RegisterTaskDefinitionCommand,
  type ContainerDefinition,
  type CreateServiceCommandInput,
  type ECSClient,
  type TaskDefinition,
} from '@aws-sdk/client-ecs';

export interface TestAwsConfig {
  region: 'us-east-1';
  endpoint: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
}

/** SDK v3 client config pointing at a loopback endpoint (moto or the fault proxy in front of it). */
export function testAwsConfig(endpoint: string): TestAwsConfig {
  return {
    region: 'us-east-1',
    endpoint,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  };
}

/** Env for a child process so the SDK's default chain finds moto and never real AWS. */
export function awsEnv(endpoint: string): Record<string, string> {
  return {
    AWS_ENDPOINT_URL: endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    // Without this a missing credential would make the SDK probe 169.254.169.254.
    AWS_EC2_METADATA_DISABLED: 'true',
  };
}

export interface TestNetwork {
  vpcId: string;
  subnetIds: string[];
  securityGroupId: string;
}

/**
 * The default VPC moto creates on its own: its subnets work for RunTask, whereas a new VPC would
 * also need EnableDnsHostnames or moto answers 500.
 */
export async function createDefaultNetwork(endpoint: string): Promise<TestNetwork> {
  const ec2 = new EC2Client(testAwsConfig(endpoint));
  try {
    const { Vpcs } = await ec2.send(
      new DescribeVpcsCommand({ Filters: [{ Name: 'isDefault', Values: ['true'] }] }),
    );
    const vpcId = Vpcs?.[0]?.VpcId;
    if (!vpcId) throw new Error('moto has no default VPC');
    const inVpc = { Name: 'vpc-id', Values: [vpcId] };
    const { Subnets } = await ec2.send(new DescribeSubnetsCommand({ Filters: [inVpc] }));
    const { SecurityGroups } = await ec2.send(
      new DescribeSecurityGroupsCommand({
        Filters: [inVpc, { Name: 'group-name', Values: ['default'] }],
      }),
    );
    const subnetIds = (Subnets ?? []).flatMap((s) => (s.SubnetId ? [s.SubnetId] : []));
    const securityGroupId = SecurityGroups?.[0]?.GroupId;
    if (subnetIds.length === 0 || !securityGroupId) {
      throw new Error(`default VPC ${vpcId} has no subnets or default security group`);
    }
    return { vpcId, subnetIds, securityGroupId };
  } finally {
    ec2.destroy();
  }
}

/** Registers an awsvpc FARGATE task definition in the shape moto's RunTask accepts. */
/**
 * A preview is ready once it answers (issue 14): with a container health check ECS (and moto, at
 * once) reports HEALTHY, so previews of these definitions are ready when RUNNING, where moto's
 * task addresses answer nobody. Tests of the App's own HTTP probe pass `healthCheck: undefined`.
 */
const READY_AT_ONCE = { command: ['CMD-SHELL', 'exit 0'] };

export async function registerFargateTaskDefinition(
  ecs: ECSClient,
  family: string,
  containers: ContainerDefinition[] = [
    {
      name: 'web',
      image: 'public.ecr.aws/nginx/nginx:latest',
      portMappings: [{ containerPort: 80 }],
    },
  ],
): Promise<TaskDefinition> {
  const { taskDefinition } = await ecs.send(
    new RegisterTaskDefinitionCommand({
      family,
      networkMode: 'awsvpc',
      requiresCompatibilities: ['FARGATE'],
      cpu: '256',
      memory: '512',
      // moto rejects RunTask unless every container names its own memory.
      containerDefinitions: containers.map((c) => ({
        essential: true,
        memory: 512,
        healthCheck: READY_AT_ONCE,
        ...c,
      })),
    }),
  );
  if (!taskDefinition) throw new Error(`RegisterTaskDefinition ${family} returned nothing`);
  return taskDefinition;
}

/**
 * A FARGATE service of `taskDefinition`, one task, on the network's first subnet: the shape the
 * Action's deploy tests, benches and the sandbox deploy to. `extra` overrides any field.
 */
export async function createFargateService(
  ecs: ECSClient,
  network: TestNetwork,
  service: { cluster: string; name: string; taskDefinition: string | undefined },
  extra: Partial<CreateServiceCommandInput> = {},
): Promise<void> {
  await ecs.send(
    new CreateServiceCommand({
      cluster: service.cluster,
      serviceName: service.name,
      taskDefinition: service.taskDefinition,
      desiredCount: 1,
      launchType: 'FARGATE',
      networkConfiguration: {
        awsvpcConfiguration: {
          subnets: network.subnetIds.slice(0, 1),
          securityGroups: [network.securityGroupId],
        },
      },
      ...extra,
    }),
  );
}
