import { parseDuration } from '../core/duration.js';
import type { CodeDeployTarget } from '../core/deploy/codedeploy-controller.js';
import { parseCodeDeployInputs } from '../core/deploy/codedeploy-settings.js';
import type { TaskDefinitionSource } from '../core/deploy/deploy-services.js';
import { InputError } from '../core/errors.js';
import { parseBuildOptions, type BuildOptions } from '../core/image/build-options.js';

export const COMMANDS = ['deploy', 'build', 'preview', 'teardown'] as const;
export type Command = (typeof COMMANDS)[number];
export type Builder = 'docker' | 'podman';

/** The build inputs; cache, secrets, attestations, labels, no-cache and pull are in BuildOptions. */
export interface BuildSettings extends BuildOptions {
  /** Build context directory. */
  readonly context: string;
  readonly dockerfile?: string;
  readonly buildArgs: Readonly<Record<string, string>>;
  readonly target?: string;
  readonly platforms: readonly string[];
  readonly builder: Builder;
}

/** Every input of the Action, parsed once and typed. Defaults live here, not only in action.yml. */
export interface ActionSettings {
  readonly command: Command;
  readonly region: string;
  readonly cluster: string;
  readonly services: readonly string[];
  /** Containers that get the new image; empty means "the only container". */
  readonly containers: readonly string[];
  readonly taskDefinition: TaskDefinitionSource;
  /** A prebuilt image to deploy instead of building one. */
  readonly image?: string;
  readonly build: BuildSettings;
  readonly ecrRepository: string;
  /** `ecr-repository` was given (it then wins over the config file's). */
  readonly ecrRepositoryExplicit: boolean;
  /** The repository config file, for `preview` and `teardown`. */
  readonly configPath: string;
  readonly createRepository: boolean;
  /** Registry to push to; undefined means the account's ECR registry. */
  readonly registry?: string;
  readonly tags: readonly string[];
  readonly wait: boolean;
  readonly waitTimeoutMs: number;
  readonly rollback: 'on-failure' | 'never';
  readonly runBefore?: string;
  readonly keepRevisions: number;
  /**
   * The AWS SDK's maxAttempts for every client: attempts per call, the first included, as
   * amazon-ecs-deploy-task-definition's `max-retries` means it.
   */
  readonly maxRetries: number;
  /** `codedeploy-*`: where a CODE_DEPLOY (blue/green) service's deployment goes. */
  readonly codeDeploy?: CodeDeployTarget;
  readonly environment?: string;
  readonly githubToken?: string;
  readonly sha: string;
  readonly repository: string;
}

/** Reads one input's raw text (`@actions/core` getInput in the Action, a map in tests). */
export type InputReader = (name: string) => string;

export function parseSettings(
  read: InputReader,
  env: Readonly<Record<string, string | undefined>>,
): ActionSettings {
  const text = (name: string): string | undefined => read(name).trim() || undefined;
  const command = oneOf(text('command') ?? 'deploy', 'command', COMMANDS);
  const deploys = command === 'deploy';

  const cluster = text('cluster') ?? '';
  const services = list(read('service'));
  if (deploys && !cluster) throw required('cluster', 'an ECS cluster name or ARN');
  if (deploys && services.length === 0) {
    throw required('service', 'one or more ECS service names, separated by newlines or commas');
  }

  const region = text('aws-region') ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  if (!region) {
    throw new InputError('aws-region', 'required; set it (e.g. us-east-1) or set AWS_REGION');
  }
  if (!/^[a-z]{2}(-[a-z]+)+-\d$/.test(region)) {
    throw new InputError('aws-region', `'${region}' is not a region name such as us-east-1`);
  }

  const repository = env.GITHUB_REPOSITORY ?? '';
  const sha = env.GITHUB_SHA ?? '';
  if (!/^[0-9a-f]{40}$/.test(sha)) {
    throw new Error(
      `GITHUB_SHA must be the 40-character commit SHA (got '${sha}'); run this Action inside a GitHub workflow`,
    );
  }

  const image = text('image');
  // A prebuilt image names its own repository, so only a build needs a valid name.
  const ecrRepository = ecrRepositoryName(text('ecr-repository'), repository, !image);
  if ((command === 'build' || command === 'teardown') && image) {
    throw new InputError(
      'image',
      `cannot be used with command '${command}'; it names a prebuilt image to deploy`,
    );
  }

  const waitTimeoutText = text('wait-timeout') ?? '15m';
  const waitTimeoutMs = parseDuration(waitTimeoutText);
  if (waitTimeoutMs === undefined || waitTimeoutMs <= 0) {
    throw new InputError(
      'wait-timeout',
      `'${waitTimeoutText}' is not a duration such as 15m or 1h30m`,
    );
  }

  const retriesText = text('max-retries') ?? String(DEFAULT_AWS_ATTEMPTS);
  if (!/^\d+$/.test(retriesText) || Number(retriesText) < 1 || Number(retriesText) > 100) {
    throw new InputError(
      'max-retries',
      `'${retriesText}' is not a whole number from 1 to 100 (attempts per AWS call, the first included; 1 never retries)`,
    );
  }

  const keepText = text('keep-revisions') ?? '0';
  if (!/^\d+$/.test(keepText)) {
    throw new InputError('keep-revisions', `'${keepText}' is not a whole number (0 keeps all)`);
  }

  const dockerfile = text('dockerfile');
  const target = text('target');
  const registry = text('registry');
  const runBefore = text('run-before');
  const environment = text('environment');
  const githubToken = text('github-token');
  const codeDeploy = parseCodeDeployInputs(read);
  const builder = oneOf(text('builder') ?? 'docker', 'builder', ['docker', 'podman'] as const);
  return {
    command,
    region,
    cluster,
    services,
    containers: list(read('container')),
    taskDefinition: taskDefinitionSource(text('task-definition')),
    ...(image ? { image } : {}),
    build: {
      context: text('context') ?? '.',
      ...(dockerfile ? { dockerfile } : {}),
      buildArgs: keyValues(read('build-args'), 'build-args'),
      ...(target ? { target } : {}),
      platforms: list(read('platforms')),
      builder,
      ...parseBuildOptions(read, builder),
    },
    ecrRepository,
    ecrRepositoryExplicit: text('ecr-repository') !== undefined,
    configPath: text('config') ?? '.github/ecs-paas.yml',
    createRepository: bool(text('create-repository') ?? 'true', 'create-repository'),
    ...(registry ? { registry: registry.replace(/^https?:\/\//, '').replace(/\/$/, '') } : {}),
    tags: list(read('tags')),
    wait: bool(text('wait') ?? 'true', 'wait'),
    waitTimeoutMs,
    rollback: oneOf(text('rollback') ?? 'on-failure', 'rollback', ['on-failure', 'never'] as const),
    ...(runBefore ? { runBefore } : {}),
    keepRevisions: Number(keepText),
    maxRetries: Number(retriesText),
    ...(codeDeploy ? { codeDeploy } : {}),
    ...(environment ? { environment } : {}),
    ...(githubToken ? { githubToken } : {}),
    sha,
    repository,
  };
}

/**
 * More than the SDK's 3: many matrix jobs deploying at once get throttled, and adaptive retry
 * then slows down rather than failing the deploy (the anchor's default is 3).
 */
const DEFAULT_AWS_ATTEMPTS = 10;

/** ECR's own rule (CreateRepository refuses anything else), 2 to 256 characters in all. */
const ECR_NAME =
  /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*)*$/;
const ECR_FORM =
  "2 to 256 lowercase letters and digits, with '.', '_', '__', '-' or '/' only between them, such as my-service or team/my-service";

/** `ecr-repository`, or the GitHub repository's name lowercased: `acme/MyService` → `myservice`. */
function ecrRepositoryName(given: string | undefined, repository: string, needed: boolean): string {
  const name = given ?? (repository.split('/')[1] ?? '').toLowerCase();
  if (!needed || (ECR_NAME.test(name) && name.length >= 2 && name.length <= 256)) return name;
  if (given !== undefined) {
    throw new InputError(
      'ecr-repository',
      `'${given}' is not a repository name; expected ${ECR_FORM}`,
    );
  }
  // GitHub allows names ECR refuses (.github, _site, a, my..app): say where the name came from.
  throw new InputError(
    'ecr-repository',
    `not set, and its default '${name}' (the name of ${repository || 'GITHUB_REPOSITORY'}, lowercased) is not an ECR repository name; set ecr-repository to ${ECR_FORM}`,
  );
}

function required(input: string, form: string): InputError {
  return new InputError(input, `required for command 'deploy'; expected ${form}`);
}

function taskDefinitionSource(value: string | undefined): TaskDefinitionSource {
  if (!value) return { kind: 'service' };
  if (/\.(json|ya?ml)$/i.test(value)) return { kind: 'file', path: value };
  if (/^arn:aws[a-z-]*:ecs:[^:]+:\d{12}:task-definition\/[\w-]+:\d+$/.test(value)) {
    return { kind: 'reference', reference: value };
  }
  if (/^[A-Za-z0-9_-]{1,255}(:\d+)?$/.test(value)) return { kind: 'reference', reference: value };
  throw new InputError(
    'task-definition',
    `'${value}' is not a .json/.yaml file, a family, family:revision or a task definition ARN`,
  );
}

function oneOf<const T extends readonly string[]>(
  value: string,
  input: string,
  allowed: T,
): T[number] {
  if (allowed.includes(value)) return value;
  throw new InputError(input, `'${value}' is not one of: ${allowed.join(', ')}`);
}

function bool(value: string, input: string): boolean {
  if (/^(true|yes|on)$/i.test(value)) return true;
  if (/^(false|no|off)$/i.test(value)) return false;
  throw new InputError(input, `'${value}' is not a boolean (true or false)`);
}

/** Newline- or comma-separated values, blanks dropped. */
export function list(value: string): string[] {
  return value
    .split(/[\n,]/)
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
}

/** Multiline `KEY=VALUE`; a value may itself contain `=` and may be empty. */
function keyValues(value: string, input: string): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [index, line] of value.split('\n').entries()) {
    if (!line.trim()) continue;
    const match = /^\s*([A-Za-z_][A-Za-z0-9_.-]*)=(.*)$/.exec(line);
    if (!match?.[1]) {
      // The line itself is not shown: it may be a secret pasted without its KEY=.
      throw new InputError(input, `line ${index + 1} is not KEY=VALUE (one per line)`);
    }
    result[match[1]] = match[2] ?? '';
  }
  return result;
}
