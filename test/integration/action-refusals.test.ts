import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { runActionProcess } from '../support/action-process.js';
import { awsEnv } from '../support/aws.js';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.js';
import { startMoto, type Moto } from '../support/moto.js';
import { podmanEnv, writeScratchContext, type PodmanEnv } from '../support/podman.js';
import { pullRequestPayload } from '../support/pull-request-payload.js';
import { startRegistry, type Registry } from '../support/registry.js';

// build and deploy run with the job's AWS credentials: code from a fork, or a pull_request_target
// run (secrets of the base, code of the PR), must never reach the builder or AWS.
let moto: Moto;
let proxy: FaultProxy;
let registry: Registry;
let podman: PodmanEnv;
let workdir: string;
let context: string;

beforeAll(async () => {
  moto = await startMoto();
  proxy = await startFaultProxy(moto.url);
  registry = await startRegistry();
  podman = await podmanEnv({ insecureRegistries: [registry.host] });
  workdir = await mkdtemp(join(tmpdir(), 'ecs-paas-refusals-'));
  context = await writeScratchContext(join(workdir, 'app'));
});

afterAll(async () => {
  await Promise.allSettled([moto?.stop(), proxy?.stop(), registry?.stop(), podman?.cleanup()]);
  if (workdir) await rm(workdir, { recursive: true, force: true });
});

beforeEach(() => {
  proxy.resetCounts();
});

type Event = 'pull_request' | 'pull_request_target' | 'workflow_run';

/** A real-looking payload whose head lives in `headRepo` (acme/web is the base). */
function payload(event: Event, sha: string, headRepo: string): Record<string, unknown> {
  const pull = pullRequestPayload({ action: 'opened', repo: 'acme/web', number: 7, sha, headRepo });
  if (event !== 'workflow_run') return pull;
  // workflow_run has no pull_request: the run that triggered it names its head repository.
  return {
    action: 'completed',
    repository: pull.repository,
    workflow_run: { head_sha: sha, head_repository: { full_name: headRepo } },
  };
}

async function run(command: 'build' | 'deploy', event: Event, headRepo: string) {
  const sha = randomBytes(20).toString('hex');
  const eventPath = join(workdir, `event-${randomBytes(4).toString('hex')}.json`);
  await writeFile(eventPath, JSON.stringify(payload(event, sha, headRepo)));
  const step = await runActionProcess(
    {
      command,
      cluster: 'prod',
      service: 'web',
      registry: registry.host,
      builder: 'podman',
      context,
      'ecr-repository': 'web',
    },
    {
      ...awsEnv(proxy.url),
      ...podman.env,
      GITHUB_SHA: sha,
      GITHUB_REPOSITORY: 'acme/web',
      GITHUB_EVENT_NAME: event,
      GITHUB_EVENT_PATH: eventPath,
    },
  );
  return { step, sha };
}

describe('build and deploy, run from dist/index.js, refuse code they must not build', () => {
  it.each<[command: 'build' | 'deploy', event: Event, headRepo: string, why: RegExp]>([
    ['build', 'pull_request_target', 'acme/web', /refuses to run on a pull_request_target event/],
    ['deploy', 'pull_request_target', 'acme/web', /refuses to run on a pull_request_target event/],
    ['build', 'pull_request', 'mallory/web', /refuses code from a fork \(head mallory\/web/],
    ['deploy', 'pull_request', 'mallory/web', /refuses code from a fork \(head mallory\/web/],
    ['deploy', 'workflow_run', 'mallory/web', /refuses code from a fork \(head mallory\/web/],
  ])(
    '%s on %s with its head in %s: fails, builds nothing, calls no AWS',
    async (command, event, headRepo, why) => {
      const { step, sha } = await run(command, event, headRepo);
      expect(step.status).toBe(1);
      expect(step.log).toMatch(new RegExp(`::error::command '${command}' ${why.source}`));
      // The message says why and what to do instead.
      expect(step.log).toContain('AWS credentials');
      expect(step.log).toMatch(/merged/);
      expect(await registry.tags('web')).not.toContain(sha);
      expect(proxy.counts()).toEqual({});
    },
  );

  it('still builds a pull_request from a branch of this repository', async () => {
    const { step, sha } = await run('build', 'pull_request', 'acme/web');
    expect(step.log).not.toContain('::error::');
    expect(step.status).toBe(0);
    expect(await registry.tags('web')).toContain(sha);
  });
});
