import type { Tag } from '@aws-sdk/client-ecs';
import {
  pinImage,
  selectContainers,
  type TaskDefinitionInput,
} from '../deploy/render-task-definition.js';
import { withPreviewIdentity, type IdentityOptions } from './preview-identity.js';

export interface PreviewDefinitionOptions {
  /** The container that serves the preview; undefined means the only one. */
  readonly container?: string;
  readonly image: string;
  /** Config `env` first, then the preview's own variables, which win. */
  readonly env: Readonly<Record<string, string>>;
  readonly tags: readonly Tag[];
  /** Task role, execution role and secrets of the preview, and what it keeps of the base's. */
  readonly identity: IdentityOptions;
  /** Task-level CPU units and memory, replacing the base definition's. */
  readonly cpu?: string;
  readonly memory?: string;
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
      ...withPreviewIdentity(pinned, container, options.env, options.identity),
      family: previewFamily(base.family ?? ''),
      ...(options.cpu !== undefined && { cpu: options.cpu }),
      ...(options.memory !== undefined && { memory: options.memory }),
      tags: [...options.tags],
    },
  };
}

/** Variables every preview gets from ecs-paas; they win over config `env` and secrets. */
export const PREVIEW_VARIABLES = ['PREVIEW_URL', 'PR_NUMBER', 'GIT_SHA', 'GIT_BRANCH'] as const;

export function previewFamily(base: string): string {
  return base.endsWith('-preview') ? base : `${base}-preview`;
}
