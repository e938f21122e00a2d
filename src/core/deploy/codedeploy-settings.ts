import { InputError } from '../errors.js';
import type { CodeDeployTarget } from './codedeploy-controller.js';
import { parseCodeDeployHooks } from './codedeploy-hooks.js';

/**
 * The `codedeploy-*` inputs, or undefined when none is set. Application and deployment group come
 * as a pair; a config or hooks without them would be silently ignored, so they are refused.
 */
export function parseCodeDeployInputs(
  read: (name: string) => string,
): CodeDeployTarget | undefined {
  const text = (name: string): string | undefined => read(name).trim() || undefined;
  const application = text('codedeploy-application');
  const deploymentGroup = text('codedeploy-deployment-group');
  const config = text('codedeploy-config');
  const hooks = parseCodeDeployHooks(read('codedeploy-hooks'));
  if (!application && !deploymentGroup) {
    const stray = config ? 'codedeploy-config' : hooks.length > 0 ? 'codedeploy-hooks' : undefined;
    if (stray) {
      throw new InputError(
        stray,
        "needs 'codedeploy-application' and 'codedeploy-deployment-group' (blue/green through CodeDeploy)",
      );
    }
    return undefined;
  }
  if (!application) {
    throw new InputError(
      'codedeploy-application',
      "required with 'codedeploy-deployment-group'; the CodeDeploy application (compute platform ECS)",
    );
  }
  if (!deploymentGroup) {
    throw new InputError(
      'codedeploy-deployment-group',
      "required with 'codedeploy-application'; the deployment group that names the service",
    );
  }
  return { application, deploymentGroup, ...(config ? { config } : {}), hooks };
}
