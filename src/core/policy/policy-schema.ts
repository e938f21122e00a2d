import { z } from 'zod';
import {
  expected,
  integer,
  mapOf,
  matching,
  oneOrMore,
  section,
  text,
} from '../config/config-fields.js';

/** What previews may take over from a base task definition when a repository asks (`preview.inherit`). */
export const INHERITABLE = ['task-role', 'secrets', 'environment'] as const;
export type Inheritable = (typeof INHERITABLE)[number];
export const ROUTING_MODES = ['dns', 'alb'] as const;

/** What one repository (or a glob of them) may use. Every list left out grants nothing of its kind. */
export interface Grant {
  readonly clusters: readonly string[];
  /** Globs (`web`, `web-*`) over task definition families, for previews and environments. */
  readonly taskFamilies: readonly string[];
  /** Per environment name, the services `/deploy <env>` may update. */
  readonly services: Readonly<Record<string, readonly string[]>>;
  readonly hostedZones: readonly string[];
  /** Preview domains: a granted domain allows itself and any name under it. */
  readonly domains: readonly string[];
  readonly listeners: readonly string[];
  readonly subnets: readonly string[];
  readonly securityGroups: readonly string[];
  /** The most previews the repository may run at once; its config may ask for fewer. */
  readonly maxPreviews: number;
  /** A role the App assumes for this repository's work, so AWS itself enforces the boundary. */
  readonly roleArn?: string;
  readonly inherit: readonly Inheritable[];
  /**
   * Globs over the IAM role ARNs a preview may run as (`preview.task-role-arn`,
   * `preview.execution-role-arn`): without them a repository could name production's role.
   */
  readonly previewRoles: readonly string[];
  /** Globs over the SSM parameters and Secrets Manager ARNs `preview.secrets` may name. */
  readonly previewSecrets: readonly string[];
  readonly routingModes: readonly (typeof ROUTING_MODES)[number][];
  /** Workflows `/deploy <env>` may dispatch (file names); environments with `workflow:` need one. */
  readonly workflows: readonly string[];
}

const list = (form: string) => oneOrMore(text(form), `${form} or a list of them`).default([]);

const grant = section(
  {
    clusters: list('an ECS cluster name'),
    'task-families': list("a task definition family or glob such as 'web-*'"),
    services: mapOf(
      { pattern: /^[a-z0-9][a-z0-9-]*$/, form: 'an environment name such as staging' },
      oneOrMore(text('an ECS service name'), 'an ECS service name or a list of them'),
      'a map of environment names to the services each may update',
    ).default({}),
    'hosted-zones': list('a Route 53 hosted zone id'),
    domains: list('a domain such as preview.example.com'),
    listeners: list('an ALB listener ARN'),
    subnets: list('a subnet id'),
    'security-groups': list('a security group id'),
    'max-previews': integer(0, 1000, 'a whole number from 0 to 1000').default(10),
    'role-arn': matching(/^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/, 'an IAM role ARN').optional(),
    inherit: z
      .array(z.enum(INHERITABLE, expected(INHERITABLE.join(', '))), expected('a list'))
      .default([]),
    'preview-roles': list(
      "an IAM role ARN or glob such as 'arn:aws:iam::123456789012:role/preview-*'",
    ),
    'preview-secrets': list(
      "an SSM parameter or Secrets Manager ARN, or a glob such as '/previews/web/*'",
    ),
    'routing-modes': z
      .array(z.enum(ROUTING_MODES, expected('dns or alb')), expected('a list'))
      .default([...ROUTING_MODES]),
    workflows: list('a workflow file name such as deploy.yml'),
  },
  'a map of what the repositories may use',
).transform((g): Grant => ({
  clusters: g.clusters,
  taskFamilies: g['task-families'],
  services: g.services,
  hostedZones: g['hosted-zones'],
  domains: g.domains.map((d) => d.toLowerCase().replace(/\.$/, '')),
  listeners: g.listeners,
  subnets: g.subnets,
  securityGroups: g['security-groups'],
  maxPreviews: g['max-previews'],
  ...(g['role-arn'] !== undefined && { roleArn: g['role-arn'] }),
  inherit: g.inherit,
  previewRoles: g['preview-roles'],
  previewSecrets: g['preview-secrets'],
  routingModes: g['routing-modes'],
  workflows: g.workflows,
}));

/** `repositories:` keys: `owner/repo`, `owner/*` or `*`. */
export const policySchema = section(
  {
    repositories: mapOf(
      {
        pattern: /^(\*|[A-Za-z0-9-]+\/(\*|[A-Za-z0-9._-]+))$/,
        form: 'owner/repo, owner/* or *',
      },
      grant,
      'a map of repositories to what each may use',
    ),
  },
  'a map with repositories',
);
