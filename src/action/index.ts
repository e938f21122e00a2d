import * as core from '@actions/core';
import { errorMessage } from '../core/errors.js';
import { isPostStep, markMainStep } from './registry-logins.js';
import { logOutOfRegistries } from './registry-logout.js';
import { runAction } from './run-action.js';

// The runner starts this file for both `main:` and `post:` (action.yml). The only place the step
// is failed: everything below throws with a message that names its cause.
if (isPostStep()) {
  logOutOfRegistries().catch((error: unknown) => core.setFailed(errorMessage(error)));
} else {
  markMainStep();
  runAction().catch((error: unknown) => core.setFailed(errorMessage(error)));
}
