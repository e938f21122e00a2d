import * as core from '@actions/core';
import { errorMessage } from '../core/errors.js';
import { runAction } from './run-action.js';

// The only place the step is failed: everything below throws with a message that names its cause.
runAction().catch((error: unknown) => core.setFailed(errorMessage(error)));
