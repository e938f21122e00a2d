import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach } from '@jest/globals';
import { ECRClient } from '@aws-sdk/client-ecr';
import {
  CreateClusterCommand,
  DescribeTasksCommand,
  ECSClient,
  ListTasksCommand,
  type Task,
} from '@aws-sdk/client-ecs';
import {
  CreateHostedZoneCommand,
  ListResourceRecordSetsCommand,
  Route53Client,
} from '@aws-sdk/client-route-53';
import { settled, startApp, type AppProcess, type StartAppOptions } from './app-process.js';
import { createDefaultNetwork, registerFargateTaskDefinition, testAwsConfig } from './aws.js';
import { eventually as pollFor } from './eventually.js';
import { startFaultProxy, type FaultProxy } from './fault-proxy.js';
import { startGitHubApi, type GitHubApi } from './github.js';
import { createGitHubWorld, type GitHubWorld } from './github-world.js';
import { startMoto, type Moto } from './moto.js';

export const PREVIEW_DOMAIN = 'preview.example.com';

/**
 * What an App-process test file shares: moto behind a fault proxy, the contract-checked GitHub
 * API, the App started once per file; and per test a reset AWS and `acme/web` with a cluster
 * `previews`, a base task definition `web`, a hosted zone and `.github/ecs-paas.yml` for dns
 * previews. Read its fields inside tests and hooks: they are set by the hooks it registers.
 */
export interface AppFixture {
  moto: Moto;
  proxy: FaultProxy;
  api: GitHubApi;
  world: GitHubWorld;
  app: AppProcess;
  ecs: ECSClient;
  ecr: ECRClient;
  route53: Route53Client;
  zoneId: string;
  network: Awaited<ReturnType<typeof createDefaultNetwork>>;
  /** The App's start options, for a test that restarts it or starts a second one. */
  appOptions(env?: Record<string, string>): StartAppOptions;
  /** Lines added to `preview:` in the default config; and whole sections after it. */
  config(previewLines?: readonly string[], after?: readonly string[]): string;
  /** The running preview tasks of the `previews` cluster, with their tags. */
  tasks(): Promise<Task[]>;
  /** The A record names in the zone. */
  records(): Promise<string[]>;
  eventually<T>(what: string, probe: () => Promise<T | undefined> | T | undefined): Promise<T>;
}

export function useAppFixture(
  options: { env?: Record<string, string>; setUp?: (fixture: AppFixture) => Promise<void> } = {},
): AppFixture {
  const fixture = {} as AppFixture;
  fixture.appOptions = (env = {}) => ({
    githubUrl: fixture.api.url,
    awsEndpoint: fixture.proxy.url,
    env: { ECS_PAAS_POLL_MS: '50', ...options.env, ...env },
  });
  fixture.config = (previewLines = [], after = []) =>
    [
      'preview:',
      '  cluster: previews',
      '  task-definition: web',
      '  ecr-repository: web',
      `  subnets: [${fixture.network.subnetIds[0] ?? ''}]`,
      `  security-groups: [${fixture.network.securityGroupId}]`,
      `  routing: { mode: dns, hosted-zone-id: ${fixture.zoneId}, domain: ${PREVIEW_DOMAIN} }`,
      ...previewLines,
      ...after,
      '',
    ].join('\n');
  fixture.tasks = async () => {
    const { taskArns } = await fixture.ecs.send(
      new ListTasksCommand({ cluster: 'previews', desiredStatus: 'RUNNING' }),
    );
    if (!taskArns?.length) return [];
    const { tasks } = await fixture.ecs.send(
      new DescribeTasksCommand({ cluster: 'previews', tasks: taskArns, include: ['TAGS'] }),
    );
    return (tasks ?? []).filter((t) => t.desiredStatus === 'RUNNING');
  };
  fixture.records = async () => {
    const { ResourceRecordSets } = await fixture.route53.send(
      new ListResourceRecordSetsCommand({ HostedZoneId: fixture.zoneId }),
    );
    return (ResourceRecordSets ?? []).filter((r) => r.Type === 'A').map((r) => r.Name ?? '');
  };
  fixture.eventually = (what, probe) =>
    pollFor(what, probe, {
      timeoutMs: 20_000,
      context: () => fixture.app.output().slice(-3000),
    });

  beforeAll(async () => {
    fixture.moto = await startMoto({ servicesRunning: 1 });
    fixture.proxy = await startFaultProxy(fixture.moto.url);
    fixture.api = await startGitHubApi();
    const config = testAwsConfig(fixture.moto.url);
    fixture.ecs = new ECSClient(config);
    fixture.ecr = new ECRClient(config);
    fixture.route53 = new Route53Client(config);
    fixture.app = await startApp(fixture.appOptions());
  });

  afterAll(async () => {
    for (const client of [fixture.ecs, fixture.ecr, fixture.route53]) client?.destroy();
    await fixture.app?.stop();
    await Promise.allSettled([fixture.api?.stop(), fixture.proxy?.stop(), fixture.moto?.stop()]);
  });

  beforeEach(async () => {
    await fixture.moto.reset();
    fixture.proxy.clear();
    fixture.api.reset();
    fixture.world = createGitHubWorld(fixture.api, { owner: 'acme', repo: 'web' });
    await fixture.ecs.send(new CreateClusterCommand({ clusterName: 'previews' }));
    fixture.network = await createDefaultNetwork(fixture.moto.url);
    await registerFargateTaskDefinition(fixture.ecs, 'web');
    const zone = await fixture.route53.send(
      new CreateHostedZoneCommand({
        Name: PREVIEW_DOMAIN,
        CallerReference: randomBytes(8).toString('hex'),
      }),
    );
    fixture.zoneId = zone.HostedZone?.Id?.split('/').pop() ?? '';
    fixture.world.setFile('.github/ecs-paas.yml', fixture.config());
    await options.setUp?.(fixture);
  });

  afterEach(async () => {
    // The App finishes what the test started, so none of it lands in the next test's world;
    // and every request it made must have been valid against GitHub's OpenAPI description.
    await settled(fixture.app);
    fixture.api.assertNoViolations();
  });

  return fixture;
}

/** A tag's value on a task. */
export const tagOf = (task: Task | undefined, key: string): string | undefined =>
  task?.tags?.find((t) => t.key === key)?.value;
