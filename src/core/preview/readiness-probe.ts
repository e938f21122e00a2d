import { isIPv4 } from 'node:net';
import type { Task } from '@aws-sdk/client-ecs';
import { errorMessage } from '../errors.js';

/** What one probe saw, in words for the PR comment (no address: only the path and the port). */
export interface ProbeResult {
  readonly answering: boolean;
  readonly saw: string;
}

/**
 * The only URL the App may probe for a preview: the task's own private address, as DescribeTasks
 * reports its ENI, with the configured port and path. Nothing from the config or a payload names
 * the host, so a probe can never be pointed at the metadata service or another internal server.
 */
export function probeUrl(task: Task, port: number, path: string): URL | { problem: string } {
  const address = task.attachments
    ?.find((a) => a.type === 'ElasticNetworkInterface')
    ?.details?.find((d) => d.name === 'privateIPv4Address')?.value;
  if (!address || !isIPv4(address)) {
    return { problem: 'the task has no private IPv4 address yet' };
  }
  if (!/^\/(?!\/)[^\s#]*$/.test(path)) return { problem: `the path ${path} is not absolute` };
  const url = new URL(`http://${address}:${port}${path}`);
  // Belt and braces: whatever the path held, the request goes to the task and nowhere else.
  if (url.hostname !== address || url.port !== (port === 80 ? '' : String(port))) {
    return { problem: `the path ${path} does not stay on the task` };
  }
  return url;
}

/**
 * One GET: any status below 500 means the app answers (a 404 or a login redirect is an app that
 * runs). Redirects are not followed: they could lead off the task.
 */
export async function probeOnce(url: URL, timeoutMs: number): Promise<ProbeResult> {
  const where = `GET ${url.pathname}${url.search} on port ${url.port || '80'}`;
  try {
    const response = await fetch(url, {
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
      headers: { 'user-agent': 'ecs-paas readiness probe' },
    });
    await response.body?.cancel().catch(() => undefined);
    return { answering: response.status < 500, saw: `${where} answered ${response.status}` };
  } catch (error) {
    const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
    return { answering: false, saw: `${where} failed: ${probeFailure(cause)}` };
  }
}

function probeFailure(error: unknown): string {
  if (error instanceof Error && error.name === 'TimeoutError') return 'no answer in time';
  const code = (error as { code?: unknown } | undefined)?.code;
  if (code === 'ECONNREFUSED') return 'connection refused';
  if (code === 'ECONNRESET') return 'connection reset';
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH') return 'host unreachable';
  // The address stays out of the comment, as every other address does.
  return errorMessage(error).replace(/\d{1,3}(\.\d{1,3}){3}(:\d+)?/g, 'the task');
}
