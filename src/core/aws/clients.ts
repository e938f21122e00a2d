import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { ECRClient } from '@aws-sdk/client-ecr';
import { ECSClient } from '@aws-sdk/client-ecs';

/** The AWS clients the deploy path uses, passed in so the Action, the App and tests share one core. */
export interface AwsClients {
  readonly region: string;
  readonly ecs: ECSClient;
  readonly ecr: ECRClient;
  readonly logs: CloudWatchLogsClient;
}

/**
 * Many matrix jobs deploying at once get throttled; adaptive retry slows this client down when the
 * service pushes back instead of failing after the SDK's default three attempts.
 * The endpoint comes from the SDK's own `AWS_ENDPOINT_URL` handling, so no option is needed here.
 */
export function createAwsClients(region: string, maxAttempts = 10): AwsClients {
  const config = { region, maxAttempts, retryMode: 'adaptive' } as const;
  return {
    region,
    ecs: new ECSClient(config),
    ecr: new ECRClient(config),
    logs: new CloudWatchLogsClient(config),
  };
}
