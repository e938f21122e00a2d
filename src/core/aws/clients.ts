import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import type { ECRClient } from '@aws-sdk/client-ecr';
import { ECSClient } from '@aws-sdk/client-ecs';

/** The AWS clients the deploy path uses, passed in so the Action, the App and tests share one core. */
export interface AwsClients {
  readonly region: string;
  readonly ecs: ECSClient;
  /** Loaded on first use: a deploy of a prebuilt image never talks to ECR. */
  ecr(): Promise<ECRClient>;
  /** Loaded on first use: logs are read only to explain a failure. */
  logs(): Promise<CloudWatchLogsClient>;
}

/**
 * Many matrix jobs deploying at once get throttled; adaptive retry slows this client down when the
 * service pushes back instead of failing after the SDK's default three attempts.
 * The endpoint comes from the SDK's own `AWS_ENDPOINT_URL` handling, so no option is needed here.
 * ECR and CloudWatch Logs are imported lazily: each client is tens of milliseconds of module
 * loading that a step which does not need it should not pay before its first AWS call.
 */
export function createAwsClients(region: string, maxAttempts = 10): AwsClients {
  const config = { region, maxAttempts, retryMode: 'adaptive' } as const;
  let ecr: Promise<ECRClient> | undefined;
  let logs: Promise<CloudWatchLogsClient> | undefined;
  return {
    region,
    ecs: new ECSClient(config),
    ecr: () =>
      (ecr ??= import('@aws-sdk/client-ecr').then(({ ECRClient: Client }) => new Client(config))),
    logs: () =>
      (logs ??= import('@aws-sdk/client-cloudwatch-logs').then(
        ({ CloudWatchLogsClient: Client }) => new Client(config),
      )),
  };
}
