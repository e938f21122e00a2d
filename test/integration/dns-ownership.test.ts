import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import {
  CreateClusterCommand,
  DescribeTasksCommand,
  ECSClient,
  ListTasksCommand,
} from '@aws-sdk/client-ecs';
import {
  ChangeResourceRecordSetsCommand,
  CreateHostedZoneCommand,
  ListResourceRecordSetsCommand,
  Route53Client,
} from '@aws-sdk/client-route-53';
import { createAwsClients, type AwsClients } from '../../src/core/aws/clients.js';
import { silentLogger } from '../../src/core/logger.js';
import { createDnsRouter } from '../../src/core/preview/dns-router.js';
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
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.js';
import { startMoto, type Moto } from '../support/moto.js';
import { enforceRoute53Create } from '../support/route53-create.js';

// Two repositories whose previews compute the same DNS name (a template without {repo}): the
// "another installed repository" of THREATS.md, which must never take or delete the other's name.
let moto: Moto;
let proxy: FaultProxy;
let aws: AwsClients;
let route53: Route53Client;
let ecs: ECSClient;
let settings: PreviewSettings;
let deps: PreviewDeps;

const DOMAIN = 'preview.example.com';
const IMAGE = `123456789012.dkr.ecr.us-east-1.amazonaws.com/web@sha256:${'c'.repeat(64)}`;

beforeAll(async () => {
  moto = await startMoto();
  proxy = await startFaultProxy(moto.url);
  const config = testAwsConfig(proxy.url);
  aws = createAwsClients('us-east-1', {
    endpoint: config.endpoint,
    credentials: config.credentials,
  });
  route53 = new Route53Client(config);
  ecs = new ECSClient(config);
});

afterAll(async () => {
  aws?.ecs.destroy();
  route53?.destroy();
  ecs?.destroy();
  await Promise.allSettled([proxy?.stop(), moto?.stop()]);
});

beforeEach(async () => {
  await moto.reset();
  proxy.clear();
  enforceRoute53Create(proxy);
  // One cluster per team, as in the report that found the bug: neither sees the other's tasks.
  await ecs.send(new CreateClusterCommand({ clusterName: 'previews' }));
  await ecs.send(new CreateClusterCommand({ clusterName: 'api-previews' }));
  const network = await createDefaultNetwork(moto.url);
  await registerFargateTaskDefinition(ecs, 'web');
  const zone = await route53.send(
    new CreateHostedZoneCommand({ Name: DOMAIN, CallerReference: randomBytes(8).toString('hex') }),
  );
  settings = {
    cluster: 'previews',
    taskDefinition: 'web',
    launchType: 'FARGATE',
    subnets: network.subnetIds.slice(0, 1),
    securityGroups: [network.securityGroupId],
    assignPublicIp: false,
    routing: {
      mode: 'dns',
      domain: DOMAIN,
      hostedZoneId: zone.HostedZone?.Id?.split('/').pop() ?? '',
      port: 80,
      subdomain: 'pr-{number}',
    },
    env: {},
    maxPreviews: 10,
    forks: 'require-approval',
  };
  deps = {
    aws,
    router: createDnsRouter(route53, settings.routing as never),
    log: silentLogger,
    pollMs: 50,
    startTimeoutMs: 20_000,
  };
});

const pr = (repo: string): PullRequestRef => ({
  repo,
  number: 1,
  sha: randomBytes(20).toString('hex'),
  branch: 'feature',
  author: 'octocat',
  fork: false,
});
const settingsOf = (repo: string): PreviewSettings =>
  repo === 'acme/api' ? { ...settings, cluster: 'api-previews' } : settings;
const launch = (ref: PullRequestRef) =>
  launchPreview(deps, settingsOf(ref.repo), { pr: ref, image: IMAGE, launchedBy: ref.author });

async function records(): Promise<Record<string, string>> {
  const { ResourceRecordSets } = await route53.send(
    new ListResourceRecordSetsCommand({ HostedZoneId: settings.routing.hostedZoneId }),
  );
  return Object.fromEntries(
    (ResourceRecordSets ?? [])
      .filter((r) => r.Type === 'A' || r.Type === 'TXT')
      .map((r) => [`${r.Type} ${r.Name ?? ''}`, r.ResourceRecords?.[0]?.Value ?? '']),
  );
}

async function runningRepos(): Promise<string[]> {
  // By task ARN: moto's ListTasks does not always keep to the cluster it is given.
  const repos = new Map<string, string>();
  for (const cluster of ['previews', 'api-previews']) {
    const { taskArns } = await ecs.send(
      new ListTasksCommand({ cluster, desiredStatus: 'RUNNING' }),
    );
    if (!taskArns?.length) continue;
    const { tasks } = await ecs.send(
      new DescribeTasksCommand({ cluster, tasks: taskArns, include: ['TAGS'] }),
    );
    for (const t of tasks ?? []) {
      if (t.desiredStatus !== 'RUNNING') continue;
      repos.set(t.taskArn ?? '', t.tags?.find((tag) => tag.key === 'ecs-paas:repo')?.value ?? '');
    }
  }
  return [...repos.values()].sort();
}

describe('DNS names are owned', () => {
  it('refuses a second repository the name, leaving it nothing running, and its teardown never touches the owner', async () => {
    const web = await launch(pr('acme/web'));
    expect(web.kind).toBe('launched');
    const owned = await records();
    expect(owned[`TXT pr-1.${DOMAIN}.`]).toBe('"ecs-paas repo=acme/web pr=1"');

    const api = await launch(pr('acme/api'));
    expect(api).toMatchObject({ kind: 'failed' });
    expect('reason' in api ? api.reason : '').toContain(
      `pr-1.${DOMAIN} is already claimed by another preview`,
    );
    expect(await runningRepos()).toEqual(['acme/web']);
    expect(await records()).toEqual(owned);

    await teardownPreview(
      deps,
      settingsOf('acme/api'),
      { repo: 'acme/api', number: 1, branch: 'x' },
      'closed',
    );
    expect(await records()).toEqual(owned);
    await teardownPreview(deps, settings, { repo: 'acme/web', number: 1, branch: 'x' }, 'closed');
    expect(await records()).toEqual({});
  });

  it('lets exactly one of two racing repositories claim the name', async () => {
    const results = await Promise.all([launch(pr('acme/web')), launch(pr('acme/api'))]);
    expect(results.map((r) => r.kind).sort()).toEqual(['failed', 'launched']);
    const winner = results[0]?.kind === 'launched' ? 'acme/web' : 'acme/api';
    expect(await runningRepos()).toEqual([winner]);
    expect((await records())[`TXT pr-1.${DOMAIN}.`]).toBe(`"ecs-paas repo=${winner} pr=1"`);
  });

  it('never repoints a record someone else put in the zone', async () => {
    await route53.send(
      new ChangeResourceRecordSetsCommand({
        HostedZoneId: settings.routing.hostedZoneId,
        ChangeBatch: {
          Changes: [
            {
              Action: 'CREATE',
              ResourceRecordSet: {
                Name: `pr-1.${DOMAIN}.`,
                Type: 'A',
                TTL: 300,
                ResourceRecords: [{ Value: '192.0.2.10' }],
              },
            },
          ],
        },
      }),
    );
    const result = await launch(pr('acme/web'));
    expect(result.kind).toBe('failed');
    expect(await records()).toEqual({ [`A pr-1.${DOMAIN}.`]: '192.0.2.10' });
    expect(await runningRepos()).toEqual([]);
  });
});
