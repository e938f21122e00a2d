import * as core from '@actions/core';
import type { Logger } from '../core/logger.js';

/** The core's Logger over the runner's log commands (groups fold, secrets are masked). */
export const actionsLogger: Logger = {
  info: (message) => core.info(message),
  warning: (message) => core.warning(message),
  debug: (message) => core.debug(message),
  group: (title, work) => core.group(title, work),
  secret: (value) => core.setSecret(value),
};
