import type { ECSClient, Service } from '@aws-sdk/client-ecs';
import type { CodeDeployHook } from './codedeploy-hooks.js';
import { describeServices } from './describe-services.js';

/** Where a CODE_DEPLOY service's deployment goes; the Action's `codedeploy-*` inputs. */
export interface CodeDeployTarget {
  readonly application: string;
  readonly deploymentGroup: string;
  /** Default: the deployment group's own configuration. */
  readonly config?: string;
  readonly hooks: readonly CodeDeployHook[];
}

/** How a deploy moves its services: UpdateService for all, or one CodeDeploy deployment. */
export type DeployMode =
  | { readonly kind: 'ecs' }
  | { readonly kind: 'codedeploy'; readonly service: string; readonly target: CodeDeployTarget };

const controllerOf = (service: Service): string => service.deploymentController?.type ?? 'ECS';

/**
 * Decides from the services' deployment controllers how they are deployed, before anything is
 * registered or pushed. A CODE_DEPLOY service goes through CodeDeploy and must be deployed alone:
 * the inputs name one deployment group, and one group serves one service. ECS services mixed with
 * it are refused rather than deployed side by side, because a failure of either half could not
 * be rolled back together (CodeDeploy rolls back on its own, UpdateService rollbacks do not wait
 * for it). EXTERNAL services are moved by their own controller and are always refused.
 */
export function deployModeFor(
  services: ReadonlyMap<string, Service>,
  codeDeploy: CodeDeployTarget | undefined,
): DeployMode {
  const external = [...services].filter(([, s]) => controllerOf(s) === 'EXTERNAL');
  if (external.length > 0) {
    throw new Error(
      `${list(external.map(([n]) => n))} ${external.length > 1 ? 'use' : 'uses'} the EXTERNAL deployment controller, which ecs-paas cannot deploy: a third-party controller creates its task sets; deploy it with that controller`,
    );
  }
  const blueGreen = [...services].filter(([, s]) => controllerOf(s) === 'CODE_DEPLOY');
  if (blueGreen.length === 0) return { kind: 'ecs' };
  const names = blueGreen.map(([n]) => n);
  const [first] = names;
  if (!codeDeploy) {
    throw new Error(
      `Service ${list(names)} uses the CODE_DEPLOY deployment controller, so it is deployed through CodeDeploy: set the inputs 'codedeploy-application' and 'codedeploy-deployment-group' (and optionally 'codedeploy-config', 'codedeploy-hooks')`,
    );
  }
  if (services.size > 1 || !first) {
    const others = [...services.keys()].filter((n) => !names.includes(n));
    throw new Error(
      `Input 'service': ${list(names)} ${names.length > 1 ? 'use' : 'uses'} the CODE_DEPLOY controller and must be deployed alone (one deployment group per step)${others.length > 0 ? `; deploy ${list(others)} (ECS controller) in another step` : '; use one step per service'}`,
    );
  }
  return { kind: 'codedeploy', service: first, target: codeDeploy };
}

function list(names: readonly string[]): string {
  return names.map((n) => `'${n}'`).join(', ');
}

/**
 * The controller check on its own, for the Action to run before it builds and pushes: a service
 * that would be refused later must not cost a build, a push or a registered revision first.
 */
export async function checkDeployControllers(
  ecs: ECSClient,
  cluster: string,
  names: readonly string[],
  codeDeploy: CodeDeployTarget | undefined,
): Promise<DeployMode> {
  return deployModeFor(await describeServices(ecs, cluster, names), codeDeploy);
}
