import { spawnSync } from 'node:child_process';

// Jest loads this file outside its module mapper, so it imports only Node built-ins and packages,
// never sibling files with `.js` specifiers.

/** The external tools the real-server tests need, and the one command that installs each. */
const REQUIRED_TOOLS = [
  { command: 'moto_server', probe: ['--help'], install: 'pip install "moto[server]"' },
  { command: 'podman', probe: ['--version'], install: 'apt-get install -y podman buildah' },
  { command: 'docker-registry', probe: ['--version'], install: 'apt-get install -y docker-registry' },
] as const;

/** Fails with one line per missing tool, naming its install command; never skips silently. */
function assertToolsInstalled(): void {
  const missing = REQUIRED_TOOLS.filter(
    (tool) => spawnSync(tool.command, tool.probe, { stdio: 'ignore' }).status !== 0,
  );
  if (missing.length > 0) {
    throw new Error(
      missing.map((tool) => `${tool.command} is not installed: run \`${tool.install}\``).join('\n'),
    );
  }
}

/** Runs once before all test files: a missing tool fails the whole run with its install command. */
export default function globalSetup(): void {
  assertToolsInstalled();
}
