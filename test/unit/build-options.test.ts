import { readFileSync } from 'node:fs';
import { mkdtemp, readdir, rm, stat, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { parse } from 'yaml';
import { buildArguments, type BuildRequest } from '../../src/core/image/build-arguments.js';
import { cacheCredentials } from '../../src/core/image/build-cache.js';
import { parseBuildOptions, type BuildOptions } from '../../src/core/image/build-options.js';
import { maskSecrets, mountSecrets } from '../../src/core/image/build-secrets.js';
import { silentLogger } from '../../src/core/logger.js';

type Builder = 'docker' | 'podman';

function options(inputs: Record<string, string>, builder: Builder = 'docker'): BuildOptions {
  return parseBuildOptions((name) => inputs[name] ?? '', builder);
}

/** The command line for a build with these inputs and nothing else. */
function args(inputs: Record<string, string>, builder: Builder): string[] {
  const { secrets: _secrets, ...parsed } = options(inputs, builder);
  const request: BuildRequest = {
    context: '.',
    buildArgs: {},
    platforms: [],
    tags: ['r/web:abc'],
    ...parsed,
    secrets: [],
  };
  return buildArguments(builder, request, '/tmp/m.json');
}

/** The arguments between the fixed ones, in order, for a table of cases to read. */
function extra(inputs: Record<string, string>, builder: Builder): string[] {
  const all = args(inputs, builder);
  const fixed = new Set(['buildx', 'build', '--tag', 'r/web:abc', '--push', '--metadata-file']);
  return all.filter((arg) => !fixed.has(arg) && arg !== '/tmp/m.json' && arg !== '.');
}

describe('parseBuildOptions', () => {
  it('reads only inputs that action.yml declares', () => {
    const declared = Object.keys(
      (parse(readFileSync('action.yml', 'utf8')) as { inputs: Record<string, unknown> }).inputs,
    );
    const read: string[] = [];
    parseBuildOptions((name) => (read.push(name), ''), 'docker');
    expect(read.length).toBeGreaterThanOrEqual(9);
    expect(read.filter((name) => !declared.includes(name))).toEqual([]);
  });

  it('adds nothing when no build option is given', () => {
    expect(options({})).toEqual({
      labels: {},
      cacheFrom: [],
      cacheTo: [],
      secrets: [],
      noCache: false,
      pull: false,
    });
    expect(extra({}, 'docker')).toEqual([]);
    expect(extra({}, 'podman')).toEqual([]);
  });

  it.each<[string, Record<string, string>, Builder, string[]]>([
    [
      'gha cache both ways (buildx)',
      { 'cache-from': 'type=gha', 'cache-to': 'type=gha,mode=max' },
      'docker',
      ['--cache-from', 'type=gha', '--cache-to', 'type=gha,mode=max'],
    ],
    [
      'a registry cache and a local one, one per line, as written',
      {
        'cache-from': 'type=registry,ref=r/web:buildcache\n\n  type=local,src=/tmp/cache  ',
        'cache-to': 'type=inline',
      },
      'docker',
      [
        '--cache-from',
        'type=registry,ref=r/web:buildcache',
        '--cache-from',
        'type=local,src=/tmp/cache',
        '--cache-to',
        'type=inline',
      ],
    ],
    [
      'a bare image reference (buildx reads it as a registry cache)',
      { 'cache-from': 'r/web:buildcache' },
      'docker',
      ['--cache-from', 'r/web:buildcache'],
    ],
    [
      'a registry cache, as the repository podman takes, with --layers',
      {
        'cache-from': 'type=registry,ref=127.0.0.1:5000/web-cache',
        'cache-to': 'type=registry,ref=127.0.0.1:5000/web-cache,mode=max',
      },
      'podman',
      [
        '--layers',
        '--cache-from',
        '127.0.0.1:5000/web-cache',
        '--cache-to',
        '127.0.0.1:5000/web-cache',
      ],
    ],
    [
      'a bare repository (podman)',
      { 'cache-from': 'ghcr.io/acme/web-cache' },
      'podman',
      ['--layers', '--cache-from', 'ghcr.io/acme/web-cache'],
    ],
    [
      'no-cache and pull (buildx)',
      { 'no-cache': 'true', pull: 'true' },
      'docker',
      ['--no-cache', '--pull'],
    ],
    [
      'no-cache and pull (podman pulls always, not only what is missing)',
      { 'no-cache': 'true', pull: 'true' },
      'podman',
      ['--no-cache', '--pull=always'],
    ],
    [
      'provenance and sbom (buildx)',
      { provenance: 'mode=max', sbom: 'true' },
      'docker',
      ['--provenance=mode=max', '--sbom=true'],
    ],
    [
      'provenance: false, which buildx needs said to push a plain image',
      { provenance: 'False' },
      'docker',
      ['--provenance=false'],
    ],
    [
      'provenance and sbom off (podman makes none anyway)',
      { provenance: 'false', sbom: 'false' },
      'podman',
      [],
    ],
    [
      'labels, one KEY=VALUE per line',
      { labels: 'org.opencontainers.image.title=Web App\ncom.acme/team=payments\nEMPTY=' },
      'podman',
      [
        '--label',
        'org.opencontainers.image.title=Web App',
        '--label',
        'com.acme/team=payments',
        '--label',
        'EMPTY=',
      ],
    ],
  ])('passes %s', (_name, inputs, builder, expected) => {
    expect(extra(inputs, builder)).toEqual(expected);
  });

  it.each<[Record<string, string>, Builder, string]>([
    [
      { 'cache-from': 'type=gha' },
      'podman',
      "Input 'cache-from': 'type=gha': builder podman takes a registry repository only (type=registry,ref=<registry>/<repository>, or the repository alone); type=gha needs docker buildx",
    ],
    [
      { 'cache-to': 'type=local,dest=/tmp/c' },
      'podman',
      "Input 'cache-to': 'type=local,dest=/tmp/c': builder podman takes a registry repository only",
    ],
    [
      { 'cache-to': 'type=registry,ref=r/web:buildcache' },
      'podman',
      "Input 'cache-to': 'type=registry,ref=r/web:buildcache': podman tags the cache itself; give the repository without ':tag' or '@digest'",
    ],
    [
      { 'cache-to': 'type=registry,ref=r/web-cache,compression=zstd' },
      'podman',
      "podman has no cache option 'compression'",
    ],
    [
      { 'cache-from': 'type=registry' },
      'docker',
      "Input 'cache-from': line 1 ('type=registry'): type=registry needs ref=<repository>",
    ],
    [
      { 'cache-from': 'type=gha\ntype=s4,bucket=x' },
      'docker',
      "Input 'cache-from': line 2 ('type=s4,bucket=x'): type 's4' is not one of registry, local, gha, s3, azblob, inline",
    ],
    [
      { 'cache-from': 'r/web cache' },
      'docker',
      "Input 'cache-from': line 1 ('r/web cache') is neither type=<type>,key=value,… nor a registry repository; write one cache per line",
    ],
    [
      { 'cache-to': 'type=gha,mode' },
      'docker',
      "Input 'cache-to': line 1 ('type=gha,mode'): 'mode' is not key=value",
    ],
    [{ 'cache-to': 'ref=r/web' }, 'docker', "line 1 ('ref=r/web') has no type="],
    [
      { 'cache-from': 'type=inline' },
      'docker',
      'inline cache is read from an image; use type=registry,ref=<image> here',
    ],
    [
      { provenance: 'true' },
      'podman',
      "Input 'provenance': builder podman cannot attach provenance attestations; use builder docker (buildx) or remove 'provenance'",
    ],
    [
      { sbom: 'generator=docker/scout-sbom-indexer:latest' },
      'podman',
      "Input 'sbom': builder podman cannot attach an SBOM",
    ],
    [
      { provenance: 'max' },
      'docker',
      "Input 'provenance': 'max' is not true, false or mode=min|max",
    ],
    [
      { labels: 'title=web\nnot a label' },
      'docker',
      "Input 'labels': line 2 ('not a label') is not KEY=VALUE; write one label per line",
    ],
    [{ 'no-cache': 'sometimes' }, 'docker', "Input 'no-cache': 'sometimes' is not a boolean"],
    [{ pull: 'always' }, 'podman', "Input 'pull': 'always' is not a boolean"],
    [
      { 'secret-files': 'npmrc=/tmp/a,b' },
      'docker',
      "Input 'secret-files': line 1: '/tmp/a,b' has a comma",
    ],
    [
      { 'secret-files': 'npmrc=' },
      'docker',
      "Input 'secret-files': line 1: id 'npmrc' names no file",
    ],
    [
      { secrets: 'token=a', 'secret-files': 'token=/tmp/token' },
      'docker',
      "Input 'secret-files': id 'token' is also in 'secrets'; give each id once",
    ],
  ])('refuses %j for %s', (inputs, builder, message) => {
    expect(() => options(inputs, builder)).toThrow(message);
  });
});

describe('secrets', () => {
  it('reads id=value lines, quoted or not, keeping every character of the value', () => {
    expect(
      options({
        secrets: 'github_token=ghp_abc=def==\n"npm.token=has, a comma"\n  EMPTY=  \n',
        'secret-files': 'netrc=/home/runner/.netrc',
      }).secrets,
    ).toEqual([
      { id: 'github_token', value: 'ghp_abc=def==' },
      { id: 'npm.token', value: 'has, a comma' },
      { id: 'EMPTY', value: '' },
      { id: 'netrc', file: '/home/runner/.netrc' },
    ]);
  });

  it('names a bad line by its number only: a pasted secret is not echoed', () => {
    const pasted = 'BEGIN-PRIVATE-abcdef';
    let message = '';
    try {
      options({ secrets: `key=-----\n${pasted}\n-----` });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toBe(
      "Input 'secrets': line 2 is not id=value (an id of letters, digits, '.', '_' or '-', then '='); one secret per line, and a value of several lines goes in a file for secret-files",
    );
    expect(message).not.toContain(pasted);
  });

  it('refuses an id given twice', () => {
    expect(() => options({ secrets: 'a=1\na=2' })).toThrow(
      "Input 'secrets': line 2: id 'a' is given twice",
    );
  });

  it('passes each as --secret id=<id>,src=<file> and never its value', () => {
    const request: BuildRequest = {
      ...options({}),
      context: '.',
      buildArgs: {},
      platforms: [],
      tags: ['r/web:abc'],
      secrets: [{ id: 'token', src: '/runner/tmp/ecs-paas-secrets-x/0' }],
    };
    for (const builder of ['docker', 'podman'] as const) {
      expect(buildArguments(builder, request, '/tmp/m.json')).toEqual(
        expect.arrayContaining(['--secret', 'id=token,src=/runner/tmp/ecs-paas-secrets-x/0']),
      );
    }
  });

  it('registers each value with the log to be masked, and no empty one', () => {
    const masked: string[] = [];
    maskSecrets(
      [
        { id: 'a', value: 's3cret' },
        { id: 'b', value: '' },
        { id: 'c', file: '/tmp/c' },
      ],
      { ...silentLogger, secret: (value) => masked.push(value) },
    );
    expect(masked).toEqual(['s3cret']);
  });
});

describe('mountSecrets', () => {
  let runnerTemp: string;
  beforeAll(async () => {
    runnerTemp = await mkdtemp(join(tmpdir(), 'ecs-paas-runner-temp-'));
  });
  afterAll(() => rm(runnerTemp, { recursive: true, force: true }));

  it('writes values to owner-only files under RUNNER_TEMP, uses files as they are, and removes its own', async () => {
    const netrc = join(runnerTemp, 'netrc');
    await writeFile(netrc, 'machine example.com');
    const mounted = await mountSecrets(
      [
        { id: 'token', value: 'v4lue' },
        { id: 'netrc', file: netrc },
      ],
      { RUNNER_TEMP: runnerTemp },
    );
    expect(mounted.mounts.map((mount) => mount.id).sort()).toEqual(['netrc', 'token']);
    const token = mounted.mounts.find((mount) => mount.id === 'token')?.src ?? '';
    expect(token.startsWith(join(runnerTemp, 'ecs-paas-secrets-'))).toBe(true);
    expect(await readFile(token, 'utf8')).toBe('v4lue');
    expect((await stat(token)).mode & 0o777).toBe(0o600);
    expect(mounted.mounts.find((mount) => mount.id === 'netrc')?.src).toBe(netrc);

    await mounted.remove();
    await mounted.remove();
    expect((await readdir(runnerTemp)).sort()).toEqual(['netrc']);
  });

  it('refuses a secret file it cannot read, naming the input and writing nothing', async () => {
    const missing = join(runnerTemp, 'missing');
    await expect(
      mountSecrets(
        [
          { id: 'token', value: 'v4lue' },
          { id: 'npmrc', file: missing },
        ],
        { RUNNER_TEMP: runnerTemp },
      ),
    ).rejects.toThrow(`Input 'secret-files': 'npmrc=${missing}': cannot read ${missing}`);
    expect((await readdir(runnerTemp)).filter((name) => name.startsWith('ecs-paas-'))).toEqual([]);
  });
});

describe('credentials in cache entries', () => {
  it('are handed to the log to mask and left out of error messages', () => {
    const parsed = options({
      'cache-from':
        'type=s3,region=us-east-1,bucket=c,access_key_id=AKIAEXAMPLE,secret_access_key=wJalrEXAMPLE',
      'cache-to': 'type=gha,token=ghs_EXAMPLE,mode=max',
    });
    expect(cacheCredentials([...parsed.cacheFrom, ...parsed.cacheTo])).toEqual([
      'AKIAEXAMPLE',
      'wJalrEXAMPLE',
      'ghs_EXAMPLE',
    ]);
    expect(() => options({ 'cache-to': 'type=gha,token=ghs_EXAMPLE' }, 'podman')).toThrow(
      "Input 'cache-to': 'type=gha,token=***': builder podman takes",
    );
    expect(() => options({ 'cache-to': 'type=s5,secret_access_key=wJalrEXAMPLE' })).toThrow(
      "line 1 ('type=s5,secret_access_key=***'): type 's5' is not one of",
    );
  });
});
