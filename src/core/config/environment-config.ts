import { z } from 'zod';
import { expected, got, mapOf, matching, oneOrMore, section, text } from './config-fields.js';

/** GitHub's repository permission levels, weakest first, so a level can be compared by position. */
export const PERMISSION_LEVELS = ['read', 'triage', 'write', 'maintain', 'admin'] as const;
export type Permission = (typeof PERMISSION_LEVELS)[number];
/** Who may ship to an environment: readers and triagers cannot push code, so they cannot deploy it. */
export const DEPLOY_PERMISSIONS = ['write', 'maintain', 'admin'] as const;
export type DeployPermission = (typeof DEPLOY_PERMISSIONS)[number];

interface Gates {
  /** The least repository permission a commenter needs for `/deploy <name>` (write or more). */
  readonly permission: DeployPermission;
  /** The head's statuses and check runs must all be green (default true). */
  readonly requireChecks: boolean;
  /** An approving review of the head SHA is needed (default false). */
  readonly requireApproval: boolean;
}

/** `/deploy <name>` ships the PR's image to these services itself. */
export interface ServicesEnvironment extends Gates {
  readonly kind: 'services';
  readonly cluster: string;
  /** ECS services updated together, in this order. */
  readonly services: readonly string[];
  /** Containers that get the image; empty means the task definition's only container. */
  readonly containers: readonly string[];
  /** Task definition to render from instead of the first service's current one. */
  readonly taskDefinition?: string;
}

/**
 * `/deploy <name>` dispatches this workflow on the PR's head, so GitHub's environment protection
 * (required reviewers, wait timers, branch rules) applies to its job, which the App cannot do.
 */
export interface WorkflowEnvironment extends Gates {
  readonly kind: 'workflow';
  /** A workflow file name in .github/workflows, such as deploy.yml. */
  readonly workflow: string;
}

export type EnvironmentConfig = ServicesEnvironment | WorkflowEnvironment;

const environment = section(
  {
    cluster: text('an ECS cluster name or ARN').optional(),
    services: oneOrMore(
      text('an ECS service name'),
      'an ECS service name or a non-empty list of them',
    ).optional(),
    workflow: matching(
      /^[\w.-]+\.ya?ml$/,
      'a workflow file name in .github/workflows, such as deploy.yml',
    ).optional(),
    permission: z
      .string(expected('write, maintain or admin'))
      .superRefine((value, ctx) => {
        if ((DEPLOY_PERMISSIONS as readonly string[]).includes(value)) return;
        ctx.addIssue({
          code: 'custom',
          input: value,
          message: (PERMISSION_LEVELS as readonly string[]).includes(value)
            ? `${got(value)}; expected write, maintain or admin: ${value} access cannot push code, so it cannot deploy it`
            : `${got(value)}; expected write, maintain or admin`,
        });
      })
      .default('write'),
    'require-checks': z.boolean(expected('true or false')).default(true),
    'require-approval': z.boolean(expected('true or false')).default(false),
    container: oneOrMore(
      text('a container name'),
      'a container name or a non-empty list of them',
    ).optional(),
    'task-definition': text('a task definition family or ARN').optional(),
  },
  'a map with cluster and services, or with workflow',
)
  .superRefine((entry, ctx) => {
    if (entry.workflow !== undefined) {
      for (const key of ['cluster', 'services', 'container', 'task-definition'] as const) {
        if (entry[key] === undefined) continue;
        ctx.addIssue({
          code: 'custom',
          path: [key],
          input: entry[key],
          message: 'not used with workflow: the workflow does the deploy; remove this key',
        });
      }
      return;
    }
    for (const key of ['cluster', 'services'] as const) {
      if (entry[key] !== undefined) continue;
      ctx.addIssue({
        code: 'custom',
        path: [key],
        input: undefined,
        message:
          key === 'cluster'
            ? 'missing; expected an ECS cluster name or ARN (or a workflow: to dispatch instead)'
            : 'missing; expected an ECS service name or a non-empty list of them',
      });
    }
  })
  .transform((entry): EnvironmentConfig => {
    const gates = {
      permission: entry.permission as DeployPermission,
      requireChecks: entry['require-checks'],
      requireApproval: entry['require-approval'],
    };
    if (entry.workflow !== undefined)
      return { kind: 'workflow', workflow: entry.workflow, ...gates };
    return {
      kind: 'services',
      cluster: entry.cluster ?? '',
      services: entry.services ?? [],
      containers: entry.container ?? [],
      ...(entry['task-definition'] !== undefined && { taskDefinition: entry['task-definition'] }),
      ...gates,
    };
  });

/** `environments:`, keyed by the name typed after `/deploy`; a name cannot look like a commit SHA. */
export const environmentsSchema = mapOf(
  {
    pattern: /^(?![0-9a-f]{7,40}$)[a-z0-9][a-z0-9-]*$/,
    form: "an environment name of lowercase letters, digits and '-', such as staging, that does not look like a commit SHA",
  },
  environment,
  'a map of environment names to { cluster, services, permission }',
);
