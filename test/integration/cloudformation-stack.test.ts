import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ACMClient, RequestCertificateCommand } from '@aws-sdk/client-acm';
import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
} from '@aws-sdk/client-ecs';
import {
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeTargetGroupsCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import {
  CreateHostedZoneCommand,
  ListResourceRecordSetsCommand,
  Route53Client,
} from '@aws-sdk/client-route-53';
import { parse } from 'yaml';
import { createDefaultNetwork, testAwsConfig, type TestNetwork } from '../support/aws.js';
import { readPolicy } from '../support/iam-policy.js';
import { jsonApi, queryApi, restApi, xmlElements, xmlText } from '../support/iam-query.js';
import { startMoto, type Moto } from '../support/moto.js';

/*
 * deploy/cloudformation/app.yml, created on moto's CloudFormation in both modes, and its wiring
 * read back from the services it created. moto creates only part of it:
 * - AWS::SecretsManager::Secret and AWS::Lambda::Url are not created at all (moto warns and skips
 *   them; a Ref to one is empty), and a GetAtt of one fails the whole stack, so the lambda-mode
 *   run leaves the function URL and its output out;
 * - its ECS resources keep only family, containers and desired count (no task or execution role,
 *   secret sources, network configuration or load balancer); its IAM roles drop managed policies;
 *   an EventBridge target loses its network configuration; a load balancer has no
 *   CanonicalHostedZoneID; an inline policy comes back as a Python repr.
 * So cfn-lint (installed with moto[server]) checks every property against the real resource
 * specifications, and the template itself is read for the wiring moto drops.
 */

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TEMPLATE_PATH = `${ROOT}deploy/cloudformation/app.yml`;
const TEMPLATE = readFileSync(TEMPLATE_PATH, 'utf8');
const ACCOUNT = '123456789012';
const DOMAIN = 'ecs-paas.example.com';
const IMAGE = `${ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/ecs-paas@sha256:${'a'.repeat(64)}`;

// ---- the template as CloudFormation reads it: short-form tags become their intrinsic functions ----

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonMap = { [key: string]: Json };

const FUNCTIONS = ['If', 'Equals', 'Not', 'And', 'Or', 'Contains', 'Join', 'Select', 'Split'];
const EITHER = ['Sub', 'FindInMap', 'Base64', 'Cidr', 'GetAZs', 'ImportValue'];
const CFN_TAGS = [
  { tag: '!Ref', resolve: (value: string) => ({ Ref: value }) },
  { tag: '!Condition', resolve: (value: string) => ({ Condition: value }) },
  { tag: '!GetAtt', resolve: (value: string) => ({ 'Fn::GetAtt': value.split('.') }) },
  ...EITHER.map((name) => ({
    tag: `!${name}`,
    resolve: (value: string) => ({ [`Fn::${name}`]: value }),
  })),
  ...[...FUNCTIONS, ...EITHER, 'GetAtt'].map((name) => ({
    tag: `!${name}`,
    collection: 'seq' as const,
    resolve: (seq: { toJSON(): unknown }) => ({ [`Fn::${name}`]: seq.toJSON() }),
  })),
];

const template = parse(TEMPLATE, { customTags: CFN_TAGS }) as {
  Resources: Record<string, { Type: string; Condition?: string; Properties: JsonMap }>;
  Outputs: Record<string, Json>;
};
const resource = (id: string): JsonMap => {
  const found = template.Resources[id];
  if (!found) throw new Error(`app.yml has no resource ${id}`);
  return found.Properties;
};
const at = (node: Json | undefined, ...path: (string | number)[]): Json | undefined =>
  path.reduce<Json | undefined>(
    (value, key) =>
      value !== null && typeof value === 'object'
        ? (value as Record<string | number, Json>)[key]
        : undefined,
    node,
  );

// ---- moto ----

let moto: Moto;
let ecs: ECSClient;
let elbv2: ElasticLoadBalancingV2Client;
let route53: Route53Client;
let network: TestNetwork;

beforeAll(async () => {
  moto = await startMoto({ servicesRunning: 2 });
  const config = testAwsConfig(moto.url);
  ecs = new ECSClient(config);
  elbv2 = new ElasticLoadBalancingV2Client(config);
  route53 = new Route53Client(config);
});

afterAll(async () => {
  for (const client of [ecs, elbv2, route53]) client?.destroy();
  await moto?.stop();
});

/** Each mode's stack is created once, in a fresh moto, and read by the tests after it. */
async function freshMoto(): Promise<void> {
  await moto.reset();
  network = await createDefaultNetwork(moto.url);
}

interface Stack {
  status: string;
  reason: string | undefined;
  outputs: Record<string, string>;
  /** Logical id → physical id, for what moto created. */
  resources: Record<string, string>;
}

async function createStack(body: string, parameters: Record<string, string>): Promise<Stack> {
  const name = `ecs-paas-${randomBytes(3).toString('hex')}`;
  const form: Record<string, string> = {
    StackName: name,
    TemplateBody: body,
    'Capabilities.member.1': 'CAPABILITY_IAM',
  };
  Object.entries(parameters).forEach(([key, value], i) => {
    form[`Parameters.member.${i + 1}.ParameterKey`] = key;
    form[`Parameters.member.${i + 1}.ParameterValue`] = value;
  });
  await queryApi(moto.url, 'cloudformation', 'CreateStack', form);
  const described = await queryApi(moto.url, 'cloudformation', 'DescribeStacks', {
    StackName: name,
  });
  const outputs = Object.fromEntries(
    xmlElements(xmlElements(described, 'Outputs')[0] ?? '', 'member').map((m) => [
      xmlText(m, 'OutputKey') ?? '',
      xmlText(m, 'OutputValue') ?? '',
    ]),
  );
  const listed = await queryApi(moto.url, 'cloudformation', 'ListStackResources', {
    StackName: name,
  });
  const resources = Object.fromEntries(
    xmlElements(listed, 'member').flatMap((m) => {
      const id = xmlText(m, 'LogicalResourceId');
      // moto lists the resources it skipped with no logical id.
      return id ? [[id, xmlText(m, 'PhysicalResourceId') ?? '']] : [];
    }),
  );
  return {
    status: xmlText(described, 'StackStatus') ?? '',
    reason: xmlText(described, 'StackStatusReason'),
    outputs,
    resources,
  };
}

async function queueAttributes(url: string): Promise<Record<string, string>> {
  const answer = (await jsonApi(moto.url, 'sqs', 'AmazonSQS.GetQueueAttributes', {
    QueueUrl: url,
    AttributeNames: ['All'],
  })) as { Attributes: Record<string, string> };
  return answer.Attributes;
}

/**
 * A role's inline policy as IAM gives it back. moto answers a policy its CloudFormation created
 * with the Python repr of the document ({'Version': …}); with no quote of either kind inside a
 * value, swapping the quotes gives back the JSON it was.
 */
async function rolePolicy(role: string, policy: string): Promise<unknown> {
  const answer = await queryApi(moto.url, 'iam', 'GetRolePolicy', {
    RoleName: role,
    PolicyName: policy,
  });
  return policyDocument(xmlText(answer, 'PolicyDocument'));
}

/** Who may assume a role: its trust policy. */
async function trustPolicy(role: string): Promise<unknown> {
  const answer = await queryApi(moto.url, 'iam', 'GetRole', { RoleName: role });
  return policyDocument(xmlText(answer, 'AssumeRolePolicyDocument'));
}

function policyDocument(encoded: string | undefined): unknown {
  const text = decodeURIComponent(encoded ?? '');
  if (!text.startsWith("{'")) return JSON.parse(text) as unknown;
  if (text.includes('"') || /\w'\w/.test(text)) throw new Error(`cannot read moto's ${text}`);
  return JSON.parse(text.replaceAll("'", '"')) as unknown;
}

async function ruleTargets(rule: string): Promise<Array<Record<string, unknown>>> {
  const answer = (await jsonApi(moto.url, 'events', 'AWSEvents.ListTargetsByRule', {
    Rule: rule,
  })) as { Targets: Array<Record<string, unknown>> };
  return answer.Targets;
}

/** `node -e script` with only `env`, as the sweep container runs it. */
function runNode(script: string, env: Record<string, string>): Promise<{ code: number | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', script], { env, stdio: 'ignore' });
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code }));
  });
}

const defined = (value: string | undefined, what: string): string => {
  if (!value) throw new Error(`no ${what}`);
  return value;
};

describe('deploy/cloudformation/app.yml', () => {
  it('passes cfn-lint, which knows every resource type, those moto cannot create included', () => {
    let lint = spawnSync('cfn-lint', [TEMPLATE_PATH], { encoding: 'utf8' });
    if (lint.error)
      lint = spawnSync('python3', ['-m', 'cfnlint', TEMPLATE_PATH], { encoding: 'utf8' });
    if (lint.error || /No module named/.test(lint.stderr)) {
      throw new Error('cfn-lint is not installed: it comes with `pip install "moto[server]"`');
    }
    expect(`${lint.stdout}${lint.stderr}`).toBe('');
    expect(lint.status).toBe(0);
    // cfn-lint loads every resource specification first: tens of seconds on a busy machine.
  }, 120_000);

  describe('in fargate mode, created on moto', () => {
    let stack: Stack;
    let zoneId: string;

    beforeAll(async () => {
      await freshMoto();
      const acm = new ACMClient(testAwsConfig(moto.url));
      // moto issues a certificate at once only when a private CA signs it.
      const { CertificateArn } = await acm.send(
        new RequestCertificateCommand({
          DomainName: DOMAIN,
          CertificateAuthorityArn: `arn:aws:acm-pca:us-east-1:${ACCOUNT}:certificate-authority/12345678-1234-1234-1234-123456789012`,
        }),
      );
      acm.destroy();
      const zone = await route53.send(
        new CreateHostedZoneCommand({
          Name: 'example.com',
          CallerReference: randomBytes(8).toString('hex'),
        }),
      );
      zoneId = zone.HostedZone?.Id?.split('/').pop() ?? '';
      stack = await createStack(TEMPLATE, {
        Mode: 'fargate',
        AppId: '12345',
        Image: IMAGE,
        DesiredCount: '2',
        VpcId: network.vpcId,
        SubnetIds: network.subnetIds.slice(0, 2).join(','),
        LoadBalancerSubnetIds: network.subnetIds.slice(0, 2).join(','),
        HostedZoneId: zoneId,
        DomainName: DOMAIN,
        CertificateArn: defined(CertificateArn, 'certificate'),
      });
    });

    it('reaches CREATE_COMPLETE with the fargate resources and none of the lambda ones', () => {
      expect({ status: stack.status, reason: stack.reason }).toEqual({
        status: 'CREATE_COMPLETE',
        reason: undefined,
      });
      expect(Object.keys(stack.resources).sort()).toEqual(
        [
          'AppRole',
          'Cluster',
          'DeadLetterQueue',
          'DnsRecord',
          'ExecutionRole',
          'Listener',
          'LoadBalancer',
          'LoadBalancerSecurityGroup',
          'LogGroup',
          'PreviewTaskStopped',
          'Service',
          'ServiceSecurityGroup',
          'SweepRole',
          'SweepSchedule',
          'SweepTaskDefinition',
          'TargetGroup',
          'TaskDefinition',
          'WorkQueue',
        ].sort(),
      );
      expect(stack.outputs.WebhookUrl).toBe(`https://${DOMAIN}/api/github/webhooks`);
    });

    it('has a FIFO work queue without content deduplication, redriven to a FIFO dead-letter queue after 5 receives', async () => {
      const work = await queueAttributes(defined(stack.resources.WorkQueue, 'queue'));
      const dead = await queueAttributes(defined(stack.resources.DeadLetterQueue, 'DLQ'));
      expect(work).toMatchObject({ FifoQueue: 'true', ContentBasedDeduplication: 'false' });
      expect(dead).toMatchObject({ FifoQueue: 'true' });
      expect(JSON.parse(work.RedrivePolicy ?? '{}')).toEqual({
        deadLetterTargetArn: dead.QueueArn,
        maxReceiveCount: 5,
      });
      expect(stack.outputs.QueueUrl).toBe(stack.resources.WorkQueue);
      // The App's policy reaches the queues by name.
      expect(work.QueueArn).toMatch(/:ecs-paas-[^:]+$/);
      expect(dead.QueueArn).toMatch(/:ecs-paas-[^:]+$/);
    });

    it("gives the App's role exactly deploy/iam/app-policy.json, for ECS tasks of this account", async () => {
      const role = defined(stack.resources.AppRole, 'role');
      expect(await rolePolicy(role, 'ecs-paas-app')).toEqual(readPolicy('app'));
      expect(await trustPolicy(role)).toEqual({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { Service: 'ecs-tasks.amazonaws.com' },
            Action: 'sts:AssumeRole',
            Condition: { StringEquals: { 'aws:SourceAccount': ACCOUNT } },
          },
        ],
      });
    });

    it('runs the service on the task definition, configured by the queue URL and the policy, logging to the log group', async () => {
      const cluster = defined(stack.resources.Cluster, 'cluster');
      const { services = [] } = await ecs.send(
        new DescribeServicesCommand({
          cluster,
          services: [defined(stack.resources.Service, 'service')],
        }),
      );
      expect(services[0]?.taskDefinition).toBe(stack.resources.TaskDefinition);
      expect(services[0]?.desiredCount).toBe(2);
      const { taskDefinition } = await ecs.send(
        new DescribeTaskDefinitionCommand({ taskDefinition: stack.resources.TaskDefinition }),
      );
      const [app] = taskDefinition?.containerDefinitions ?? [];
      expect(app?.image).toBe(IMAGE);
      const env = Object.fromEntries(
        (app?.environment ?? []).map((e): [string, string] => [e.name ?? '', e.value ?? '']),
      );
      expect(env).toMatchObject({
        APP_ID: '12345',
        ECS_PAAS_QUEUE_URL: stack.resources.WorkQueue,
        ECS_PAAS_POLICY: 'ssm:/ecs-paas/policy',
        ECS_PAAS_SWEEP_INTERVAL: 'never',
        PORT: '3000',
      });
      expect(app?.secrets?.map((s) => s.name)).toEqual([
        'PRIVATE_KEY',
        'WEBHOOK_SECRET',
        'ECS_PAAS_API_TOKEN',
      ]);
      expect(app?.logConfiguration?.options?.['awslogs-group']).toBe(stack.resources.LogGroup);
    });

    it("serves HTTPS on the ALB, forwarding to a target group health-checked at /healthz, under the App's name", async () => {
      const { Listeners = [] } = await elbv2.send(
        new DescribeListenersCommand({ LoadBalancerArn: stack.resources.LoadBalancer }),
      );
      expect(Listeners.map((l) => [l.Protocol, l.Port])).toEqual([['HTTPS', 443]]);
      expect(Listeners[0]?.DefaultActions?.[0]?.TargetGroupArn).toBe(stack.resources.TargetGroup);
      const { TargetGroups = [] } = await elbv2.send(
        new DescribeTargetGroupsCommand({
          TargetGroupArns: [defined(stack.resources.TargetGroup, 'group')],
        }),
      );
      expect(TargetGroups[0]).toMatchObject({
        Port: 3000,
        TargetType: 'ip',
        HealthCheckPath: '/healthz',
      });
      const { ResourceRecordSets = [] } = await route53.send(
        new ListResourceRecordSetsCommand({ HostedZoneId: zoneId }),
      );
      // moto keeps the record's name as given (no trailing dot); it has no CanonicalHostedZoneID
      // for a load balancer, so only the alias's DNS name can be compared.
      const record = ResourceRecordSets.find(
        (r) => r.Name?.replace(/\.$/, '') === DOMAIN && r.Type === 'A',
      );
      const { LoadBalancers = [] } = await elbv2.send(
        new DescribeLoadBalancersCommand({
          LoadBalancerArns: [defined(stack.resources.LoadBalancer, 'load balancer')],
        }),
      );
      expect(LoadBalancers[0]?.Scheme).toBe('internet-facing');
      expect(record?.AliasTarget?.DNSName?.replace(/\.$/, '')).toBe(LoadBalancers[0]?.DNSName);
    });

    it('sweeps every 5 minutes with a one-off task of the App image that holds only the API token', async () => {
      const rule = defined(stack.resources.SweepSchedule, 'rule');
      const targets = await ruleTargets(rule);
      expect(targets).toHaveLength(1);
      expect(targets[0]).toMatchObject({
        Arn: expect.stringContaining(`:cluster/${stack.resources.Cluster ?? ''}`),
        EcsParameters: {
          TaskDefinitionArn: stack.resources.SweepTaskDefinition,
          LaunchType: 'FARGATE',
        },
      });
      const described = (await jsonApi(moto.url, 'events', 'AWSEvents.DescribeRule', {
        Name: rule,
      })) as {
        ScheduleExpression: string;
      };
      expect(described.ScheduleExpression).toBe('rate(5 minutes)');
      const { taskDefinition } = await ecs.send(
        new DescribeTaskDefinitionCommand({ taskDefinition: stack.resources.SweepTaskDefinition }),
      );
      const [sweep] = taskDefinition?.containerDefinitions ?? [];
      expect(sweep?.image).toBe(IMAGE);
      expect(sweep?.environment).toEqual([
        { name: 'SWEEP_URL', value: `https://${DOMAIN}/api/sweep` },
      ]);
      expect(sweep?.secrets?.map((s) => s.name)).toEqual(['ECS_PAAS_API_TOKEN']);

      // Its command, run by this Node against a stand-in for the App's /api/sweep.
      const [node, flag, script] = sweep?.command ?? [];
      expect([node, flag]).toEqual(['node', '-e']);
      for (const [status, exit] of [
        [202, 0],
        [409, 0],
        [401, 1],
      ] as const) {
        const seen: string[] = [];
        const server = createServer((req, res) => {
          seen.push(`${req.method ?? ''} ${req.url ?? ''} ${req.headers.authorization ?? ''}`);
          res.writeHead(status).end();
        });
        await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
        const { port } = server.address() as AddressInfo;
        const run = await runNode(script ?? '', {
          SWEEP_URL: `http://127.0.0.1:${port}/api/sweep`,
          ECS_PAAS_API_TOKEN: 'token-123',
        });
        server.close();
        expect({ status, exit: run.code, seen }).toEqual({
          status,
          exit,
          seen: ['POST /api/sweep Bearer token-123'],
        });
      }
    });
  });

  describe('in lambda mode, created on moto', () => {
    let stack: Stack;

    beforeAll(async () => {
      await freshMoto();
      // An empty zip (its end-of-central-directory record alone): moto stores code, never runs it.
      const zip = new Uint8Array(22);
      zip.set([0x50, 0x4b, 0x05, 0x06]);
      await restApi(moto.url, 's3', 'PUT', '/ecs-paas-code');
      await restApi(moto.url, 's3', 'PUT', '/ecs-paas-code/app.zip', zip);
      // moto cannot create AWS::Lambda::Url, and its output's GetAtt would fail the stack.
      const json = structuredClone(template) as unknown as {
        Resources: Record<string, unknown>;
        Outputs: Record<string, unknown>;
      };
      delete json.Resources.WebhookUrl;
      delete json.Outputs.WebhookUrl;
      stack = await createStack(JSON.stringify(json), {
        Mode: 'lambda',
        AppId: '12345',
        LambdaCodeBucket: 'ecs-paas-code',
        LambdaCodeKey: 'app.zip',
      });
    });

    it('reaches CREATE_COMPLETE with the functions, the queue and no ECS or load balancer', () => {
      expect(stack.status).toBe('CREATE_COMPLETE');
      expect(Object.keys(stack.resources).sort()).toEqual(
        [
          'AppRole',
          'DeadLetterQueue',
          'LambdaRuntimePolicy',
          'LogGroup',
          'SweepFunction',
          'SweepInvokePermission',
          'SweepSchedule',
          'WebhookFunction',
          'WebhookInvokePermission',
          'WebhookUrlPermission',
          'WorkQueue',
          'WorkerEvents',
          'WorkerFunction',
        ].sort(),
      );
    });

    it('runs each function as the App role with the queue URL and the policy', async () => {
      const role = defined(stack.resources.AppRole, 'role');
      for (const [id, handler] of [
        ['WebhookFunction', 'lib/bot/lambda.webhook'],
        ['WorkerFunction', 'lib/bot/lambda.worker'],
        ['SweepFunction', 'lib/bot/lambda.sweep'],
      ] as const) {
        const fn = JSON.parse(
          await restApi(
            moto.url,
            'lambda',
            'GET',
            `/2015-03-31/functions/${stack.resources[id] ?? ''}`,
          ),
        ) as {
          Configuration: {
            Handler: string;
            Role: string;
            Environment: { Variables: Record<string, string> };
          };
        };
        expect(fn.Configuration.Handler).toBe(handler);
        expect(fn.Configuration.Role).toMatch(new RegExp(`:role/${role}$`));
        expect(fn.Configuration.Environment.Variables).toMatchObject({
          APP_ID: '12345',
          ECS_PAAS_QUEUE_URL: stack.resources.WorkQueue,
          ECS_PAAS_POLICY: 'ssm:/ecs-paas/policy',
        });
      }
      expect(await rolePolicy(role, 'ecs-paas-app')).toEqual(readPolicy('app'));
      expect(await trustPolicy(role)).toMatchObject({
        Statement: [{ Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
      });
    });

    it('feeds the worker from the work queue, reporting partial batch failures', async () => {
      const mapping = JSON.parse(
        await restApi(
          moto.url,
          'lambda',
          'GET',
          `/2015-03-31/event-source-mappings/${stack.resources.WorkerEvents ?? ''}`,
        ),
      ) as { EventSourceArn: string; FunctionArn: string };
      const work = await queueAttributes(defined(stack.resources.WorkQueue, 'queue'));
      expect(mapping.EventSourceArn).toBe(work.QueueArn);
      expect(mapping.FunctionArn).toMatch(
        new RegExp(`:function:${stack.resources.WorkerFunction ?? ''}$`),
      );
      // The worker may run 15 minutes: a message must stay hidden at least that long.
      expect(Number(work.VisibilityTimeout)).toBeGreaterThanOrEqual(900);
    });

    it('invokes the sweep function every 5 minutes', async () => {
      const targets = await ruleTargets(defined(stack.resources.SweepSchedule, 'rule'));
      expect(targets.map((t) => t.Arn)).toEqual([
        expect.stringMatching(new RegExp(`:function:${stack.resources.SweepFunction ?? ''}$`)),
      ]);
    });
  });

  describe('wiring moto drops, read from the template', () => {
    const ref = (id: string): Json => ({ Ref: id });
    const getAtt = (id: string, attribute: string): Json => ({ 'Fn::GetAtt': [id, attribute] });

    it("runs the App task as AppRole, its secrets from the stack's secrets, which only the execution role reads", () => {
      const task = resource('TaskDefinition');
      expect(task.TaskRoleArn).toEqual(getAtt('AppRole', 'Arn'));
      expect(task.ExecutionRoleArn).toEqual(getAtt('ExecutionRole', 'Arn'));
      const secrets = at(task, 'ContainerDefinitions', 0, 'Secrets') as JsonMap[];
      expect(secrets.map((s) => [s.Name, s.ValueFrom])).toEqual([
        ['PRIVATE_KEY', ref('PrivateKeySecret')],
        ['WEBHOOK_SECRET', ref('WebhookSecret')],
        ['ECS_PAAS_API_TOKEN', ref('ApiTokenSecret')],
      ]);
      const readable = at(
        resource('ExecutionRole'),
        'Policies',
        0,
        'PolicyDocument',
        'Statement',
        0,
      );
      expect(readable).toEqual({
        Effect: 'Allow',
        Action: 'secretsmanager:GetSecretValue',
        Resource: secrets.map((s) => s.ValueFrom ?? null),
      });
      for (const id of ['PrivateKeySecret', 'WebhookSecret', 'ApiTokenSecret']) {
        expect(template.Resources[id]?.Type).toBe('AWS::SecretsManager::Secret');
      }
    });

    it('sends only stopped ecs-paas tasks of the preview cluster to the work queue, which only that rule may send to', () => {
      const rule = resource('PreviewTaskStopped');
      expect(rule.EventPattern).toEqual({
        source: ['aws.ecs'],
        'detail-type': ['ECS Task State Change'],
        detail: {
          lastStatus: ['STOPPED'],
          startedBy: ['ecs-paas'],
          clusterArn: [
            {
              'Fn::Sub':
                'arn:${AWS::Partition}:ecs:${AWS::Region}:${AWS::AccountId}:cluster/${PreviewCluster}',
            },
          ],
        },
      });
      expect(rule.Targets).toEqual([
        {
          Id: 'app-queue',
          Arn: getAtt('WorkQueue', 'Arn'),
          SqsParameters: { MessageGroupId: 'ecs-task-state' },
        },
      ]);
      const policy = resource('WorkQueueEvents');
      expect(policy.Queues).toEqual([ref('WorkQueue')]);
      expect(at(policy, 'PolicyDocument', 'Statement')).toEqual([
        {
          Effect: 'Allow',
          Principal: { Service: 'events.amazonaws.com' },
          Action: 'sqs:SendMessage',
          Resource: getAtt('WorkQueue', 'Arn'),
          Condition: { ArnEquals: { 'aws:SourceArn': getAtt('PreviewTaskStopped', 'Arn') } },
        },
      ]);
    });

    it('puts the service behind the target group on the port the container listens on, in the App subnets', () => {
      const service = resource('Service');
      const port = at(
        resource('TaskDefinition'),
        'ContainerDefinitions',
        0,
        'PortMappings',
        0,
        'ContainerPort',
      );
      expect(service.LoadBalancers).toEqual([
        { ContainerName: 'app', ContainerPort: port ?? null, TargetGroupArn: ref('TargetGroup') },
        // Wake on request: the same tasks in the group sleeping previews forward to.
        {
          'Fn::If': [
            'WakeOnRequest',
            {
              ContainerName: 'app',
              ContainerPort: port ?? null,
              TargetGroupArn: ref('WakeTargetGroup'),
            },
            ref('AWS::NoValue'),
          ],
        },
      ]);
      expect(at(resource('WakeTargetGroup'), 'Port')).toBe(port);
      expect(at(resource('WakeTargetGroup'), 'HealthCheckPath')).toBe('/healthz');
      expect(at(resource('TargetGroup'), 'Port')).toBe(port);
      expect(at(service, 'NetworkConfiguration', 'AwsvpcConfiguration')).toEqual({
        Subnets: ref('SubnetIds'),
        SecurityGroups: [ref('ServiceSecurityGroup')],
        AssignPublicIp: 'DISABLED',
      });
      expect(
        at(resource('ServiceSecurityGroup'), 'SecurityGroupIngress', 0, 'SourceSecurityGroupId'),
      ).toEqual(ref('LoadBalancerSecurityGroup'));
    });

    it('opens the function URL to GitHub with both permissions a public URL needs', () => {
      expect(resource('WebhookUrl')).toEqual({
        AuthType: 'NONE',
        TargetFunctionArn: getAtt('WebhookFunction', 'Arn'),
      });
      expect(resource('WebhookUrlPermission')).toMatchObject({
        Action: 'lambda:InvokeFunctionUrl',
        FunctionUrlAuthType: 'NONE',
        FunctionName: ref('WebhookFunction'),
      });
      expect(resource('WebhookInvokePermission')).toMatchObject({
        Action: 'lambda:InvokeFunction',
        InvokedViaFunctionUrl: true,
        FunctionName: ref('WebhookFunction'),
      });
      expect(template.Outputs.WebhookUrl).toEqual({
        Value: {
          'Fn::If': [
            'Lambda',
            getAtt('WebhookUrl', 'FunctionUrl'),
            { 'Fn::Sub': 'https://${DomainName}/api/github/webhooks' },
          ],
        },
        Description: "The GitHub App's webhook URL.",
      });
    });

    it('lets the functions read the two secrets they are given and nothing else', () => {
      const statements = at(
        resource('LambdaRuntimePolicy'),
        'PolicyDocument',
        'Statement',
      ) as JsonMap[];
      expect(statements[0]).toEqual({
        Effect: 'Allow',
        Action: 'secretsmanager:GetSecretValue',
        Resource: [ref('PrivateKeySecret'), ref('WebhookSecret')],
      });
      expect(at(resource('WorkerFunction'), 'Environment', 'Variables')).toMatchObject({
        PRIVATE_KEY_SECRET_ARN: ref('PrivateKeySecret'),
        WEBHOOK_SECRET_ARN: ref('WebhookSecret'),
      });
    });

    it('puts every resource in fargate mode, lambda mode or both, as its references require', () => {
      type Mode = 'Fargate' | 'Lambda' | 'WakeOnRequest' | 'both';
      const other = (mode: string): Mode => (mode === 'Lambda' ? 'Fargate' : 'Lambda');
      const modeOf = (id: string): Mode => (template.Resources[id]?.Condition as Mode) ?? 'both';
      /** Each resource `node` refers to, with the mode the reference is made in (Fn::If narrows it). */
      const references = (node: Json | undefined, mode: Mode): Array<[string, Mode]> => {
        if (Array.isArray(node)) return node.flatMap((n) => references(n, mode));
        if (node === null || typeof node !== 'object') return [];
        return Object.entries(node).flatMap(([key, value]): Array<[string, Mode]> => {
          if (key === 'Ref' && typeof value === 'string') return [[value, mode]];
          if (key === 'Fn::GetAtt' && Array.isArray(value) && typeof value[0] === 'string') {
            return [[value[0], mode]];
          }
          if (key === 'Fn::Sub' && typeof value === 'string') {
            return [...value.matchAll(/\$\{(\w+)(?:\.\w+)?\}/g)].map((m) => [m[1] ?? '', mode]);
          }
          if (key === 'Fn::If' && Array.isArray(value) && typeof value[0] === 'string') {
            const condition = value[0] as Mode;
            return [...references(value[1], condition), ...references(value[2], other(condition))];
          }
          return references(value, mode);
        });
      };
      const sources: Array<[string, Json | undefined, Mode]> = [
        ...Object.entries(template.Resources).map(([id, r]): [string, Json, Mode] => [
          id,
          r.Properties,
          modeOf(id),
        ]),
        ...Object.entries(template.Outputs).map(([id, o]): [string, Json, Mode] => [
          `output ${id}`,
          o,
          (at(o, 'Condition') as Mode | undefined) ?? 'both',
        ]),
      ];
      const problems = sources.flatMap(([id, node, mode]) =>
        references(node, mode)
          .filter(([target]) => target in template.Resources)
          .filter(([target, used]) => modeOf(target) !== 'both' && modeOf(target) !== used)
          // Wake on request is a part of fargate mode: its resources may use fargate's.
          .filter(([target, used]) => !(used === 'WakeOnRequest' && modeOf(target) === 'Fargate'))
          .map(([target, used]) => `${id} (${used}) refers to ${target} (${modeOf(target)})`),
      );
      expect(problems).toEqual([]);
    });
  });
});
