import type { Action } from '@aws-sdk/client-elastic-load-balancing-v2';

/** The rule's actions with every forward sent to `groupArn` instead; a login before it stays. */
export function forwardTo(actions: readonly Action[], groupArn: string): Action[] {
  return actions.map((action) =>
    action.Type === 'forward'
      ? {
          Type: 'forward',
          TargetGroupArn: groupArn,
          ...(action.Order !== undefined && { Order: action.Order }),
        }
      : action,
  );
}

/**
 * A waking preview's actions: requests still go to the App (its waking page), and the new target
 * group rides along at weight 0. A target group no rule names is never health-checked, so the new
 * task could not turn healthy before the rule forwards to it.
 */
export function forwardBeside(actions: readonly Action[], groupArn: string): Action[] {
  return actions.map((action) => {
    if (action.Type !== 'forward') return action;
    const current =
      action.TargetGroupArn ?? action.ForwardConfig?.TargetGroups?.[0]?.TargetGroupArn;
    return {
      Type: 'forward',
      ForwardConfig: {
        TargetGroups: [
          ...(current ? [{ TargetGroupArn: current, Weight: 1 }] : []),
          { TargetGroupArn: groupArn, Weight: 0 },
        ],
      },
      ...(action.Order !== undefined && { Order: action.Order }),
    };
  });
}
