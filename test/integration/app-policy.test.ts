import { randomBytes } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { ECRClient } from '@aws-sdk/client-ecr';
import { CreateClusterCommand, ECSClient, ListTasksCommand } from '@aws-sdk/client-ecs';
import { CreateHostedZoneCommand, Route53Client } from '@aws-sdk/client-route-53';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { deliver, settled, startApp, type AppProcess } from '../support/app-process.js';
import {
  createDefaultNetwork,
  registerFargateTaskDefinition,
  testAwsConfig,
} from '../support/aws.js';
import { pushEcrImage } from '../support/ecr-image.js';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.js';
import { startGitHubApi, type GitHubApi } from '../support/github.js';
import { createGitHubWorld, type GitHubWorld } from '../support/github-world.js';
import { setHeadChecks } from '../support/head-checks.js';
import { startMoto, type Moto } from '../support/moto.js';
import { startSigningRecorder } from '../support/signing-recorder.js';

// The operator's policy, as "another installed repository" of THREATS.md meets it: acme/web is
// granted the previews cluster and zone; nothing it names outside that may cost an AWS call.
let moto: Moto;
let proxy: FaultProxy;
let api: GitHubApi;
let world: GitHubWorld;
let app: AppProcess;
let ecs: ECSClient;
let ecr: ECRClient;
let zoneId: string;
let network: Awaited<ReturnType<typeof createDefaultNetwork>>;
let policyFile: string;

function policy(): string {
  return [
    'repositories:',
    '  acme/web:',
    '    clusters: [previews]',
    "    task-families: ['web', 'web-*']",
    '    services: { staging: [web-staging] }',
    `    hosted-zones: [${zoneId}]`,
    '    domains: [preview.example.com]',
    `    subnets: [${network.subnetIds[0] ?? ''}]`,
    `    security-groups: [${network.securityGroupId}]`,
    '    max-previews: 5',
    '  acme/*:',
    '    clusters: [team-api]',
    "    task-families: ['api-*']",
    '',
  ].join('\n');
}

beforeAll(async () => {
  moto = await startMoto({ servicesRunning: 1 });
  proxy = await startFaultProxy(moto.url);
  api = await startGitHubApi();
  const config = testAwsConfig(moto.url);
  ecs = new ECSClient(config);
  ecr = new ECRClient(config);
  policyFile = join(await mkdtemp(join(tmpdir(), 'ecs-paas-policy-')), 'policy.yml');
});

afterAll(async () => {
  for (const client of [ecs, ecr]) client?.destroy();
  await app?.stop();
  await Promise.allSettled([api?.stop(), proxy?.stop(), moto?.stop()]);
});

beforeEach(async () => {
  await moto.reset();
  proxy.clear();
  api.reset();
  world = createGitHubWorld(api, { owner: 'acme', repo: 'web' });
  await ecs.send(new CreateClusterCommand({ clusterName: 'previews' }));
  network = await createDefaultNetwork(moto.url);
  await registerFargateTaskDefinition(ecs, 'web');
  const route53 = new Route53Client(testAwsConfig(moto.url));
  const zone = await route53.send(
    new CreateHostedZoneCommand({
      Name: 'preview.example.com',
      CallerReference: randomBytes(8).toString('hex'),
    }),
  );
  route53.destroy();
  zoneId = zone.HostedZone?.Id?.split('/').pop() ?? '';
  world.setPermission('maintainer', 'write');
  setHeadChecks(api, { runs: { test: 'success' } });
  await writeFile(policyFile, policy());
  // The policy names this test's zone and network, so each test starts its own App.
  await app?.stop();
  app = await startApp({
    githubUrl: api.url,
    awsEndpoint: proxy.url,
    env: { ECS_PAAS_POLL_MS: '50', ECS_PAAS_POLICY: policyFile },
  });
});

afterEach(async () => {
  await settled(app);
  api.assertNoViolations();
});

function repoConfig(overrides: { cluster?: string; zone?: string; services?: string } = {}) {
  return [
    'preview:',
    `  cluster: ${overrides.cluster ?? 'previews'}`,
    '  task-definition: web',
    '  ecr-repository: web',
    `  subnets: [${network.subnetIds[0] ?? ''}]`,
    `  security-groups: [${network.securityGroupId}]`,
    `  routing: { mode: dns, hosted-zone-id: ${overrides.zone ?? zoneId}, domain: preview.example.com }`,
    'environments:',
    `  staging: { cluster: previews, services: [${overrides.services ?? 'web-staging'}] }`,
    '',
  ].join('\n');
}

const sha = (): string => randomBytes(20).toString('hex');
const comment = (n: number) => world.comments(n).find((c) => c.includes('ecs-paas:preview')) ?? '';

describe("the operator's policy", () => {
  it('refuses a cluster and a zone outside the grant before any AWS call, naming each key once', async () => {
    world.setFile('.github/ecs-paas.yml', repoConfig({ cluster: 'prod', zone: 'ZOTHERTEAM' }));
    const head = sha();
    world.addPull({ number: 1, sha: head });
    await pushEcrImage(ecr, 'web', head);
    proxy.resetCounts();
    await deliver(app, 'pull_request', world.pullRequestEvent('opened', 1));
    await settled(app);
    expect(proxy.counts()).toEqual({});
    const body = comment(1);
    expect(body).toContain("operator's policy does not allow");
    expect(body).toContain('preview.cluster');
    expect(body).toContain('preview.routing.hosted-zone-id');
    expect(body).not.toContain('preview.subnets');
    await deliver(app, 'pull_request', world.pullRequestEvent('synchronize', 1));
    await settled(app);
    expect(world.comments(1).filter((c) => c.includes('ecs-paas:preview'))).toHaveLength(1);
  });

  it('launches what the grant allows', async () => {
    world.setFile('.github/ecs-paas.yml', repoConfig());
    const head = sha();
    world.addPull({ number: 2, sha: head });
    await pushEcrImage(ecr, 'web', head);
    await deliver(app, 'pull_request', world.pullRequestEvent('opened', 2));
    await settled(app);
    expect(comment(2)).toContain('Preview ready');
  });

  it('refuses /deploy <env> to a service the grant does not name, touching nothing', async () => {
    world.setFile('.github/ecs-paas.yml', repoConfig({ services: 'billing' }));
    const head = sha();
    world.addPull({ number: 3, sha: head });
    proxy.resetCounts();
    const command = world.addComment(3, `/deploy staging ${head}`, {
      login: 'maintainer',
      type: 'User',
    });
    await deliver(app, 'issue_comment', world.issueCommentEvent('created', command));
    await settled(app);
    expect(proxy.counts()).toEqual({});
    expect(world.comments(3).at(-1)).toContain('not valid');
    const { taskArns } = await ecs.send(new ListTasksCommand({ cluster: 'previews' }));
    expect(taskArns).toEqual([]);
  });

  it('a repository with no grant of its own gets its owner glob, not the other team’s entry', async () => {
    const other = createGitHubWorld(api, { owner: 'acme', repo: 'api' });
    other.setFile('.github/ecs-paas.yml', repoConfig());
    const head = sha();
    other.addPull({ number: 4, sha: head });
    proxy.resetCounts();
    await deliver(app, 'pull_request', other.pullRequestEvent('opened', 4));
    await settled(app);
    expect(proxy.counts()).toEqual({});
    const body = other.comments(4).find((c) => c.includes('ecs-paas:preview')) ?? '';
    expect(body).toContain('preview.cluster');
    expect(body).toContain('preview.task-definition');
  });
});

describe('starting with a policy', () => {
  it('will not start without ECS_PAAS_POLICY, and warns when it is open', async () => {
    await expect(
      startApp({ githubUrl: api.url, awsEndpoint: proxy.url, env: { ECS_PAAS_POLICY: '' } }),
    ).rejects.toThrow(/ECS_PAAS_POLICY is not set; set it to the operator's policy file/);
    const open = await startApp({ githubUrl: api.url, awsEndpoint: proxy.url });
    await open.stop();
    expect(open.output()).toContain('ECS_PAAS_POLICY=open: every installed repository may use');
  });

  it('refuses a policy with a mistake, naming its key', async () => {
    const bad = join(await mkdtemp(join(tmpdir(), 'ecs-paas-policy-')), 'bad.yml');
    await writeFile(bad, 'repositories:\n  acme/web:\n    clusterz: [previews]\n');
    await expect(
      startApp({ githubUrl: api.url, awsEndpoint: proxy.url, env: { ECS_PAAS_POLICY: bad } }),
    ).rejects.toThrow(/repositories\.acme\/web\.clusterz: unknown key; did you mean 'clusters'\?/);
  });

  it('reads the policy from an SSM parameter', async () => {
    const ssm = new SSMClient(testAwsConfig(moto.url));
    await ssm.send(
      new PutParameterCommand({
        Name: '/ecs-paas/policy',
        Value: policy(),
        Type: 'SecureString',
        Overwrite: true,
      }),
    );
    ssm.destroy();
    const fromSsm = await startApp({
      githubUrl: api.url,
      awsEndpoint: proxy.url,
      env: { ECS_PAAS_POLICY: 'ssm:/ecs-paas/policy' },
    });
    try {
      world.setFile('.github/ecs-paas.yml', repoConfig({ cluster: 'prod' }));
      world.addPull({ number: 5, sha: sha() });
      await deliver(fromSsm, 'pull_request', world.pullRequestEvent('opened', 5));
      await settled(fromSsm);
      expect(comment(5)).toContain('preview.cluster');
    } finally {
      await fromSsm.stop();
    }
  });
});

describe('a role per repository', () => {
  it("makes the repository's AWS calls with the role the policy names, tagged with repo and pr", async () => {
    const recorder = await startSigningRecorder(moto.url);
    await writeFile(
      policyFile,
      policy().replace(
        '    max-previews: 5',
        '    max-previews: 5\n    role-arn: arn:aws:iam::123456789012:role/ecs-paas-acme-web',
      ),
    );
    const withRole = await startApp({
      githubUrl: api.url,
      awsEndpoint: recorder.url,
      env: { ECS_PAAS_POLL_MS: '50', ECS_PAAS_POLICY: policyFile },
    });
    try {
      world.setFile('.github/ecs-paas.yml', repoConfig());
      const head = sha();
      world.addPull({ number: 6, sha: head });
      await pushEcrImage(ecr, 'web', head);
      await deliver(withRole, 'pull_request', world.pullRequestEvent('opened', 6));
      await settled(withRole);
      expect(comment(6)).toContain('Preview ready');
      const assume = recorder.calls.filter((c) => c.body.includes('Action=AssumeRole'));
      expect(assume).toHaveLength(1);
      const parameters = new URLSearchParams(assume[0]?.body);
      expect(parameters.get('RoleArn')).toBe('arn:aws:iam::123456789012:role/ecs-paas-acme-web');
      expect(parameters.get('Tags.member.1.Key')).toBe('repo');
      expect(parameters.get('Tags.member.1.Value')).toBe('acme/web');
      expect(parameters.get('Tags.member.2.Key')).toBe('pr');
      expect(parameters.get('Tags.member.2.Value')).toBe('6');
      const runTask = recorder.calls.filter((c) => c.operation.endsWith('.RunTask'));
      expect(runTask).toHaveLength(1);
      // The App's own key is 'testing'; moto's STS hands out temporary ASIA… keys.
      expect(runTask[0]?.accessKeyId).toMatch(/^ASIA/);
      const own = recorder.calls.filter(
        (c) => c.accessKeyId === 'testing' && /ECS|ECR|Route53|route53/.test(c.operation),
      );
      expect(own).toEqual([]);
    } finally {
      await withRole.stop();
      await recorder.stop();
    }
  });
});
