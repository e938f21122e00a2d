import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The two least-privilege documents in deploy/iam, by the identity that holds them. */
export type PolicyName = 'app' | 'action';

export interface PolicyStatement {
  readonly Sid?: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Action: string | readonly string[];
  readonly Resource: string | readonly string[];
  readonly Condition?: Readonly<
    Record<string, Readonly<Record<string, string | readonly string[]>>>
  >;
}

export interface PolicyDocument {
  readonly Version: string;
  readonly Statement: readonly PolicyStatement[];
}

export const POLICY_DIR = fileURLToPath(new URL('../../deploy/iam/', import.meta.url));

/** deploy/iam/<name>-policy.json as written: what an operator attaches. */
export function readPolicy(name: PolicyName): PolicyDocument {
  return JSON.parse(readFileSync(`${POLICY_DIR}${name}-policy.json`, 'utf8')) as PolicyDocument;
}

export const listOf = (value: string | readonly string[]): readonly string[] =>
  typeof value === 'string' ? [value] : value;

/** Every action the document allows, each once, in the order first written. */
export function allowedActions(document: PolicyDocument): string[] {
  const actions = document.Statement.filter((s) => s.Effect === 'Allow').flatMap((s) =>
    listOf(s.Action),
  );
  return [...new Set(actions)];
}

// moto checks a request against `<signing name>:<operation>`, and CloudWatch signs as
// `monitoring`, so a real `cloudwatch:PutMetricData` grant would be denied there.
const MOTO_SIGNING_NAMES: Readonly<Record<string, string>> = { cloudwatch: 'monitoring' };

/**
 * The document as moto can judge it: one statement with the same actions on `*` and no
 * conditions. moto does not match ECS resource ARNs or evaluate `ecs:cluster`, so the scoping
 * would deny calls AWS allows; the scoping is checked by the unit test instead. What is left is
 * exactly the question "is every action the code needs in the document?". `without` removes
 * actions, to show a missing one fails.
 */
export function widenForMoto(
  document: PolicyDocument,
  options: { without?: readonly string[] } = {},
): PolicyDocument {
  const kept = allowedActions(document).filter((a) => !options.without?.includes(a));
  const aliases = kept.flatMap((action) => {
    const [service = '', operation = ''] = action.split(':');
    const signing = MOTO_SIGNING_NAMES[service];
    return signing ? [`${signing}:${operation}`] : [];
  });
  return {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: [...kept, ...aliases], Resource: '*' }],
  };
}
