import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDocument } from 'yaml';

// The workflows in examples/ are what users copy. Nothing runs them here, so a renamed input, a
// missing permission or an unpinned action would only show up in a user's first failed run. Each
// rule returns the problems it finds, and is tried on broken copies so each is known to fail.

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const EXAMPLES = join(ROOT, 'examples', 'workflows');

type Yaml = Record<string, unknown>;
const isMap = (value: unknown): value is Yaml =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The inputs action.yml declares: the only keys a `with:` for this Action may use. */
function actionInputs(): Set<string> {
  const action = parseDocument(readFileSync(join(ROOT, 'action.yml'), 'utf8')).toJS() as unknown;
  return new Set(isMap(action) && isMap(action.inputs) ? Object.keys(action.inputs) : []);
}

/** `uses:` of each action, pinned in the project's own workflows: examples use the same SHAs. */
function projectPins(): Map<string, string> {
  const pins = new Map<string, string>();
  const dir = join(ROOT, '.github', 'workflows');
  for (const file of readdirSync(dir).filter((f) => /\.ya?ml$/.test(f))) {
    for (const [, action = '', sha = ''] of readFileSync(join(dir, file), 'utf8').matchAll(
      /uses:\s*([\w.-]+\/[\w./-]+)@([0-9a-f]{40})/g,
    )) {
      pins.set(action, sha);
    }
  }
  return pins;
}

const OURS = /^(org\/ecs-paas@v\d+|\.\/?)$/;
const SHA_PIN = /^[\w.-]+\/[\w./-]+@[0-9a-f]{40}$/;

interface Context {
  readonly inputs: ReadonlySet<string>;
  readonly pins: ReadonlyMap<string, string>;
}

function steps(job: Yaml): Yaml[] {
  return Array.isArray(job.steps) ? job.steps.filter(isMap) : [];
}

/** The permissions a job runs with: its own block, else the workflow's. */
function permissionsOf(workflow: Yaml, job: Yaml): Yaml {
  if (isMap(job.permissions)) return job.permissions;
  return isMap(workflow.permissions) ? workflow.permissions : {};
}

function exampleProblems(name: string, text: string, context: Context): string[] {
  const doc = parseDocument(text, { uniqueKeys: true });
  const errors = [...doc.errors, ...doc.warnings].map((e) => `${name}: ${e.message}`);
  if (errors.length > 0) return errors;
  const workflow = doc.toJS() as unknown;
  if (!isMap(workflow)) return [`${name}: not a mapping`];
  const problems: string[] = [];
  if (typeof workflow.name !== 'string') problems.push(`${name}: no 'name'`);
  if (workflow.on === undefined || workflow.on === null) problems.push(`${name}: no 'on'`);
  if (!isMap(workflow.permissions)) problems.push(`${name}: no top-level 'permissions' map`);
  const jobs = isMap(workflow.jobs) ? Object.entries(workflow.jobs) : [];
  if (jobs.length === 0) problems.push(`${name}: no 'jobs'`);

  for (const [id, job] of jobs) {
    const where = `${name}: jobs.${id}`;
    if (!isMap(job)) {
      problems.push(`${where}: not a mapping`);
      continue;
    }
    if (job['runs-on'] === undefined) problems.push(`${where}: no 'runs-on'`);
    if (steps(job).length === 0) problems.push(`${where}: no 'steps'`);
    const permissions = permissionsOf(workflow, job);
    steps(job).forEach((step, index) => {
      const at = `${where}.steps[${index}]`;
      const uses = typeof step.uses === 'string' ? step.uses : undefined;
      if ((uses === undefined) === (typeof step.run !== 'string')) {
        problems.push(`${at}: needs exactly one of 'uses' and 'run'`);
      }
      if (uses === undefined) return;
      const withs = isMap(step.with) ? step.with : {};
      if (OURS.test(uses)) {
        for (const key of Object.keys(withs)) {
          if (!context.inputs.has(key))
            problems.push(`${at}: '${key}' is not an input of action.yml`);
        }
        const command = typeof withs.command === 'string' ? withs.command : 'deploy';
        if (
          (command === 'preview' || command === 'teardown') &&
          permissions['pull-requests'] !== 'write'
        ) {
          problems.push(
            `${where}: command ${command} comments on the PR: needs pull-requests: write`,
          );
        }
        if (withs.environment !== undefined && permissions.deployments !== 'write') {
          problems.push(`${where}: 'environment' records a Deployment: needs deployments: write`);
        }
        return;
      }
      if (!SHA_PIN.test(uses)) {
        problems.push(`${at}: ${uses} is not pinned to a commit SHA`);
      } else {
        const [action = '', sha = ''] = uses.split('@');
        const pinned = context.pins.get(action);
        if (pinned !== undefined && pinned !== sha) {
          problems.push(`${at}: ${action} is at ${sha}, the project's workflows at ${pinned}`);
        }
      }
      if (uses.startsWith('aws-actions/configure-aws-credentials@') && 'role-to-assume' in withs) {
        if (permissions['id-token'] !== 'write') {
          problems.push(`${where}: OIDC (role-to-assume) needs id-token: write`);
        }
      }
    });
  }
  return problems;
}

const context: Context = { inputs: actionInputs(), pins: projectPins() };
const files = readdirSync(EXAMPLES).filter((f) => /\.ya?ml$/.test(f));
const read = (file: string) => readFileSync(join(EXAMPLES, file), 'utf8');

describe('examples/workflows', () => {
  it('cover deploy on push with OIDC, a matrix, PR previews, a task-definition file and a migration', () => {
    expect(files.sort()).toEqual([
      'deploy-on-push.yml',
      'matrix-deploy.yml',
      'migrate-then-deploy.yml',
      'pr-preview.yml',
      'task-definition-file.yml',
    ]);
  });

  it('reads the inputs from action.yml', () => {
    expect([...context.inputs]).toEqual(
      expect.arrayContaining(['cluster', 'service', 'max-retries']),
    );
  });

  it.each(files)('%s parses, has what GitHub needs and only inputs action.yml has', (file) => {
    expect(exampleProblems(file, read(file), context)).toEqual([]);
  });

  it('the preview example previews on pull_request and tears down on closed', () => {
    const workflow = parseDocument(read('pr-preview.yml')).toJS() as Yaml;
    expect(workflow.on).toEqual({
      pull_request: { types: ['opened', 'synchronize', 'reopened', 'closed'] },
    });
    const commands = Object.values(workflow.jobs as Record<string, Yaml>).map((job) => ({
      if: job.if,
      command: steps(job).find((step) => OURS.test(String(step.uses)))?.with,
    }));
    expect(commands).toEqual([
      { if: expect.stringContaining("!= 'closed'"), command: { command: 'preview' } },
      { if: expect.stringContaining("== 'closed'"), command: { command: 'teardown' } },
    ]);
  });

  it('the migration example runs run-before', () => {
    expect(read('migrate-then-deploy.yml')).toMatch(/^\s+run-before: \S/m);
  });

  it("the README's snippets give this Action only inputs action.yml has", () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const ourSteps: Yaml[] = [];
    const collect = (node: unknown): void => {
      if (Array.isArray(node)) node.forEach(collect);
      else if (isMap(node)) {
        if (typeof node.uses === 'string' && OURS.test(node.uses)) ourSteps.push(node);
        Object.values(node).forEach(collect);
      }
    };
    for (const [, block = ''] of readme.matchAll(/```yaml\n([\s\S]*?)```/g)) {
      collect(parseDocument(block).toJS());
    }
    expect(ourSteps.length).toBeGreaterThan(0);
    const unknown = ourSteps.flatMap((step) =>
      Object.keys(isMap(step.with) ? step.with : {}).filter((key) => !context.inputs.has(key)),
    );
    expect(unknown).toEqual([]);
  });

  it('are each linked from the README', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    for (const file of files) expect(readme).toContain(`examples/workflows/${file}`);
  });
});

describe('the example rules catch', () => {
  const good = read('deploy-on-push.yml');
  it.each<[string, string, RegExp]>([
    [
      'an input action.yml lacks',
      good.replace('container: web', 'container-name: web'),
      /'container-name' is not an input/,
    ],
    [
      'no permissions',
      good.replace(/^permissions:\n {2}contents: read\n/m, ''),
      /no top-level 'permissions'/,
    ],
    [
      'OIDC without id-token',
      good.replace(/^ {6}id-token: write.*\n/m, ''),
      /needs id-token: write/,
    ],
    [
      'environment without deployments',
      good.replace(/^ {6}deployments: write.*\n/m, ''),
      /needs deployments: write/,
    ],
    [
      'an action on a tag',
      good.replace(/configure-aws-credentials@[0-9a-f]{40}/, 'configure-aws-credentials@v6'),
      /not pinned/,
    ],
    [
      'a SHA the project does not use',
      good.replace(/checkout@[0-9a-f]{40}/, `checkout@${'a'.repeat(40)}`),
      /the project's workflows at/,
    ],
    ['no runs-on', good.replace('runs-on: ubuntu-latest', 'name: x'), /no 'runs-on'/],
    [
      'a duplicated key',
      good.replace('cluster: prod', 'cluster: prod\n          cluster: staging'),
      /unique/i,
    ],
    [
      'a step with uses and run',
      good.replace(
        '      - uses: org/ecs-paas@v1',
        '      - run: echo\n        uses: org/ecs-paas@v1',
      ),
      /exactly one/,
    ],
  ])('%s', (_what, text, problem) => {
    expect(text).not.toBe(good);
    expect(exampleProblems('bad.yml', text, context).join('\n')).toMatch(problem);
  });

  it('a preview without pull-requests: write', () => {
    const text = read('pr-preview.yml').replace(/^ {6}pull-requests: write.*\n/m, '');
    expect(exampleProblems('bad.yml', text, context).join('\n')).toMatch(
      /needs pull-requests: write/,
    );
  });
});
