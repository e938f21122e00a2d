import { describe, expect, it } from '@jest/globals';
import { stringify } from 'yaml';
import {
  ConfigError,
  parseRepoConfig,
  type ConfigIssue,
  type RepoConfig,
} from '../../src/core/config/repo-config.js';
import type { PreviewSettings } from '../../src/core/preview/preview-types.js';

/** The example in DESIGN.md, "Repository config". */
const DESIGN_EXAMPLE = `
preview:
  cluster: previews
  task-definition: web            # base family
  container: web
  ecr-repository: web
  subnets: [subnet-a, subnet-b]
  security-groups: [sg-1]
  assign-public-ip: true
  routing: { mode: dns, hosted-zone-id: Z123, domain: preview.example.com, port: 80 }
  env: { NODE_ENV: preview }
  idle-after: 24h
  max-previews: 10
  forks: require-approval         # or: never
environments:
  staging:    { cluster: prod, services: [web-staging], permission: write }
  production: { cluster: prod, services: [web, worker], permission: admin }
`;

const ROUTING = { domain: 'preview.example.com', 'hosted-zone-id': 'Z0123ABC' };
const MINIMAL = {
  cluster: 'previews',
  'task-definition': 'web',
  subnets: ['subnet-0abc'],
  routing: ROUTING,
};
const ALB = {
  mode: 'alb',
  ...ROUTING,
  'listener-arn':
    'arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/previews/50dc6c495c0c9188/f2f7dc8efc522ab2',
  'vpc-id': 'vpc-0abc1234',
};

/** Parses a config written as a JS object, the way it would read in YAML. */
function parse(config: unknown): RepoConfig {
  return parseRepoConfig(typeof config === 'string' ? config : stringify(config));
}

function issuesOf(config: unknown): readonly ConfigIssue[] {
  try {
    parse(config);
  } catch (error: unknown) {
    if (error instanceof ConfigError) return error.issues;
    throw error;
  }
  throw new Error('expected the config to be rejected');
}

const withPreview = (changes: Record<string, unknown>) => ({ preview: { ...MINIMAL, ...changes } });
const withRouting = (changes: Record<string, unknown>) =>
  withPreview({ routing: { ...ROUTING, ...changes } });

describe('parseRepoConfig', () => {
  it('reads the DESIGN.md example into typed, camelCase settings', () => {
    expect(parseRepoConfig(DESIGN_EXAMPLE)).toStrictEqual({
      preview: {
        cluster: 'previews',
        taskDefinition: 'web',
        container: 'web',
        ecrRepository: 'web',
        launchType: 'FARGATE',
        subnets: ['subnet-a', 'subnet-b'],
        securityGroups: ['sg-1'],
        assignPublicIp: true,
        routing: {
          mode: 'dns',
          domain: 'preview.example.com',
          hostedZoneId: 'Z123',
          port: 80,
          subdomain: 'pr-{number}-{repo}',
          healthCheckPath: '/',
          readyTimeoutMs: 300_000,
        },
        env: { NODE_ENV: 'preview' },
        maxPreviews: 10,
        forks: 'require-approval',
        idleAfterMs: 86_400_000,
        secrets: {},
        inherit: [],
        wakeOnRequest: false,
      },
      environments: {
        staging: {
          kind: 'services',
          cluster: 'prod',
          services: ['web-staging'],
          permission: 'write',
          requireChecks: true,
          requireApproval: false,
          containers: [],
        },
        production: {
          kind: 'services',
          cluster: 'prod',
          services: ['web', 'worker'],
          permission: 'admin',
          requireChecks: true,
          requireApproval: false,
          containers: [],
        },
      },
    });
  });

  it('gives the preview engine the settings it takes', () => {
    // A compile-time check as much as a runtime one: the parsed config feeds launchPreview as is.
    const settings: PreviewSettings | undefined = parseRepoConfig(DESIGN_EXAMPLE).preview;
    expect(settings?.routing.mode).toBe('dns');
  });

  it('fills in defaults and leaves optional settings out', () => {
    expect(parse({ preview: MINIMAL })).toStrictEqual({
      preview: {
        cluster: 'previews',
        taskDefinition: 'web',
        launchType: 'FARGATE',
        subnets: ['subnet-0abc'],
        securityGroups: [],
        assignPublicIp: false,
        routing: {
          mode: 'dns',
          domain: 'preview.example.com',
          hostedZoneId: 'Z0123ABC',
          port: 80,
          subdomain: 'pr-{number}-{repo}',
          healthCheckPath: '/',
          readyTimeoutMs: 300_000,
        },
        env: {},
        maxPreviews: 10,
        forks: 'require-approval',
        idleAfterMs: 86_400_000,
        secrets: {},
        inherit: [],
        wakeOnRequest: false,
      },
      environments: {},
    });
  });

  it('reads ALB routing, with the health check path defaulting to /', () => {
    expect(parse(withPreview({ routing: ALB })).preview?.routing).toStrictEqual({
      mode: 'alb',
      domain: 'preview.example.com',
      hostedZoneId: 'Z0123ABC',
      port: 80,
      subdomain: 'pr-{number}-{repo}',
      readyTimeoutMs: 300_000,
      listenerArn: ALB['listener-arn'],
      vpcId: 'vpc-0abc1234',
      healthCheckPath: '/',
    });
  });

  it.each([
    ['an empty file', ''],
    ['only comments', '# previews come later\n'],
    ['environments only', 'environments:\n  staging: { cluster: prod, services: web }\n'],
    ['an empty preview section', 'preview:\n  # cluster: previews\n'],
  ])('turns previews off for %s', (_case, text) => {
    const config = parseRepoConfig(text);
    expect(config.preview).toBeUndefined();
    expect('preview' in config).toBe(false);
  });

  it.each([
    ['24h', 86_400_000],
    ['90m', 5_400_000],
    ['3d', 259_200_000],
    ['5m', 300_000],
    [30, 1_800_000],
    ['never', null],
    ['Never', null],
    [0, null],
  ])('reads idle-after %j as %p ms', (idleAfter, ms) => {
    expect(parse(withPreview({ 'idle-after': idleAfter })).preview?.idleAfterMs).toBe(ms);
  });

  it('turns env values into strings', () => {
    const env = { PORT: 8080, DEBUG: true, GREETING: 'hi', _private: '' };
    expect(parse(withPreview({ env })).preview?.env).toStrictEqual({
      PORT: '8080',
      DEBUG: 'true',
      GREETING: 'hi',
      _private: '',
    });
  });

  it('lowercases the domain', () => {
    const routing = parse(withRouting({ domain: 'Preview.Example.COM' })).preview?.routing;
    expect(routing?.domain).toBe('preview.example.com');
  });

  it('reads a key with no value as left out', () => {
    expect(
      parseRepoConfig(`${stringify({ preview: MINIMAL })}  container:\n`).preview,
    ).not.toHaveProperty('container');
  });

  it('reads services and containers given as one name or a list', () => {
    const config = parse({
      environments: {
        staging: { cluster: 'prod', services: 'web-staging', container: 'web' },
        'prod-eu': {
          cluster: 'prod',
          services: ['web', 'worker'],
          container: ['web', 'sidecar'],
          'task-definition': 'web',
          permission: 'maintain',
        },
      },
    });
    expect(config.environments).toStrictEqual({
      staging: {
        kind: 'services',
        cluster: 'prod',
        services: ['web-staging'],
        permission: 'write',
        requireChecks: true,
        requireApproval: false,
        containers: ['web'],
      },
      'prod-eu': {
        kind: 'services',
        cluster: 'prod',
        services: ['web', 'worker'],
        permission: 'maintain',
        requireChecks: true,
        requireApproval: false,
        containers: ['web', 'sidecar'],
        taskDefinition: 'web',
      },
    });
  });

  it('merges YAML anchors with <<', () => {
    const text = [
      'environments:',
      '  staging: &base { cluster: prod, services: web-staging, permission: write }',
      '  production:',
      '    <<: *base',
      '    services: [web, worker]',
      '',
    ].join('\n');
    expect(parseRepoConfig(text).environments.production).toStrictEqual({
      kind: 'services',
      cluster: 'prod',
      services: ['web', 'worker'],
      permission: 'write',
      requireChecks: true,
      requireApproval: false,
      containers: [],
    });
  });

  describe('rejects', () => {
    it.each<[string, unknown, string, string]>([
      // Unknown keys
      [
        'a misspelt key',
        withPreview({ routng: ROUTING }),
        'preview.routng',
        "unknown key; did you mean 'routing'?",
      ],
      [
        'a camelCase key',
        withPreview({ maxPreviews: 3 }),
        'preview.maxPreviews',
        "unknown key; did you mean 'max-previews'?",
      ],
      [
        'an unknown top-level key',
        { previews: MINIMAL },
        'previews',
        "unknown key; did you mean 'preview'?",
      ],
      [
        'a key like no known one',
        withRouting({ colour: 'blue' }),
        'preview.routing.colour',
        'unknown key; expected one of mode, domain, hosted-zone-id, port, subdomain, health-check-path, ready-timeout, listener-arn, vpc-id, auth',
      ],
      [
        'an unknown key in an environment',
        { environments: { staging: { cluster: 'prod', service: 'web' } } },
        'environments.staging.service',
        "unknown key; did you mean 'services'?",
      ],
      // Missing required settings
      [
        'a missing cluster',
        { preview: { ...MINIMAL, cluster: undefined } },
        'preview.cluster',
        'missing; expected an ECS cluster name or ARN',
      ],
      [
        'a missing routing section',
        { preview: { ...MINIMAL, routing: undefined } },
        'preview.routing',
        'missing; expected a map with domain and hosted-zone-id',
      ],
      [
        'a missing hosted zone',
        withPreview({ routing: { domain: 'preview.example.com' } }),
        'preview.routing.hosted-zone-id',
        'missing; expected a Route 53 hosted zone ID (capital letters and digits, no /hostedzone/ prefix) such as Z0123456789ABCDEFGHIJ',
      ],
      [
        'missing services',
        { environments: { staging: { cluster: 'prod' } } },
        'environments.staging.services',
        'missing; expected an ECS service name or a non-empty list of them',
      ],
      // Wrong types and forms
      [
        'a port that is not a number',
        withRouting({ port: 'eighty' }),
        'preview.routing.port',
        "got 'eighty'; expected an integer from 1 to 65535",
      ],
      [
        'a port out of range',
        withRouting({ port: 70_000 }),
        'preview.routing.port',
        'got 70000; expected an integer from 1 to 65535',
      ],
      [
        'a fractional port',
        withRouting({ port: 80.5 }),
        'preview.routing.port',
        'got 80.5; expected an integer from 1 to 65535',
      ],
      [
        'yes for a boolean (YAML 1.2 reads it as a string)',
        withPreview({ 'assign-public-ip': 'yes' }),
        'preview.assign-public-ip',
        "got 'yes'; expected true or false",
      ],
      [
        'an empty subnet list',
        withPreview({ subnets: [] }),
        'preview.subnets',
        'got an empty list; expected a non-empty list of subnet IDs such as [subnet-0abc1234]',
      ],
      [
        'one bad subnet in a list',
        withPreview({ subnets: ['subnet-0abc', '10.0.1.0/24'] }),
        'preview.subnets[1]',
        "got '10.0.1.0/24'; expected a subnet ID such as subnet-0abc1234",
      ],
      [
        'a task definition with a revision',
        withPreview({ 'task-definition': 'web:12' }),
        'preview.task-definition',
        "got 'web:12'; expected a task definition family name (letters, digits, '-' and '_'), without a revision",
      ],
      [
        'a lowercase launch type',
        withPreview({ 'launch-type': 'fargate' }),
        'preview.launch-type',
        "got 'fargate'; expected FARGATE, EC2 or EXTERNAL",
      ],
      [
        'an unknown forks policy',
        withPreview({ forks: 'always' }),
        'preview.forks',
        "got 'always'; expected require-approval or never",
      ],
      [
        'zero previews',
        withPreview({ 'max-previews': 0 }),
        'preview.max-previews',
        'got 0; expected an integer of at least 1',
      ],
      [
        'an env name that is not a variable name',
        withPreview({ env: { 'MY-VAR': 'x' } }),
        'preview.env.MY-VAR',
        "got 'MY-VAR'; expected an environment variable name (letters, digits and '_', not starting with a digit)",
      ],
      [
        'an env value that is a list',
        withPreview({ env: { HOSTS: ['a', 'b'] } }),
        'preview.env.HOSTS',
        'got a list; expected a string, number or boolean',
      ],
      [
        'an incomplete activity metric',
        withPreview({ 'activity-metric': { namespace: 'Web', name: 'Requests' } }),
        'preview.activity-metric.dimension',
        "missing; expected the name of the dimension whose value is the preview's subdomain label",
      ],
      // Routing
      [
        'a domain with a trailing dot',
        withRouting({ domain: 'preview.example.com.' }),
        'preview.routing.domain',
        "got 'preview.example.com.'; expected a DNS name without a trailing dot, such as preview.example.com",
      ],
      [
        'a hosted zone ID with its /hostedzone/ prefix',
        withRouting({ 'hosted-zone-id': '/hostedzone/Z0123' }),
        'preview.routing.hosted-zone-id',
        "got '/hostedzone/Z0123'; expected a Route 53 hosted zone ID (capital letters and digits, no /hostedzone/ prefix) such as Z0123456789ABCDEFGHIJ",
      ],
      [
        'an unknown routing mode',
        withRouting({ mode: 'nlb' }),
        'preview.routing.mode',
        "got 'nlb'; expected dns or alb",
      ],
      [
        'a subdomain without {number}',
        withRouting({ subdomain: '{branch}-{repo}' }),
        'preview.routing.subdomain',
        "got '{branch}-{repo}' (no {number}, so pull requests would share one name); expected a label template with {number}, using only {number}, {repo}, {owner} and {branch}",
      ],
      [
        'a subdomain with an unknown placeholder',
        withRouting({ subdomain: 'pr-{number}-{sha}' }),
        'preview.routing.subdomain',
        "got 'pr-{number}-{sha}' ({sha} is not a placeholder); expected a label template with {number}, using only {number}, {repo}, {owner} and {branch}",
      ],
      [
        'a listener ARN missing in alb mode',
        withPreview({ routing: { ...ALB, 'listener-arn': undefined } }),
        'preview.routing.listener-arn',
        'missing; expected the ARN of an HTTPS listener of an application load balancer (arn:aws:elasticloadbalancing:<region>:<account>:listener/app/...)',
      ],
      [
        'a VPC missing in alb mode',
        withPreview({ routing: { ...ALB, 'vpc-id': undefined } }),
        'preview.routing.vpc-id',
        'missing; expected a VPC ID such as vpc-0abc1234',
      ],
      [
        'a network load balancer listener',
        withPreview({
          routing: { ...ALB, 'listener-arn': ALB['listener-arn'].replace('/app/', '/net/') },
        }),
        'preview.routing.listener-arn',
        `got '${ALB['listener-arn'].replace('/app/', '/net/').slice(0, 57)}...'; expected the ARN of an HTTPS listener of an application load balancer (arn:aws:elasticloadbalancing:<region>:<account>:listener/app/...)`,
      ],
      [
        'a listener ARN in dns mode',
        withRouting({ 'listener-arn': ALB['listener-arn'] }),
        'preview.routing.listener-arn',
        'only used when mode is alb; expected mode: alb, or no listener-arn',
      ],
      [
        'a health check path naming another host',
        withRouting({ mode: 'dns', 'health-check-path': '//metadata.internal/' }),
        'preview.routing.health-check-path',
        "got '//metadata.internal/'; expected a URL path starting with a single '/', such as /healthz",
      ],
      [
        'a ready timeout that is not a duration',
        withRouting({ 'ready-timeout': 'soon' }),
        'preview.routing.ready-timeout',
        "got 'soon'; expected a duration from 10s to 1h such as 90s or 5m",
      ],
      // Durations
      [
        'a duration that is not one',
        withPreview({ 'idle-after': 'a day' }),
        'preview.idle-after',
        "got 'a day'; expected a duration of at least 5m such as 24h, 90m or 3d, or 'never'",
      ],
      [
        'an idle time below 5 minutes',
        withPreview({ 'idle-after': '1m' }),
        'preview.idle-after',
        "got '1m' (below the 5m minimum); expected a duration of at least 5m such as 24h, 90m or 3d, or 'never'",
      ],
      [
        'a boolean idle time',
        withPreview({ 'idle-after': false }),
        'preview.idle-after',
        "got false; expected a duration of at least 5m such as 24h, 90m or 3d, or 'never'",
      ],
      // Environments
      [
        'an environment name with capitals',
        { environments: { Staging: { cluster: 'prod', services: 'web' } } },
        'environments.Staging',
        "got 'Staging'; expected an environment name of lowercase letters, digits and '-', such as staging, that does not look like a commit SHA",
      ],
      [
        'an unknown permission',
        { environments: { prod: { cluster: 'prod', services: 'web', permission: 'owner' } } },
        'environments.prod.permission',
        "got 'owner'; expected write, maintain or admin",
      ],
      [
        'a read permission for an environment',
        { environments: { prod: { cluster: 'prod', services: 'web', permission: 'read' } } },
        'environments.prod.permission',
        "got 'read'; expected write, maintain or admin: read access cannot push code, so it cannot deploy it",
      ],
      [
        'a triage permission for an environment',
        { environments: { prod: { cluster: 'prod', services: 'web', permission: 'triage' } } },
        'environments.prod.permission',
        "got 'triage'; expected write, maintain or admin: triage access cannot push code, so it cannot deploy it",
      ],
      [
        'an environment name that looks like a SHA',
        { environments: { deadbeef: { cluster: 'prod', services: 'web' } } },
        'environments.deadbeef',
        "got 'deadbeef'; expected an environment name of lowercase letters, digits and '-', such as staging, that does not look like a commit SHA",
      ],
      [
        'a workflow environment that also names services',
        { environments: { prod: { workflow: 'deploy.yml', services: 'web' } } },
        'environments.prod.services',
        'not used with workflow: the workflow does the deploy; remove this key',
      ],
      [
        'an environment with neither services nor a workflow',
        { environments: { prod: { permission: 'admin' } } },
        'environments.prod.cluster',
        'missing; expected an ECS cluster name or ARN (or a workflow: to dispatch instead)',
      ],
      [
        'an empty services list',
        { environments: { prod: { cluster: 'prod', services: [] } } },
        'environments.prod.services',
        'got an empty list; expected an ECS service name or a non-empty list of them',
      ],
      // The file as a whole
      [
        'a list instead of a map',
        '- preview\n',
        '',
        'got a list; expected a map with preview and/or environments',
      ],
      [
        'a YAML syntax error, by line',
        'preview:\n  cluster: previews\n   task-definition: web\n',
        '',
        'line 2, column 12: Nested mappings are not allowed in compact mappings; expected valid YAML',
      ],
      [
        'a duplicate key, by line',
        'preview:\n  cluster: a\n  cluster: b\n',
        '',
        'line 3, column 3: Map keys must be unique; expected valid YAML',
      ],
    ])('%s', (_case, config, path, message) => {
      expect(issuesOf(config)).toContainEqual({ path, message });
    });
  });

  it('reports every mistake at once, one per line, prefixed with the file', () => {
    const config = {
      preview: { ...MINIMAL, cluster: '', routing: { ...ROUTING, port: 'eighty' }, extra: 1 },
      environments: { prod: { cluster: 'prod' } },
    };
    expect(() => parseRepoConfig(stringify(config), 'ecs-paas.yml')).toThrow(
      new ConfigError('ecs-paas.yml', [
        { path: 'preview.cluster', message: "got ''; expected an ECS cluster name or ARN" },
        {
          path: 'preview.routing.port',
          message: "got 'eighty'; expected an integer from 1 to 65535",
        },
        {
          path: 'preview.extra',
          message:
            'unknown key; expected one of cluster, task-definition, container, ecr-repository, launch-type, subnets, security-groups, assign-public-ip, routing, env, max-previews, forks, idle-after, activity-metric, logs, task-role-arn, execution-role-arn, secrets, inherit, cpu, memory, capacity-provider-strategy, wake-on-request',
        },
        {
          path: 'environments.prod.services',
          message: 'missing; expected an ECS service name or a non-empty list of them',
        },
      ]),
    );
  });

  it('formats the message as <source>: <key.path>: <problem>', () => {
    const error = new ConfigError('.github/ecs-paas.yml', [
      {
        path: 'preview.routing.port',
        message: "got 'eighty'; expected an integer from 1 to 65535",
      },
      { path: '', message: 'got a list; expected a map with preview and/or environments' },
    ]);
    expect(error.message).toBe(
      [
        ".github/ecs-paas.yml: preview.routing.port: got 'eighty'; expected an integer from 1 to 65535",
        '.github/ecs-paas.yml: got a list; expected a map with preview and/or environments',
      ].join('\n'),
    );
  });
});
