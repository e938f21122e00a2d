import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import {
  DescribeRepositoriesCommand,
  ECRClient,
  RepositoryNotFoundException,
} from '@aws-sdk/client-ecr';
import {
  CreateClusterCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
} from '@aws-sdk/client-ecs';
import { runActionProcess } from '../support/action-process.js';
import { recordArgv, type ArgvRecorder } from '../support/argv-recorder.js';
import {
  awsEnv,
  createDefaultNetwork,
  createFargateService,
  registerFargateTaskDefinition,
  testAwsConfig,
} from '../support/aws.js';
import { pushEcrImage } from '../support/ecr-image.js';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.js';
import { startMoto, type Moto } from '../support/moto.js';
import { podmanEnv, writeScratchContext, type PodmanEnv } from '../support/podman.js';
import { startRegistry, type Registry } from '../support/registry.js';

// The path every real user takes: no `registry:` input, so the Action asks ECR for the repository,
// a login and the image. moto is ECR; its login token would send podman to amazonaws.com, so the
// token's `proxyEndpoint` is pointed at a local registry that, like ECR, refuses anonymous pushes.
let moto: Moto;
let proxy: FaultProxy;
let registry: Registry;
let podman: PodmanEnv;
let podmanCalls: ArgvRecorder;
let ecs: ECSClient;
let ecr: ECRClient;
let workdir: string;
let context: string;

const CLUSTER = 'prod';
// What ECR's token decodes to: the user is always AWS, the password is a long opaque string.
const PASSWORD = `ecr-${randomBytes(24).toString('hex')}`;
const TOKEN = Buffer.from(`AWS:${PASSWORD}`).toString('base64');

beforeAll(async () => {
  moto = await startMoto({ servicesRunning: 1 });
  proxy = await startFaultProxy(moto.url);
  registry = await startRegistry({ login: { username: 'AWS', password: PASSWORD } });
  podman = await podmanEnv({ insecureRegistries: [registry.host] });
  podmanCalls = await recordArgv('podman');
  ecs = new ECSClient(testAwsConfig(moto.url));
  ecr = new ECRClient(testAwsConfig(moto.url));
  workdir = await mkdtemp(join(tmpdir(), 'ecs-paas-ecr-'));
  context = await writeScratchContext(join(workdir, 'app'));
});

afterAll(async () => {
  ecs?.destroy();
  ecr?.destroy();
  await Promise.allSettled([
    moto?.stop(),
    proxy?.stop(),
    registry?.stop(),
    podman?.cleanup(),
    podmanCalls?.cleanup(),
  ]);
  if (workdir) await rm(workdir, { recursive: true, force: true });
});

beforeEach(async () => {
  await moto.reset();
  proxy.clear();
  proxy.intercept('ECR.GetAuthorizationToken', (_request, response) => ({
    ...response,
    body: JSON.stringify({
      authorizationData: [
        {
          authorizationToken: TOKEN,
          expiresAt: Math.floor(Date.now() / 1000) + 43_200,
          proxyEndpoint: `http://${registry.host}`,
        },
      ],
    }),
  }));
  proxy.resetCounts();
});

const newSha = (): string => randomBytes(20).toString('hex');

function runAction(inputs: Record<string, string>, sha: string, repository = 'acme/web') {
  return runActionProcess(
    { builder: 'podman', context, 'ecr-repository': 'web', ...inputs },
    {
      ...awsEnv(proxy.url),
      ...podman.env,
      PATH: podmanCalls.path,
      GITHUB_SHA: sha,
      GITHUB_REPOSITORY: repository,
      ECS_PAAS_POLL_MS: '100',
    },
  );
}

async function podmanBuilds(): Promise<number> {
  return (await podmanCalls.calls()).filter((call) => call.startsWith('build ')).length;
}

async function repositoryExists(name: string): Promise<boolean> {
  try {
    await ecr.send(new DescribeRepositoriesCommand({ repositoryNames: [name] }));
    return true;
  } catch (error) {
    if (error instanceof RepositoryNotFoundException) return false;
    throw error;
  }
}

async function createService(): Promise<string> {
  await ecs.send(new CreateClusterCommand({ clusterName: CLUSTER }));
  const network = await createDefaultNetwork(moto.url);
  const definition = await registerFargateTaskDefinition(ecs, 'web');
  await createFargateService(ecs, network, {
    cluster: CLUSTER,
    name: 'web',
    taskDefinition: definition.taskDefinitionArn ?? '',
  });
  return definition.taskDefinitionArn ?? '';
}

describe('the bundled Action without a registry input (ECR)', () => {
  it('creates the repository, logs in with the ECR token on stdin, pushes and deploys', async () => {
    await createService();
    expect(await repositoryExists('web')).toBe(false);
    const sha = newSha();
    const run = await runAction({ cluster: CLUSTER, service: 'web', container: 'web' }, sha);

    expect(run.log).not.toContain('::error::');
    expect(run.status).toBe(0);
    const { repositories } = await ecr.send(
      new DescribeRepositoriesCommand({ repositoryNames: ['web'] }),
    );
    expect(repositories?.[0]?.imageScanningConfiguration?.scanOnPush).toBe(true);
    expect(proxy.counts()['ECR.CreateRepository']).toBe(1);

    // The registry refuses anonymous pushes, so the tag being there proves the login worked.
    expect(await registry.tags('web')).toContain(sha);
    const manifest = await registry.manifest('web', sha);
    expect(run.outputs.image).toBe(`${registry.host}/web@${manifest.digest}`);
    const { services } = await ecs.send(
      new DescribeServicesCommand({ cluster: CLUSTER, services: ['web'] }),
    );
    const { taskDefinition } = await ecs.send(
      new DescribeTaskDefinitionCommand({ taskDefinition: services?.[0]?.taskDefinition ?? '' }),
    );
    expect(taskDefinition?.containerDefinitions?.[0]?.image).toBe(run.outputs.image);

    // The password went in on stdin: no podman command line (readable by anyone in `ps`) has it.
    const logins = (await podmanCalls.calls()).filter((call) => call.startsWith('login '));
    expect(logins.at(-1)).toBe(`login --username AWS --password-stdin ${registry.host}`);
    expect((await podmanCalls.calls()).join('\n')).not.toContain(PASSWORD);
    const auth = JSON.parse(await readFile(podman.env.REGISTRY_AUTH_FILE ?? '', 'utf8')) as {
      auths: Record<string, { auth?: string }>;
    };
    expect(auth.auths[registry.host]?.auth).toBe(TOKEN);

    // Masked before anything else could print it; after the mask, the runner hides it anyway,
    // but nothing else should even try.
    const lines = run.log.split('\n');
    const secretLines = lines.filter((l) => l.includes(PASSWORD) || l.includes(TOKEN));
    expect(secretLines.sort()).toEqual([`::add-mask::${PASSWORD}`, `::add-mask::${TOKEN}`].sort());
  }, 120_000);

  it('does not rebuild when ECR already holds an image for the commit', async () => {
    const sha = newSha();
    const digest = await pushEcrImage(ecr, 'web', sha);
    proxy.resetCounts();
    const buildsBefore = await podmanBuilds();
    const run = await runAction({ command: 'build' }, sha);

    expect(run.log).not.toContain('::error::');
    expect(run.status).toBe(0);
    expect(run.log).toContain(`${registry.host}/web:${sha} already exists (${digest})`);
    expect(run.outputs.digest).toBe(digest);
    expect(run.outputs.image).toBe(`${registry.host}/web@${digest}`);
    expect(proxy.counts()['ECR.DescribeImages']).toBe(1);
    expect(proxy.counts()['ECR.CreateRepository']).toBeUndefined();
    // Nothing was built or pushed: the registry never saw the tag.
    expect(await registry.tags('web')).not.toContain(sha);
    expect(await podmanBuilds()).toBe(buildsBefore);
  }, 120_000);

  // A runner passes an input the workflow leaves out as an empty string.
  it("pushes to the repository's name lowercased when ecr-repository is left out", async () => {
    const sha = newSha();
    const digest = await pushEcrImage(ecr, 'myservice', sha);
    const run = await runAction({ command: 'build', 'ecr-repository': '' }, sha, 'acme/MyService');

    expect(run.log).not.toContain('::error::');
    expect(run.status).toBe(0);
    expect(run.outputs.image).toBe(`${registry.host}/myservice@${digest}`);
  }, 120_000);

  it('fails naming ecr-repository, before any AWS call, when ECR would refuse the default', async () => {
    const run = await runAction(
      { command: 'build', 'ecr-repository': '' },
      newSha(),
      'acme/.github',
    );

    expect(run.status).toBe(1);
    expect(run.log).toContain(
      "::error::Input 'ecr-repository': not set, and its default '.github' (the name of acme/.github, lowercased) is not an ECR repository name; set ecr-repository to ",
    );
    expect(proxy.counts()).toEqual({});
  }, 120_000);

  it.each([
    ['1', 1],
    ['2', 0],
  ])(
    'honours max-retries %s on the ECR client too',
    async (maxRetries, status) => {
      const sha = newSha();
      await pushEcrImage(ecr, 'web', sha);
      proxy.resetCounts();
      proxy.inject('ECR.DescribeImages', { kind: 'throttle' }, 1);
      const run = await runAction({ command: 'build', 'max-retries': maxRetries }, sha);

      expect(run.status).toBe(status);
      expect(proxy.counts()['ECR.DescribeImages']).toBe(Number(maxRetries));
      if (status === 1) expect(run.log).toMatch(/::error::.*ThrottlingException/);
    },
    120_000,
  );

  it('fails naming create-repository when that is false and the repository is missing', async () => {
    const sha = newSha();
    const run = await runAction({ command: 'build', 'create-repository': 'false' }, sha);

    expect(run.status).toBe(1);
    expect(run.log).toContain(
      "::error::Input 'create-repository': is false and ECR repository 'web' does not exist; create it first, or set create-repository: true",
    );
    expect(await repositoryExists('web')).toBe(false);
    expect(proxy.counts()['ECR.CreateRepository']).toBeUndefined();
    expect(proxy.counts()['ECR.GetAuthorizationToken']).toBeUndefined();
    expect(await registry.tags('web')).not.toContain(sha);
  }, 120_000);
});
