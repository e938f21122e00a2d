import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { startApp } from '../test/support/app-process.js';
import { startGitHubApi } from '../test/support/github.js';
import { rssMiB } from './bench-app.js';

const say = (text: string): void => void process.stdout.write(`${text}\n`);
const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
};

/** Sends `bytes` of unsigned junk; resolves with the status and the ms until it arrived. */
function junk(
  url: string,
  bytes: number,
  declared: boolean,
): Promise<{ status: number; ms: number }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const req = request(
      url,
      {
        method: 'POST',
        headers: {
          'x-github-event': 'issue_comment',
          'x-github-delivery': randomBytes(8).toString('hex'),
          'x-hub-signature-256': `sha256=${'0'.repeat(64)}`,
          ...(declared ? { 'content-length': String(bytes) } : {}),
        },
      },
      (res) => {
        res.resume();
        resolve({ status: res.statusCode ?? 0, ms: performance.now() - t0 });
      },
    );
    req.on('error', (error: NodeJS.ErrnoException) =>
      ['EPIPE', 'ECONNRESET'].includes(error.code ?? '') ? undefined : reject(error),
    );
    const chunk = Buffer.alloc(1024 * 1024, 0x20);
    let sent = 0;
    const pump = (): void => {
      while (sent < bytes) {
        sent += chunk.length;
        if (!req.write(chunk)) return void req.once('drain', pump);
      }
      req.end();
    };
    pump();
  });
}

/**
 * Oversized unsigned webhook bodies against the App's intake: what one used to cost (the whole
 * body buffered before the signature check: 4.6 GB of memory for a 400 MB POST) against 413s
 * answered before the body is read.
 */
export async function intakeFigures(): Promise<void> {
  const api = await startGitHubApi();
  const app = await startApp({ githubUrl: api.url, awsEndpoint: 'http://127.0.0.1:9' });
  try {
    const start = await rssMiB(app.pid);
    const declared: number[] = [];
    for (let i = 0; i < 10; i++) {
      const answer = await junk(app.webhookUrl, 30 * 1024 * 1024, true);
      if (answer.status !== 413) throw new Error(`a 30 MB body got ${answer.status}`);
      declared.push(answer.ms);
    }
    const afterDeclared = await rssMiB(app.pid);
    const chunked: number[] = [];
    for (let i = 0; i < 3; i++) {
      const answer = await junk(app.webhookUrl, 400 * 1024 * 1024, false);
      if (answer.status !== 413) throw new Error(`a 400 MB chunked body got ${answer.status}`);
      chunked.push(answer.ms);
    }
    const afterChunked = await rssMiB(app.pid);
    say('\n## App: oversized unsigned webhook bodies');
    say(
      `10 x 30 MB with content-length: 413 each, median ${median(declared).toFixed(1)} ms to the answer`,
    );
    say(
      `3 x 400 MB chunked (no length): 413 each, median ${median(chunked).toFixed(0)} ms (the body is read and dropped after 25 MB until the sender stops)`,
    );
    say(
      `resident memory: ${start.toFixed(0)} MiB at start, ${afterDeclared.toFixed(0)} MiB after the 30 MB bodies, ${afterChunked.toFixed(0)} MiB after the 400 MB ones`,
    );
  } finally {
    await app.stop();
    await api.stop();
  }
}
