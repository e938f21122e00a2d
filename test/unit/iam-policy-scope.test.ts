import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  allowedActions,
  listOf,
  readPolicy,
  type PolicyDocument,
  type PolicyName,
  type PolicyStatement,
} from '../support/iam-policy.js';

// The scoping of deploy/iam/*.json, which moto cannot check: its IAM enforcement does not match
// resource ARNs or conditions, so the integration test runs a widened copy. Each rule returns the
// problems it finds and is tried on the real documents and on a broken one, so every rule is known
// to be able to fail. The tables below are the Service Authorization Reference's answer, per action,
// to "can Resource name something narrower than *?"; an action in neither table fails the test
// until someone looks it up.

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const ACCOUNT = '123456789012';

/** Actions AWS authorizes against a resource ARN: granting them on `*` is never necessary. */
const RESOURCE_SCOPED = new Set([
  // CodeDeploy: deployments and their targets by deployment group, revisions by application.
  'codedeploy:CreateDeployment',
  'codedeploy:GetDeployment',
  'codedeploy:StopDeployment',
  'codedeploy:ListDeploymentTargets',
  'codedeploy:BatchGetDeploymentTargets',
  'codedeploy:RegisterApplicationRevision',
  'codedeploy:GetDeploymentConfig',
  'ecs:RunTask',
  'ecs:StopTask',
  'ecs:DescribeTasks',
  'ecs:TagResource',
  'ecs:DescribeServices',
  'ecs:UpdateService',
  'ecr:DescribeRepositories',
  'ecr:CreateRepository',
  'ecr:DescribeImages',
  'ecr:BatchCheckLayerAvailability',
  'ecr:BatchGetImage',
  'ecr:GetDownloadUrlForLayer',
  'ecr:InitiateLayerUpload',
  'ecr:UploadLayerPart',
  'ecr:CompleteLayerUpload',
  'ecr:PutImage',
  'route53:ListResourceRecordSets',
  'route53:ChangeResourceRecordSets',
  'route53:GetChange',
  'elasticloadbalancing:CreateTargetGroup',
  'elasticloadbalancing:ModifyTargetGroup',
  'elasticloadbalancing:DeleteTargetGroup',
  'elasticloadbalancing:RegisterTargets',
  'elasticloadbalancing:DeregisterTargets',
  'elasticloadbalancing:AddTags',
  'elasticloadbalancing:CreateRule',
  'elasticloadbalancing:ModifyRule',
  'elasticloadbalancing:DeleteRule',
  'elasticloadbalancing:SetRulePriorities',
  'elasticloadbalancing:RemoveTags',
  'acm:DescribeCertificate',
  'logs:GetLogEvents',
  'sqs:SendMessage',
  'sqs:ReceiveMessage',
  'sqs:DeleteMessage',
  'sqs:ChangeMessageVisibility',
  'sqs:GetQueueAttributes',
  'sts:AssumeRole',
  'sts:TagSession',
  'ssm:GetParameter',
  'secretsmanager:GetSecretValue',
  'iam:PassRole',
]);

/** Actions only `*` can name, narrowed by a condition key instead: the key must be there. */
const CONDITION_SCOPED: Readonly<Record<string, string>> = {
  'ecs:ListTasks': 'ecs:cluster',
  'cloudwatch:PutMetricData': 'cloudwatch:namespace',
};

/** Actions with no resource-level permissions at all: `*` is the only way to grant them. */
const ACCOUNT_WIDE = new Set([
  'ecs:ListClusters',
  'ecs:DescribeTaskDefinition',
  'ecs:RegisterTaskDefinition',
  'ecs:DeregisterTaskDefinition',
  'ecs:ListTaskDefinitions',
  'ecr:GetAuthorizationToken',
  'ec2:DescribeNetworkInterfaces',
  'elasticloadbalancing:DescribeListenerCertificates',
  'elasticloadbalancing:DescribeListeners',
  'elasticloadbalancing:DescribeLoadBalancers',
  'elasticloadbalancing:DescribeRules',
  'elasticloadbalancing:DescribeTags',
  'elasticloadbalancing:DescribeTargetGroups',
  'elasticloadbalancing:DescribeTargetHealth',
  'cloudwatch:GetMetricData',
]);

/** ECS task actions that take `ecs:cluster`: each grant must name the clusters it is for. */
const CLUSTER_CONDITIONED = ['ecs:RunTask', 'ecs:StopTask', 'ecs:DescribeTasks', 'ecs:ListTasks'];

const grants = (document: PolicyDocument, action: string): PolicyStatement[] =>
  document.Statement.filter((s) => listOf(s.Action).includes(action));
const name = (s: PolicyStatement): string => s.Sid ?? JSON.stringify(s.Action);
const conditionKeys = (s: PolicyStatement): string[] =>
  Object.values(s.Condition ?? {}).flatMap((block) => Object.keys(block));
const conditionValues = (s: PolicyStatement, operators: string[], key: string): string[] =>
  operators.flatMap((op) => {
    const value = s.Condition?.[op]?.[key];
    return value === undefined ? [] : [...listOf(value)];
  });

/** Only plain Allow statements with explicit action lists: nothing a reader has to invert. */
function shapeProblems(document: PolicyDocument): string[] {
  const problems: string[] = [];
  if (document.Version !== '2012-10-17') problems.push(`Version is ${document.Version}`);
  const sids = document.Statement.map((s) => s.Sid);
  for (const statement of document.Statement) {
    const keys = Object.keys(statement);
    if (statement.Effect !== 'Allow') problems.push(`${name(statement)} is not an Allow`);
    for (const key of keys.filter((k) => k.startsWith('Not'))) {
      problems.push(`${name(statement)} uses ${key}`);
    }
    if (!statement.Sid) problems.push(`${name(statement)} has no Sid`);
    else if (sids.indexOf(statement.Sid) !== sids.lastIndexOf(statement.Sid)) {
      problems.push(`Sid ${statement.Sid} is used twice`);
    }
  }
  return [...new Set(problems)];
}

/** `*`, `ecs:*`, `iam:*`, `ecs:Describe*`: a wildcard grants actions nobody has read. */
function wildcardActionProblems(document: PolicyDocument): string[] {
  return allowedActions(document)
    .filter((action) => action.includes('*') || action.includes('?') || !action.includes(':'))
    .map((action) => `action ${action} is a wildcard`);
}

/** `Resource: "*"` only for actions that cannot be scoped, or with the condition that scopes them. */
function unscopedResourceProblems(document: PolicyDocument): string[] {
  const problems: string[] = [];
  for (const action of allowedActions(document)) {
    const known = RESOURCE_SCOPED.has(action) || ACCOUNT_WIDE.has(action);
    if (!known && !(action in CONDITION_SCOPED)) {
      problems.push(`${action} is not classified: look it up and add it to a table here`);
      continue;
    }
    for (const statement of grants(document, action)) {
      const resources = listOf(statement.Resource);
      if (resources.length === 0) problems.push(`${name(statement)} names no resource`);
      if (!resources.includes('*')) continue;
      const key = CONDITION_SCOPED[action];
      if (RESOURCE_SCOPED.has(action)) {
        problems.push(
          `${action} supports resource-level permissions but ${name(statement)} grants it on *`,
        );
      } else if (key && !conditionKeys(statement).includes(key)) {
        problems.push(`${action} is granted on * without ${key} in ${name(statement)}`);
      }
    }
  }
  return problems;
}

/** PassRole names each role, and only for ECS tasks: no role can be handed to another service. */
function passRoleProblems(document: PolicyDocument): string[] {
  const problems: string[] = [];
  for (const statement of grants(document, 'iam:PassRole')) {
    for (const resource of listOf(statement.Resource)) {
      if (!/^arn:aws:iam::\d{12}:role\/[\w+=,.@/-]+$/.test(resource)) {
        problems.push(`PassRole on ${resource}: name each role, without wildcards`);
      }
    }
    const services = conditionValues(statement, ['StringEquals'], 'iam:PassedToService');
    if (services.length !== 1 || services[0] !== 'ecs-tasks.amazonaws.com') {
      problems.push(
        `${name(statement)} needs StringEquals iam:PassedToService: ecs-tasks.amazonaws.com`,
      );
    }
  }
  return problems;
}

/** RunTask and its kin carry `ecs:cluster` naming whole cluster ARNs; task ARNs name the cluster. */
function clusterProblems(document: PolicyDocument): string[] {
  const problems: string[] = [];
  const clusterArn = /^arn:aws:ecs:[\w*-]+:\d{12}:cluster\/[\w-]+$/;
  for (const action of CLUSTER_CONDITIONED) {
    for (const statement of grants(document, action)) {
      const clusters = conditionValues(statement, ['ArnLike', 'ArnEquals'], 'ecs:cluster');
      if (clusters.length === 0)
        problems.push(`${action} in ${name(statement)} has no ecs:cluster`);
      for (const cluster of clusters.filter((c) => !clusterArn.test(c))) {
        problems.push(`${name(statement)}: ecs:cluster ${cluster} is not one named cluster`);
      }
    }
  }
  for (const action of ['ecs:StopTask', 'ecs:DescribeTasks', 'ecs:TagResource']) {
    for (const statement of grants(document, action)) {
      for (const resource of listOf(statement.Resource).filter((r) => r.includes(':task/'))) {
        if (!/:task\/[\w-]+\/\*$/.test(resource)) {
          problems.push(`${name(statement)}: ${resource} does not name its cluster`);
        }
      }
    }
  }
  return problems;
}

/** Placeholders an operator replaces: one account, so a search-and-replace finds them all. */
function accountProblems(document: PolicyDocument): string[] {
  return document.Statement.flatMap((s) => listOf(s.Resource)).flatMap((resource) => {
    const account = resource.split(':')[4];
    if (resource === '*' || account === '' || account === ACCOUNT) return [];
    // The queue pattern is the brief's: a queue policy still guards another account's queue.
    if (resource.startsWith('arn:aws:sqs:') && account === '*') return [];
    return [`${resource} names account ${account ?? '(none)'}, not the placeholder ${ACCOUNT}`];
  });
}

const RULES = {
  shapeProblems,
  wildcardActionProblems,
  unscopedResourceProblems,
  passRoleProblems,
  clusterProblems,
  accountProblems,
};

// What the code sends. Each source directory belongs to one identity: the App runs src/bot and the
// preview engine; the Action runs src/action, the deploy engine and the image code. The App also
// reads a preview's base task definition with the deploy engine's loader.
const OWNERS: Readonly<Record<PolicyName, readonly string[]>> = {
  app: ['src/bot', 'src/core/preview', 'src/core/aws', 'src/core/deploy/load-task-definition.ts'],
  action: ['src/action', 'src/core/deploy', 'src/core/image', 'src/core/aws'],
};
const PREFIXES: Readonly<Record<string, string>> = {
  '@aws-sdk/client-acm': 'acm',
  '@aws-sdk/client-cloudwatch': 'cloudwatch',
  '@aws-sdk/client-cloudwatch-logs': 'logs',
  '@aws-sdk/client-codedeploy': 'codedeploy',
  '@aws-sdk/client-ec2': 'ec2',
  '@aws-sdk/client-ecr': 'ecr',
  '@aws-sdk/client-ecs': 'ecs',
  '@aws-sdk/client-elastic-load-balancing-v2': 'elasticloadbalancing',
  '@aws-sdk/client-route-53': 'route53',
  '@aws-sdk/client-secrets-manager': 'secretsmanager',
  '@aws-sdk/client-sqs': 'sqs',
  '@aws-sdk/client-ssm': 'ssm',
  '@aws-sdk/client-sts': 'sts',
};

/**
 * Grants no `*Command` in src shows, each with the reason it is still needed. Anything else in a
 * document that the code never sends is a grant nobody uses.
 */
const IMPLIED: Readonly<Record<PolicyName, Readonly<Record<string, string>>>> = {
  app: {
    // src/core/image's ecrImage, which the App reaches through findEcrImage.
    'ecr:DescribeImages': 'the image a preview or /deploy runs',
    'sts:TagSession': 'AssumeRole passes repo and pr session tags',
    'ecs:TagResource': 'RunTask and RegisterTaskDefinition with tags also authorize TagResource',
    'iam:PassRole': "a preview revision names the base's execution role and its own task role",
    'ec2:DescribeNetworkInterfaces': 'ec2-public-ip.ts sends it as a Query request, not a Command',
  },
  action: {
    'ecs:TagResource': 'a task definition file keeps its tags, authorized as TagResource',
    'iam:PassRole': 'a new revision names the task and execution roles',
    'ecr:BatchCheckLayerAvailability': 'docker/podman push',
    'ecr:InitiateLayerUpload': 'docker/podman push',
    'ecr:UploadLayerPart': 'docker/podman push',
    'ecr:CompleteLayerUpload': 'docker/podman push',
    'ecr:PutImage': 'docker/podman push',
    'ecr:BatchGetImage': 'docker/podman push reads manifests back, buildx reads its cache',
    'ecr:GetDownloadUrlForLayer': 'buildx cache and base layers from the same repository',
    'codedeploy:RegisterApplicationRevision':
      'CreateDeployment with AppSpec content registers it as a revision',
    'codedeploy:GetDeploymentConfig':
      'CreateDeployment reads the deployment config it names (or the default)',
  },
};

function sourceFiles(dir: string): string[] {
  if (dir.endsWith('.ts')) return [join(ROOT, dir)];
  return readdirSync(join(ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => join(entry.parentPath, entry.name));
}

/** Operations IAM authorizes as another action: SQS batches are their single-message actions. */
const AUTHORIZED_AS: Readonly<Record<string, string>> = {
  'sqs:SendMessageBatch': 'sqs:SendMessage',
  'sqs:DeleteMessageBatch': 'sqs:DeleteMessage',
  'sqs:ChangeMessageVisibilityBatch': 'sqs:ChangeMessageVisibility',
};

/** `ecs:RunTask` for every `RunTaskCommand` a file imports from an AWS SDK client. */
function commandsIn(source: string): string[] {
  const actions: string[] = [];
  const add = (names: string, client: string): void => {
    const prefix = PREFIXES[client];
    if (!prefix) throw new Error(`no IAM prefix for ${client}: add it to PREFIXES`);
    for (const part of names.split(',')) {
      const id =
        part
          .trim()
          .replace(/^type\s+/, '')
          .split(/\s*(?::|\bas\b)\s*/)[0] ?? '';
      if (!part.trim().startsWith('type ') && /^\w+Command$/.test(id)) {
        const action = `${prefix}:${id.slice(0, -'Command'.length)}`;
        actions.push(AUTHORIZED_AS[action] ?? action);
      }
    }
  };
  const destructured =
    /(?:import\s*\{([^}]*)\}\s*from|const\s*\{([^}]*)\}\s*=\s*await\s+import\()\s*'(@aws-sdk\/client-[\w-]+)'/g;
  for (const m of source.matchAll(destructured)) add(m[1] ?? m[2] ?? '', m[3] ?? '');
  const namespaced = /const\s+(\w+)\s*=\s*await\s+import\(\s*'(@aws-sdk\/client-[\w-]+)'\s*\)/g;
  for (const m of source.matchAll(namespaced)) {
    const uses = source.matchAll(new RegExp(`\\b${m[1] ?? ''}\\.(\\w+Command)\\b`, 'g'));
    add([...uses].map((u) => u[1] ?? '').join(','), m[2] ?? '');
  }
  return [...new Set(actions)];
}

function codeActions(owner: PolicyName): Map<string, string> {
  const found = new Map<string, string>();
  for (const file of OWNERS[owner].flatMap(sourceFiles)) {
    for (const action of commandsIn(readFileSync(file, 'utf8'))) {
      if (!found.has(action)) found.set(action, relative(ROOT, file));
    }
  }
  return found;
}

function coverageProblems(document: PolicyDocument, owner: PolicyName): string[] {
  const granted = new Set(allowedActions(document));
  const used = codeActions(owner);
  const missing = [...used].filter(([action]) => !granted.has(action));
  const unused = [...granted].filter((a) => !used.has(a) && !(a in IMPLIED[owner]));
  return [
    ...missing.map(([action, file]) => `${file} sends ${action}, which the document lacks`),
    ...unused.map((action) => `${action} is granted but nothing sends it`),
  ];
}

const DOCUMENTS: PolicyName[] = ['app', 'action'];

describe.each(DOCUMENTS)('deploy/iam/%s-policy.json', (policyName) => {
  const document = readPolicy(policyName);

  it.each(Object.entries(RULES))('passes %s', (_rule, rule) => {
    expect(rule(document)).toEqual([]);
  });

  it('grants every AWS call its code makes, and nothing its code never makes', () => {
    expect(coverageProblems(document, policyName)).toEqual([]);
  });

  it('conditions RunTask on the cluster and PassRole on ECS tasks', () => {
    const runTask = grants(document, 'ecs:RunTask');
    expect(runTask.length).toBeGreaterThan(0);
    for (const s of runTask) expect(conditionKeys(s)).toContain('ecs:cluster');
    const passRole = grants(document, 'iam:PassRole');
    expect(passRole.length).toBeGreaterThan(0);
    for (const s of passRole) {
      expect(s.Condition).toEqual({
        StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' },
      });
    }
  });
});

describe('each rule finds what it is for', () => {
  const statement = (s: Partial<PolicyStatement>): PolicyStatement => ({
    Sid: 'Broken',
    Effect: 'Allow',
    Action: 'ecs:ListClusters',
    Resource: '*',
    ...s,
  });
  const doc = (...statements: PolicyStatement[]): PolicyDocument => ({
    Version: '2012-10-17',
    Statement: statements,
  });

  it.each([
    ['shapeProblems', doc(statement({ Effect: 'Deny' })), 'Broken is not an Allow'],
    ['shapeProblems', doc(statement({}), statement({})), 'Sid Broken is used twice'],
    ['wildcardActionProblems', doc(statement({ Action: 'iam:*' })), 'action iam:* is a wildcard'],
    ['wildcardActionProblems', doc(statement({ Action: '*' })), 'action * is a wildcard'],
    ['wildcardActionProblems', doc(statement({ Action: '*:*' })), 'action *:* is a wildcard'],
    [
      'unscopedResourceProblems',
      doc(statement({ Action: 'ecs:StopTask' })),
      'ecs:StopTask supports resource-level permissions but Broken grants it on *',
    ],
    [
      'unscopedResourceProblems',
      doc(statement({ Action: 'cloudwatch:PutMetricData' })),
      'cloudwatch:PutMetricData is granted on * without cloudwatch:namespace in Broken',
    ],
    [
      'unscopedResourceProblems',
      doc(statement({ Action: 's3:GetObject' })),
      's3:GetObject is not classified: look it up and add it to a table here',
    ],
    [
      'passRoleProblems',
      doc(statement({ Action: 'iam:PassRole', Resource: `arn:aws:iam::${ACCOUNT}:role/*` })),
      `PassRole on arn:aws:iam::${ACCOUNT}:role/*: name each role, without wildcards`,
    ],
    [
      'passRoleProblems',
      doc(statement({ Action: 'iam:PassRole', Resource: `arn:aws:iam::${ACCOUNT}:role/web` })),
      'Broken needs StringEquals iam:PassedToService: ecs-tasks.amazonaws.com',
    ],
    [
      'clusterProblems',
      doc(statement({ Action: 'ecs:RunTask', Resource: 'arn:aws:ecs:*:1:task-definition/*' })),
      'ecs:RunTask in Broken has no ecs:cluster',
    ],
    [
      'clusterProblems',
      doc(
        statement({
          Action: 'ecs:ListTasks',
          Condition: { ArnLike: { 'ecs:cluster': `arn:aws:ecs:*:${ACCOUNT}:cluster/*` } },
        }),
      ),
      `Broken: ecs:cluster arn:aws:ecs:*:${ACCOUNT}:cluster/* is not one named cluster`,
    ],
    [
      'clusterProblems',
      doc(statement({ Action: 'ecs:TagResource', Resource: `arn:aws:ecs:*:${ACCOUNT}:task/*` })),
      `Broken: arn:aws:ecs:*:${ACCOUNT}:task/* does not name its cluster`,
    ],
    [
      'accountProblems',
      doc(statement({ Resource: 'arn:aws:ecr:*:999999999999:repository/web' })),
      'arn:aws:ecr:*:999999999999:repository/web names account 999999999999, not the placeholder 123456789012',
    ],
  ] as const)('%s: %#', (rule, document, problem) => {
    expect(RULES[rule](document)).toContain(problem);
  });

  it('coverage finds a call the document lacks and a grant nothing uses', () => {
    const app = readPolicy('app');
    const withoutRunTask: PolicyDocument = {
      ...app,
      Statement: app.Statement.filter((s) => !listOf(s.Action).includes('ecs:RunTask')),
    };
    expect(coverageProblems(withoutRunTask, 'app')).toContain(
      'src/core/preview/launch-preview.ts sends ecs:RunTask, which the document lacks',
    );
    const extra = doc(...app.Statement, statement({ Sid: 'Extra', Action: 'ecs:ListServices' }));
    expect(coverageProblems(extra, 'app')).toContain(
      'ecs:ListServices is granted but nothing sends it',
    );
  });

  it('reads commands from static, dynamic and namespace imports, not types', () => {
    const source = [
      "import { RunTaskCommand, type StopTaskCommand, ECSClient } from '@aws-sdk/client-ecs';",
      "const { GetParameterCommand } = await import('@aws-sdk/client-ssm');",
      "const sts = await import('@aws-sdk/client-sts');",
      'new sts.AssumeRoleCommand({});',
      "import { DeleteMessageBatchCommand } from '@aws-sdk/client-sqs';",
    ].join('\n');
    expect(commandsIn(source).sort()).toEqual([
      'ecs:RunTask',
      'sqs:DeleteMessage',
      'ssm:GetParameter',
      'sts:AssumeRole',
    ]);
  });
});
