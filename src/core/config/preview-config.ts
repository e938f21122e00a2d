import { z } from 'zod';
import { parseDuration } from '../duration.js';
import { LOG_DELIVERIES, type LogDelivery } from '../preview/log-delivery.js';
import type { PreviewSettings } from '../preview/preview-types.js';
import { expected, got, integer, mapOf, matching, section, text } from './config-fields.js';
import { routingSchema } from './routing-config.js';

export type LaunchType = PreviewSettings['launchType'];

/** A CloudWatch metric that counts a preview's requests, for idle detection in `dns` mode. */
export interface ActivityMetric {
  readonly namespace: string;
  readonly name: string;
  /** The dimension whose value is the preview's subdomain label (`pr-42-web`). */
  readonly dimension: string;
}

/** `preview:` in `.github/ecs-paas.yml`: how each pull request's preview task runs and is reached. */
export interface PreviewConfig extends PreviewSettings {
  /** Where `<ecr-repository>:<sha>` images are found; left out, the caller uses the GitHub repo name. */
  readonly ecrRepository?: string;
  /** Idle time before teardown, in ms; null when idle teardown is off (`idle-after: never`). */
  readonly idleAfterMs: number | null;
  readonly activityMetric?: ActivityMetric;
  /** Left out, `/logs` comments on private and internal repositories and links on public ones. */
  readonly logs?: LogDelivery;
}

const DEFAULT_IDLE_MS = 24 * 3_600_000;
/** Shorter than a sweep or two would stop previews between a developer's clicks. */
const MIN_IDLE_MS = 5 * 60_000;
const IDLE_FORM = "a duration of at least 5m such as 24h, 90m or 3d, or 'never'";

const idleAfter = z
  .union([z.string(), z.number()], expected(IDLE_FORM))
  .optional()
  .transform((raw, ctx): number | null => {
    if (raw === undefined) return DEFAULT_IDLE_MS;
    const value = String(raw).trim().toLowerCase();
    if (value === 'never') return null;
    const ms = parseDuration(value);
    if (ms === 0) return null;
    if (ms === undefined || ms < MIN_IDLE_MS) {
      const why = ms === undefined ? '' : ' (below the 5m minimum)';
      ctx.addIssue({
        code: 'custom',
        input: raw,
        message: `${got(raw)}${why}; expected ${IDLE_FORM}`,
      });
      return z.NEVER;
    }
    return ms;
  });

const activityMetric = section(
  {
    namespace: text('a CloudWatch namespace such as MyApp'),
    name: text('a CloudWatch metric name such as RequestCount'),
    dimension: text("the name of the dimension whose value is the preview's subdomain label"),
  },
  'a map with namespace, name and dimension',
);

const env = mapOf(
  {
    pattern: /^[A-Za-z_][A-Za-z0-9_]*$/,
    form: "an environment variable name (letters, digits and '_', not starting with a digit)",
  },
  z
    .union([z.string(), z.number(), z.boolean()], expected('a string, number or boolean'))
    .transform(String),
  'a map of environment variable names to values',
);

/** `preview:`; the whole section is optional, its absence meaning previews are off. */
export const previewSchema = section(
  {
    cluster: text('an ECS cluster name or ARN'),
    'task-definition': matching(
      /^[A-Za-z0-9_-]{1,255}$/,
      "a task definition family name (letters, digits, '-' and '_'), without a revision",
    ),
    container: text('the name of a container in the task definition').optional(),
    'ecr-repository': matching(
      /^([a-z0-9]+([._-][a-z0-9]+)*\/)*[a-z0-9]+([._-][a-z0-9]+)*$/,
      "an ECR repository name such as 'web' or 'team/web'",
    ).optional(),
    'launch-type': z
      .enum(['FARGATE', 'EC2', 'EXTERNAL'], expected('FARGATE, EC2 or EXTERNAL'))
      .default('FARGATE'),
    subnets: z
      .array(
        matching(/^subnet-[0-9a-z]+$/, 'a subnet ID such as subnet-0abc1234'),
        expected('a non-empty list of subnet IDs such as [subnet-0abc1234]'),
      )
      .min(1),
    'security-groups': z
      .array(
        matching(/^sg-[0-9a-z]+$/, 'a security group ID such as sg-0abc1234'),
        expected('a list of security group IDs such as [sg-0abc1234]'),
      )
      .default([]),
    'assign-public-ip': z.boolean(expected('true or false')).default(false),
    routing: routingSchema,
    env: env.default({}),
    'max-previews': integer(1, Number.MAX_SAFE_INTEGER, 'an integer of at least 1').default(10),
    forks: z
      .enum(['require-approval', 'never'], expected('require-approval or never'))
      .default('require-approval'),
    'idle-after': idleAfter,
    'activity-metric': activityMetric.optional(),
    logs: z.enum(LOG_DELIVERIES, expected('comment, link or off')).optional(),
  },
  'a map with cluster, task-definition, subnets and routing',
).transform((preview): PreviewConfig => ({
  cluster: preview.cluster,
  taskDefinition: preview['task-definition'],
  ...(preview.container !== undefined && { container: preview.container }),
  ...(preview['ecr-repository'] !== undefined && { ecrRepository: preview['ecr-repository'] }),
  launchType: preview['launch-type'],
  subnets: preview.subnets,
  securityGroups: preview['security-groups'],
  assignPublicIp: preview['assign-public-ip'],
  routing: preview.routing,
  env: preview.env,
  maxPreviews: preview['max-previews'],
  forks: preview.forks,
  idleAfterMs: preview['idle-after'],
  ...(preview.logs !== undefined && { logs: preview.logs }),
  ...(preview['activity-metric'] !== undefined && {
    activityMetric: {
      namespace: preview['activity-metric'].namespace,
      name: preview['activity-metric'].name,
      dimension: preview['activity-metric'].dimension,
    },
  }),
}));
