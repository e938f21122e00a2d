/**
 * The App's figures, against local servers (moto for AWS, Prism-checked GitHub): signed deliveries
 * acknowledged per second and time to acknowledge (p50/p99), time from a pull_request.opened
 * delivery to the comment carrying the URL, and the App's resident memory after 1,000 deliveries.
 */
import { readFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { deliver, startApp } from '../test/support/app-process.js';
import { pushEcrImage } from '../test/support/ecr-image.js';
import type { Moto } from '../test/support/moto.js';
import { setUpPreviewFixture } from '../test/support/preview-fixture.js';

const say = (text: string): void => void process.stdout.write(`${text}\n`);
const percentile = (values: number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
};

export async function rssMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

export async function appFigures(moto: Moto, deliveries = 1_000, concurrency = 8): Promise<void> {
  await moto.reset();
  const fixture = await setUpPreviewFixture(moto.url);
  const { api, world, ecr } = fixture;
  const app = await startApp({ githubUrl: api.url, awsEndpoint: moto.url });
  try {
    const rssStart = await rssMiB(app.pid);
    // Deliveries the App must verify, parse and route, then finds nothing to do for: ordinary
    // PR comments. What it then does is measured separately below.
    world.addPull({ number: 1, sha: randomBytes(20).toString('hex') });
    const comment = world.addComment(1, 'Looks good to me!', { login: 'octocat', type: 'User' });
    const payload = world.issueCommentEvent('created', comment);
    const latencies: number[] = [];
    let next = 0;
    const started = Date.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < deliveries) {
          next++;
          const t0 = performance.now();
          const response = await deliver(app, 'issue_comment', payload);
          latencies.push(performance.now() - t0);
          if (response.status >= 300) throw new Error(`delivery answered ${response.status}`);
        }
      }),
    );
    const seconds = (Date.now() - started) / 1_000;
    const rssEnd = await rssMiB(app.pid);
    say(`\n## App: signed deliveries (${deliveries}, ${concurrency} at a time)`);
    say(
      `acknowledged: ${(deliveries / seconds).toFixed(0)} per second; time to acknowledge p50 ${percentile(latencies, 50).toFixed(1)} ms, p99 ${percentile(latencies, 99).toFixed(1)} ms`,
    );
    say(
      `resident memory: ${rssStart.toFixed(0)} MiB after start, ${rssEnd.toFixed(0)} MiB after ${deliveries} deliveries`,
    );

    const opened: number[] = [];
    for (let n = 2; n <= 6; n++) {
      const sha = randomBytes(20).toString('hex');
      world.addPull({ number: n, sha });
      await pushEcrImage(ecr, 'web', sha);
      const t0 = performance.now();
      await deliver(app, 'pull_request', world.pullRequestEvent('opened', n));
      while (!(world.comments(n).at(-1) ?? '').includes('http://pr-'))
        await new Promise((r) => setTimeout(r, 20));
      opened.push(performance.now() - t0);
    }
    say(`\n## App: pull_request.opened → comment with the URL (5 PRs, image already in ECR, moto)`);
    say(
      `median ${percentile(opened, 50).toFixed(0)} ms (min ${Math.min(...opened).toFixed(0)}, max ${Math.max(...opened).toFixed(0)})`,
    );
    api.assertNoViolations();
  } finally {
    await app.stop();
    await fixture.close();
  }
}
