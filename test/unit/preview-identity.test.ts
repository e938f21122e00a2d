import { describe, expect, it } from '@jest/globals';
import type { TaskDefinitionInput } from '../../src/core/deploy/render-task-definition.js';
import {
  identityOf,
  roleName,
  withPreviewIdentity,
  type IdentityOptions,
} from '../../src/core/preview/preview-identity.js';

const BASE: TaskDefinitionInput = {
  family: 'web',
  taskRoleArn: 'arn:aws:iam::123456789012:role/prod-web',
  executionRoleArn: 'arn:aws:iam::123456789012:role/prod-execution',
  containerDefinitions: [
    {
      name: 'web',
      image: 'web',
      environment: [
        { name: 'NODE_ENV', value: 'production' },
        { name: 'DATABASE_URL', value: 'postgres://prod' },
      ],
      secrets: [
        { name: 'API_KEY', valueFrom: '/prod/api-key' },
        { name: 'PORT', valueFrom: '/prod/port' },
      ],
    },
  ],
};

const NONE: IdentityOptions = { secrets: {}, inherit: [], fork: false };
const web = (definition: TaskDefinitionInput) => definition.containerDefinitions?.[0];

describe('withPreviewIdentity', () => {
  it('keeps nothing of the base but its execution role by default', () => {
    const result = withPreviewIdentity(BASE, 'web', { PORT: '80' }, NONE);
    expect(result).not.toHaveProperty('taskRoleArn');
    expect(result.executionRoleArn).toBe(BASE.executionRoleArn);
    expect(web(result)).toStrictEqual({
      name: 'web',
      image: 'web',
      environment: [{ name: 'PORT', value: '80' }],
    });
  });

  it('replaces an inherited value by a configured secret of the same name', () => {
    const result = withPreviewIdentity(
      BASE,
      'web',
      {},
      { ...NONE, inherit: ['environment'], secrets: { DATABASE_URL: '/preview/db' } },
    );
    expect(web(result)?.environment).toEqual([{ name: 'NODE_ENV', value: 'production' }]);
    expect(web(result)?.secrets).toEqual([{ name: 'DATABASE_URL', valueFrom: '/preview/db' }]);
  });

  it("lets the preview's env win over an inherited secret of the same name", () => {
    const result = withPreviewIdentity(
      BASE,
      'web',
      { PORT: '8080' },
      { ...NONE, inherit: ['secrets'] },
    );
    expect(web(result)?.secrets).toEqual([{ name: 'API_KEY', valueFrom: '/prod/api-key' }]);
    expect(web(result)?.environment).toEqual([{ name: 'PORT', value: '8080' }]);
  });

  it('gives a fork no role, no secrets and no base environment even when configured and inherited', () => {
    const result = withPreviewIdentity(
      BASE,
      'web',
      {},
      {
        taskRoleArn: 'arn:aws:iam::123456789012:role/preview',
        secrets: { TOKEN: '/preview/token' },
        inherit: ['task-role', 'secrets', 'environment'],
        fork: true,
      },
    );
    expect(result).not.toHaveProperty('taskRoleArn');
    expect(web(result)).not.toHaveProperty('secrets');
    expect(web(result)).not.toHaveProperty('environment');
  });
});

describe('identityOf', () => {
  it.each<[string, Parameters<typeof identityOf>[0], ReturnType<typeof identityOf>]>([
    ['nothing', { containerDefinitions: [{ name: 'web' }] }, { secrets: [] }],
    [
      'a role and secrets of every container, sorted and once each',
      {
        taskRoleArn: 'arn:aws:iam::123456789012:role/team/preview-web',
        containerDefinitions: [
          {
            name: 'web',
            secrets: [
              { name: 'B', valueFrom: 'b' },
              { name: 'A', valueFrom: 'a' },
            ],
          },
          { name: 'agent', secrets: [{ name: 'A', valueFrom: 'a' }] },
        ],
      },
      { taskRole: 'preview-web', secrets: ['A', 'B'] },
    ],
  ])('reads %s', (_case, definition, identity) => {
    expect(identityOf(definition)).toStrictEqual(identity);
  });

  it('names a role by its name alone', () => {
    expect(roleName('arn:aws:iam::123456789012:role/a/b/preview-web')).toBe('preview-web');
  });
});
