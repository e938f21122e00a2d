import { readFile } from 'node:fs/promises';
import { DescribeTaskDefinitionCommand, type ECSClient, type Tag } from '@aws-sdk/client-ecs';
import { withContext } from '../errors.js';
import { toRegisterInput, type TaskDefinitionInput } from './render-task-definition.js';

export interface LoadedTaskDefinition {
  readonly input: TaskDefinitionInput;
  /** The ARN it was described from; undefined for a file. */
  readonly arn?: string;
}

/** Describes a registered task definition (family, family:revision or ARN), tags included. */
export async function describeTaskDefinition(
  ecs: ECSClient,
  reference: string,
): Promise<LoadedTaskDefinition> {
  const response = await ecs
    .send(new DescribeTaskDefinitionCommand({ taskDefinition: reference, include: ['TAGS'] }))
    .catch((error: unknown) =>
      Promise.reject(withContext(`Could not describe task definition '${reference}'`, error)),
    );
  const definition = response.taskDefinition;
  if (!definition?.taskDefinitionArn)
    throw new Error(`Task definition '${reference}' was not found`);
  const tags: Tag[] | undefined = response.tags?.length ? response.tags : undefined;
  return {
    input: toRegisterInput({ ...definition, ...(tags ? { tags } : {}) }),
    arn: definition.taskDefinitionArn,
  };
}

/** Reads a JSON or YAML task definition file, as written by hand or exported from the console. */
export async function readTaskDefinitionFile(path: string): Promise<LoadedTaskDefinition> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw withContext(`Input 'task-definition': cannot read '${path}'`, error);
  }
  let parsed: unknown;
  try {
    // yaml is loaded only for YAML files, keeping it off every other step's start-up.
    parsed = /\.json$/i.test(path) ? JSON.parse(text) : (await import('yaml')).parse(text);
  } catch (error) {
    throw withContext(
      `Input 'task-definition': '${path}' is not valid ${/\.json$/i.test(path) ? 'JSON' : 'YAML'}`,
      error,
    );
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new Error(
      `Input 'task-definition': '${path}' must hold an object with 'family' and 'containerDefinitions'`,
    );
  }
  // `aws ecs describe-task-definition` output wraps the definition; accept it as it is.
  const record = parsed as Record<string, unknown>;
  const inner = record.taskDefinition;
  const definition =
    inner && typeof inner === 'object'
      ? {
          ...(inner as Record<string, unknown>),
          ...(Array.isArray(record.tags) && record.tags.length ? { tags: record.tags } : {}),
        }
      : record;
  try {
    return { input: toRegisterInput(definition) };
  } catch (error) {
    throw withContext(`Input 'task-definition': '${path}'`, error);
  }
}
