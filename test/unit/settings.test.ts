import { describe, expect, it } from '@jest/globals';
import { parseSettings } from '../../src/action/settings.js';

const SHA = '0123456789abcdef0123456789abcdef01234567';
const ENV = { GITHUB_SHA: SHA, GITHUB_REPOSITORY: 'acme/web', AWS_REGION: 'us-east-1' };
const DEPLOY = { cluster: 'prod', service: 'web' };

function parse(inputs: Record<string, string>, env: Record<string, string> = ENV) {
  return parseSettings((name) => inputs[name] ?? '', env);
}

describe('parseSettings', () => {
  it('applies the documented defaults', () => {
    const settings = parse(DEPLOY);
    expect(settings).toMatchObject({
      command: 'deploy',
      region: 'us-east-1',
      cluster: 'prod',
      services: ['web'],
      containers: [],
      taskDefinition: { kind: 'service' },
      ecrRepository: 'web',
      createRepository: true,
      wait: true,
      waitTimeoutMs: 15 * 60_000,
      rollback: 'on-failure',
      keepRevisions: 0,
      maxRetries: 10,
      build: { context: '.', builder: 'docker', buildArgs: {}, platforms: [] },
      sha: SHA,
    });
    expect(settings.registry).toBeUndefined();
  });

  it.each([
    ['acme/MyService', 'myservice'],
    ['acme/Web.App_2', 'web.app_2'],
    ['acme/my--svc', 'my--svc'],
    ['acme/my__svc', 'my__svc'],
  ])('defaults ecr-repository for %s to %s, a name ECR takes', (repository, expected) => {
    expect(parse(DEPLOY, { ...ENV, GITHUB_REPOSITORY: repository }).ecrRepository).toBe(expected);
  });

  it.each(['acme/.github', 'acme/_site', 'acme/a', 'acme/my..app', 'acme/web-', 'acme/a___b'])(
    'refuses the default ecr-repository of %s, which ECR would refuse, naming the input',
    (repository) => {
      expect(() => parse(DEPLOY, { ...ENV, GITHUB_REPOSITORY: repository })).toThrow(
        /^Input 'ecr-repository': not set, and its default/,
      );
    },
  );

  it('takes a repository the default would refuse when ecr-repository names one', () => {
    const settings = parse(
      { ...DEPLOY, 'ecr-repository': 'team/site' },
      { ...ENV, GITHUB_REPOSITORY: 'acme/.github' },
    );
    expect(settings.ecrRepository).toBe('team/site');
  });

  it.each([
    ['1', 1],
    [' 3 ', 3],
    ['100', 100],
  ])('reads max-retries %j as %d attempts', (value, attempts) => {
    expect(parse({ ...DEPLOY, 'max-retries': value }).maxRetries).toBe(attempts);
  });

  it.each([
    ['web\napi', ['web', 'api']],
    ['web, api', ['web', 'api']],
    [' web ,\n\n api ,', ['web', 'api']],
  ])('splits service %j into %j', (service, expected) => {
    expect(parse({ ...DEPLOY, service }).services).toEqual(expected);
  });

  it.each([
    ['web.json', { kind: 'file', path: 'web.json' }],
    ['deploy/td.yaml', { kind: 'file', path: 'deploy/td.yaml' }],
    ['web', { kind: 'reference', reference: 'web' }],
    ['web:12', { kind: 'reference', reference: 'web:12' }],
    [
      'arn:aws:ecs:us-east-1:123456789012:task-definition/web:3',
      { kind: 'reference', reference: 'arn:aws:ecs:us-east-1:123456789012:task-definition/web:3' },
    ],
  ])('reads task-definition %j', (value, expected) => {
    expect(parse({ ...DEPLOY, 'task-definition': value }).taskDefinition).toEqual(expected);
  });

  it('keeps build-args values that contain = or are empty', () => {
    expect(parse({ ...DEPLOY, 'build-args': 'A=1\nB=x=y\nEMPTY=\n' }).build.buildArgs).toEqual({
      A: '1',
      B: 'x=y',
      EMPTY: '',
    });
  });

  it.each([
    ['1h30m', 90 * 60_000],
    ['90s', 90_000],
    ['20', 20 * 60_000],
  ])('reads wait-timeout %j', (value, ms) => {
    expect(parse({ ...DEPLOY, 'wait-timeout': value }).waitTimeoutMs).toBe(ms);
  });

  it('needs no cluster or service to build', () => {
    expect(parse({ command: 'build' }).command).toBe('build');
  });

  it.each<[string, Record<string, string>, Record<string, string>, RegExp]>([
    ['no cluster', { service: 'web' }, ENV, /^Input 'cluster': required for command 'deploy'/],
    [
      'no service',
      { cluster: 'prod' },
      ENV,
      /^Input 'service': required .*one or more ECS service names/,
    ],
    [
      'unknown command',
      { command: 'ship' },
      ENV,
      /^Input 'command': 'ship' is not one of: deploy, build/,
    ],
    ['no region', DEPLOY, { GITHUB_SHA: SHA }, /^Input 'aws-region': required/],
    [
      'bad region',
      { ...DEPLOY, 'aws-region': 'Virginia' },
      ENV,
      /^Input 'aws-region': 'Virginia' is not a region/,
    ],
    [
      'bad timeout',
      { ...DEPLOY, 'wait-timeout': 'soon' },
      ENV,
      /^Input 'wait-timeout': 'soon' is not a duration/,
    ],
    ['bad boolean', { ...DEPLOY, wait: 'maybe' }, ENV, /^Input 'wait': 'maybe' is not a boolean/],
    [
      'bad rollback',
      { ...DEPLOY, rollback: 'always' },
      ENV,
      /^Input 'rollback': 'always' is not one of: on-failure, never/,
    ],
    [
      'bad builder',
      { ...DEPLOY, builder: 'kaniko' },
      ENV,
      /^Input 'builder': 'kaniko' is not one of: docker, podman/,
    ],
    [
      'bad keep',
      { ...DEPLOY, 'keep-revisions': '-1' },
      ENV,
      /^Input 'keep-revisions': '-1' is not a whole number/,
    ],
    [
      'bad build-args',
      { ...DEPLOY, 'build-args': 'A=1\nghp_secretvalue' },
      ENV,
      /^Input 'build-args': line 2 is not KEY=VALUE \(one per line\)$/,
    ],
    [
      'bad repository',
      { ...DEPLOY, 'ecr-repository': 'Web App' },
      ENV,
      /^Input 'ecr-repository': 'Web App' is not a repository name/,
    ],
    [
      'a default repository name ECR refuses',
      DEPLOY,
      { ...ENV, GITHUB_REPOSITORY: 'acme/.github' },
      /^Input 'ecr-repository': not set, and its default '\.github' \(the name of acme\/\.github, lowercased\) is not an ECR repository name; set ecr-repository to 2 to 256/,
    ],
    [
      'max-retries 0',
      { ...DEPLOY, 'max-retries': '0' },
      ENV,
      /^Input 'max-retries': '0' is not a whole number from 1 to 100/,
    ],
    [
      'max-retries not a number',
      { ...DEPLOY, 'max-retries': 'three' },
      ENV,
      /^Input 'max-retries': 'three' is not a whole number from 1 to 100/,
    ],
    [
      'max-retries 2.5',
      { ...DEPLOY, 'max-retries': '2.5' },
      ENV,
      /^Input 'max-retries': '2\.5' is not a whole number/,
    ],
    [
      'max-retries 101',
      { ...DEPLOY, 'max-retries': '101' },
      ENV,
      /^Input 'max-retries': '101' is not a whole number from 1 to 100/,
    ],
    [
      'bad task definition',
      { ...DEPLOY, 'task-definition': 'not a thing!' },
      ENV,
      /^Input 'task-definition': 'not a thing!' is not/,
    ],
    [
      'image with build',
      { command: 'build', image: 'nginx' },
      ENV,
      /^Input 'image': cannot be used with command 'build'/,
    ],
    [
      'no sha',
      DEPLOY,
      { AWS_REGION: 'us-east-1' },
      /GITHUB_SHA must be the 40-character commit SHA/,
    ],
  ])('rejects %s with an error naming the input', (_case, inputs, env, message) => {
    expect(() => parse(inputs, env)).toThrow(message);
  });
});
