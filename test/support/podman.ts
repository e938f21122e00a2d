import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface PodmanEnv {
  /** Variables to merge over `process.env` for any `podman`/`buildah` child process. */
  env: Record<string, string>;
  cleanup(): Promise<void>;
}

/**
 * An isolated podman setup in a temp dir: plain `podman build|push|login` then work on this machine
 * (no Docker engine, no overlay, no network) without flags, so production code that just runs
 * `podman ...` is tested as it is.
 */
export async function podmanEnv(options: { insecureRegistries: string[] }): Promise<PodmanEnv> {
  const dir = await mkdtemp(join(tmpdir(), 'ecs-paas-podman-'));
  const path = (name: string): string => join(dir, name);
  await mkdir(path('copy-tmp'));

  // vfs works on any filesystem, including the overlay a CI container runs on.
  await writeFile(
    path('storage.conf'),
    `[storage]\n${keys({ driver: 'vfs', graphroot: path('graph'), runroot: path('run') })}`,
  );
  // No search registries: a short name must fail here rather than reach docker.io.
  const registries = options.insecureRegistries.map((location) => ({ location, insecure: true }));
  await writeFile(
    path('registries.conf'),
    `unqualified-search-registries = []\n${registries.map((r) => `\n[[registry]]\n${keys(r)}`).join('')}`,
  );
  // The default tmp dir (/run/libpod) and events log are shared by every podman on the host; parallel
  // test files must not see each other's state there.
  await writeFile(
    path('containers.conf'),
    `[engine]\n${keys({
      tmp_dir: path('libpod-tmp'),
      events_logger: 'file',
      events_logfile_path: path('events.log'),
      image_copy_tmp_dir: path('copy-tmp'),
      cgroup_manager: 'cgroupfs',
    })}`,
  );
  // podman push fails on a missing auth file instead of treating it as empty.
  await writeFile(path('auth.json'), JSON.stringify({ auths: {} }));

  const env = {
    CONTAINERS_CONF: path('containers.conf'),
    CONTAINERS_STORAGE_CONF: path('storage.conf'),
    CONTAINERS_REGISTRIES_CONF: path('registries.conf'),
    REGISTRY_AUTH_FILE: path('auth.json'),
    BUILDAH_ISOLATION: 'chroot',
  };
  const cleanup = (): Promise<void> => rm(dir, { recursive: true, force: true });
  try {
    await run('podman', ['info'], { env: { ...process.env, ...env } });
  } catch (error) {
    await cleanup();
    throw new Error(`podman does not work with the test setup in ${dir}: ${String(error)}`, {
      cause: error,
    });
  }
  return { env, cleanup };
}

/** A build context that needs no base image and no network; returns its directory. */
export async function writeScratchContext(
  dir: string,
  files: Record<string, string> = { 'hello.txt': 'hello from ecs-paas tests\n' },
): Promise<string> {
  await mkdir(dir, { recursive: true });
  const copies = Object.keys(files).map((name) => `COPY ${name} /${name}`);
  await writeFile(join(dir, 'Containerfile'), ['FROM scratch', ...copies, ''].join('\n'));
  for (const [name, content] of Object.entries(files)) {
    await mkdir(dirname(join(dir, name)), { recursive: true });
    await writeFile(join(dir, name), content);
  }
  return dir;
}

// JSON string escapes are valid TOML basic-string escapes.
function keys(values: Record<string, string | boolean>): string {
  return Object.entries(values)
    .map(([key, value]) => `${key} = ${JSON.stringify(value)}\n`)
    .join('');
}
