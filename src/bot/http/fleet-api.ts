import type { IncomingMessage, ServerResponse } from 'node:http';
import { errorMessage } from '../../core/errors.js';
import { DEFAULT_LOG_LINES, MAX_LOG_LINES } from '../../core/preview/preview-logs.js';
import { SHA_ARGUMENT } from '../commands.js';
import type { FleetServices } from '../fleet/fleet-services.js';
import { PREVIEW_STATES, type PreviewState } from '../fleet/fleet-types.js';
import { readFleet } from '../fleet/read-fleet.js';
import {
  csrfAccepted,
  mayDo,
  type FleetAction,
  type Viewer,
  type ViewerSource,
} from '../fleet/viewer.js';
import { visibleFleet } from '../fleet/visible-fleet.js';
import type { GitHubApi, RepoRef } from '../github-api.js';
import { approveRelaunch, relaunchApproved, stopPreview } from '../preview-actions.js';
import { previewLogs } from '../show-logs.js';
import { readBounded, reply } from './respond.js';

const BASE = '/api/previews';
/** A relaunch body names a SHA at most; anything larger is not ours. */
const BODY_LIMIT = 4_096;
const REPO_PATTERN = /^[A-Za-z0-9_.-]{1,100}\/[A-Za-z0-9_.-]{1,100}$/;
const NAME_PATTERN = /^[A-Za-z0-9_.-]{1,100}$/;

type Answer = { status: number; body: unknown; headers?: Record<string, string> };

/**
 * The fleet API: `GET /api/previews` lists every preview (filters `repo`, `state`), and
 * `POST …/{owner}/{repo}/{pr}/stop`, `POST …/relaunch`, `GET …/logs?lines=n` act on one, along
 * the paths `/preview stop`, `/deploy` and `/logs` take and under their permission rules. A user
 * sees nothing of a repository they cannot read: it answers as an unknown preview would.
 * `viewers` tells who asks (the API token, a dashboard session); without it (neither a token nor
 * GitHub sign-in configured) the routes do not exist.
 */
export function fleetApi(services: FleetServices, viewers: ViewerSource | undefined) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (!viewers) return false;
    if (url.pathname !== BASE && !url.pathname.startsWith(`${BASE}/`)) return false;
    let answer: Answer;
    try {
      answer = await route(services, req, url, await viewers(req));
    } catch (error) {
      services.bot.log.warning(
        `${req.method ?? ''} ${url.pathname} failed: ${errorMessage(error)}`,
      );
      answer = { status: 500, body: { error: "the request failed; the App's logs say why" } };
    }
    reply(res, answer.status, answer.body, answer.headers);
    return true;
  };
}

async function route(
  services: FleetServices,
  req: IncomingMessage,
  url: URL,
  viewer: Viewer | undefined,
): Promise<Answer> {
  if (!viewer) {
    return {
      status: 401,
      body: {
        error: 'Authorization: Bearer <ECS_PAAS_API_TOKEN> or a dashboard session is required',
      },
      headers: { 'www-authenticate': 'Bearer' },
    };
  }
  if (url.pathname === BASE) {
    if (req.method !== 'GET') return wrongMethod('GET');
    return list(services, viewer, url.searchParams);
  }
  const parts = url.pathname.slice(BASE.length + 1).split('/');
  const [owner = '', name = '', number = '', action = '', ...rest] = parts.map(decode);
  if (rest.length > 0 || !['stop', 'relaunch', 'logs'].includes(action)) {
    return notFound('no such route');
  }
  if (!NAME_PATTERN.test(owner)) return badRequest('owner', 'a GitHub account name');
  if (!NAME_PATTERN.test(name)) return badRequest('repo', 'a repository name');
  const pr = /^[1-9][0-9]{0,9}$/.test(number) ? Number(number) : NaN;
  if (!Number.isSafeInteger(pr)) return badRequest('pr', 'a pull request number');
  const target: Target = { repo: { owner, repo: name }, pr };
  const method = action === 'logs' ? 'GET' : 'POST';
  if (req.method !== method) return wrongMethod(method);
  if (method === 'POST' && !csrfAccepted(viewer, req)) {
    return { status: 403, body: { error: 'x-csrf-token must carry the session’s CSRF token' } };
  }
  // What the viewer cannot read does not exist for them: the same 404 as an unknown preview.
  if (!(await mayDo(services, viewer, target.repo, 'read'))) return notFound(UNKNOWN);
  const api = await services.installation(target.repo);
  if (!api) return notFound(UNKNOWN);
  if (action === 'logs') return logs(services, viewer, api, target, url.searchParams);
  const body = await readBody(req);
  if ('status' in body) return body;
  return action === 'stop'
    ? stop(services, viewer, api, target)
    : relaunch(services, viewer, api, target, body.json);
}

interface Target {
  readonly repo: RepoRef;
  readonly pr: number;
}

const UNKNOWN = 'no such preview';

async function list(
  services: FleetServices,
  viewer: Viewer,
  query: URLSearchParams,
): Promise<Answer> {
  const unknown = [...query.keys()].find((key) => key !== 'repo' && key !== 'state');
  if (unknown) return badRequest(unknown, 'nothing: the filters are repo and state');
  const filter: { repo?: string; state?: PreviewState } = {};
  const repo = query.get('repo');
  if (repo !== null) {
    if (!REPO_PATTERN.test(repo)) return badRequest('repo', 'owner/name');
    filter.repo = repo;
  }
  const state = query.get('state');
  if (state !== null) {
    if (!(PREVIEW_STATES as readonly string[]).includes(state)) {
      return badRequest('state', `one of ${PREVIEW_STATES.join(', ')}`);
    }
    filter.state = state as PreviewState;
  }
  const listing = await visibleFleet(services, viewer, filter);
  return {
    status: 200,
    body: {
      previews: listing.previews,
      complete: listing.complete,
      ...(viewer.kind === 'operator' && { problems: listing.problems }),
    },
  };
}

async function stop(
  services: FleetServices,
  viewer: Viewer,
  api: GitHubApi,
  target: Target,
): Promise<Answer> {
  const running = (await readFleet(services, { repo: full(target.repo) })).previews.filter(
    (p) => p.pr === target.pr && !p.state.startsWith('stopped'),
  );
  if (running.length === 0) return notFound(UNKNOWN);
  const denied = await refused(services, viewer, target, 'stop');
  if (denied) return denied;
  const who = actorOf(viewer);
  services.bot.log.info(`${full(target.repo)}#${target.pr}: stopped by ${who.how}`);
  await stopPreview(api, services.bot, target.repo, target.pr, who);
  return {
    status: 200,
    body: { status: 'stopped', taskArns: running.flatMap((p) => p.taskArns) },
  };
}

/**
 * Approved at once (a fork's head must still be the one the App showed), launched after the
 * answer: a launch takes minutes, and the PR comment tells how it went, as after `/deploy`.
 */
async function relaunch(
  services: FleetServices,
  viewer: Viewer,
  api: GitHubApi,
  target: Target,
  json: unknown,
): Promise<Answer> {
  const sha = (json as { sha?: unknown } | undefined)?.sha;
  if (json !== undefined && (typeof json !== 'object' || json === null || Array.isArray(json))) {
    return badRequest('body', 'a JSON object such as {"sha": "<head SHA>"}, or nothing');
  }
  const extra = Object.keys(json ?? {}).find((key) => key !== 'sha');
  if (extra) return badRequest(extra, 'nothing: the body may only name sha');
  if (sha !== undefined && (typeof sha !== 'string' || !SHA_ARGUMENT.test(sha))) {
    return badRequest('sha', '7 to 40 hexadecimal characters of the head commit');
  }
  const denied = await refused(services, viewer, target, 'relaunch');
  if (denied) return denied;
  let approval: Awaited<ReturnType<typeof approveRelaunch>>;
  try {
    approval = await approveRelaunch(api, target.repo, target.pr, {
      ...(typeof sha === 'string' && { sha: sha.toLowerCase() }),
      askedAt: services.bot.now(),
    });
  } catch (error) {
    if ((error as { status?: number }).status === 404) return notFound(UNKNOWN);
    throw error;
  }
  if (!approval.ok) return { status: 409, body: { error: approval.reply } };
  const who = actorOf(viewer);
  services.bot.log.info(`${full(target.repo)}#${target.pr}: relaunch asked by ${who.how}`);
  services.bot.work.track(
    relaunchApproved(api, services.bot, target.repo, target.pr, { ...approval, ...who }).catch(
      (error: unknown) => {
        services.bot.log.warning(
          `${full(target.repo)}#${target.pr}: relaunch failed: ${errorMessage(error)}`,
        );
      },
    ),
  );
  return { status: 202, body: { status: 'relaunching', sha: approval.sha } };
}

async function logs(
  services: FleetServices,
  viewer: Viewer,
  api: GitHubApi,
  target: Target,
  query: URLSearchParams,
): Promise<Answer> {
  const unknown = [...query.keys()].find((key) => key !== 'lines');
  if (unknown) return badRequest(unknown, 'nothing: the only parameter is lines');
  const raw = query.get('lines');
  const lines = raw === null ? DEFAULT_LOG_LINES : /^[1-9][0-9]{0,3}$/.test(raw) ? Number(raw) : 0;
  if (!(lines >= 1 && lines <= MAX_LOG_LINES)) {
    return badRequest('lines', `a whole number from 1 to ${MAX_LOG_LINES}`);
  }
  const denied = await refused(services, viewer, target, 'logs');
  if (denied) return denied;
  const answer = await previewLogs(api, services.bot, target.repo, target.pr, lines);
  if (answer.kind === 'refused') {
    return answer.why === 'none'
      ? notFound(UNKNOWN)
      : { status: 409, body: { error: answer.reply } };
  }
  if (answer.kind === 'link') {
    return {
      status: 200,
      body: { delivery: 'link', reason: answer.reason ?? 'public', streams: answer.streams },
    };
  }
  return { status: 200, body: { delivery: 'lines', containers: answer.logs } };
}

/** A 403 naming the permission the action needs, as the slash command's refusal does. */
async function refused(
  services: FleetServices,
  viewer: Viewer,
  target: Target,
  action: FleetAction,
): Promise<Answer | undefined> {
  if (await mayDo(services, viewer, target.repo, action)) return undefined;
  return {
    status: 403,
    body: { error: `${action} needs write access to ${full(target.repo)}` },
  };
}

function actorOf(viewer: Viewer): { actor: string; how: string } {
  return viewer.kind === 'operator'
    ? { actor: 'operator', how: 'the operator through the fleet API' }
    : { actor: viewer.login, how: `@${viewer.login} through the fleet API` };
}

async function readBody(req: IncomingMessage): Promise<{ json: unknown } | Answer> {
  const read = await readBounded(req, BODY_LIMIT);
  if ('refused' in read) {
    return read.refused === 'too-large'
      ? { status: 413, body: { error: `the body is larger than ${BODY_LIMIT} bytes` } }
      : { status: 400, body: { error: 'body: the request was cut short' } };
  }
  if (read.body.trim() === '') return { json: undefined };
  try {
    return { json: JSON.parse(read.body) as unknown };
  } catch {
    return badRequest('body', 'JSON');
  }
}

function decode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return '';
  }
}

const full = (repo: RepoRef): string => `${repo.owner}/${repo.repo}`;

function badRequest(parameter: string, expected: string): Answer {
  return { status: 400, body: { error: `${parameter}: expected ${expected}`, parameter } };
}

function notFound(error: string): Answer {
  return { status: 404, body: { error } };
}

function wrongMethod(allowed: string): Answer {
  return {
    status: 405,
    body: { error: `use ${allowed} for this route` },
    headers: { allow: allowed },
  };
}
