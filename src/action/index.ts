import * as core from '@actions/core';
import { errorMessage } from '../core/errors.js';
import { isPostStep, markMainStep } from './registry-logins.js';
import { logOutOfRegistries } from './registry-logout.js';
import { runAction } from './run-action.js';

// The runner starts this file for both `main:` and `post:` (action.yml). The only place the step
// is failed: everything below throws with a message that names its cause.
function fail(error: unknown): void {
  // The stack is for a bug report, so it goes to the debug log (shown when step debug logging is
  // on). dist/ is minified; ncc's sourcemap-register.cjs, which dist/index.js loads first, maps
  // each frame back to src/*.ts from the .map files when the stack is read, so nothing is paid
  // for source maps at start-up (Node's own --enable-source-maps would parse them all up front).
  if (error instanceof Error && error.stack) core.debug(error.stack);
  core.setFailed(errorMessage(error));
}

if (isPostStep()) {
  logOutOfRegistries().catch(fail);
} else {
  markMainStep();
  runAction().catch(fail);
}
