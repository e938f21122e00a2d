import type {
  ContainerDefinition,
  RegisterTaskDefinitionCommandInput,
  TaskDefinition,
} from '@aws-sdk/client-ecs';

/** What DescribeTaskDefinition returns but RegisterTaskDefinition rejects. */
const DESCRIBE_ONLY_FIELDS = [
  'taskDefinitionArn',
  'revision',
  'status',
  'requiresAttributes',
  'compatibilities',
  'registeredAt',
  'registeredBy',
  'deregisteredAt',
  'deleteRequestedAt',
] as const;

export type TaskDefinitionInput = RegisterTaskDefinitionCommandInput;

/** Turns a described (or file-loaded) task definition into a RegisterTaskDefinition input. */
export function toRegisterInput(
  described: TaskDefinition | Record<string, unknown>,
): TaskDefinitionInput {
  const copy: Record<string, unknown> = { ...described };
  for (const field of DESCRIBE_ONLY_FIELDS) delete copy[field];
  // A file exported from the console nests everything under `taskDefinition` and may carry `tags`.
  if (!copy.family) throw new Error("the task definition has no 'family'");
  if (!Array.isArray(copy.containerDefinitions) || copy.containerDefinitions.length === 0) {
    throw new Error("the task definition has no 'containerDefinitions'");
  }
  // YAML reads `cpu: 256` as a number; ECS stores and returns strings, and a number would make an
  // unchanged file look changed on every run.
  for (const field of ['cpu', 'memory'] as const) {
    if (typeof copy[field] === 'number') copy[field] = String(copy[field]);
  }
  return pruneEmpty(copy) as TaskDefinitionInput;
}

/**
 * Picks the containers that get the new image: the named ones (each must exist) or, when none are
 * named, the only container. The error lists the names so the user can copy one.
 */
export function selectContainers(
  definition: TaskDefinitionInput,
  requested: readonly string[],
): string[] {
  const names = (definition.containerDefinitions ?? []).map((c) => c.name ?? '');
  if (requested.length === 0) {
    if (names.length === 1 && names[0]) return [names[0]];
    throw new Error(
      `Input 'container': task definition '${definition.family}' has ${names.length} containers (${names.join(', ')}); name the one(s) that get the new image`,
    );
  }
  const unknown = requested.filter((name) => !names.includes(name));
  if (unknown.length > 0) {
    throw new Error(
      `Input 'container': ${unknown.map((n) => `'${n}'`).join(', ')} not in task definition '${definition.family}'; its containers are: ${names.join(', ')}`,
    );
  }
  return [...requested];
}

/** Pins `image` into the named containers; every other container is left exactly as it was. */
export function pinImage(
  definition: TaskDefinitionInput,
  containers: readonly string[],
  image: string,
): TaskDefinitionInput {
  return {
    ...definition,
    containerDefinitions: (definition.containerDefinitions ?? []).map(
      (container): ContainerDefinition =>
        containers.includes(container.name ?? '') ? { ...container, image } : container,
    ),
  };
}

/**
 * Drops null/undefined and empty arrays/objects so a file and a describe of the same definition
 * compare equal. Empty strings are kept: an environment variable set to "" is a real value.
 */
export function pruneEmpty(value: unknown): unknown {
  if (Array.isArray(value)) {
    return value.map(pruneEmpty).filter((item) => item !== undefined);
  }
  if (value instanceof Date) return value;
  if (value !== null && typeof value === 'object') {
    const result: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      const pruned = pruneEmpty(item);
      if (pruned === undefined) continue;
      if (Array.isArray(pruned) && pruned.length === 0) continue;
      if (isPlainObject(pruned) && Object.keys(pruned).length === 0) continue;
      result[key] = pruned;
    }
    return result;
  }
  return value ?? undefined;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return (
    value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Date)
  );
}
