import type { KeyValuePair, Tag } from '@aws-sdk/client-ecs';
import {
  pinImage,
  selectContainers,
  type TaskDefinitionInput,
} from '../deploy/render-task-definition.js';

export interface PreviewDefinitionOptions {
  /** The container that serves the preview; undefined means the only one. */
  readonly container?: string;
  readonly image: string;
  /** Config `env` first, then the preview's own variables, which win. */
  readonly env: Readonly<Record<string, string>>;
  readonly tags: readonly Tag[];
}

/**
 * The preview revision of a base task definition. It lives in its own `<family>-preview` family:
 * a preview revision in the base family would become its newest revision, and a deploy that names
 * the family (the Action's `task-definition: web`) would ship a PR's image to production.
 */
export function previewTaskDefinition(
  base: TaskDefinitionInput,
  options: PreviewDefinitionOptions,
): { definition: TaskDefinitionInput; container: string } {
  const [container = ''] = selectContainers(base, options.container ? [options.container] : []);
  const pinned = pinImage(base, [container], options.image);
  return {
    container,
    definition: {
      ...pinned,
      family: previewFamily(base.family ?? ''),
      containerDefinitions: (pinned.containerDefinitions ?? []).map((definition) =>
        definition.name === container
          ? { ...definition, environment: mergeEnv(definition.environment ?? [], options.env) }
          : definition,
      ),
      tags: [...options.tags],
    },
  };
}

export function previewFamily(base: string): string {
  return base.endsWith('-preview') ? base : `${base}-preview`;
}

function mergeEnv(
  current: readonly KeyValuePair[],
  extra: Readonly<Record<string, string>>,
): KeyValuePair[] {
  const merged = new Map(current.map((pair) => [pair.name ?? '', pair.value ?? '']));
  for (const [name, value] of Object.entries(extra)) merged.set(name, value);
  return [...merged].map(([name, value]) => ({ name, value }));
}
