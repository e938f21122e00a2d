import {
  GetMetricDataCommand,
  type CloudWatchClient,
  type MetricDataQuery,
  type MetricDataResult,
} from '@aws-sdk/client-cloudwatch';
import { errorMessage } from '../errors.js';
import type { RequestSignal } from './idle.js';

/** A CloudWatch metric that counts one preview's HTTP requests. */
export interface MetricRef {
  readonly namespace: string;
  readonly name: string;
  readonly dimensions: ReadonlyArray<{ readonly name: string; readonly value: string }>;
}

/** GetMetricData takes at most 500 queries per call. */
const QUERIES_PER_CALL = 500;
/** …and returns at most 100,800 data points per call: 500 queries × 200 points stays under it. */
const POINTS_PER_QUERY = 200;

/**
 * When each preview last served a request within the window, read with one GetMetricData per 500
 * previews (not one call each). A query or call that fails yields `failed` for the previews it
 * covered, never "no requests": a broken read must not look like an idle preview.
 */
export async function readLastRequests(
  cloudwatch: CloudWatchClient,
  metrics: ReadonlyMap<string, MetricRef>,
  window: { readonly now: Date; readonly ms: number },
): Promise<Map<string, RequestSignal>> {
  const result = new Map<string, RequestSignal>();
  const entries = [...metrics.entries()];
  const period = periodFor(window.ms);
  const start = new Date(window.now.getTime() - window.ms);
  for (let offset = 0; offset < entries.length; offset += QUERIES_PER_CALL) {
    const chunk = entries.slice(offset, offset + QUERIES_PER_CALL);
    const queries: MetricDataQuery[] = chunk.map(([, metric], i) => ({
      Id: `q${i}`,
      MetricStat: {
        Metric: {
          Namespace: metric.namespace,
          MetricName: metric.name,
          Dimensions: metric.dimensions.map((d) => ({ Name: d.name, Value: d.value })),
        },
        Period: period,
        Stat: 'Sum',
      },
      ReturnData: true,
    }));
    let answers: MetricDataResult[];
    try {
      answers = await getAll(cloudwatch, queries, start, window.now);
    } catch (error) {
      const failed: RequestSignal = { kind: 'failed', reason: errorMessage(error) };
      for (const [key] of chunk) result.set(key, failed);
      continue;
    }
    chunk.forEach(([key], i) => {
      const parts = answers.filter((a) => a.Id === `q${i}`);
      const broken = parts.find(
        (a) => a.StatusCode === 'InternalError' || a.StatusCode === 'Forbidden',
      );
      if (broken || parts.length === 0) {
        const reason = broken?.Messages?.map((m) => m.Value).join('; ') || 'no data returned';
        result.set(key, { kind: 'failed', reason: `CloudWatch: ${reason}` });
        return;
      }
      let last: number | undefined;
      let count = 0;
      for (const part of parts) {
        (part.Timestamps ?? []).forEach((at, j) => {
          const value = part.Values?.[j] ?? 0;
          count += value;
          // A data point stamps the start of its period: the requests may be as late as its end.
          const end = Math.min(at.getTime() + period * 1_000, window.now.getTime());
          if (value > 0 && (last === undefined || end > last)) last = end;
        });
      }
      result.set(
        key,
        last === undefined
          ? { kind: 'read', count }
          : { kind: 'read', lastRequestAt: new Date(last), count },
      );
    });
  }
  return result;
}

const DAY_MS = 86_400_000;

/**
 * Coarse enough that every query fits the per-call point budget, and a multiple of what
 * CloudWatch still keeps for data that old: it answers nothing at all for a 60 s period starting
 * more than 15 days back (5-minute data), or a 300 s one more than 63 days back (hourly data), and
 * nothing must never read as "no requests".
 */
export function periodFor(windowMs: number): number {
  const unit = windowMs > 63 * DAY_MS ? 3_600 : windowMs > 15 * DAY_MS ? 300 : 60;
  return Math.max(unit, Math.ceil(windowMs / POINTS_PER_QUERY / 1_000 / unit) * unit);
}

/** One call, plus its continuation pages when CloudWatch splits the answer. */
async function getAll(
  cloudwatch: CloudWatchClient,
  queries: MetricDataQuery[],
  start: Date,
  end: Date,
): Promise<MetricDataResult[]> {
  const results: MetricDataResult[] = [];
  let token: string | undefined;
  do {
    const page = await cloudwatch.send(
      new GetMetricDataCommand({
        MetricDataQueries: queries,
        StartTime: start,
        EndTime: end,
        ScanBy: 'TimestampDescending',
        ...(token && { NextToken: token }),
      }),
    );
    results.push(...(page.MetricDataResults ?? []));
    token = page.NextToken;
  } while (token);
  return results;
}
