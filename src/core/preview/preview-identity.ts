import type { ContainerDefinition } from '@aws-sdk/client-ecs';
import type { TaskDefinitionInput } from '../deploy/render-task-definition.js';

/** Parts of the base task definition a preview may opt back into with `preview.inherit`. */
export const INHERITABLE = ['task-role', 'secrets', 'environment'] as const;
export type Inheritable = (typeof INHERITABLE)[number];

/** What a preview runs as, as told in its PR comment: names only, never ARNs. */
export interface PreviewIdentity {
  /** The task role's name (`preview-web`), or undefined when the task has none. */
  readonly taskRole?: string;
  /** Environment variable names fed from secrets, sorted. */
  readonly secrets: readonly string[];
}

export interface IdentityOptions {
  readonly taskRoleArn?: string;
  readonly executionRoleArn?: string;
  readonly secrets: Readonly<Record<string, string>>;
  readonly inherit: readonly Inheritable[];
  /** The PR's head lives in a fork: no task role, secrets or base environment, whatever the rest says. */
  readonly fork: boolean;
}

/**
 * Gives a preview revision its own identity instead of production's. The base definition is
 * production's: its task role can reach production data, its `secrets` and environment values are
 * production credentials, and a preview runs unreviewed (or a fork's) code. So by default every
 * container loses the base's task role, `secrets`, `environment` and `environmentFiles`; the
 * configured role and secrets (on `container`) take their place, and `inherit` brings the base's
 * back. The execution role stays: the code never holds its credentials, and it pulls the image,
 * ships logs and fetches the configured secrets.
 *
 * `env` (config `env` and the preview's own variables) lands in `container` and wins over a
 * secret of the same name.
 */
export function withPreviewIdentity(
  base: TaskDefinitionInput,
  container: string,
  env: Readonly<Record<string, string>>,
  options: IdentityOptions,
): TaskDefinitionInput {
  const keeps = (part: Inheritable) => options.inherit.includes(part);
  const trusted = !options.fork;
  const taskRoleArn = trusted
    ? (options.taskRoleArn ?? (keeps('task-role') ? base.taskRoleArn : undefined))
    : undefined;
  const executionRoleArn = options.executionRoleArn ?? base.executionRoleArn;
  const { taskRoleArn: _role, executionRoleArn: _execution, ...rest } = base;
  return {
    ...rest,
    ...(taskRoleArn ? { taskRoleArn } : {}),
    ...(executionRoleArn ? { executionRoleArn } : {}),
    containerDefinitions: (base.containerDefinitions ?? []).map((definition) => {
      const mine = definition.name === container;
      const configured = mine && trusted ? options.secrets : {};
      const inherited = trusted && keeps('secrets') ? (definition.secrets ?? []) : [];
      const secrets = new Map(inherited.map((s) => [s.name ?? '', s.valueFrom ?? '']));
      for (const [name, valueFrom] of Object.entries(configured)) secrets.set(name, valueFrom);
      // Plain environment values often hold credentials too: a fork's code gets none of them.
      const values = trusted && keeps('environment') ? (definition.environment ?? []) : [];
      const environment = new Map(values.map((pair) => [pair.name ?? '', pair.value ?? '']));
      // A configured secret replaces an inherited value; the preview's own env replaces both.
      for (const name of Object.keys(configured)) environment.delete(name);
      for (const [name, value] of Object.entries(mine ? env : {})) {
        environment.set(name, value);
        secrets.delete(name);
      }
      const {
        secrets: _secrets,
        environment: _environment,
        environmentFiles,
        ...others
      } = definition;
      return {
        ...others,
        ...(trusted && keeps('environment') && environmentFiles?.length
          ? { environmentFiles }
          : {}),
        ...(environment.size > 0 && {
          environment: [...environment].map(([name, value]) => ({ name, value })),
        }),
        ...(secrets.size > 0 && {
          secrets: [...secrets].map(([name, valueFrom]) => ({ name, valueFrom })),
        }),
      } satisfies ContainerDefinition;
    }),
  };
}

/** The identity a registered (or about to be registered) preview revision gives its task. */
export function identityOf(definition: {
  readonly taskRoleArn?: string | undefined;
  readonly containerDefinitions?: readonly ContainerDefinition[] | undefined;
}): PreviewIdentity {
  const role = definition.taskRoleArn ? roleName(definition.taskRoleArn) : undefined;
  const secrets = new Set(
    (definition.containerDefinitions ?? []).flatMap((c) =>
      (c.secrets ?? []).map((s) => s.name ?? '').filter(Boolean),
    ),
  );
  return { ...(role ? { taskRole: role } : {}), secrets: [...secrets].sort() };
}

/** `arn:aws:iam::123456789012:role/team/preview-web` → `preview-web`. */
export function roleName(arn: string): string {
  return arn.slice(arn.lastIndexOf('/') + 1);
}
