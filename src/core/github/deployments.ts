import { errorMessage } from '../errors.js';
import type { Logger } from '../logger.js';

/** The part of Octokit this needs, so the Action's and the App's clients both fit. */
export interface DeploymentsApi {
  request(
    route: string,
    parameters: Record<string, unknown>,
  ): Promise<{ data: unknown; headers?: Record<string, unknown> }>;
}

export type DeploymentState = 'in_progress' | 'success' | 'failure' | 'error' | 'inactive';

export interface DeploymentTarget {
  readonly owner: string;
  readonly repo: string;
  readonly environment: string;
  readonly sha: string;
  readonly description?: string;
  /** Preview environments are transient so GitHub lets them go quietly when they are torn down. */
  readonly transient?: boolean;
  readonly production?: boolean;
}

/**
 * Records a GitHub Deployment and moves it through its statuses. Recording is best effort: a
 * GitHub outage is a warning in the log, never the reason a deploy fails.
 */
export class DeploymentRecorder {
  private id: number | undefined;

  /** `id` attaches to a Deployment made earlier (to mark it inactive, say) instead of starting one. */
  constructor(
    private readonly api: DeploymentsApi,
    private readonly target: DeploymentTarget,
    private readonly log: Logger,
    id?: number,
  ) {
    this.id = id;
  }

  async start(logUrl?: string): Promise<void> {
    try {
      const { data } = await this.api.request('POST /repos/{owner}/{repo}/deployments', {
        owner: this.target.owner,
        repo: this.target.repo,
        ref: this.target.sha,
        environment: this.target.environment,
        auto_merge: false,
        required_contexts: [],
        description: this.target.description ?? `ecs-paas deploy of ${this.target.sha.slice(0, 7)}`,
        transient_environment: this.target.transient ?? false,
        production_environment: this.target.production ?? false,
      });
      this.id = (data as { id?: number }).id;
      await this.status('in_progress', logUrl ? { logUrl } : {});
    } catch (error) {
      this.log.warning(
        `Could not record a GitHub Deployment for '${this.target.environment}': ${errorMessage(error)}`,
      );
    }
  }

  async status(
    state: DeploymentState,
    details: { environmentUrl?: string; logUrl?: string; description?: string } = {},
  ): Promise<void> {
    if (this.id === undefined) return;
    try {
      await this.api.request('POST /repos/{owner}/{repo}/deployments/{deployment_id}/statuses', {
        owner: this.target.owner,
        repo: this.target.repo,
        deployment_id: this.id,
        state,
        ...(details.environmentUrl ? { environment_url: details.environmentUrl } : {}),
        ...(details.logUrl ? { log_url: details.logUrl } : {}),
        ...(details.description ? { description: details.description.slice(0, 140) } : {}),
        auto_inactive: state === 'success',
      });
    } catch (error) {
      this.log.warning(
        `Could not set GitHub Deployment ${this.id} to ${state}: ${errorMessage(error)}`,
      );
    }
  }

  get deploymentId(): number | undefined {
    return this.id;
  }
}
