import { InputError } from '../errors.js';

/** The lifecycle hooks an ECS AppSpec may name, in the order CodeDeploy runs them. */
export const ECS_HOOKS = [
  'BeforeInstall',
  'AfterInstall',
  'AfterAllowTestTraffic',
  'BeforeAllowTraffic',
  'AfterAllowTraffic',
] as const;
export type EcsHook = (typeof ECS_HOOKS)[number];

/** One AppSpec hook: the Lambda function CodeDeploy invokes at that point of the deployment. */
export interface CodeDeployHook {
  readonly hook: EcsHook;
  readonly lambda: string;
}

// A function name, a partial ARN, or a full ARN with an optional version or alias.
const LAMBDA =
  /^(arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:)?[A-Za-z0-9_-]{1,140}(:[A-Za-z0-9$_-]{1,128})?$/;

/**
 * Parses `codedeploy-hooks`: one `Hook=lambda` per line. Hook names are checked here because
 * CodeDeploy only finds a misspelt one after the new task set is already starting.
 */
export function parseCodeDeployHooks(text: string, input = 'codedeploy-hooks'): CodeDeployHook[] {
  const hooks: CodeDeployHook[] = [];
  for (const [index, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    if (!line) continue;
    const match = /^([A-Za-z]+)\s*=\s*(\S+)$/.exec(line);
    if (!match?.[1] || !match[2]) {
      throw new InputError(input, `line ${index + 1} is not Hook=lambda-function (one per line)`);
    }
    const [, name, lambda] = match;
    const hook = ECS_HOOKS.find((h) => h === name);
    if (!hook) {
      throw new InputError(
        input,
        `line ${index + 1}: '${name}' is not an ECS hook; use one of ${ECS_HOOKS.join(', ')}`,
      );
    }
    if (hooks.some((h) => h.hook === hook)) {
      throw new InputError(
        input,
        `line ${index + 1}: ${hook} is named twice; give it one function`,
      );
    }
    if (!LAMBDA.test(lambda)) {
      throw new InputError(
        input,
        `line ${index + 1}: '${lambda}' is not a Lambda function name or ARN`,
      );
    }
    hooks.push({ hook, lambda });
  }
  // CodeDeploy runs hooks in its own order; listing them in that order keeps the AppSpec readable.
  return hooks.sort((a, b) => ECS_HOOKS.indexOf(a.hook) - ECS_HOOKS.indexOf(b.hook));
}
