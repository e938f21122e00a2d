import { errorMessage } from '../../core/errors.js';
import { idleVerdict, type RequestSignal } from '../../core/preview/idle.js';
import { readLastRequests, type MetricRef } from '../../core/preview/request-metrics.js';
import type { BotServices } from '../bot-services.js';
import type { RequestSummary } from '../comment-bodies.js';
import { hostnameOf, type Candidate } from './sweep-plan.js';
import { groupOf, type FleetView } from './sweep-read.js';
import type { Doomed, FoundPreview, RoutingGroup, SweptRepo } from './sweep-types.js';
import { forgetGone } from './sweep-memory.js';
import { judgedRequests } from './unreadable-requests.js';

/**
 * CloudWatch publishes load balancer and custom metrics a few minutes late: a preview that looks
 * idle by its request count is stopped only when a sweep at least this much later agrees, by which
 * time a request made just before the first look has arrived.
 */
export const IDLE_CONFIRM_MS = 3 * 60_000;

export interface IdleFindings {
  readonly idle: Doomed[];
  readonly kept: number;
  readonly unknown: number;
  /** Idle by their request count at one look so far (`owner/repo#n`); a later sweep decides. */
  readonly pending: ReadonlySet<string>;
  /** Stopped by PR activity alone: the request count was unreadable for idle-after × 3. */
  readonly blindIdle: number;
  /** Previews left running whose request count was read, for their comments. */
  readonly measured: readonly MeasuredPreview[];
}

export interface MeasuredPreview {
  readonly preview: FoundPreview;
  readonly requests: RequestSummary;
}

/** Reads request counts in batches and judges each candidate; see idleVerdict for the rule. */
export async function findIdle(
  services: BotServices,
  view: FleetView,
  candidates: readonly Candidate[],
  now: Date,
  problem: (text: string) => void,
): Promise<IdleFindings> {
  const { groups } = view;
  const metrics = new Map<string, MetricRef>();
  const windowMs = Math.max(0, ...candidates.map((c) => c.repo.config.idleAfterMs ?? 0));
  const unreadable = new Set<string>();
  for (const { preview, repo } of candidates) {
    if (repo.config.idleAfterMs === null) continue;
    const metric = requestMetric(repo, preview, groupOf(groups, repo));
    if (metric === 'unreadable') unreadable.add(keyOf(preview));
    else if (metric) metrics.set(keyOf(preview), metric);
  }
  let signals = new Map<string, RequestSignal>();
  if (metrics.size > 0) {
    try {
      signals = await readLastRequests(await services.aws.cloudwatch(), metrics, {
        now,
        ms: windowMs,
      });
    } catch (error) {
      const failed: RequestSignal = { kind: 'failed', reason: errorMessage(error) };
      signals = new Map([...metrics.keys()].map((k) => [k, failed]));
    }
  }
  const idle: Doomed[] = [];
  let kept = 0;
  let unknown = 0;
  let blindIdle = 0;
  const pending = new Set<string>();
  const measured: MeasuredPreview[] = [];
  const seen = services.idleSeen;
  forgetGone(view, [seen, services.requestsUnreadableSince]);
  for (const { preview, repo, pull } of candidates) {
    if (preview.tasks.length === 0) continue;
    const key = keyOf(preview);
    const signal: RequestSignal = unreadable.has(key)
      ? { kind: 'failed', reason: 'the load balancer routes could not be read' }
      : metrics.has(key)
        ? (signals.get(key) ?? { kind: 'failed', reason: 'no answer' })
        : { kind: 'none' };
    const { requests, blindSince } = judgedRequests(
      services.requestsUnreadableSince,
      key,
      signal,
      now,
      repo.config.idleAfterMs,
    );
    const updated = pull.updated_at ? new Date(pull.updated_at) : undefined;
    // Several tasks (a replacement under way): the newest of each signal speaks for the PR.
    const launchedAt = newest(preview.tasks.map((t) => t.launchedAt ?? t.startedAt ?? t.createdAt));
    const lastActivity = newest(preview.tasks.map((t) => t.lastActivity));
    const keepUntil = newest(preview.tasks.map((t) => t.keepUntil));
    const verdict = idleVerdict({
      now,
      idleAfterMs: repo.config.idleAfterMs,
      ...(launchedAt && { launchedAt }),
      ...(lastActivity && { lastActivity }),
      ...(updated && { pullUpdatedAt: updated }),
      ...(keepUntil && { keepUntil }),
      requests,
    });
    if (!verdict.idle) seen.delete(key);
    if (!verdict.idle && requests.kind === 'read' && requests.count !== undefined) {
      measured.push({
        preview,
        requests: {
          count: requests.count,
          overMs: windowMs,
          ...(requests.lastRequestAt && { last: requests.lastRequestAt }),
        },
      });
    }
    if (verdict.idle && requests.kind === 'read') {
      const first = seen.get(key);
      if (first === undefined) seen.set(key, now.getTime());
      if (first === undefined || now.getTime() - first < IDLE_CONFIRM_MS) {
        pending.add(key);
        continue;
      }
    }
    if (verdict.idle) {
      seen.delete(key);
      if (blindSince) {
        blindIdle++;
        problem(
          `${preview.full}#${preview.pr}: request count unreadable since ${blindSince.toISOString()} (${signal.kind === 'failed' ? signal.reason : ''}); judged by PR activity alone`,
        );
      }
      const hostname = hostnameOf(repo, preview.tasks);
      idle.push({
        ...preview,
        reason: 'idle',
        stopped: {
          kind: 'idle',
          since: verdict.since,
          idleAfterMs: repo.config.idleAfterMs ?? 0,
          requestsMeasured: requests.kind === 'read',
        },
        hostnames: hostname ? [hostname] : [],
      });
    } else if (verdict.why === 'kept') {
      kept++;
    } else if (verdict.why === 'unknown') {
      unknown++;
      problem(
        `${preview.full}#${preview.pr}: request count unreadable (${verdict.reason}); not stopped, tried again next sweep`,
      );
    }
  }
  return { idle, kept, unknown, pending, blindIdle, measured };
}

function newest(dates: ReadonlyArray<Date | undefined>): Date | undefined {
  const times = dates.flatMap((d) => (d ? [d.getTime()] : []));
  return times.length > 0 ? new Date(Math.max(...times)) : undefined;
}

function keyOf(preview: FoundPreview): string {
  return `${preview.full}#${preview.pr}`;
}

/** ALB previews are counted by their target group; dns ones only through `activity-metric`. */
export function requestMetric(
  repo: SweptRepo,
  preview: FoundPreview,
  group: RoutingGroup,
): MetricRef | 'unreadable' | undefined {
  const hostname = hostnameOf(repo, preview.tasks);
  if (repo.config.routing.mode === 'alb') {
    // Without its target group an ALB preview's traffic is unknown, not absent.
    const metric = hostname ? group.routed?.get(hostname)?.requestMetric : undefined;
    return metric ?? 'unreadable';
  }
  const custom = repo.config.activityMetric;
  const label = preview.tasks.find((t) => t.label)?.label;
  return custom && label
    ? {
        namespace: custom.namespace,
        name: custom.name,
        dimensions: [{ name: custom.dimension, value: label }],
      }
    : undefined;
}
