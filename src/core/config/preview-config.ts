import { z } from 'zod';
import { parseDuration } from '../duration.js';
import { LOG_DELIVERIES, type LogDelivery } from '../preview/log-delivery.js';
import { INHERITABLE, type Inheritable } from '../preview/preview-identity.js';
import { PREVIEW_VARIABLES } from '../preview/preview-task-definition.js';
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
  /** `preview.secrets`; empty when none are configured. */
  readonly secrets: Readonly<Record<string, string>>;
  /** `preview.inherit`, without repeats: what an operator policy may forbid per repository. */
  readonly inherit: readonly Inheritable[];
  /**
   * `preview.wake-on-request` (alb mode only): an idle-stopped preview keeps its listener rule,
   * forwarded to the App, and a visit relaunches it. False unless set.
   */
  readonly wakeOnRequest: boolean;
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

const ENV_NAME = {
  pattern: /^[A-Za-z_][A-Za-z0-9_]*$/,
  form: "an environment variable name (letters, digits and '_', not starting with a digit)",
};

const env = mapOf(
  ENV_NAME,
  z
    .union([z.string(), z.number(), z.boolean()], expected('a string, number or boolean'))
    .transform(String),
  'a map of environment variable names to values',
);

const ARN = 'arn:aws(-[a-z]+)*';
const roleArn = (example: string) =>
  matching(
    new RegExp(`^${ARN}:iam::\\d{12}:role/([\\w+=,.@-]+/)*[\\w+=,.@-]{1,64}$`),
    `an IAM role ARN such as arn:aws:iam::123456789012:role/${example}`,
  );

const SECRET_FORM =
  'an SSM parameter name or ARN, or a Secrets Manager secret ARN, such as arn:aws:secretsmanager:us-east-1:123456789012:secret:preview/db-AbCdEf';
const SECRET_SOURCE = new RegExp(
  [
    `${ARN}:ssm:[a-z0-9-]+:\\d{12}:parameter/[\\w./-]+`,
    // A secret, optionally narrowed to `:json-key:version-stage:version-id`.
    `${ARN}:secretsmanager:[a-z0-9-]+:\\d{12}:secret:[\\w/+=.@-]+(:[\\w.-]*){0,3}`,
    // A parameter of the task's own region, by name.
    `/?[\\w.-]+(/[\\w.-]+)*`,
  ]
    .map((form) => `^(${form})$`)
    .join('|'),
);

const secrets = mapOf(
  ENV_NAME,
  matching(SECRET_SOURCE, SECRET_FORM),
  'a map of environment variable names to SSM parameters or Secrets Manager secret ARNs',
);

const INHERIT_FORM = 'a list of task-role, secrets and environment';
const inherit = z
  .preprocess(
    (value) => (typeof value === 'string' ? [value] : value),
    z.array(
      z.enum(INHERITABLE, expected('task-role, secrets or environment')),
      expected(INHERIT_FORM),
    ),
  )
  .optional()
  .transform((list): Inheritable[] => [...new Set(list ?? [])]);

/** Task-level size: what ECS accepts, as the string it stores (`cpu: 512` or `cpu: 1 vCPU`). */
const size = (pattern: RegExp, form: string) =>
  z
    .union([z.number(), z.string()], expected(form))
    .transform((value) => String(value))
    .pipe(matching(pattern, form));

const capacityProvider = section(
  {
    'capacity-provider': matching(
      /^[A-Za-z0-9_-]{1,255}$/,
      'a capacity provider name such as FARGATE_SPOT',
    ),
    weight: integer(0, 1000, 'an integer from 0 to 1000').default(1),
    base: integer(0, 100_000, 'an integer from 0 to 100000').default(0),
  },
  'a map with capacity-provider, weight and base',
).transform((item) => ({
  capacityProvider: item['capacity-provider'],
  weight: item.weight,
  base: item.base,
}));

const STRATEGY_FORM = 'a list of maps with capacity-provider, weight and base';
const capacityProviderStrategy = z
  .array(capacityProvider, expected(STRATEGY_FORM))
  .min(1)
  .superRefine((items, ctx) => {
    if (items.length === 0) return;
    const problem =
      items.filter((item) => item.base > 0).length > 1
        ? 'more than one provider with a base'
        : items.every((item) => item.weight === 0)
          ? 'every weight is 0'
          : new Set(items.map((item) => item.capacityProvider)).size < items.length
            ? 'a provider named twice'
            : undefined;
    if (problem) {
      ctx.addIssue({
        code: 'custom',
        input: items,
        message: `${problem}; expected ${STRATEGY_FORM}, each provider once, at most one with a base and at least one weight above 0`,
      });
    }
  });

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
      .optional(),
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
    'task-role-arn': roleArn('preview-web').optional(),
    'execution-role-arn': roleArn('ecsTaskExecutionRole').optional(),
    secrets: secrets.default({}),
    inherit,
    cpu: size(
      /^(\d+|\d+(\.\d+)?\s*vCPU)$/i,
      'CPU units such as 256, 512 or 1024, or 1 vCPU',
    ).optional(),
    memory: size(
      /^(\d+|\d+(\.\d+)?\s*GB)$/i,
      'memory in MiB such as 512 or 2048, or 2 GB',
    ).optional(),
    'capacity-provider-strategy': capacityProviderStrategy.optional(),
    'wake-on-request': z.boolean(expected('true or false')).default(false),
  },
  'a map with cluster, task-definition, subnets and routing',
)
  .superRefine((preview, ctx) => {
    for (const name of Object.keys(preview.secrets)) {
      const clash =
        name in preview.env
          ? 'also set in env'
          : PREVIEW_VARIABLES.includes(name as never)
            ? 'set by ecs-paas for every preview'
            : undefined;
      if (clash) {
        ctx.addIssue({
          code: 'custom',
          path: ['secrets', name],
          input: name,
          message: `${clash}; expected a variable name not in env and not one of ${PREVIEW_VARIABLES.join(', ')}`,
        });
      }
    }
    if (
      preview['launch-type'] !== undefined &&
      preview['capacity-provider-strategy'] !== undefined
    ) {
      ctx.addIssue({
        code: 'custom',
        path: ['capacity-provider-strategy'],
        input: preview['capacity-provider-strategy'],
        message:
          'ECS takes a launch type or a capacity provider strategy, not both; expected launch-type or capacity-provider-strategy',
      });
    }
    // A dns-mode record points at the task itself: nothing is left to answer once it stops.
    if (preview['wake-on-request'] && preview.routing.mode !== 'alb') {
      ctx.addIssue({
        code: 'custom',
        path: ['wake-on-request'],
        input: preview['wake-on-request'],
        message:
          'needs routing.mode alb (a stopped preview is woken through its listener rule); expected routing.mode: alb, or wake-on-request: false',
      });
    }
  })
  .transform((preview): PreviewConfig => ({
    cluster: preview.cluster,
    taskDefinition: preview['task-definition'],
    ...(preview.container !== undefined && { container: preview.container }),
    ...(preview['ecr-repository'] !== undefined && { ecrRepository: preview['ecr-repository'] }),
    launchType: preview['launch-type'] ?? 'FARGATE',
    subnets: preview.subnets,
    securityGroups: preview['security-groups'],
    assignPublicIp: preview['assign-public-ip'],
    routing: preview.routing,
    env: preview.env,
    maxPreviews: preview['max-previews'],
    forks: preview.forks,
    idleAfterMs: preview['idle-after'],
    ...(preview.logs !== undefined && { logs: preview.logs }),
    ...(preview['task-role-arn'] !== undefined && { taskRoleArn: preview['task-role-arn'] }),
    ...(preview['execution-role-arn'] !== undefined && {
      executionRoleArn: preview['execution-role-arn'],
    }),
    secrets: preview.secrets,
    inherit: preview.inherit,
    wakeOnRequest: preview['wake-on-request'],
    ...(preview.cpu !== undefined && { cpu: preview.cpu }),
    ...(preview.memory !== undefined && { memory: preview.memory }),
    ...(preview['capacity-provider-strategy'] !== undefined && {
      capacityProviderStrategy: preview['capacity-provider-strategy'],
    }),
    ...(preview['activity-metric'] !== undefined && {
      activityMetric: {
        namespace: preview['activity-metric'].namespace,
        name: preview['activity-metric'].name,
        dimension: preview['activity-metric'].dimension,
      },
    }),
  }));
