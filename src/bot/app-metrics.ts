import type { CloudWatchClient, MetricDatum, StandardUnit } from '@aws-sdk/client-cloudwatch';
import { errorMessage } from '../core/errors.js';
import type { Logger } from '../core/logger.js';

/** Why a preview went away: the `Reason` dimension of `Teardowns`. */
export type TeardownReason = 'closed' | 'idle' | 'command' | 'orphan';

export interface AppMetricsOptions {
  /** CloudWatch namespace; `EcsPaas` unless told. */
  namespace?: string;
  /** Clock for the datums' timestamps (tests pin it). */
  now?: () => Date;
}

type MetricName = 'ActivePreviews' | 'Launches' | 'LaunchFailures' | 'LaunchSeconds' | 'Teardowns';

const DEFAULT_NAMESPACE = 'EcsPaas';

// CloudWatch rejects a PutMetricData with more than 1000 datums.
const MAX_DATUMS_PER_REQUEST = 1000;

/**
 * The App's own CloudWatch metrics. Every call publishes at once and returns without waiting:
 * metrics are a side channel, so a slow or failing CloudWatch must never hold up or break a
 * preview. Failures become warnings.
 */
export class AppMetrics {
  private readonly namespace: string;
  private readonly now: () => Date;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly cloudwatch: () => Promise<CloudWatchClient>,
    private readonly log: Logger,
    options: AppMetricsOptions = {},
  ) {
    this.namespace = options.namespace ?? DEFAULT_NAMESPACE;
    this.now = options.now ?? (() => new Date());
  }

  /** A preview came up: `Launches` = 1 and `LaunchSeconds` = how long it took. */
  launched(repo: string, seconds: number): void {
    const timestamp = this.now();
    const data = [this.datum('Launches', 1, 'Count', timestamp, repo)];
    // CloudWatch would reject the whole request, losing the launch count with the bad duration.
    if (Number.isFinite(seconds) && seconds >= 0) {
      data.push(this.datum('LaunchSeconds', seconds, 'Seconds', timestamp, repo));
    } else {
      this.log.warning(`Not publishing LaunchSeconds for ${repo}: ${seconds} is not a duration`);
    }
    this.publish(data);
  }

  /** A preview failed to come up. */
  launchFailed(repo: string): void {
    this.publish([this.datum('LaunchFailures', 1, 'Count', this.now(), repo)]);
  }

  /** `count` previews of `repo` were stopped for `reason`. */
  tornDown(repo: string, reason: TeardownReason, count = 1): void {
    if (!Number.isFinite(count) || count < 0) {
      this.log.warning(`Not publishing Teardowns for ${repo}: ${count} is not a count`);
      return;
    }
    this.publish([this.datum('Teardowns', count, 'Count', this.now(), repo, reason)]);
  }

  /**
   * How many previews run now, per repository. The fleet total goes out as well, without a
   * dimension, so a dashboard can chart it without metric math; a repository mapped to 0 is
   * published as 0 so its line drops instead of stopping at its last value.
   */
  activePreviews(perRepo: ReadonlyMap<string, number>): void {
    const timestamp = this.now();
    const total = [...perRepo.values()].reduce((sum, count) => sum + count, 0);
    this.publish([
      this.datum('ActivePreviews', total, 'Count', timestamp),
      ...[...perRepo].map(([repo, count]) =>
        this.datum('ActivePreviews', count, 'Count', timestamp, repo),
      ),
    ]);
  }

  /** Resolves when every publish started so far has finished (graceful shutdown, tests). */
  async settled(): Promise<void> {
    await Promise.all([...this.inFlight]);
  }

  /** One datum; without `repo` it is the fleet-wide series, with `reason` a teardown's cause. */
  private datum(
    name: MetricName,
    value: number,
    unit: StandardUnit,
    timestamp: Date,
    repo?: string,
    reason?: TeardownReason,
  ): MetricDatum {
    const dimensions = [
      ...(repo === undefined ? [] : [{ Name: 'Repository', Value: repo }]),
      ...(reason === undefined ? [] : [{ Name: 'Reason', Value: reason }]),
    ];
    return {
      MetricName: name,
      ...(dimensions.length > 0 ? { Dimensions: dimensions } : {}),
      Value: value,
      Unit: unit,
      Timestamp: timestamp,
    };
  }

  private publish(data: MetricDatum[]): void {
    for (let start = 0; start < data.length; start += MAX_DATUMS_PER_REQUEST) {
      const request = this.put(data.slice(start, start + MAX_DATUMS_PER_REQUEST)).catch(
        (error: unknown) => {
          this.log.warning(`Could not publish metrics to CloudWatch: ${errorMessage(error)}`);
        },
      );
      this.inFlight.add(request);
      void request.finally(() => this.inFlight.delete(request));
    }
  }

  private async put(data: MetricDatum[]): Promise<void> {
    const client = await this.cloudwatch();
    // Loaded like the client itself: only when the App first publishes.
    const { PutMetricDataCommand } = await import('@aws-sdk/client-cloudwatch');
    await client.send(new PutMetricDataCommand({ Namespace: this.namespace, MetricData: data }));
  }
}
