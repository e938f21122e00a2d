import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { parse } from 'yaml';
import type { Service } from '@aws-sdk/client-ecs';
import { deployModeFor } from '../../src/core/deploy/codedeploy-controller.js';
import { parseCodeDeployHooks } from '../../src/core/deploy/codedeploy-hooks.js';
import { parseCodeDeployInputs } from '../../src/core/deploy/codedeploy-settings.js';

describe('codedeploy-hooks', () => {
  it('reads one Hook=lambda per line, blanks skipped, in the order CodeDeploy runs them', () => {
    expect(
      parseCodeDeployHooks(
        [
          'AfterAllowTraffic = arn:aws:lambda:us-east-1:123456789012:function:after:live',
          '',
          '  BeforeInstall=warm-caches  ',
          'AfterAllowTestTraffic=smoke-test',
        ].join('\n'),
      ),
    ).toEqual([
      { hook: 'BeforeInstall', lambda: 'warm-caches' },
      { hook: 'AfterAllowTestTraffic', lambda: 'smoke-test' },
      {
        hook: 'AfterAllowTraffic',
        lambda: 'arn:aws:lambda:us-east-1:123456789012:function:after:live',
      },
    ]);
    expect(parseCodeDeployHooks('')).toEqual([]);
  });

  it.each([
    [
      'BeforeTraffic=check',
      /line 1: 'BeforeTraffic' is not an ECS hook; use one of BeforeInstall, AfterInstall, AfterAllowTestTraffic, BeforeAllowTraffic, AfterAllowTraffic/,
    ],
    ['Install=check', /'Install' is not an ECS hook/],
    ['BeforeInstall', /line 1 is not Hook=lambda-function/],
    ['BeforeInstall=a\nBeforeInstall=b', /line 2: BeforeInstall is named twice/],
    ['BeforeInstall=not a lambda', /line 1 is not Hook=lambda-function/],
    ['AfterInstall=bad/name', /line 1: 'bad\/name' is not a Lambda function name or ARN/],
  ])('refuses %j naming the input', (text, message) => {
    expect(() => parseCodeDeployHooks(text)).toThrow(message);
    expect(() => parseCodeDeployHooks(text)).toThrow(/^Input 'codedeploy-hooks': /);
  });
});

describe('the codedeploy inputs', () => {
  const reader =
    (inputs: Record<string, string>) =>
    (name: string): string =>
      inputs[name] ?? '';

  it('are absent when none is set, and a pair with optional config and hooks otherwise', () => {
    expect(parseCodeDeployInputs(reader({}))).toBeUndefined();
    expect(
      parseCodeDeployInputs(
        reader({
          'codedeploy-application': 'web',
          'codedeploy-deployment-group': 'web-bg',
          'codedeploy-config': 'CodeDeployDefault.ECSLinear10PercentEvery1Minutes',
          'codedeploy-hooks': 'AfterAllowTestTraffic=smoke-test',
        }),
      ),
    ).toEqual({
      application: 'web',
      deploymentGroup: 'web-bg',
      config: 'CodeDeployDefault.ECSLinear10PercentEvery1Minutes',
      hooks: [{ hook: 'AfterAllowTestTraffic', lambda: 'smoke-test' }],
    });
  });

  it('are all declared in action.yml, with the deployment id output', () => {
    const action = parse(readFileSync('action.yml', 'utf8')) as {
      inputs: Record<string, unknown>;
      outputs: Record<string, unknown>;
    };
    const read: string[] = [];
    parseCodeDeployInputs((name) => (read.push(name), ''));
    expect(read.sort()).toEqual([
      'codedeploy-application',
      'codedeploy-config',
      'codedeploy-deployment-group',
      'codedeploy-hooks',
    ]);
    expect(read.filter((name) => !(name in action.inputs))).toEqual([]);
    expect(Object.keys(action.outputs)).toContain('codedeploy-deployment-id');
  });

  it.each<[Record<string, string>, RegExp]>([
    [
      { 'codedeploy-application': 'web' },
      /^Input 'codedeploy-deployment-group': required with 'codedeploy-application'/,
    ],
    [{ 'codedeploy-deployment-group': 'web-bg' }, /^Input 'codedeploy-application': required with/],
    [
      { 'codedeploy-config': 'CodeDeployDefault.ECSAllAtOnce' },
      /^Input 'codedeploy-config': needs 'codedeploy-application' and 'codedeploy-deployment-group'/,
    ],
    [{ 'codedeploy-hooks': 'BeforeInstall=x' }, /^Input 'codedeploy-hooks': needs/],
  ])('refuse a half-set pair: %j', (inputs, message) => {
    expect(() => parseCodeDeployInputs(reader(inputs))).toThrow(message);
  });
});

describe('which services go through CodeDeploy', () => {
  const service = (name: string, type?: 'ECS' | 'CODE_DEPLOY' | 'EXTERNAL'): [string, Service] => [
    name,
    { serviceName: name, status: 'ACTIVE', ...(type ? { deploymentController: { type } } : {}) },
  ];
  const target = { application: 'web', deploymentGroup: 'web-bg', hooks: [] };

  it('ECS services (or no controller at all) keep UpdateService; one CODE_DEPLOY service goes to its group', () => {
    expect(deployModeFor(new Map([service('a'), service('b', 'ECS')]), undefined)).toEqual({
      kind: 'ecs',
    });
    expect(deployModeFor(new Map([service('web-bg', 'CODE_DEPLOY')]), target)).toEqual({
      kind: 'codedeploy',
      service: 'web-bg',
      target,
    });
  });

  it.each<[string, [string, Service][], typeof target | undefined, RegExp]>([
    [
      'CODE_DEPLOY without the inputs',
      [service('web-bg', 'CODE_DEPLOY')],
      undefined,
      /^Service 'web-bg' uses the CODE_DEPLOY deployment controller, .*set the inputs 'codedeploy-application' and 'codedeploy-deployment-group'/,
    ],
    [
      'EXTERNAL, inputs or not',
      [service('legacy', 'EXTERNAL')],
      target,
      /^'legacy' uses the EXTERNAL deployment controller, which ecs-paas cannot deploy/,
    ],
    [
      'an ECS and a CODE_DEPLOY service in one step',
      [service('worker', 'ECS'), service('web-bg', 'CODE_DEPLOY')],
      target,
      /^Input 'service': 'web-bg' uses the CODE_DEPLOY controller and must be deployed alone .*; deploy 'worker' \(ECS controller\) in another step/,
    ],
    [
      'two CODE_DEPLOY services in one step',
      [service('a', 'CODE_DEPLOY'), service('b', 'CODE_DEPLOY')],
      target,
      /^Input 'service': 'a', 'b' use the CODE_DEPLOY controller and must be deployed alone .*use one step per service/,
    ],
  ])('refuses %s', (_case, services, given, message) => {
    expect(() => deployModeFor(new Map(services), given)).toThrow(message);
  });
});
