import { afterAll, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import {
  accessSync,
  constants,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDocument } from 'yaml';

// The project's own GitHub workflows and Dependabot config are only ever run by GitHub, so a typo,
// an unpinned action or a `run:` naming a script that was renamed would surface on the first push
// or, worse, the first release. Each rule is a function returning the problems it finds, tested
// against the real files and against broken examples (so every rule is known to be able to fail).

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const WORKFLOWS_DIR = join(ROOT, '.github', 'workflows');
const CHANGELOG_SCRIPT = join(ROOT, 'scripts', 'changelog-section.sh');

type Yaml = Record<string, unknown>;

const isMapping = (value: unknown): value is Yaml =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function parseYaml(name: string, text: string): { value?: unknown; problems: string[] } {
  const doc = parseDocument(text, { uniqueKeys: true });
  const problems = [...doc.errors, ...doc.warnings].map((e) => `${name}: ${e.message}`);
  return problems.length > 0 ? { problems } : { value: doc.toJS() as unknown, problems };
}

function readPackageScripts(): Set<string> {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
    scripts?: Record<string, string>;
  };
  return new Set(Object.keys(pkg.scripts ?? {}));
}

function readPackageDependencies(): { all: string[]; dev: string[] } {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
    dependencies?: Record<string, string>;
    devDependencies?: Record<string, string>;
  };
  const dev = Object.keys(pkg.devDependencies ?? {});
  return { all: [...Object.keys(pkg.dependencies ?? {}), ...dev], dev };
}

/** How a `run:` script's file references are checked: exists, and for ./x, executable. */
interface FileCheck {
  exists(path: string): boolean;
  executable(path: string): boolean;
}

const repoFiles: FileCheck = {
  exists: (path) => {
    try {
      accessSync(join(ROOT, path), constants.F_OK);
      return true;
    } catch {
      return false;
    }
  },
  executable: (path) => {
    try {
      accessSync(join(ROOT, path), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  },
};

/** The fields GitHub refuses a workflow without, and the one-of-`uses`/`run` rule for steps. */
function structureProblems(name: string, workflow: unknown): string[] {
  if (!isMapping(workflow)) return [`${name}: not a mapping`];
  const problems: string[] = [];
  if (!('on' in workflow) || workflow.on === null) problems.push(`${name}: no 'on'`);
  const jobs = workflow.jobs;
  if (!isMapping(jobs) || Object.keys(jobs).length === 0) {
    return [...problems, `${name}: no 'jobs'`];
  }
  for (const [id, job] of Object.entries(jobs)) {
    const where = `${name}: jobs.${id}`;
    if (!isMapping(job)) {
      problems.push(`${where}: not a mapping`);
      continue;
    }
    if (typeof job.uses === 'string') continue; // a reusable workflow: no runner, no steps
    if (job['runs-on'] === undefined || job['runs-on'] === null) {
      problems.push(`${where}: no 'runs-on'`);
    }
    if (!Array.isArray(job.steps) || job.steps.length === 0) {
      problems.push(`${where}: no 'steps'`);
      continue;
    }
    job.steps.forEach((step: unknown, index) => {
      const at = `${where}.steps[${index}]`;
      if (!isMapping(step)) return problems.push(`${at}: not a mapping`);
      const has = (key: string) => typeof step[key] === 'string' && step[key] !== '';
      if (has('uses') === has('run')) problems.push(`${at}: needs exactly one of 'uses' and 'run'`);
      return undefined;
    });
  }
  return problems;
}

/** The workflow's default token is read-only; a job that needs to write says so itself. */
function permissionProblems(name: string, workflow: unknown): string[] {
  if (!isMapping(workflow)) return [];
  const permissions = workflow.permissions;
  if (!isMapping(permissions)) {
    return [
      `${name}: top-level 'permissions' must list scopes (got ${JSON.stringify(permissions)})`,
    ];
  }
  return Object.entries(permissions)
    .filter(([, level]) => level !== 'read' && level !== 'none')
    .map(([scope, level]) => `${name}: top-level permission ${scope}: ${String(level)}`);
}

const SHA_PIN = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_./-]+@[0-9a-f]{40}$/;
const VERSION_COMMENT = /^\s+#\s+v\d+\.\d+\.\d+\s*$/;
const USES_LINE = /^\s*(?:-\s+)?uses:\s*['"]?([^\s'"#]+)['"]?(.*)$/;

function allSteps(workflow: unknown): Yaml[] {
  if (!isMapping(workflow) || !isMapping(workflow.jobs)) return [];
  return Object.values(workflow.jobs).flatMap((job) =>
    isMapping(job) && Array.isArray(job.steps) ? job.steps.filter(isMapping) : [],
  );
}

/**
 * Every action that is not in this repository is pinned to a full commit SHA (a tag can be moved
 * to other code; a SHA cannot), with a `# vX.Y.Z` comment saying which release that SHA is.
 */
function pinProblems(name: string, text: string, workflow: unknown): string[] {
  const problems: string[] = [];
  const commented = new Set<string>();
  text.split('\n').forEach((line, index) => {
    const match = USES_LINE.exec(line);
    if (!match?.[1] || match[1].startsWith('./')) return;
    if (!SHA_PIN.test(match[1])) {
      problems.push(`${name}:${index + 1}: ${match[1]} is not pinned to a 40-hex commit SHA`);
    } else if (!VERSION_COMMENT.test(match[2] ?? '')) {
      problems.push(`${name}:${index + 1}: ${match[1]} has no '# vX.Y.Z' comment`);
    } else {
      commented.add(match[1]);
    }
  });
  // Flow-style steps ({ uses: ... }) escape the line scan; the parsed steps catch them.
  for (const step of allSteps(workflow)) {
    const uses = step.uses;
    if (typeof uses !== 'string' || uses.startsWith('./') || commented.has(uses)) continue;
    if (!problems.some((p) => p.includes(` ${uses} `))) {
      problems.push(
        `${name}: ${uses} is not pinned on its own 'uses:' line with a version comment`,
      );
    }
  }
  return problems;
}

/** The same action at two different SHAs across workflows is a half-done upgrade. */
function pinConsistencyProblems(texts: ReadonlyMap<string, string>): string[] {
  const seen = new Map<string, { sha: string; file: string }>();
  const problems: string[] = [];
  for (const [file, text] of texts) {
    for (const line of text.split('\n')) {
      const uses = USES_LINE.exec(line)?.[1];
      if (!uses || !SHA_PIN.test(uses)) continue;
      const [action = '', sha = ''] = uses.split('@');
      const first = seen.get(action);
      if (!first) seen.set(action, { sha, file });
      else if (first.sha !== sha) {
        problems.push(`${action}: ${first.sha} in ${first.file} but ${sha} in ${file}`);
      }
    }
  }
  return problems;
}

const NPM_SCRIPT = /\bnpm\s+(?:run(?:-script)?|rum|urn)\s+([A-Za-z0-9:._-]+)/g;
const NPM_LIFECYCLE = /\bnpm\s+(test|t|start|stop|restart)\b/g;
const LIFECYCLE_SCRIPT: Record<string, string> = { t: 'test' };
const REPO_PATH = /(?<![\w/.-])(\.\/)?((?:scripts|\.ci)\/[A-Za-z0-9_./-]+)/g;

/** Every `npm run X`/`npm test` names a script in package.json, and every scripts/ path exists. */
function runProblems(
  name: string,
  workflow: unknown,
  scripts: ReadonlySet<string>,
  files: FileCheck,
): string[] {
  const problems: string[] = [];
  for (const step of allSteps(workflow)) {
    if (typeof step.run !== 'string') continue;
    const run = step.run;
    for (const [, script = ''] of run.matchAll(NPM_SCRIPT)) {
      if (!scripts.has(script)) problems.push(`${name}: 'npm run ${script}': no such npm script`);
    }
    for (const [, command = ''] of run.matchAll(NPM_LIFECYCLE)) {
      const script = LIFECYCLE_SCRIPT[command] ?? command;
      if (!scripts.has(script)) problems.push(`${name}: 'npm ${command}': no such npm script`);
    }
    for (const [, dotSlash, path = ''] of run.matchAll(REPO_PATH)) {
      if (!files.exists(path)) problems.push(`${name}: ${path}: no such file`);
      else if (dotSlash && !files.executable(path)) {
        problems.push(`${name}: ./${path} is run directly but is not executable`);
      }
    }
  }
  return problems;
}

function workflowProblems(
  name: string,
  text: string,
  scripts: ReadonlySet<string>,
  files: FileCheck,
): string[] {
  const parsed = parseYaml(name, text);
  if (parsed.problems.length > 0) return parsed.problems;
  return [
    ...structureProblems(name, parsed.value),
    ...permissionProblems(name, parsed.value),
    ...pinProblems(name, text, parsed.value),
    ...runProblems(name, parsed.value, scripts, files),
  ];
}

function globMatches(pattern: string, name: string): boolean {
  const source = pattern
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\/]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${source}$`).test(name);
}

const REQUIRED_GROUPS: Record<string, string[]> = {
  'aws-sdk': ['@aws-sdk/*'],
  'octokit-probot': ['@octokit/*', 'probot', '@actions/*'],
  'dev-tools': [
    'eslint',
    'prettier',
    'typescript',
    'jest',
    'ts-jest',
    'tsx',
    '@types/*',
    '@stryker-mutator/*',
    '@vercel/ncc',
  ],
};

function dependabotProblems(
  text: string,
  dependencies: { all: string[]; dev: string[] },
): string[] {
  const parsed = parseYaml('dependabot.yml', text);
  if (parsed.problems.length > 0) return parsed.problems;
  const config = parsed.value;
  if (!isMapping(config)) return ['dependabot.yml: not a mapping'];
  const problems: string[] = [];
  if (config.version !== 2) problems.push('dependabot.yml: version must be 2');
  const updates = Array.isArray(config.updates) ? config.updates.filter(isMapping) : [];
  const update = (ecosystem: string) => updates.find((u) => u['package-ecosystem'] === ecosystem);
  for (const ecosystem of ['npm', 'github-actions']) {
    const entry = update(ecosystem);
    if (!entry) {
      problems.push(`dependabot.yml: no ${ecosystem} updates`);
      continue;
    }
    if (entry.directory !== '/') problems.push(`dependabot.yml: ${ecosystem} directory is not /`);
    const schedule = entry.schedule;
    if (!isMapping(schedule) || schedule.interval !== 'weekly') {
      problems.push(`dependabot.yml: ${ecosystem} is not updated weekly`);
    }
  }
  const groups = update('npm')?.groups;
  const patternsOf = (group: string): string[] => {
    const entry = isMapping(groups) ? groups[group] : undefined;
    return isMapping(entry) && Array.isArray(entry.patterns) ? entry.patterns.map(String) : [];
  };
  for (const [group, required] of Object.entries(REQUIRED_GROUPS)) {
    const patterns = patternsOf(group);
    for (const pattern of required) {
      if (!patterns.includes(pattern)) problems.push(`dependabot.yml: ${group} lacks ${pattern}`);
    }
    for (const pattern of patterns) {
      if (!dependencies.all.some((dep) => globMatches(pattern, dep))) {
        problems.push(`dependabot.yml: ${group} pattern ${pattern} matches no dependency`);
      }
    }
  }
  // A development tool outside every group would get a pull request of its own each week.
  const grouped = Object.keys(REQUIRED_GROUPS).flatMap(patternsOf);
  for (const dep of dependencies.dev) {
    if (!grouped.some((pattern) => globMatches(pattern, dep))) {
      problems.push(`dependabot.yml: devDependency ${dep} is in no group`);
    }
  }
  return problems;
}

function readWorkflows(): Map<string, string> {
  const names = readdirSync(WORKFLOWS_DIR).filter((f) => /\.ya?ml$/.test(f));
  return new Map(names.map((f) => [f, readFileSync(join(WORKFLOWS_DIR, f), 'utf8')]));
}

function parsedWorkflow(file: string): Yaml {
  const value = parseDocument(readFileSync(join(WORKFLOWS_DIR, file), 'utf8')).toJS() as unknown;
  if (!isMapping(value)) throw new Error(`${file} is not a mapping`);
  return value;
}

function runCommands(workflow: Yaml): string {
  return allSteps(workflow)
    .map((step) => (typeof step.run === 'string' ? step.run : ''))
    .join('\n');
}

describe('the repository workflows', () => {
  const workflows = readWorkflows();
  const scripts = readPackageScripts();

  it('include ci, check-dist and release', () => {
    expect([...workflows.keys()].sort()).toEqual(
      expect.arrayContaining(['check-dist.yml', 'ci.yml', 'release.yml']),
    );
  });

  it.each([...workflows.keys()])(
    '%s parses, has what GitHub requires, pins actions and names real scripts',
    (file) => {
      expect(workflowProblems(file, workflows.get(file) ?? '', scripts, repoFiles)).toEqual([]);
    },
  );

  it('pin each action to one SHA across all workflows', () => {
    expect(pinConsistencyProblems(workflows)).toEqual([]);
  });

  it('ci runs lint, typecheck and the README test command on Node 22 and 24', () => {
    const ci = parsedWorkflow('ci.yml');
    expect(Object.keys(ci.on as Yaml).sort()).toEqual(['pull_request', 'push']);
    const job = (ci.jobs as Record<string, Yaml>).test;
    expect((job?.strategy as { matrix?: { node?: unknown } }).matrix?.node).toEqual([22, 24]);
    const runs = runCommands(ci);
    for (const command of ['npm ci', 'npm run lint', 'npm run typecheck', 'npm test']) {
      expect(runs).toContain(command);
    }
    expect(runs).toContain('pip install "moto[server]"');
    expect(runs).toMatch(/apt-get install -y podman buildah docker-registry apache2-utils/);
    expect(ci.concurrency).toMatchObject({ 'cancel-in-progress': true });
  });

  it('check-dist rebuilds, fails on a diff and uploads the expected dist only then', () => {
    const checkDist = parsedWorkflow('check-dist.yml');
    const runs = runCommands(checkDist);
    expect(runs).toContain('npm run build');
    expect(runs).toContain('git diff --exit-code');
    const upload = allSteps(checkDist).find((s) => String(s.uses).includes('upload-artifact'));
    expect(upload?.if).toMatch(/failure\(\)/);
    expect(upload?.with).toMatchObject({ path: 'dist/' });
  });

  it('release runs on vX.Y.Z tags, writes only in its job and moves the major tag', () => {
    const release = parsedWorkflow('release.yml');
    expect(release.on).toEqual({ push: { tags: ['v*.*.*'] } });
    const job = (release.jobs as Record<string, Yaml>).release;
    expect(job?.permissions).toEqual({ contents: 'write' });
    const runs = runCommands(release);
    expect(runs).toContain('git diff --exit-code');
    expect(runs).toMatch(/bash scripts\/changelog-section\.sh "\$GITHUB_REF_NAME"/);
    expect(runs).toMatch(/gh release create "\$GITHUB_REF_NAME"[^]*--notes-file/);
    expect(runs).toMatch(/git tag -f "\$major"/);
    expect(runs).toMatch(/git push -f origin "refs\/tags\/\$major"/);
    const createStep = allSteps(release).find((s) => String(s.run).includes('gh release create'));
    expect(createStep?.env).toEqual({ GH_TOKEN: '${{ secrets.GITHUB_TOKEN }}' });
  });
});

describe('the workflow rules catch', () => {
  const scripts = new Set(['build', 'test', 'lint']);
  const files: FileCheck = {
    exists: (path) => path === 'scripts/there.sh' || path === 'scripts/not-executable.sh',
    executable: (path) => path === 'scripts/there.sh',
  };
  const pinned = 'actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1 # v7.0.1';
  const workflow = (steps: string, extra = '') =>
    [
      'on: push',
      'permissions: { contents: read }',
      extra,
      'jobs:',
      '  build:',
      '    runs-on: ubuntu-latest',
      '    steps:',
      steps,
    ].join('\n');

  it('nothing in a good workflow', () => {
    const text = workflow(
      [
        `      - uses: ${pinned}`,
        '      - uses: ./.github/actions/local',
        '      - run: npm run build && npm test && bash scripts/there.sh && ./scripts/there.sh',
      ].join('\n'),
    );
    expect(workflowProblems('good.yml', text, scripts, files)).toEqual([]);
  });

  it.each([
    ['YAML that does not parse', 'on: push\njobs: [\n', /Flow sequence|Missing|Unexpected/],
    ['a duplicated key', 'on: push\non: pull_request\njobs: {}\n', /unique/i],
    ['no on', workflow('      - run: npm test').replace('on: push', ''), /no 'on'/],
    ['no jobs', 'on: push\npermissions: { contents: read }\n', /no 'jobs'/],
    [
      'a job without runs-on',
      workflow('      - run: npm test').replace('runs-on: ubuntu-latest', 'name: x'),
      /jobs\.build: no 'runs-on'/,
    ],
    [
      'a job without steps',
      'on: push\npermissions: { contents: read }\njobs:\n  a: { runs-on: ubuntu-latest }\n',
      /jobs\.a: no 'steps'/,
    ],
    ['a step with neither', workflow('      - name: nothing'), /steps\[0\]: needs exactly one/],
    [
      'a step with both',
      workflow(`      - uses: ${pinned}\n        run: npm test`),
      /steps\[0\]: needs exactly one/,
    ],
    [
      'no top-level permissions',
      workflow('      - run: npm test').replace('permissions: { contents: read }', ''),
      /top-level 'permissions'/,
    ],
    [
      'write-all at the top',
      workflow('      - run: npm test').replace('{ contents: read }', 'write-all'),
      /top-level 'permissions'/,
    ],
    [
      'a write scope at the top',
      workflow('      - run: npm test').replace('contents: read', 'contents: write'),
      /top-level permission contents: write/,
    ],
    ['a tag', workflow('      - uses: actions/checkout@v4'), /not pinned to a 40-hex/],
    [
      'a short SHA',
      workflow('      - uses: actions/checkout@3d3c42e # v7.0.1'),
      /not pinned to a 40-hex/,
    ],
    [
      'a SHA without its version',
      workflow('      - uses: actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1'),
      /has no '# vX\.Y\.Z' comment/,
    ],
    [
      'a major-only version comment',
      workflow('      - uses: actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1 # v7'),
      /has no '# vX\.Y\.Z' comment/,
    ],
    [
      'a flow-style step',
      workflow('      - { uses: actions/checkout@v4 }'),
      /actions\/checkout@v4 is not pinned/,
    ],
    ['an npm script that is missing', workflow('      - run: npm run bild'), /npm run bild/],
    ['a lifecycle script that is missing', workflow('      - run: npm start'), /npm start/],
    [
      'a script file that is missing',
      workflow('      - run: bash scripts/gone.sh 1.0.0'),
      /scripts\/gone\.sh: no such file/,
    ],
    [
      'a .ci file that is missing',
      workflow('      - run: bash .ci/gone'),
      /\.ci\/gone: no such file/,
    ],
    [
      'a script run directly that is not executable',
      workflow('      - run: ./scripts/not-executable.sh'),
      /not executable/,
    ],
  ])('%s', (_what, text, problem) => {
    const problems = workflowProblems('bad.yml', text, scripts, files);
    expect(problems).toHaveLength(1);
    expect(problems.join('\n')).toMatch(problem);
  });

  it('one action at two SHAs', () => {
    const a = '  - uses: actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1 # v7.0.1';
    const b = '  - uses: actions/checkout@de0fac2e4500dabe0009e67214ff5f5447ce83dd # v6.0.2';
    expect(
      pinConsistencyProblems(
        new Map([
          ['a.yml', a],
          ['b.yml', b],
        ]),
      ),
    ).toEqual([
      'actions/checkout: 3d3c42e5aac5ba805825da76410c181273ba90b1 in a.yml but de0fac2e4500dabe0009e67214ff5f5447ce83dd in b.yml',
    ]);
  });
});

describe('dependabot.yml', () => {
  const text = readFileSync(join(ROOT, '.github', 'dependabot.yml'), 'utf8');

  it('updates npm and actions weekly in the aws-sdk, octokit-probot and dev-tools groups', () => {
    expect(dependabotProblems(text, readPackageDependencies())).toEqual([]);
  });

  it.each([
    ['a missing group', text.replace('aws-sdk:', 'aws:'), /aws-sdk lacks @aws-sdk\/\*/],
    ['a missing pattern', text.replace("'@vercel/ncc'", "'@vercel/nft'"), /lacks @vercel\/ncc/],
    ['a dead pattern', text.replace("'@vercel/ncc'", "'@vercel/nft'"), /@vercel\/nft matches no/],
    ['no actions updates', text.replace('github-actions', 'docker'), /no github-actions updates/],
    ['a monthly schedule', text.replace(/weekly/g, 'monthly'), /npm is not updated weekly/],
  ])('catches %s', (_what, broken, problem) => {
    expect(dependabotProblems(broken, readPackageDependencies()).join('\n')).toMatch(problem);
  });

  it('catches a development tool in no group', () => {
    const deps = readPackageDependencies();
    const problems = dependabotProblems(text, { all: deps.all, dev: [...deps.dev, 'vitest'] });
    expect(problems).toEqual(['dependabot.yml: devDependency vitest is in no group']);
  });
});

describe('scripts/changelog-section.sh', () => {
  const section = (...args: string[]) => {
    const result = spawnSync('bash', [CHANGELOG_SCRIPT, ...args], { cwd: ROOT, encoding: 'utf8' });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
  };

  it("prints 1.0.0's section of CHANGELOG.md and nothing of another", () => {
    const changelog = readFileSync(join(ROOT, 'CHANGELOG.md'), 'utf8');
    const { status, stdout, stderr } = section('1.0.0', 'CHANGELOG.md');
    expect({ status, stderr }).toEqual({ status: 0, stderr: '' });
    expect(stdout).toMatch(/^\S/);
    expect(stdout).toContain('### Added');
    expect(stdout).not.toMatch(/^## /m);
    // the section is the text between its heading and the next one, verbatim
    const start = changelog.indexOf('## [1.0.0] - 2026-12-03\n');
    const next = changelog.indexOf('\n## ', start + 1);
    const body = changelog.slice(start, next === -1 ? undefined : next + 1);
    expect(body.split('\n').slice(1).join('\n').trim() + '\n').toBe(stdout);
  });

  it('fails naming 9.9.9 when CHANGELOG.md has no such section', () => {
    const { status, stdout, stderr } = section('9.9.9', 'CHANGELOG.md');
    expect(status).not.toBe(0);
    expect(stdout).toBe('');
    expect(stderr).toContain('9.9.9');
  });

  describe('on a changelog with neighbours and link definitions', () => {
    const dir = mkdtempSync(join(tmpdir(), 'changelog-'));
    const file = join(dir, 'CHANGELOG.md');
    writeFileSync(
      file,
      [
        '# Changelog',
        '',
        '## [Unreleased]',
        '',
        '- unreleased work',
        '',
        '## [1.1.0] - 2026-12-10',
        '',
        '### Fixed',
        '',
        '- one-one fix',
        '',
        '## [1x1x0] - 2026-12-09',
        '',
        '- a heading whose dots are not dots',
        '',
        '## [1.0.0] - 2026-12-03',
        '',
        '- one-zero feature',
        '',
        '## [0.9.0] - 2026-11-01',
        '',
        '[unreleased]: https://example.com/compare/v1.1.0...HEAD',
        '[1.1.0]: https://example.com/compare/v1.0.0...v1.1.0',
        '',
      ].join('\n'),
    );
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it.each([
      ['1.1.0', '### Fixed\n\n- one-one fix\n'],
      ['v1.1.0', '### Fixed\n\n- one-one fix\n'],
      ['1.0.0', '- one-zero feature\n'],
      ['Unreleased', '- unreleased work\n'],
    ])('%s prints only its own lines', (version, expected) => {
      expect(section(version, file)).toEqual({ status: 0, stdout: expected, stderr: '' });
    });

    it.each([
      ['1.0', /no section for version 1\.0 /],
      ['1.2.0', /no section for version 1\.2\.0 /],
      ['0.9.0', /section for version 0\.9\.0 .* is empty/],
    ])('%s fails and says why', (version, message) => {
      const { status, stdout, stderr } = section(version, file);
      expect(status).toBe(1);
      expect(stdout).toBe('');
      expect(stderr).toMatch(message);
    });

    it('refuses to run without a version', () => {
      expect(section().status).toBe(2);
    });
  });
});

describe('CHANGELOG.md', () => {
  it('keeps an Unreleased section first and dates every version', () => {
    const headings = readFileSync(join(ROOT, 'CHANGELOG.md'), 'utf8')
      .split('\n')
      .filter((line) => line.startsWith('## '));
    expect(headings[0]).toBe('## [Unreleased]');
    for (const heading of headings.slice(1)) {
      expect(heading).toMatch(/^## \[\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?\] - \d{4}-\d{2}-\d{2}$/);
    }
    expect(headings).toContain('## [1.0.0] - 2026-12-03');
  });
});
