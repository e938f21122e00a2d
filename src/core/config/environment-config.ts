import { z } from 'zod';
import { expected, mapOf, oneOrMore, section, text } from './config-fields.js';

/** GitHub's repository permission levels, weakest first, so a level can be compared by position. */
export const PERMISSION_LEVELS = ['read', 'triage', 'write', 'maintain', 'admin'] as const;
export type Permission = (typeof PERMISSION_LEVELS)[number];

/** One entry of `environments:`: where `/deploy <name>` ships a PR's image, and who may ask. */
export interface EnvironmentConfig {
  readonly cluster: string;
  /** ECS services updated together, in this order. */
  readonly services: readonly string[];
  /** The least repository permission a commenter needs for `/deploy <name>`. */
  readonly permission: Permission;
  /** Containers that get the image; empty means the task definition's only container. */
  readonly containers: readonly string[];
  /** Task definition to render from instead of the first service's current one. */
  readonly taskDefinition?: string;
}

const environment = section(
  {
    cluster: text('an ECS cluster name or ARN'),
    services: oneOrMore(
      text('an ECS service name'),
      'an ECS service name or a non-empty list of them',
    ),
    permission: z
      .enum(PERMISSION_LEVELS, expected('read, triage, write, maintain or admin'))
      .default('write'),
    container: oneOrMore(
      text('a container name'),
      'a container name or a non-empty list of them',
    ).optional(),
    'task-definition': text('a task definition family or ARN').optional(),
  },
  'a map with cluster and services',
).transform((entry): EnvironmentConfig => ({
  cluster: entry.cluster,
  services: entry.services,
  permission: entry.permission,
  containers: entry.container ?? [],
  ...(entry['task-definition'] !== undefined && { taskDefinition: entry['task-definition'] }),
}));

/** `environments:`, keyed by the name typed after `/deploy`. */
export const environmentsSchema = mapOf(
  {
    pattern: /^[a-z0-9][a-z0-9-]*$/,
    form: "an environment name of lowercase letters, digits and '-', such as staging",
  },
  environment,
  'a map of environment names to { cluster, services, permission }',
);
