import { resolve } from 'node:path';
import { errorMessage } from '../core/errors.js';
import { run } from '../core/process.js';

const CHECKOUT_HINT =
  "check out the pull request's head first: actions/checkout with 'ref: ${{ github.event.pull_request.head.sha }}'";

/**
 * Fails unless the build context is checked out at `sha`. On pull_request events the default
 * checkout is the temporary merge commit (GITHUB_SHA), whose tree is neither the PR's head nor any
 * commit the image could be tagged with. The Action does not re-check out the commit itself: that
 * would change the workspace under the job's other steps (which then tested a different tree than
 * the one previewed) and needs history and credentials a shallow checkout may not keep.
 */
export async function assertCheckoutAt(
  context: string,
  sha: string,
  env: NodeJS.ProcessEnv,
): Promise<void> {
  let checkedOut: string;
  try {
    checkedOut = (await run('git', ['rev-parse', 'HEAD'], { cwd: resolve(context), env })).trim();
  } catch (error) {
    throw new Error(
      `cannot tell which commit the build context '${context}' holds (${errorMessage(error).split('\n').pop() ?? ''}); ${CHECKOUT_HINT}`,
      { cause: error },
    );
  }
  if (checkedOut !== sha) {
    throw new Error(
      `the build context '${context}' is at commit ${checkedOut.slice(0, 12)}, not the pull request's head ${sha.slice(0, 12)} (the default checkout of a pull_request event is a temporary merge commit); ${CHECKOUT_HINT}`,
    );
  }
}
