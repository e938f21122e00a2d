import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import type { CodeDeployClient } from '@aws-sdk/client-codedeploy';
import type { ECRClient } from '@aws-sdk/client-ecr';
import type { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { Route53Client } from '@aws-sdk/client-route-53';
import { ECSClient } from '@aws-sdk/client-ecs';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@aws-sdk/types';
import { credentialProvider, ec2PublicIpReader, type Ec2PublicIpReader } from './ec2-public-ip.js';
import { awsHttpTimeouts } from './http-timeouts.js';

/** Settings shared by every client; tests and the App point `endpoint` at another AWS API. */
export interface ClientOverrides {
  readonly endpoint?: string;
  /** Static keys, or a provider such as a role assumed for one repository's work. */
  readonly credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  readonly maxAttempts?: number;
  readonly retryMode?: 'standard' | 'adaptive';
}

/** The AWS clients the deploy path uses, passed in so the Action, the App and tests share one core. */
export interface AwsClients {
  readonly region: string;
  readonly ecs: ECSClient;
  /** Loaded on first use: a deploy of a prebuilt image never talks to ECR. */
  ecr(): Promise<ECRClient>;
  /** Loaded on first use: logs are read only to explain a failure. */
  logs(): Promise<CloudWatchLogsClient>;
  /** Only previews with a public IP need EC2, and only this one read of it (ec2-public-ip.ts). */
  ec2(): Ec2PublicIpReader;
  /** Loaded on first use: only previews route through DNS. */
  route53(): Promise<Route53Client>;
  /** Loaded on first use: only `alb` previews need it. */
  elbv2(): Promise<ElasticLoadBalancingV2Client>;
  /** Loaded on first use: the App's idle checks and its own metrics; the Action never needs it. */
  cloudwatch(): Promise<CloudWatchClient>;
  /** Loaded on first use: only services with the CODE_DEPLOY controller need it. */
  codedeploy(): Promise<CodeDeployClient>;
}

/**
 * Many matrix jobs deploying at once get throttled; adaptive retry slows this client down when the
 * service pushes back instead of failing after the SDK's default three attempts.
 * The endpoint comes from the SDK's own `AWS_ENDPOINT_URL` handling, so no option is needed here.
 * ECR and CloudWatch Logs are imported lazily: each client is tens of milliseconds of module
 * loading that a step which does not need it should not pay before its first AWS call.
 * Every client gets connection and request timeouts (see http-timeouts.ts): without them one
 * unanswered request hangs the Action, or a PR's queue in the App, for good.
 */
export function createAwsClients(
  region: string,
  overrides: ClientOverrides = {},
  env: Readonly<Record<string, string | undefined>> = process.env,
): AwsClients {
  const config = {
    region,
    maxAttempts: 10,
    retryMode: 'adaptive',
    requestHandler: awsHttpTimeouts(env),
    ...overrides,
  } as const;
  let ecr: Promise<ECRClient> | undefined;
  let logs: Promise<CloudWatchLogsClient> | undefined;
  let ec2: Ec2PublicIpReader | undefined;
  let route53: Promise<Route53Client> | undefined;
  let elbv2: Promise<ElasticLoadBalancingV2Client> | undefined;
  let cloudwatch: Promise<CloudWatchClient> | undefined;
  let codedeploy: Promise<CodeDeployClient> | undefined;
  const ecs = new ECSClient(config);
  return {
    region,
    ecs,
    ecr: () =>
      (ecr ??= import('@aws-sdk/client-ecr').then(({ ECRClient: Client }) => new Client(config))),
    logs: () =>
      (logs ??= import('@aws-sdk/client-cloudwatch-logs').then(
        ({ CloudWatchLogsClient: Client }) => new Client(config),
      )),
    ec2: () =>
      (ec2 ??= ec2PublicIpReader({
        region,
        endpoint: config.endpoint,
        // The ECS client's resolved provider: the same default chain, or the override it was given.
        credentials: credentialProvider(config.credentials ?? ecs.config.credentials),
        maxAttempts: config.maxAttempts,
        requestTimeoutMs: config.requestHandler.requestTimeout,
        env,
      })),
    route53: () =>
      (route53 ??= import('@aws-sdk/client-route-53').then(
        ({ Route53Client: Client }) => new Client(config),
      )),
    elbv2: () =>
      (elbv2 ??= import('@aws-sdk/client-elastic-load-balancing-v2').then(
        ({ ElasticLoadBalancingV2Client: Client }) => new Client(config),
      )),
    cloudwatch: () =>
      (cloudwatch ??= import('@aws-sdk/client-cloudwatch').then(
        ({ CloudWatchClient: Client }) => new Client(config),
      )),
    codedeploy: () =>
      (codedeploy ??= import('@aws-sdk/client-codedeploy').then(
        ({ CodeDeployClient: Client }) => new Client(config),
      )),
  };
}
