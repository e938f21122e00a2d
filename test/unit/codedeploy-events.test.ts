import { describe, expect, it } from '@jest/globals';
import type { DeploymentInfo, DeploymentTarget, LifecycleEvent } from '@aws-sdk/client-codedeploy';
import {
  explainCodeDeployFailure,
  lifecycleChanges,
} from '../../src/core/deploy/codedeploy-events.js';

// Answers in the shape CodeDeploy gives for an ECS blue/green deployment (BatchGetDeploymentTargets
// and GetDeployment as the SDK hands them over): one target per deployment, named
// `<cluster>:<service>`, with every lifecycle event listed from the start as Pending.
const ECS_EVENTS = [
  'BeforeInstall',
  'Install',
  'AfterInstall',
  'AllowTestTraffic',
  'AfterAllowTestTraffic',
  'BeforeAllowTraffic',
  'AllowTraffic',
  'AfterAllowTraffic',
];
const HOOKS = [{ hook: 'AfterAllowTestTraffic' as const, lambda: 'smoke-test' }];

function target(statuses: Record<string, Partial<LifecycleEvent>>): DeploymentTarget {
  return {
    deploymentTargetType: 'ECSTarget',
    ecsTarget: {
      deploymentId: 'd-7QXJ1B4MB',
      targetId: 'prod:web-bg',
      targetArn: 'arn:aws:ecs:us-east-1:123456789012:service/prod/web-bg',
      lastUpdatedAt: new Date('2026-12-04T10:00:30Z'),
      status: 'InProgress',
      lifecycleEvents: ECS_EVENTS.map((name) => ({
        lifecycleEventName: name,
        status: 'Pending',
        ...statuses[name],
      })),
    },
  };
}

const hookFailed: Partial<LifecycleEvent> = {
  status: 'Failed',
  startTime: new Date('2026-12-04T10:03:00Z'),
  endTime: new Date('2026-12-04T10:03:04Z'),
  diagnostics: {
    errorCode: 'ScriptFailed',
    scriptName: '',
    message:
      'The deployment failed because the AfterAllowTestTraffic lifecycle event hook returned a status of Failed.',
    logTail: '',
  },
};

const FAILED: DeploymentInfo = {
  applicationName: 'web',
  deploymentGroupName: 'web-bg',
  deploymentId: 'd-7QXJ1B4MB',
  status: 'Failed',
  computePlatform: 'ECS',
  creator: 'user',
  errorInformation: {
    code: 'HOOK_EXECUTION_FAILURE',
    message:
      'The deployment failed because one or more of the lifecycle event hooks failed. Check the hook function logs.',
  },
  rollbackInfo: {
    rollbackDeploymentId: 'd-2TZ8K0XMB',
    rollbackMessage: 'Automatic rollback triggered: the deployment failed',
  },
  deploymentStatusMessages: [],
};

describe('lifecycle events streamed while waiting', () => {
  it('prints each event once when its status changes, never the Pending ones', () => {
    const seen = new Map<string, string>();
    expect(lifecycleChanges([target({})], seen)).toEqual([]);
    expect(
      lifecycleChanges(
        [target({ BeforeInstall: { status: 'Succeeded' }, Install: { status: 'InProgress' } })],
        seen,
      ),
    ).toEqual([
      'prod:web-bg: hook BeforeInstall Succeeded',
      'prod:web-bg: phase Install InProgress',
    ]);
    expect(
      lifecycleChanges(
        [
          target({
            BeforeInstall: { status: 'Succeeded' },
            Install: { status: 'Succeeded' },
            AfterInstall: { status: 'Skipped' },
          }),
        ],
        seen,
      ),
    ).toEqual(['prod:web-bg: phase Install Succeeded', 'prod:web-bg: hook AfterInstall Skipped']);
  });

  it('tells a failed event with its diagnostics and the Lambda behind the hook', () => {
    expect(
      lifecycleChanges([target({ AfterAllowTestTraffic: hookFailed })], new Map(), HOOKS),
    ).toEqual([
      "prod:web-bg: hook AfterAllowTestTraffic (Lambda 'smoke-test') Failed: ScriptFailed: The deployment failed because the AfterAllowTestTraffic lifecycle event hook returned a status of Failed.",
    ]);
  });
});

describe('why a CodeDeploy deployment failed', () => {
  it('names the failed hook, its Lambda and diagnostics, then the deployment error and the rollback CodeDeploy started', () => {
    const explained = explainCodeDeployFailure(
      FAILED,
      [
        target({
          BeforeInstall: { status: 'Succeeded' },
          Install: { status: 'Succeeded' },
          AfterInstall: { status: 'Succeeded' },
          AllowTestTraffic: { status: 'Succeeded' },
          AfterAllowTestTraffic: hookFailed,
        }),
      ],
      HOOKS,
    );
    expect(explained.headline).toBe(
      "CodeDeploy deployment d-7QXJ1B4MB failed in hook AfterAllowTestTraffic (Lambda 'smoke-test'): ScriptFailed: The deployment failed because the AfterAllowTestTraffic lifecycle event hook returned a status of Failed.",
    );
    expect(explained.details).toEqual([
      'deployment error: HOOK_EXECUTION_FAILURE: The deployment failed because one or more of the lifecycle event hooks failed. Check the hook function logs.',
      'CodeDeploy rolls back on its own: rollback deployment d-2TZ8K0XMB (Automatic rollback triggered: the deployment failed); traffic stays on (or returns to) the original task set',
    ]);
    expect(explained.rolledBack).toBe(true);
  });

  it('names a failed phase (not a hook) and its log tail', () => {
    const explained = explainCodeDeployFailure(
      {
        ...FAILED,
        errorInformation: { code: 'ECS_UPDATE_ERROR', message: 'Error updating ECS' },
        rollbackInfo: {},
      },
      [
        target({
          BeforeInstall: { status: 'Succeeded' },
          Install: {
            status: 'Failed',
            diagnostics: {
              errorCode: 'UnknownError',
              message: 'The ECS task set did not reach a steady state',
              logTail:
                'task 1 stopped: Essential container in task exited\ntask 2 stopped: CannotPullContainerError',
            },
          },
        }),
      ],
    );
    expect(explained.headline).toBe(
      'CodeDeploy deployment d-7QXJ1B4MB failed in phase Install: UnknownError: The ECS task set did not reach a steady state',
    );
    expect(explained.details).toEqual([
      'deployment error: ECS_UPDATE_ERROR: Error updating ECS',
      'Install log tail:',
      'task 1 stopped: Essential container in task exited',
      'task 2 stopped: CannotPullContainerError',
      expect.stringMatching(
        /^CodeDeploy reported no rollback: the deployment group's automatic rollback/,
      ),
    ]);
    expect(explained.rolledBack).toBe(false);
  });

  it('falls back to the deployment error when no event failed (a stop, an alarm)', () => {
    const explained = explainCodeDeployFailure(
      {
        ...FAILED,
        status: 'Stopped',
        errorInformation: {
          code: 'ALARM_ACTIVE',
          message: 'One or more alarms have been activated',
        },
        rollbackInfo: {},
      },
      [target({ BeforeInstall: { status: 'Succeeded' }, Install: { status: 'Succeeded' } })],
    );
    expect(explained.headline).toBe(
      'CodeDeploy deployment d-7QXJ1B4MB was stopped: ALARM_ACTIVE: One or more alarms have been activated',
    );
    expect(explainCodeDeployFailure({ deploymentId: 'd-1', status: 'Failed' }, []).headline).toBe(
      'CodeDeploy deployment d-1 failed and reported no reason',
    );
  });
});
