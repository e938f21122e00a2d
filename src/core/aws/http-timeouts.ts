/**
 * The SDK waits forever by default: a connection that a NAT gateway, proxy or load balancer
 * silently drops, or an answer that stops half way, would hang a deploy (and the App's queue for
 * that PR) until the job's own timeout hours later. With these the attempt fails as a
 * TimeoutError, which the SDK's retry strategy treats as transient and retries.
 *
 * - 5 s to connect: AWS endpoints accept in milliseconds, even from another continent.
 * - 30 s for an answer to start (`requestTimeout`, made an error by `throwOnRequestTimeout`; on
 *   its own the SDK only logs a warning) and 30 s of silence inside one (`socketTimeout`, which
 *   covers a body that stops arriving after the headers came). Every call the product makes
 *   is a small control-plane request that AWS answers in well under a second; the slowest, a
 *   RegisterTaskDefinition or a Route 53 change under throttling, stay far below 30 s.
 *
 * `ECS_PAAS_AWS_REQUEST_TIMEOUT_MS` replaces both 30 s values (tests use about a second so a held
 * connection is given up quickly); it is not an input of the Action, only an escape hatch.
 */
/** The NodeHttpHandler options every client gets (the SDK builds its handler from them). */
export interface AwsHttpTimeouts {
  readonly connectionTimeout: number;
  readonly requestTimeout: number;
  readonly throwOnRequestTimeout: boolean;
  readonly socketTimeout: number;
}

export const AWS_CONNECT_TIMEOUT_MS = 5_000;
export const AWS_REQUEST_TIMEOUT_MS = 30_000;
export const AWS_REQUEST_TIMEOUT_VARIABLE = 'ECS_PAAS_AWS_REQUEST_TIMEOUT_MS';

export function awsHttpTimeouts(
  env: Readonly<Record<string, string | undefined>> = process.env,
): AwsHttpTimeouts {
  const override = env[AWS_REQUEST_TIMEOUT_VARIABLE];
  const requestTimeout = override === undefined ? AWS_REQUEST_TIMEOUT_MS : Number(override);
  if (!Number.isInteger(requestTimeout) || requestTimeout <= 0) {
    throw new Error(
      `${AWS_REQUEST_TIMEOUT_VARIABLE} must be a whole number of milliseconds above 0, not '${override ?? ''}'`,
    );
  }
  return {
    connectionTimeout: Math.min(AWS_CONNECT_TIMEOUT_MS, requestTimeout),
    requestTimeout,
    throwOnRequestTimeout: true,
    socketTimeout: requestTimeout,
  };
}
