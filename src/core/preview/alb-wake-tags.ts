import { createHash } from 'node:crypto';
import type { Tag } from '@aws-sdk/client-elastic-load-balancing-v2';

/**
 * Tags on a sleeping preview's listener rules (wake on request). `asleep` holds when the sweep
 * forwarded the rule to the App (ISO 8601); `waking` when a visit began the relaunch, so another
 * replica that reads the rule does not launch a second task.
 */
export const WAKE_TAGS = {
  asleep: 'ecs-paas:asleep',
  waking: 'ecs-paas:waking',
} as const;

/**
 * On the App's target group, one tag per listener whose rules have slept there (value: the
 * listener ARN), so the App finds them again from AWS alone with one read.
 */
export const WAKE_LISTENER_PREFIX = 'ecs-paas:wake-listener-';

export const wakeListenerKey = (listenerArn: string): string =>
  `${WAKE_LISTENER_PREFIX}${createHash('sha256').update(listenerArn).digest('hex').slice(0, 16)}`;

/** Whether a rule's tags say it sleeps. */
export const isAsleep = (tags: readonly Tag[]): boolean =>
  tags.some((t) => t.Key === WAKE_TAGS.asleep);
