import { errorMessage } from '../core/errors.js';
import { run } from '../core/process.js';
import { actionsLogger as log } from './actions-logger.js';
import { savedLogins } from './registry-logins.js';

/**
 * The post step: logs out of every registry the main step logged into, so no ECR token stays in
 * the docker or podman credential store of a (self-hosted, reused) runner. Throws when a logout
 * failed: a token left behind must show as a failed step, not a line nobody reads.
 */
export async function logOutOfRegistries(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const logins = savedLogins();
  if (logins.length === 0) {
    log.debug('No registry login to undo');
    return;
  }
  const failed: string[] = [];
  for (const { builder, registry } of logins) {
    try {
      await run(builder, ['logout', registry], { env });
      log.info(`Logged out of ${registry} (${builder})`);
    } catch (error) {
      const message = errorMessage(error);
      // podman says so when the main step failed before its login stored anything.
      if (/not logged in/i.test(message)) {
        log.info(`Not logged in to ${registry} (${builder}); nothing to undo`);
        continue;
      }
      failed.push(`${registry} (${builder}): ${message}`);
    }
  }
  if (failed.length > 0) {
    throw new Error(
      `Could not log out of ${failed.join('; ')}. The registry token stays in this runner's credential store until it expires (12 hours for ECR); run '<builder> logout <registry>' on the runner.`,
    );
  }
}
