import { describe, expect, it } from '@jest/globals';
import { postStepEnv, runActionProcess } from '../support/action-process.js';

// The bundle's entry (src/action/index.ts) as a runner starts it: dist/ is minified, so a stack is
// only worth reading if its frames point back at src/*.ts through the source maps shipped beside
// each chunk. No AWS call is made here: both runs stop before any client is created.
const SHA = '0123456789abcdef0123456789abcdef01234567';

describe('the bundled entry', () => {
  it("prints a failed step's stack to the debug log with frames in src/*.ts, not dist/", async () => {
    const run = await runActionProcess({}, { GITHUB_SHA: SHA });

    expect(run.status).toBe(1);
    expect(run.log).toContain("::error::Input 'cluster': required");
    const debug = run.log.split('\n').find((line) => line.startsWith('::debug::InputError'));
    // The runner's command format escapes the stack's newlines as %0A.
    const frames = (debug ?? '').split('%0A').slice(1);
    expect(frames.join('\n')).toMatch(
      /at parseSettings \(\S*\/src\/action\/settings\.ts:\d+:\d+\)/,
    );
    expect(frames.join('\n')).toMatch(/at runAction \(\S*\/src\/action\/run-action\.ts:\d+:\d+\)/);
    expect(frames.filter((frame) => /index\.js:\d+:\d+/.test(frame))).toEqual([]);
  });

  it('post step: a saved login list that is not host names runs no logout at all', async () => {
    const run = await runActionProcess(
      {},
      {
        GITHUB_SHA: SHA,
        ...postStepEnv({
          post: 'true',
          'registry-logins': JSON.stringify([
            { builder: 'docker', registry: '--help' },
            { builder: 'podman', registry: 'registry.example.com' },
          ]),
        }),
      },
    );

    expect(run.status).toBe(0);
    expect(run.log).toContain('::debug::No registry login to undo');
    expect(run.log).not.toMatch(/Logged out|Not logged in|Could not log out/);
  });
});
