/**
 * `npm run sandbox`: the product on this machine with nothing configured. First the App's story
 * (moto, a Prism-checked GitHub and the App as its own process, driven by signed webhooks): a pull
 * request opened, its image arriving, the preview up, replaced on push, a reader's /deploy refused,
 * the preview torn down on merge. Then the Action's: with a real registry and podman, the bundled
 * Action (dist/index.js) builds, pushes and deploys two services, re-runs as a no-op, and rolls a
 * failed rollout back. Each step prints what a user would read.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateClusterCommand, ECSClient } from '@aws-sdk/client-ecs';
import { runActionProcess, type ActionRun } from '../test/support/action-process.js';
import {
  awsEnv,
  createDefaultNetwork,
  createFargateService,
  registerFargateTaskDefinition,
  testAwsConfig,
} from '../test/support/aws.js';
import { startFaultProxy } from '../test/support/fault-proxy.js';
import { startMoto } from '../test/support/moto.js';
import { podmanEnv, writeScratchContext } from '../test/support/podman.js';
import { startRegistry } from '../test/support/registry.js';
import globalSetup from '../test/support/global-setup.js';
import globalTeardown from '../test/support/global-teardown.js';
import { appSandbox } from './sandbox-app.js';

const say = (text: string): void => void process.stdout.write(`${text}\n`);

async function main(): Promise<void> {
  const moto = await startMoto({ servicesRunning: 1 });
  const proxy = await startFaultProxy(moto.url);
  const registry = await startRegistry();
  const podman = await podmanEnv({ insecureRegistries: [registry.host] });
  const workdir = await mkdtemp(join(tmpdir(), 'ecs-paas-sandbox-'));
  const ecs = new ECSClient(testAwsConfig(moto.url));
  try {
    say("═══ The App: one pull request's life ═══");
    await globalSetup({ rootDir: process.cwd() });
    if (!(await appSandbox(moto))) process.exitCode = 1;
    await moto.reset();
    say('\n═══ The Action: build, push, deploy, roll back ═══');
    say(`moto on ${moto.url}, registry on ${registry.host}`);
    await ecs.send(new CreateClusterCommand({ clusterName: 'prod' }));
    const network = await createDefaultNetwork(moto.url);
    const definition = await registerFargateTaskDefinition(ecs, 'web');
    for (const serviceName of ['web', 'worker']) {
      await createFargateService(ecs, network, {
        cluster: 'prod',
        name: serviceName,
        taskDefinition: definition.taskDefinitionArn,
      });
    }
    const context = await writeScratchContext(join(workdir, 'app'));
    const sha = randomBytes(20).toString('hex');
    const step = async (
      title: string,
      sha: string,
      inputs: Record<string, string> = {},
    ): Promise<ActionRun> => {
      say(`\n━━━ ${title} ━━━`);
      const run = await runActionProcess(
        {
          cluster: 'prod',
          service: 'web\nworker',
          registry: registry.host,
          builder: 'podman',
          context,
          ...inputs,
        },
        {
          ...awsEnv(proxy.url),
          ...podman.env,
          GITHUB_SHA: sha,
          GITHUB_REPOSITORY: 'acme/web',
          ECS_PAAS_POLL_MS: '200',
        },
      );
      say(
        run.log
          .split('\n')
          .filter(
            (line) =>
              !line.includes('NodeVersionSupportWarning') &&
              !/^(versions|will|To continue|and security|More information|\(Use `node)/.test(line),
          )
          .join('\n'),
      );
      say(
        `exit code ${run.status ?? 'none'} after ${run.ms} ms; outputs: ${JSON.stringify(run.outputs, null, 2)}`,
      );
      say(`--- job summary ---\n${run.summary}`);
      return run;
    };
    await step('1. Build, push and deploy to web and worker', sha);
    await step('2. Re-run for the same commit: nothing to register, nothing to update', sha);
    // moto never fails a rollout: report the revision registered next as FAILED on worker, as ECS
    // does when the deployment circuit breaker trips.
    let broken = '';
    proxy.intercept('ECS.RegisterTaskDefinition', (_request, response) => {
      broken = (JSON.parse(response.body) as { taskDefinition: { taskDefinitionArn: string } })
        .taskDefinition.taskDefinitionArn;
      return undefined;
    });
    proxy.intercept('ECS.DescribeServices', (_request, response) => {
      const body = JSON.parse(response.body) as { services?: Array<Record<string, unknown>> };
      for (const service of body.services ?? []) {
        if (service.serviceName === 'worker' && service.taskDefinition === broken) {
          service.deployments = [
            {
              id: 'ecs-svc/9',
              status: 'PRIMARY',
              taskDefinition: service.taskDefinition,
              rolloutState: 'FAILED',
              rolloutStateReason: 'ECS deployment circuit breaker: tasks failed to start.',
            },
          ];
        }
      }
      return { ...response, body: JSON.stringify(body) };
    });
    await writeScratchContext(context, { 'hello.txt': 'a change that breaks the worker\n' });
    const failed = await step(
      '3. The next commit fails its rollout on worker: both services roll back',
      randomBytes(20).toString('hex'),
      {
        'wait-timeout': '1m',
      },
    );
    say(
      failed.status === 1 && failed.outputs['rolled-back'] === 'true'
        ? 'Sandbox finished as expected.'
        : 'Sandbox did not behave as expected.',
    );
    if (failed.status !== 1) process.exitCode = 1;
  } finally {
    await globalTeardown().catch(() => undefined);
    ecs.destroy();
    await Promise.allSettled([moto.stop(), proxy.stop(), registry.stop(), podman.cleanup()]);
    await rm(workdir, { recursive: true, force: true });
  }
}

await main();
