import type { ContainerDefinition, KeyValuePair } from '@aws-sdk/client-ecs';
import { pruneEmpty, type TaskDefinitionInput } from './render-task-definition.js';

/**
 * A canonical form for equality: ECS fills in defaults on register (container cpu 0, essential
 * true, port protocol tcp) and may return lists in another order, and a file written by hand
 * leaves them out. Without this a re-run of an unchanged file would register a new revision.
 */
export function canonicalTaskDefinition(definition: TaskDefinitionInput): unknown {
  const { tags: _tags, ...rest } = definition;
  const containers = (rest.containerDefinitions ?? []).map((container) => ({
    ...container,
    cpu: container.cpu ?? 0,
    essential: container.essential ?? true,
    environment: byName(container.environment),
    secrets: byName(container.secrets),
    portMappings: container.portMappings?.map((mapping) => ({
      ...mapping,
      protocol: mapping.protocol ?? 'tcp',
      ...(rest.networkMode === 'awsvpc'
        ? { hostPort: mapping.hostPort ?? mapping.containerPort }
        : {}),
    })),
  }));
  return sortKeys(pruneEmpty({ ...rest, containerDefinitions: containers }));
}

export function sameTaskDefinition(a: TaskDefinitionInput, b: TaskDefinitionInput): boolean {
  return JSON.stringify(canonicalTaskDefinition(a)) === JSON.stringify(canonicalTaskDefinition(b));
}

/**
 * Human-readable changes from `before` to `after`, for the job summary. Environment values are
 * never shown, only names: they are often secrets.
 */
export function describeChanges(before: TaskDefinitionInput, after: TaskDefinitionInput): string[] {
  const changes: string[] = [];
  const oldTop = canonicalTaskDefinition(before) as Record<string, unknown>;
  const newTop = canonicalTaskDefinition(after) as Record<string, unknown>;
  for (const key of new Set([...Object.keys(oldTop), ...Object.keys(newTop)])) {
    if (key === 'containerDefinitions') continue;
    const was = JSON.stringify(oldTop[key]);
    const now = JSON.stringify(newTop[key]);
    if (was === now) continue;
    const scalar = (v: unknown) => typeof v === 'string' || typeof v === 'number';
    changes.push(
      scalar(oldTop[key]) && scalar(newTop[key])
        ? `${key}: ${String(oldTop[key])} → ${String(newTop[key])}`
        : `${key} changed`,
    );
  }
  const oldContainers = new Map((before.containerDefinitions ?? []).map((c) => [c.name, c]));
  const newContainers = new Map((after.containerDefinitions ?? []).map((c) => [c.name, c]));
  for (const [name, container] of newContainers) {
    const previous = oldContainers.get(name);
    if (!previous) changes.push(`container ${name} added`);
    else changes.push(...containerChanges(name ?? '', previous, container));
  }
  for (const name of oldContainers.keys()) {
    if (!newContainers.has(name)) changes.push(`container ${name} removed`);
  }
  return changes;
}

function containerChanges(
  name: string,
  before: ContainerDefinition,
  after: ContainerDefinition,
): string[] {
  const changes: string[] = [];
  if (before.image !== after.image) {
    changes.push(`${name}: image ${before.image ?? '(none)'} → ${after.image ?? '(none)'}`);
  }
  for (const field of ['environment', 'secrets'] as const) {
    const was = new Map(byName(before[field])?.map((e) => [e.name, JSON.stringify(e)]) ?? []);
    const now = new Map(byName(after[field])?.map((e) => [e.name, JSON.stringify(e)]) ?? []);
    for (const [key, value] of now) {
      if (!was.has(key)) changes.push(`${name}: ${field} ${key} added`);
      else if (was.get(key) !== value) changes.push(`${name}: ${field} ${key} changed`);
    }
    for (const key of was.keys())
      if (!now.has(key)) changes.push(`${name}: ${field} ${key} removed`);
  }
  const rest = (c: ContainerDefinition) => {
    const { image: _i, environment: _e, secrets: _s, ...others } = c;
    return JSON.stringify(
      sortKeys(
        pruneEmpty({ ...others, cpu: others.cpu ?? 0, essential: others.essential ?? true }),
      ),
    );
  };
  if (rest(before) !== rest(after)) changes.push(`${name}: other settings changed`);
  return changes;
}

function byName<T extends KeyValuePair | { name?: string | undefined }>(
  items: T[] | undefined,
): T[] | undefined {
  return items ? [...items].sort((a, b) => (a.name ?? '').localeCompare(b.name ?? '')) : undefined;
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object' && !(value instanceof Date)) {
    return Object.fromEntries(
      Object.entries(value)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, v]) => [k, sortKeys(v)]),
    );
  }
  return value;
}
