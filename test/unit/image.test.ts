import { describe, expect, it } from '@jest/globals';
import { buildArguments, ociLabels } from '../../src/core/image/build-arguments.js';
import { ecrRegistry, parseImageReference } from '../../src/core/image/image-reference.js';

const DIGEST = 'sha256:' + 'b'.repeat(64);

describe('parseImageReference', () => {
  it.each([
    ['nginx', { registry: 'docker.io', repository: 'library/nginx' }],
    ['nginx:1.27', { registry: 'docker.io', repository: 'library/nginx', tag: '1.27' }],
    ['acme/web:v1', { registry: 'docker.io', repository: 'acme/web', tag: 'v1' }],
    ['127.0.0.1:5000/web:abc', { registry: '127.0.0.1:5000', repository: 'web', tag: 'abc' }],
    ['localhost/team/web', { registry: 'localhost', repository: 'team/web' }],
    [
      `123456789012.dkr.ecr.eu-west-1.amazonaws.com/web@${DIGEST}`,
      {
        registry: '123456789012.dkr.ecr.eu-west-1.amazonaws.com',
        repository: 'web',
        digest: DIGEST,
      },
    ],
  ])('parses %s', (reference, expected) => {
    expect(parseImageReference(reference)).toEqual(expected);
  });

  it.each(['', 'web@sha256:short', 'registry.io/'])('rejects %j', (reference) => {
    expect(() => parseImageReference(reference)).toThrow('is not an image reference');
  });
});

describe('ecrRegistry', () => {
  it.each([
    [
      '123456789012.dkr.ecr.us-east-1.amazonaws.com',
      { account: '123456789012', region: 'us-east-1' },
    ],
    [
      '123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn',
      { account: '123456789012', region: 'cn-north-1' },
    ],
    ['ghcr.io', undefined],
    ['127.0.0.1:5000', undefined],
  ])('reads %s', (host, expected) => {
    expect(ecrRegistry(host)).toEqual(expected);
  });
});

describe('buildArguments', () => {
  const request = {
    context: 'app',
    dockerfile: 'app/Dockerfile.prod',
    buildArgs: { VERSION: '1.2', EMPTY: '' },
    target: 'runtime',
    platforms: [] as string[],
    tags: ['r/web:abc', 'r/web:latest'],
    labels: { 'org.opencontainers.image.revision': 'abc' },
    cacheFrom: [],
    cacheTo: [],
    secrets: [],
    noCache: false,
    pull: false,
  };

  it('builds and pushes in one buildx call for docker, with a metadata file for the digest', () => {
    expect(buildArguments('docker', request, '/tmp/m.json')).toEqual([
      'buildx',
      'build',
      '--file',
      'app/Dockerfile.prod',
      '--build-arg',
      'VERSION=1.2',
      '--build-arg',
      'EMPTY=',
      '--target',
      'runtime',
      '--label',
      'org.opencontainers.image.revision=abc',
      '--tag',
      'r/web:abc',
      '--tag',
      'r/web:latest',
      '--push',
      '--metadata-file',
      '/tmp/m.json',
      'app',
    ]);
  });

  it('tags every reference for a single-platform podman build', () => {
    const args = buildArguments('podman', request, '/unused');
    expect(args.slice(0, 1)).toEqual(['build']);
    expect(args).toContain('--tag');
    expect(args).not.toContain('--push');
    expect(args.at(-1)).toBe('app');
  });

  it('builds a manifest list for several platforms with podman', () => {
    const args = buildArguments(
      'podman',
      { ...request, platforms: ['linux/amd64', 'linux/arm64'] },
      '/unused',
    );
    expect(args).toEqual(
      expect.arrayContaining(['--platform', 'linux/amd64,linux/arm64', '--manifest', 'r/web:abc']),
    );
    expect(args).not.toContain('--tag');
  });
});

describe('ociLabels', () => {
  it('ties the image to its commit and repository', () => {
    expect(
      ociLabels(
        {
          GITHUB_REPOSITORY: 'acme/web',
          GITHUB_SERVER_URL: 'https://ghe.acme.dev',
          GITHUB_REF_NAME: 'main',
        },
        'abc',
      ),
    ).toEqual({
      'org.opencontainers.image.revision': 'abc',
      'org.opencontainers.image.source': 'https://ghe.acme.dev/acme/web',
      'org.opencontainers.image.url': 'https://ghe.acme.dev/acme/web',
      'org.opencontainers.image.title': 'web',
      'org.opencontainers.image.version': 'main',
    });
  });
});
