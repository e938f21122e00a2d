import { describe, expect, it } from '@jest/globals';
import { stringify } from 'yaml';
import {
  ConfigError,
  parseRepoConfig,
  type ConfigIssue,
  type PreviewConfig,
} from '../../src/core/config/repo-config.js';

// `preview.task-role-arn`, `execution-role-arn`, `secrets`, `inherit`, `cpu`, `memory` and
// `capacity-provider-strategy`: what a preview runs as and on.
const MINIMAL = {
  cluster: 'previews',
  'task-definition': 'web',
  subnets: ['subnet-0abc'],
  routing: { domain: 'preview.example.com', 'hosted-zone-id': 'Z0123ABC' },
};
const ROLE = 'arn:aws:iam::123456789012:role/team/preview-web';
const SSM = 'arn:aws:ssm:us-east-1:123456789012:parameter/preview/db';
const SECRET = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:preview/db-AbCdEf';

const preview = (changes: Record<string, unknown>): PreviewConfig | undefined =>
  parseRepoConfig(stringify({ preview: { ...MINIMAL, ...changes } })).preview;

function issuesOf(changes: Record<string, unknown>): readonly ConfigIssue[] {
  try {
    preview(changes);
  } catch (error: unknown) {
    if (error instanceof ConfigError) return error.issues;
    throw error;
  }
  throw new Error('expected the config to be rejected');
}

describe("the preview's identity in .github/ecs-paas.yml", () => {
  it('reads roles, secrets, inherit, size and capacity providers', () => {
    expect(
      preview({
        'task-role-arn': ROLE,
        'execution-role-arn': 'arn:aws-cn:iam::123456789012:role/exec',
        secrets: {
          DATABASE_URL: SSM,
          STRIPE_KEY: SECRET,
          JSON_FIELD: `${SECRET}:password::`,
          API_TOKEN: '/preview/api-token',
          PLAIN: 'api-token',
        },
        inherit: ['environment', 'task-role', 'environment'],
        cpu: 512,
        memory: '2 GB',
        'capacity-provider-strategy': [
          { 'capacity-provider': 'FARGATE_SPOT', weight: 3 },
          { 'capacity-provider': 'FARGATE', base: 1 },
        ],
      }),
    ).toMatchObject({
      taskRoleArn: ROLE,
      executionRoleArn: 'arn:aws-cn:iam::123456789012:role/exec',
      secrets: {
        DATABASE_URL: SSM,
        STRIPE_KEY: SECRET,
        JSON_FIELD: `${SECRET}:password::`,
        API_TOKEN: '/preview/api-token',
        PLAIN: 'api-token',
      },
      inherit: ['environment', 'task-role'],
      cpu: '512',
      memory: '2 GB',
      capacityProviderStrategy: [
        { capacityProvider: 'FARGATE_SPOT', weight: 3, base: 0 },
        { capacityProvider: 'FARGATE', weight: 1, base: 1 },
      ],
    });
  });

  it('inherits nothing and has no secrets when left out', () => {
    const config = preview({});
    expect(config?.inherit).toEqual([]);
    expect(config?.secrets).toEqual({});
    for (const key of [
      'taskRoleArn',
      'executionRoleArn',
      'cpu',
      'memory',
      'capacityProviderStrategy',
    ])
      expect(config).not.toHaveProperty(key);
  });

  it('reads one inherited part given without a list', () => {
    expect(preview({ inherit: 'secrets' })?.inherit).toEqual(['secrets']);
  });

  it.each<[string, Record<string, unknown>, string, string]>([
    [
      'a user ARN as the task role',
      { 'task-role-arn': 'arn:aws:iam::123456789012:user/deploy' },
      'preview.task-role-arn',
      "got 'arn:aws:iam::123456789012:user/deploy'; expected an IAM role ARN such as arn:aws:iam::123456789012:role/preview-web",
    ],
    [
      'a role name instead of an ARN',
      { 'execution-role-arn': 'ecsTaskExecutionRole' },
      'preview.execution-role-arn',
      "got 'ecsTaskExecutionRole'; expected an IAM role ARN such as arn:aws:iam::123456789012:role/ecsTaskExecutionRole",
    ],
    [
      'an S3 object as a secret',
      { secrets: { DB: 'arn:aws:s3:::bucket/db' } },
      'preview.secrets.DB',
      "got 'arn:aws:s3:::bucket/db'; expected an SSM parameter name or ARN, or a Secrets Manager secret ARN, such as arn:aws:secretsmanager:us-east-1:123456789012:secret:preview/db-AbCdEf",
    ],
    [
      'a secret value written in place of where it is kept',
      { secrets: { DB: 'postgres://user:pw@db/app' } },
      'preview.secrets.DB',
      "got 'postgres://user:pw@db/app'; expected an SSM parameter name or ARN, or a Secrets Manager secret ARN, such as arn:aws:secretsmanager:us-east-1:123456789012:secret:preview/db-AbCdEf",
    ],
    [
      'a secret name that is no variable name',
      { secrets: { '1DB': SSM } },
      'preview.secrets.1DB',
      "got '1DB'; expected an environment variable name (letters, digits and '_', not starting with a digit)",
    ],
    [
      'secrets as a list',
      { secrets: [SSM] },
      'preview.secrets',
      'got a list; expected a map of environment variable names to SSM parameters or Secrets Manager secret ARNs',
    ],
    [
      'a secret also in env',
      { env: { DB: 'x' }, secrets: { DB: SSM } },
      'preview.secrets.DB',
      'also set in env; expected a variable name not in env and not one of PREVIEW_URL, PR_NUMBER, GIT_SHA, GIT_BRANCH',
    ],
    [
      "a secret named like one of the preview's own variables",
      { secrets: { PREVIEW_URL: SSM } },
      'preview.secrets.PREVIEW_URL',
      'set by ecs-paas for every preview; expected a variable name not in env and not one of PREVIEW_URL, PR_NUMBER, GIT_SHA, GIT_BRANCH',
    ],
    [
      'an unknown part to inherit',
      { inherit: ['task-role', 'execution-role'] },
      'preview.inherit[1]',
      "got 'execution-role'; expected task-role, secrets or environment",
    ],
    [
      'inherit as a map',
      { inherit: { 'task-role': true } },
      'preview.inherit',
      'got a map; expected a list of task-role, secrets and environment',
    ],
    [
      'cpu in words',
      { cpu: 'two cores' },
      'preview.cpu',
      "got 'two cores'; expected CPU units such as 256, 512 or 1024, or 1 vCPU",
    ],
    [
      'memory in MB',
      { memory: '512 MB' },
      'preview.memory',
      "got '512 MB'; expected memory in MiB such as 512 or 2048, or 2 GB",
    ],
    [
      'an empty strategy',
      { 'capacity-provider-strategy': [] },
      'preview.capacity-provider-strategy',
      'got an empty list; expected a list of maps with capacity-provider, weight and base',
    ],
    [
      'a misspelt strategy key',
      { 'capacity-provider-strategy': [{ 'capacity-provider': 'FARGATE_SPOT', wieght: 1 }] },
      'preview.capacity-provider-strategy[0].wieght',
      "unknown key; did you mean 'weight'?",
    ],
    [
      'a weight over 1000',
      { 'capacity-provider-strategy': [{ 'capacity-provider': 'FARGATE_SPOT', weight: 1001 }] },
      'preview.capacity-provider-strategy[0].weight',
      'got 1001; expected an integer from 0 to 1000',
    ],
    [
      'two providers with a base',
      {
        'capacity-provider-strategy': [
          { 'capacity-provider': 'FARGATE_SPOT', base: 1 },
          { 'capacity-provider': 'FARGATE', base: 1 },
        ],
      },
      'preview.capacity-provider-strategy',
      'more than one provider with a base; expected a list of maps with capacity-provider, weight and base, each provider once, at most one with a base and at least one weight above 0',
    ],
    [
      'every weight 0',
      { 'capacity-provider-strategy': [{ 'capacity-provider': 'FARGATE_SPOT', weight: 0 }] },
      'preview.capacity-provider-strategy',
      'every weight is 0; expected a list of maps with capacity-provider, weight and base, each provider once, at most one with a base and at least one weight above 0',
    ],
    [
      'a provider named twice',
      {
        'capacity-provider-strategy': [
          { 'capacity-provider': 'FARGATE_SPOT' },
          { 'capacity-provider': 'FARGATE_SPOT' },
        ],
      },
      'preview.capacity-provider-strategy',
      'a provider named twice; expected a list of maps with capacity-provider, weight and base, each provider once, at most one with a base and at least one weight above 0',
    ],
    [
      'a strategy with a launch type',
      {
        'launch-type': 'FARGATE',
        'capacity-provider-strategy': [{ 'capacity-provider': 'FARGATE_SPOT' }],
      },
      'preview.capacity-provider-strategy',
      'ECS takes a launch type or a capacity provider strategy, not both; expected launch-type or capacity-provider-strategy',
    ],
  ])('rejects %s, naming the key', (_case, changes, path, message) => {
    expect(issuesOf(changes)).toContainEqual({ path, message });
  });
});
