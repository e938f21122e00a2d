import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { ACMClient, RequestCertificateCommand } from '@aws-sdk/client-acm';
import {
  CreateClusterCommand,
  DescribeTasksCommand,
  ECSClient,
  ListTasksCommand,
} from '@aws-sdk/client-ecs';
import {
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  DescribeRulesCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import {
  CreateHostedZoneCommand,
  ListResourceRecordSetsCommand,
  Route53Client,
} from '@aws-sdk/client-route-53';
import { createAwsClients, type AwsClients } from '../../src/core/aws/clients.js';
import { silentLogger } from '../../src/core/logger.js';
import { createRouter } from '../../src/core/preview/create-router.js';
import { launchPreview } from '../../src/core/preview/launch-preview.js';
import type {
  PreviewDeps,
  PreviewSettings,
  PullRequestRef,
} from '../../src/core/preview/preview-types.js';
import { teardownPreview } from '../../src/core/preview/teardown-preview.js';
import {
  createDefaultNetwork,
  registerFargateTaskDefinition,
  testAwsConfig,
} from '../support/aws.js';
import { startMoto, type Moto } from '../support/moto.js';

let moto: Moto;
let aws: AwsClients;
let ecs: ECSClient;
let elbv2: ElasticLoadBalancingV2Client;
let route53: Route53Client;
let acm: ACMClient;
let settings: PreviewSettings;
let deps: PreviewDeps;
let router: Awaited<ReturnType<typeof createRouter>>;
let listenerArn: string;
let zoneId: string;

const IMAGE = `123456789012.dkr.ecr.us-east-1.amazonaws.com/web@sha256:${'d'.repeat(64)}`;

beforeAll(async () => {
  moto = await startMoto();
  const config = testAwsConfig(moto.url);
  aws = createAwsClients('us-east-1', {
    endpoint: config.endpoint,
    credentials: config.credentials,
  });
  ecs = new ECSClient(config);
  elbv2 = new ElasticLoadBalancingV2Client(config);
  route53 = new Route53Client(config);
  acm = new ACMClient(config);
});

afterAll(async () => {
  for (const client of [ecs, elbv2, route53, acm, aws?.ecs]) client?.destroy();
  await moto?.stop();
});

beforeEach(async () => {
  await moto.reset();
  await ecs.send(new CreateClusterCommand({ clusterName: 'previews' }));
  const network = await createDefaultNetwork(moto.url);
  await registerFargateTaskDefinition(ecs, 'web', [
    { name: 'web', image: 'nginx', portMappings: [{ containerPort: 8080 }] },
  ]);
  const zone = await route53.send(
    new CreateHostedZoneCommand({
      Name: 'preview.example.com',
      CallerReference: randomBytes(8).toString('hex'),
    }),
  );
  zoneId = zone.HostedZone?.Id?.split('/').pop() ?? '';
  const { LoadBalancers } = await elbv2.send(
    new CreateLoadBalancerCommand({
      Name: 'previews',
      Type: 'application',
      Subnets: network.subnetIds.slice(0, 2),
    }),
  );
  // Previews are served over HTTPS with a wildcard certificate. moto issues a certificate at once
  // when a private CA signs it (it does not look the CA up); one from ACM itself stays pending.
  const { CertificateArn } = await acm.send(
    new RequestCertificateCommand({
      DomainName: '*.preview.example.com',
      CertificateAuthorityArn:
        'arn:aws:acm-pca:us-east-1:123456789012:certificate-authority/12345678-1234-1234-1234-123456789012',
    }),
  );
  const { Listeners } = await elbv2.send(
    new CreateListenerCommand({
      LoadBalancerArn: LoadBalancers?.[0]?.LoadBalancerArn,
      Protocol: 'HTTPS',
      Port: 443,
      Certificates: [{ CertificateArn }],
      DefaultActions: [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '404' } }],
    }),
  );
  listenerArn = Listeners?.[0]?.ListenerArn ?? '';
  settings = {
    cluster: 'previews',
    taskDefinition: 'web',
    launchType: 'FARGATE',
    subnets: network.subnetIds.slice(0, 1),
    securityGroups: [network.securityGroupId],
    assignPublicIp: false,
    routing: {
      mode: 'alb',
      domain: 'preview.example.com',
      hostedZoneId: zoneId,
      port: 8080,
      subdomain: 'pr-{number}-{repo}',
      listenerArn,
      vpcId: network.vpcId,
      healthCheckPath: '/healthz',
    },
    env: {},
    maxPreviews: 5,
    forks: 'never',
  };
  router = await createRouter(aws, settings.routing);
  deps = { aws, router, log: silentLogger, pollMs: 50 };
});

const pr = (sha: string): PullRequestRef => ({
  repo: 'acme/web',
  number: 4,
  sha,
  branch: 'b',
  author: 'octocat',
  fork: false,
});

async function taskIp(): Promise<string[]> {
  const { taskArns } = await ecs.send(
    new ListTasksCommand({ cluster: 'previews', desiredStatus: 'RUNNING' }),
  );
  if (!taskArns?.length) return [];
  const { tasks } = await ecs.send(
    new DescribeTasksCommand({ cluster: 'previews', tasks: taskArns }),
  );
  return (tasks ?? [])
    .filter((t) => t.desiredStatus === 'RUNNING')
    .map(
      (t) => t.attachments?.[0]?.details?.find((d) => d.name === 'privateIPv4Address')?.value ?? '',
    );
}

async function albState() {
  const { Rules = [] } = await elbv2.send(new DescribeRulesCommand({ ListenerArn: listenerArn }));
  const rules = Rules.filter((r) => !r.IsDefault);
  const { TargetGroups = [] } = await elbv2.send(new DescribeTargetGroupsCommand({}));
  const targets = await Promise.all(
    TargetGroups.map(async (g) => {
      const { TargetHealthDescriptions = [] } = await elbv2.send(
        new DescribeTargetHealthCommand({ TargetGroupArn: g.TargetGroupArn }),
      );
      return TargetHealthDescriptions.map((d) => `${d.Target?.Id}:${d.Target?.Port}`);
    }),
  );
  const { ResourceRecordSets = [] } = await route53.send(
    new ListResourceRecordSetsCommand({ HostedZoneId: zoneId }),
  );
  return {
    hosts: rules.map((r) => r.Conditions?.[0]?.HostHeaderConfig?.Values?.[0]),
    targets: targets.flat(),
    aliases: ResourceRecordSets.filter((r) => r.Type === 'A' && r.AliasTarget).map((r) => r.Name),
  };
}

describe('the preview engine against moto (alb routing)', () => {
  it('routes a preview through a host rule and an ip target group, switches on push, and removes it all', async () => {
    expect(await router.preflight?.()).toBeUndefined();
    const first = randomBytes(20).toString('hex');
    const launched = await launchPreview(deps, settings, {
      pr: pr(first),
      image: IMAGE,
      launchedBy: 'octocat',
    });
    expect(launched).toMatchObject({
      kind: 'launched',
      url: 'https://pr-4-web.preview.example.com',
    });
    const [ip1] = await taskIp();
    expect(await albState()).toEqual({
      hosts: ['pr-4-web.preview.example.com'],
      targets: [`${ip1}:8080`],
      aliases: ['pr-4-web.preview.example.com.'],
    });

    const second = randomBytes(20).toString('hex');
    expect(
      (await launchPreview(deps, settings, { pr: pr(second), image: IMAGE, launchedBy: 'octocat' }))
        .kind,
    ).toBe('replaced');
    const ips = await taskIp();
    expect(ips).toHaveLength(1);
    expect((await albState()).targets).toEqual([`${ips[0]}:8080`]);

    expect((await teardownPreview(deps, settings, pr(second), 'closed')).kind).toBe('torn-down');
    expect(await albState()).toEqual({ hosts: [], targets: [], aliases: [] });
    expect(await taskIp()).toEqual([]);
  });
});
