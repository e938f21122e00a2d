import { createHash, createPublicKey, randomBytes, verify, type KeyObject } from 'node:crypto';
import type { GitHub } from '@actions/github/lib/utils';
import type { EmitterWebhookEvent } from '@octokit/webhooks';
import type { GitHubAnswer, GitHubApi, GitHubRequest } from './github.js';

// GitHub's own response types (from the OpenAPI description, through the Octokit the tests use):
// every object below is built against them, so tsc proves each answer has the shape GitHub documents.
type Rest = InstanceType<typeof GitHub>['rest'];
type DataOf<M> = M extends (...args: never[]) => Promise<{ data: infer D }> ? D : never;

export type Repository = DataOf<Rest['repos']['get']>;
export type PullRequest = DataOf<Rest['pulls']['get']>;
/** A comment as the REST API serves it and as `issue_comment` webhooks carry it. */
export type IssueComment = DataOf<Rest['issues']['getComment']> & WebhookComment;
export type Deployment = DataOf<Rest['repos']['getDeployment']>;
export type DeploymentStatus = DataOf<Rest['repos']['getDeploymentStatus']>;
export type Installation = DataOf<Rest['apps']['getRepoInstallation']>;
type InstallationToken = DataOf<Rest['apps']['createInstallationAccessToken']>;
type Reaction = DataOf<Rest['reactions']['createForIssueComment']>;
type CollaboratorPermission = DataOf<Rest['repos']['getCollaboratorPermissionLevel']>;
type ContentFile = Extract<DataOf<Rest['repos']['getContent']>, { type: 'file' }>;
type User = Repository['owner'];
type Label = PullRequest['labels'][number];
type App = NonNullable<DataOf<Rest['issues']['getComment']>['performed_via_github_app']>;

/** The payloads the App receives, typed as @octokit/webhooks types them for a Probot handler. */
export type PullRequestEventPayload = EmitterWebhookEvent<'pull_request'>['payload'];
export type IssueCommentEventPayload = EmitterWebhookEvent<'issue_comment'>['payload'];
type WebhookPull = EmitterWebhookEvent<'pull_request.opened'>['payload']['pull_request'];
type WebhookRepository = EmitterWebhookEvent<'pull_request.opened'>['payload']['repository'];
type WebhookComment = EmitterWebhookEvent<'issue_comment.created'>['payload']['comment'];

export type Permission = 'admin' | 'maintain' | 'write' | 'triage' | 'read' | 'none';
export type UserType = 'User' | 'Bot' | 'Organization';

export interface GitHubWorldOptions {
  owner: string;
  repo: string;
  /** 'main' unless given. */
  defaultBranch?: string;
  private?: boolean;
  /** The installation webhook payloads name and tokens are minted for. */
  installationId?: number;
  /** The App's id (startApp runs it as 1) and slug: its bot user is `<slug>[bot]`. */
  appId?: number;
  appSlug?: string;
  /**
   * The App's private (or public) key in PEM: when given, app JWTs must be signed with it, as
   * GitHub checks. Without it a JWT is still checked for shape, `iss` and expiry.
   */
  appKey?: string;
  /**
   * Answer 401 unless a route gets the credentials GitHub wants: an app JWT for the installation
   * routes, an installation token this world minted for everything else. Off by default because
   * a payload without `installation` (such as pullRequestPayload's) leaves Probot's octokit
   * unauthenticated; turn it on with payloads from pullRequestEvent/issueCommentEvent, which
   * carry it, to prove the App authenticates as GitHub requires.
   */
  checkAuth?: boolean;
}

export interface PullSpec {
  number: number;
  sha: string;
  /** Head branch; `feature/pr-<number>` unless given. */
  branch?: string;
  /** Login of the PR author; `octocat` unless given. */
  author?: string;
  /** The head lives in `<author>/<repo>`, a fork, instead of this repository. */
  fork?: boolean;
  draft?: boolean;
  labels?: string[];
  state?: 'open' | 'closed';
  /** Only with state 'closed': the PR was merged rather than closed. */
  merged?: boolean;
  title?: string;
  body?: string;
  /** What `updated_at` says (GitHub moves it on pushes, comments and reviews); now unless given. */
  updatedAt?: Date;
}

export type PullPatch = Partial<Omit<PullSpec, 'number'>>;

export interface CommentAuthor {
  login: string;
  type: UserType;
}

export interface DeploymentStatusRecord {
  state: string;
  environment_url?: string;
  log_url?: string;
  description?: string;
  /** Added by GitHub itself (`auto_inactive`), not by a request. */
  automatic?: true;
}

export interface DeploymentRecord {
  id: number;
  environment: string;
  ref: string;
  sha: string;
  task: string;
  transient_environment: boolean;
  production_environment: boolean;
  payload: unknown;
  description: string | null;
  statuses: DeploymentStatusRecord[];
}

/** The world's routes, the keys `failNext` accepts. */
export const WORLD_ROUTES = [
  'POST /app/installations/{installation_id}/access_tokens',
  'GET /repos/{owner}/{repo}/installation',
  'GET /app/installations',
  'GET /installation/repositories',
  'GET /repos/{owner}/{repo}',
  'GET /repos/{owner}/{repo}/contents/{path}',
  'GET /repos/{owner}/{repo}/pulls',
  'GET /repos/{owner}/{repo}/pulls/{pull_number}',
  'GET /repos/{owner}/{repo}/commits/{commit_sha}/pulls',
  'GET /repos/{owner}/{repo}/issues/{issue_number}/comments',
  'POST /repos/{owner}/{repo}/issues/{issue_number}/comments',
  'GET /repos/{owner}/{repo}/issues/comments/{comment_id}',
  'PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}',
  'POST /repos/{owner}/{repo}/issues/comments/{comment_id}/reactions',
  'GET /repos/{owner}/{repo}/collaborators/{username}/permission',
  'GET /repos/{owner}/{repo}/deployments',
  'POST /repos/{owner}/{repo}/deployments',
  'GET /repos/{owner}/{repo}/deployments/{deployment_id}/statuses',
  'POST /repos/{owner}/{repo}/deployments/{deployment_id}/statuses',
] as const;
export type WorldRoute = (typeof WORLD_ROUTES)[number];

export interface GitHubWorld {
  readonly owner: string;
  readonly repo: string;
  readonly fullName: string;
  readonly defaultBranch: string;
  /** The commit the default branch points at (deployments of the default branch resolve to it). */
  readonly defaultBranchSha: string;
  readonly installationId: number;
  /** `<slug>[bot]`: the author of everything the App creates. */
  readonly botLogin: string;
  /** The repository object, as `GET /repos/{owner}/{repo}` and webhook payloads carry it. */
  readonly repository: Repository;

  /** Sets (text) or deletes (undefined) a file on a ref; the default branch unless given. */
  setFile(path: string, text: string | undefined, ref?: string): void;
  /** A file's text on a ref (the default branch unless given), or undefined. */
  file(path: string, ref?: string): string | undefined;
  /** Every contents read in order, with the ref it used (the default branch when none was sent). */
  readonly fileReads: ReadonlyArray<{ path: string; ref: string }>;

  addPull(spec: PullSpec): PullRequest;
  updatePull(number: number, patch: PullPatch): PullRequest;
  pull(number: number): PullRequest;

  /** A comment by someone other than the App (a human unless `user.type` says otherwise). */
  addComment(issueNumber: number, body: string, user?: CommentAuthor): IssueComment;
  /** The bodies of an issue's comments, oldest first. */
  comments(issueNumber: number): string[];
  /** The full comment objects of an issue, oldest first. */
  commentObjects(issueNumber: number): IssueComment[];
  readonly reactions: ReadonlyArray<{ commentId: number; content: string }>;

  setPermission(login: string, permission: Permission): void;
  /** Another installation of the App, on `account`, that an owner has suspended. */
  addSuspendedInstallation(id: number, account: string): void;
  /**
   * The owner uninstalls the App from the repository: GitHub lists the installation without it
   * and the App can no longer read or write anything of it.
   */
  uninstall(): void;

  /** Every deployment, oldest first, with its statuses oldest first. */
  readonly deployments: DeploymentRecord[];

  /** The next `times` requests to `route` answer `status` with a GitHub-like body, changing nothing. */
  failNext(route: WorldRoute, status: number, times?: number): void;
  /** `METHOD /path` (percent-decoded) of every request this world answered, in order. */
  requests(): string[];

  /** A `pull_request` webhook payload for the PR as it stands now. */
  pullRequestEvent(
    action: PullRequestEventPayload['action'],
    number: number,
    extra?: Record<string, unknown>,
  ): PullRequestEventPayload;
  /** An `issue_comment` webhook payload for a comment on a PR (GitHub's issue has `pull_request`). */
  issueCommentEvent(
    action: IssueCommentEventPayload['action'],
    comment: IssueComment,
    extra?: Record<string, unknown>,
  ): IssueCommentEventPayload;
}

interface PullState {
  spec: PullSpec & { branch: string; author: string; state: 'open' | 'closed' };
  id: number;
  issueId: number;
  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
  mergedAt: string | null;
}

interface CommentState {
  issueNumber: number;
  comment: IssueComment;
}

interface DeploymentState {
  deployment: Deployment;
  statuses: DeploymentStatus[];
  records: DeploymentStatusRecord[];
}

const DOCS = 'https://docs.github.com/rest';
// GitHub's 401 for anything but a token it issued; the App must authenticate as its installation.
const BAD_CREDENTIALS = 'Bad credentials';
const BAD_JWT = 'A JSON web token could not be decoded';

const ERROR_MESSAGES: Record<number, string> = {
  400: 'Bad Request',
  401: BAD_CREDENTIALS,
  403: 'Resource not accessible by integration',
  404: 'Not Found',
  409: 'Conflict',
  422: 'Validation Failed',
  429: 'API rate limit exceeded',
  500: 'Server Error',
  502: 'Server Error',
  503: 'Service Unavailable',
  504: 'We couldn’t respond to your request in time. Sorry about that.',
};

/** The legacy `permission` GitHub still reports next to the real `role_name`. */
const LEGACY_PERMISSION: Record<Permission, string> = {
  admin: 'admin',
  maintain: 'write',
  write: 'write',
  triage: 'read',
  read: 'read',
  none: 'none',
};
const RANK: Permission[] = ['none', 'read', 'triage', 'write', 'maintain', 'admin'];

/** What the App asks for in app.yml; GitHub repeats it on installations and tokens. */
const APP_PERMISSIONS = {
  contents: 'read',
  deployments: 'write',
  issues: 'write',
  metadata: 'read',
  pull_requests: 'write',
} as const;

const REACTIONS = ['+1', '-1', 'laugh', 'confused', 'heart', 'hooray', 'rocket', 'eyes'] as const;

/**
 * A small stateful GitHub for one repository, answering through `api.on` so Prism still checks
 * every request against GitHub's OpenAPI description. One world per api at a time: the routes are
 * `{owner}/{repo}` templates and the latest registration wins, so requests for any other
 * repository (such as Probot's `<owner>/.github` config fallback) get GitHub's 404.
 */
export function createGitHubWorld(api: GitHubApi, options: GitHubWorldOptions): GitHubWorld {
  const { owner, repo } = options;
  const fullName = `${owner}/${repo}`;
  const defaultBranch = options.defaultBranch ?? 'main';
  const installationId = options.installationId ?? 4_200_042;
  const appId = options.appId ?? 1;
  const appSlug = options.appSlug ?? 'ecs-paas';
  const botLogin = `${appSlug}[bot]`;
  const checkAuth = options.checkAuth ?? false;
  const appKey = options.appKey === undefined ? undefined : createPublicKey(options.appKey);
  const apiBase = api.url;
  const htmlBase = 'https://github.com';
  const repoApi = `${apiBase}/repos/${owner}/${repo}`;
  const repoHtml = `${htmlBase}/${owner}/${repo}`;
  const defaultBranchSha = sha1(`${fullName}@${defaultBranch}`);
  const createdAt = timestamp(Date.now() - 400 * 24 * 3600_000);

  // Ids are world-unique across kinds (a comment id used as a deployment id is a 404, as on
  // GitHub) and above 2^31, as GitHub's comment ids are today, so int32 assumptions break here.
  let lastId = 2_200_000_000;
  const nextId = (): number => ++lastId;

  const files = new Map<string, Map<string, string | null>>([[defaultBranch, new Map()]]);
  const fileReads: Array<{ path: string; ref: string }> = [];
  const pulls = new Map<number, PullState>();
  const comments = new Map<number, CommentState>();
  const reactions: Array<{ commentId: number; content: string; login: string }> = [];
  const reactionLog: Array<{ commentId: number; content: string }> = [];
  const permissions = new Map<string, Permission>([[owner.toLowerCase(), 'admin']]);
  const deployments = new Map<number, DeploymentState>();
  const tokens = new Map<string, number>();
  const faults = new Map<string, { status: number; remaining: number }>();
  const log: string[] = [];

  const app = appObject();
  const bot = () => user(botLogin, 'Bot');
  const repository = repositoryObject();

  // --- objects -------------------------------------------------------------------------------

  // Return types are inferred (and checked with `satisfies`) because the same user and repository
  // objects must fit several of GitHub's schemas at once (REST, pull request head, webhook).
  function user(login: string, type: UserType) {
    const id = stableId(login);
    const url = `${apiBase}/users/${encodeURIComponent(login)}`;
    return {
      login,
      id,
      node_id: nodeId(type === 'Bot' ? 'BOT' : type === 'Organization' ? 'O' : 'U', id),
      avatar_url:
        type === 'Bot'
          ? `https://avatars.githubusercontent.com/in/${appId}?v=4`
          : `https://avatars.githubusercontent.com/u/${id}?v=4`,
      gravatar_id: '',
      url,
      html_url: type === 'Bot' ? `${htmlBase}/apps/${appSlug}` : `${htmlBase}/${login}`,
      followers_url: `${url}/followers`,
      following_url: `${url}/following{/other_user}`,
      gists_url: `${url}/gists{/gist_id}`,
      starred_url: `${url}/starred{/owner}{/repo}`,
      subscriptions_url: `${url}/subscriptions`,
      organizations_url: `${url}/orgs`,
      repos_url: `${url}/repos`,
      events_url: `${url}/events{/privacy}`,
      received_events_url: `${url}/received_events`,
      type,
      user_view_type: 'public',
      site_admin: false,
    } satisfies User;
  }

  function appObject(): App {
    return {
      id: appId,
      slug: appSlug,
      node_id: nodeId('A', appId),
      client_id: `Iv1.${sha1(appSlug).slice(0, 16)}`,
      owner: user(owner, 'Organization'),
      name: appSlug,
      description: 'Preview environments on Amazon ECS',
      external_url: `https://${appSlug}.example.com`,
      html_url: `${htmlBase}/apps/${appSlug}`,
      created_at: createdAt,
      updated_at: createdAt,
      permissions: APP_PERMISSIONS,
      events: ['issue_comment', 'pull_request', 'push'],
    };
  }

  function repositoryObject(name = repo, ownerLogin = owner, ownerType: UserType = 'Organization') {
    const full = `${ownerLogin}/${name}`;
    const url = `${apiBase}/repos/${full}`;
    const html = `${htmlBase}/${full}`;
    const id = stableId(full);
    return {
      id,
      node_id: nodeId('R', id),
      name,
      full_name: full,
      private: options.private ?? false,
      owner: user(ownerLogin, ownerType),
      html_url: html,
      description: null,
      fork: full !== fullName,
      url,
      forks_url: `${url}/forks`,
      keys_url: `${url}/keys{/key_id}`,
      collaborators_url: `${url}/collaborators{/collaborator}`,
      teams_url: `${url}/teams`,
      hooks_url: `${url}/hooks`,
      issue_events_url: `${url}/issues/events{/number}`,
      events_url: `${url}/events`,
      assignees_url: `${url}/assignees{/user}`,
      branches_url: `${url}/branches{/branch}`,
      tags_url: `${url}/tags`,
      blobs_url: `${url}/git/blobs{/sha}`,
      git_tags_url: `${url}/git/tags{/sha}`,
      git_refs_url: `${url}/git/refs{/sha}`,
      trees_url: `${url}/git/trees{/sha}`,
      statuses_url: `${url}/statuses/{sha}`,
      languages_url: `${url}/languages`,
      stargazers_url: `${url}/stargazers`,
      contributors_url: `${url}/contributors`,
      subscribers_url: `${url}/subscribers`,
      subscription_url: `${url}/subscription`,
      commits_url: `${url}/commits{/sha}`,
      git_commits_url: `${url}/git/commits{/sha}`,
      comments_url: `${url}/comments{/number}`,
      issue_comment_url: `${url}/issues/comments{/number}`,
      contents_url: `${url}/contents/{+path}`,
      compare_url: `${url}/compare/{base}...{head}`,
      merges_url: `${url}/merges`,
      archive_url: `${url}/{archive_format}{/ref}`,
      downloads_url: `${url}/downloads`,
      issues_url: `${url}/issues{/number}`,
      pulls_url: `${url}/pulls{/number}`,
      milestones_url: `${url}/milestones{/number}`,
      notifications_url: `${url}/notifications{?since,all,participating}`,
      labels_url: `${url}/labels{/name}`,
      releases_url: `${url}/releases{/id}`,
      deployments_url: `${url}/deployments`,
      created_at: createdAt,
      updated_at: createdAt,
      pushed_at: createdAt,
      git_url: `git://github.com/${full}.git`,
      ssh_url: `git@github.com:${full}.git`,
      clone_url: `${html}.git`,
      svn_url: html,
      homepage: null,
      size: 1024,
      stargazers_count: 0,
      watchers_count: 0,
      language: 'TypeScript',
      has_issues: true,
      has_projects: false,
      has_downloads: true,
      has_wiki: false,
      has_pages: false,
      has_discussions: false,
      forks_count: 0,
      mirror_url: null,
      archived: false,
      disabled: false,
      open_issues_count: 0,
      license: null,
      allow_forking: true,
      is_template: false,
      web_commit_signoff_required: false,
      topics: [],
      visibility: (options.private ?? false) ? 'private' : 'public',
      forks: 0,
      open_issues: 0,
      watchers: 0,
      default_branch: defaultBranch,
      network_count: 0,
      subscribers_count: 0,
    } satisfies Repository;
  }

  /** Other installations of the App, suspended: the App can list them but get no token. */
  const suspendedInstallations: Array<{ id: number; account: string }> = [];
  let installed = true;

  function installationObject(): Installation {
    return {
      id: installationId,
      client_id: app.client_id ?? '',
      account: user(owner, 'Organization'),
      repository_selection: 'selected',
      access_tokens_url: `${apiBase}/app/installations/${installationId}/access_tokens`,
      repositories_url: `${apiBase}/installation/repositories`,
      html_url: `${htmlBase}/organizations/${owner}/settings/installations/${installationId}`,
      app_id: appId,
      app_slug: appSlug,
      target_id: stableId(owner),
      target_type: 'Organization',
      permissions: APP_PERMISSIONS,
      events: app.events,
      created_at: createdAt,
      updated_at: createdAt,
      single_file_name: null,
      has_multiple_single_files: false,
      single_file_paths: [],
      suspended_by: null,
      suspended_at: null,
    };
  }

  function label(name: string): Label {
    const id = stableId(`${fullName}#${name}`);
    return {
      id,
      node_id: nodeId('LA', id),
      url: `${repoApi}/labels/${encodeURIComponent(name)}`,
      name,
      description: null,
      color: sha1(name).slice(0, 6),
      default: false,
    };
  }

  function pullObject(state: PullState) {
    const { spec } = state;
    const n = spec.number;
    const author = user(spec.author, 'User');
    const headRepo = spec.fork ? repositoryObject(repo, spec.author, 'User') : repository;
    const url = `${repoApi}/pulls/${n}`;
    const html = `${repoHtml}/pull/${n}`;
    const branchEnd = (ref: string, sha: string, repoObject: typeof repository) => ({
      label: `${repoObject.owner.login}:${ref}`,
      ref,
      sha,
      user: repoObject.owner,
      repo: repoObject,
    });
    const merged = state.mergedAt !== null;
    return {
      url,
      id: state.id,
      node_id: nodeId('PR', state.id),
      html_url: html,
      diff_url: `${html}.diff`,
      patch_url: `${html}.patch`,
      issue_url: `${repoApi}/issues/${n}`,
      commits_url: `${url}/commits`,
      review_comments_url: `${url}/comments`,
      review_comment_url: `${repoApi}/pulls/comments{/number}`,
      comments_url: `${repoApi}/issues/${n}/comments`,
      statuses_url: `${repoApi}/statuses/${spec.sha}`,
      number: n,
      state: spec.state,
      locked: false,
      title: spec.title ?? `Change ${spec.branch}`,
      user: author,
      body: spec.body ?? null,
      labels: (spec.labels ?? []).map(label),
      milestone: null,
      active_lock_reason: null,
      created_at: state.createdAt,
      updated_at: state.updatedAt,
      closed_at: state.closedAt,
      merged_at: state.mergedAt,
      merge_commit_sha: merged ? sha1(`merge ${spec.sha}`) : null,
      assignee: null,
      assignees: [],
      requested_reviewers: [],
      requested_teams: [],
      head: branchEnd(spec.branch, spec.sha, headRepo),
      base: branchEnd(defaultBranch, defaultBranchSha, repository),
      _links: {
        self: { href: url },
        html: { href: html },
        issue: { href: `${repoApi}/issues/${n}` },
        comments: { href: `${repoApi}/issues/${n}/comments` },
        review_comments: { href: `${url}/comments` },
        review_comment: { href: `${repoApi}/pulls/comments{/number}` },
        commits: { href: `${url}/commits` },
        statuses: { href: `${repoApi}/statuses/${spec.sha}` },
      },
      author_association: associationOf(spec.author),
      auto_merge: null,
      draft: spec.draft ?? false,
      merged,
      mergeable: spec.state === 'open' ? true : null,
      rebaseable: spec.state === 'open' ? true : null,
      mergeable_state: spec.state === 'open' ? 'clean' : 'unknown',
      merged_by: merged ? user(owner, 'User') : null,
      comments: [...comments.values()].filter((c) => c.issueNumber === n).length,
      review_comments: 0,
      maintainer_can_modify: spec.fork ?? false,
      commits: 1,
      additions: 10,
      deletions: 2,
      changed_files: 1,
    } satisfies PullRequest;
  }

  function commentObject(
    issueNumber: number,
    body: string,
    author: ReturnType<typeof user>,
  ): IssueComment {
    const id = nextId();
    const now = timestamp();
    const fromApp = author.login === botLogin;
    return {
      id,
      node_id: nodeId('IC', id),
      url: `${repoApi}/issues/comments/${id}`,
      html_url: `${repoHtml}/pull/${issueNumber}#issuecomment-${id}`,
      issue_url: `${repoApi}/issues/${issueNumber}`,
      body,
      user: author,
      created_at: now,
      updated_at: now,
      author_association: fromApp ? 'NONE' : associationOf(author.login),
      performed_via_github_app: fromApp ? app : null,
      reactions: reactionRollup(id),
    };
  }

  function reactionRollup(commentId: number): NonNullable<IssueComment['reactions']> {
    const count = (content: string): number =>
      reactions.filter((r) => r.commentId === commentId && r.content === content).length;
    return {
      url: `${repoApi}/issues/comments/${commentId}/reactions`,
      total_count: reactions.filter((r) => r.commentId === commentId).length,
      '+1': count('+1'),
      '-1': count('-1'),
      laugh: count('laugh'),
      confused: count('confused'),
      heart: count('heart'),
      hooray: count('hooray'),
      eyes: count('eyes'),
      rocket: count('rocket'),
    };
  }

  function commentsOf(issueNumber: number): IssueComment[] {
    return [...comments.values()].filter((c) => c.issueNumber === issueNumber).map(currentComment);
  }

  /** The comment as GitHub would serve it now (its reaction counts move on). */
  function currentComment(state: CommentState): IssueComment {
    return { ...state.comment, reactions: reactionRollup(state.comment.id) };
  }

  function associationOf(login: string): IssueComment['author_association'] {
    if (login.toLowerCase() === owner.toLowerCase()) return 'OWNER';
    const permission = permissions.get(login.toLowerCase());
    if (permission && permission !== 'none' && permission !== 'read') return 'COLLABORATOR';
    return [...pulls.values()].some((p) => p.spec.author === login && p.mergedAt !== null)
      ? 'CONTRIBUTOR'
      : 'NONE';
  }

  function issueObject(state: PullState): IssueCommentEventPayload['issue'] {
    const pull = pullObject(state);
    const n = pull.number;
    const url = `${repoApi}/issues/${n}`;
    return {
      url,
      repository_url: repoApi,
      labels_url: `${url}/labels{/name}`,
      comments_url: `${url}/comments`,
      events_url: `${url}/events`,
      html_url: pull.html_url,
      id: state.issueId,
      node_id: nodeId('I', state.issueId),
      number: n,
      title: pull.title,
      user: user(state.spec.author, 'User'),
      labels: pull.labels,
      state: pull.state === 'open' ? 'open' : 'closed',
      locked: false,
      assignee: null,
      assignees: [],
      milestone: null,
      comments: pull.comments,
      created_at: pull.created_at,
      updated_at: pull.updated_at,
      closed_at: pull.closed_at,
      author_association: pull.author_association,
      active_lock_reason: null,
      draft: pull.draft ?? false,
      pull_request: {
        url: pull.url,
        html_url: pull.html_url,
        diff_url: pull.diff_url,
        patch_url: pull.patch_url,
        merged_at: pull.merged_at,
      },
      body: pull.body,
      reactions: {
        url: `${url}/reactions`,
        total_count: 0,
        '+1': 0,
        '-1': 0,
        laugh: 0,
        hooray: 0,
        confused: 0,
        heart: 0,
        rocket: 0,
        eyes: 0,
      },
      timeline_url: `${url}/timeline`,
      performed_via_github_app: null,
      state_reason: null,
    };
  }

  // --- state helpers -------------------------------------------------------------------------

  function pullState(number: number): PullState {
    const state = pulls.get(number);
    if (!state) throw new Error(`the world has no pull request #${number}`);
    return state;
  }

  function applyPatch(state: PullState, patch: PullPatch): void {
    const was = state.spec.state;
    const next = { ...state.spec, ...patch };
    state.spec = next;
    const now = timestamp();
    state.updatedAt = patch.updatedAt ? timestamp(patch.updatedAt.getTime()) : now;
    if (next.state === 'closed' && was === 'open') state.closedAt = now;
    if (next.state === 'open') {
      state.closedAt = null;
      state.mergedAt = null;
    }
    if (next.state === 'closed' && next.merged && state.mergedAt === null) {
      state.mergedAt = state.closedAt ?? now;
    }
  }

  /**
   * Which files a ref sees: its own, else (for a PR's branch or head, which grew from the default
   * branch) the default branch's. undefined: no such file; null: no such ref.
   */
  function readFile(path: string, ref: string): string | undefined | null {
    const own = files.get(ref);
    if (own?.has(path)) return own.get(path) ?? undefined;
    if (ref === defaultBranch) return undefined;
    const isPullRef = [...pulls.values()].some(
      (p) => p.spec.sha === ref || (!p.spec.fork && p.spec.branch === ref),
    );
    if (own || isPullRef) return files.get(defaultBranch)?.get(path) ?? undefined;
    return null;
  }

  /** The commit a deployment's `ref` names, as GitHub resolves it; undefined when unknown. */
  function resolveRef(ref: string): string | undefined {
    const name = ref.replace(/^refs\/heads\//, '');
    if (/^[0-9a-f]{40}$/.test(ref)) return ref;
    if (name === defaultBranch) return defaultBranchSha;
    const pullRef = /^refs\/pull\/(\d+)\/head$/.exec(ref);
    if (pullRef) return pulls.get(Number(pullRef[1]))?.spec.sha;
    return [...pulls.values()].find((p) => !p.spec.fork && p.spec.branch === name)?.spec.sha;
  }

  function deploymentRecord(state: DeploymentState): DeploymentRecord {
    const d = state.deployment;
    return {
      id: d.id,
      environment: d.environment,
      ref: d.ref,
      sha: d.sha,
      task: d.task,
      transient_environment: d.transient_environment ?? false,
      production_environment: d.production_environment ?? false,
      payload: d.payload,
      description: d.description,
      statuses: state.records.map((r) => ({ ...r })),
    };
  }

  function statusObject(
    state: DeploymentState,
    body: StatusBody,
    environment: string,
  ): DeploymentStatus {
    const id = nextId();
    const now = timestamp();
    const d = state.deployment;
    const logUrl = body.log_url ?? body.target_url ?? '';
    return {
      url: `${repoApi}/deployments/${d.id}/statuses/${id}`,
      id,
      node_id: nodeId('DES', id),
      state: body.state,
      creator: bot(),
      description: body.description ?? '',
      environment,
      target_url: logUrl,
      log_url: logUrl,
      environment_url: body.environment_url ?? '',
      created_at: now,
      updated_at: now,
      deployment_url: d.url,
      repository_url: repoApi,
      performed_via_github_app: app,
    };
  }

  // --- routing -------------------------------------------------------------------------------

  type Handler = (request: GitHubRequest) => GitHubAnswer;
  type AuthNeed = 'jwt' | 'installation';

  function route(template: WorldRoute, auth: AuthNeed, handler: Handler): void {
    const repoScoped = template.includes('/repos/{owner}/{repo}');
    api.on(template, (request) => {
      log.push(`${request.method} ${decodePath(request.path)}`);
      const fault = faults.get(template);
      if (fault && fault.remaining > 0) {
        fault.remaining -= 1;
        return errorAnswer(fault.status);
      }
      const denied = checkAuth ? authProblem(request, auth) : undefined;
      if (denied) return denied;
      // GitHub answers 404 for a repository an installation cannot see, never 403.
      if (repoScoped && (!installed || !sameRepo(request.params))) return errorAnswer(404);
      return handler(request);
    });
  }

  function sameRepo(params: Record<string, string>): boolean {
    return (
      params.owner?.toLowerCase() === owner.toLowerCase() &&
      params.repo?.toLowerCase() === repo.toLowerCase()
    );
  }

  function authProblem(request: GitHubRequest, need: AuthNeed): GitHubAnswer | undefined {
    const header = request.headers.authorization ?? '';
    const [scheme = '', credential = ''] = header.split(/\s+/, 2);
    const isJwt = credential.split('.').length === 3;
    if (need === 'jwt') {
      if (!/^bearer$/i.test(scheme) || !isJwt) {
        return errorAnswer(401, BAD_JWT, ['an app JWT (Authorization: Bearer <jwt>) is required']);
      }
      const problem = jwtProblem(credential, appId, appKey);
      return problem === undefined ? undefined : errorAnswer(401, BAD_JWT, [problem]);
    }
    const expires = /^(token|bearer)$/i.test(scheme) ? tokens.get(credential) : undefined;
    if (expires === undefined) {
      const why = isJwt
        ? 'an app JWT cannot call repository routes: use an installation token'
        : 'not an installation token this world issued';
      return errorAnswer(401, BAD_CREDENTIALS, [why]);
    }
    if (expires < Date.now()) return errorAnswer(401, BAD_CREDENTIALS, ['token expired']);
    return undefined;
  }

  // --- routes --------------------------------------------------------------------------------

  route('POST /app/installations/{installation_id}/access_tokens', 'jwt', (request) => {
    if (Number(request.params.installation_id) !== installationId) return errorAnswer(404);
    const token = `ghs_${randomBytes(18).toString('base64url').replace(/[-_]/g, 'x')}`;
    const expiresAt = Date.now() + 3600_000;
    tokens.set(token, expiresAt);
    const body: InstallationToken = {
      token,
      expires_at: timestamp(expiresAt),
      permissions: APP_PERMISSIONS,
      repository_selection: 'selected',
      repositories: [repository],
    };
    return { status: 201, body };
  });

  route('GET /repos/{owner}/{repo}/installation', 'jwt', () => ({
    status: 200,
    body: installationObject(),
  }));

  route('GET /app/installations', 'jwt', (request) =>
    paginated(request, [
      installationObject(),
      ...suspendedInstallations.map(({ id, account }) => ({
        ...installationObject(),
        id,
        account: user(account, 'Organization'),
        suspended_at: createdAt,
        suspended_by: user('site-admin', 'User'),
      })),
    ]),
  );

  route('GET /installation/repositories', 'installation', (request) => {
    const answer = paginated(request, installed ? [repository] : []);
    return { ...answer, body: { total_count: 1, repositories: answer.body } };
  });

  route('GET /repos/{owner}/{repo}', 'installation', () => ({ status: 200, body: repository }));

  route('GET /repos/{owner}/{repo}/contents/{path}', 'installation', (request) => {
    const path = request.params.path ?? '';
    const ref = (request.query.ref ?? defaultBranch).replace(/^refs\/heads\//, '');
    fileReads.push({ path, ref });
    const text = readFile(path, ref);
    if (text === null) return errorAnswer(404, `No commit found for the ref ${ref}`);
    if (text === undefined) return errorAnswer(404);
    // GitHub's ETag is the blob's: a conditional read of an unchanged file gets 304 and no body.
    const etag = `"${blobSha(text)}"`;
    if (request.headers['if-none-match'] === etag) return { status: 304, headers: { etag } };
    const accept = String(request.headers.accept ?? '');
    if (/vnd\.github(\.v3)?\.raw(?!\+json)/.test(accept)) {
      // The harness JSON-encodes every body, so raw text goes out as a JSON string under a bare
      // `application/json`: Octokit decodes it to exactly the file's text. Not `application/json;
      // charset=utf-8`: @probot/octokit-plugin-config takes that exact value for a directory.
      return { status: 200, body: text, headers: { 'content-type': 'application/json' } };
    }
    return { status: 200, body: contentFile(path, ref, text), headers: { etag } };
  });

  function blobSha(text: string): string {
    const bytes = Buffer.from(text, 'utf8');
    return sha1(Buffer.concat([Buffer.from(`blob ${bytes.length}\0`), bytes]));
  }

  function contentFile(path: string, ref: string, text: string): ContentFile {
    const bytes = Buffer.from(text, 'utf8');
    const sha = blobSha(text);
    const self = `${repoApi}/contents/${path}?ref=${encodeURIComponent(ref)}`;
    const git = `${repoApi}/git/blobs/${sha}`;
    const html = `${repoHtml}/blob/${ref}/${path}`;
    return {
      type: 'file',
      encoding: 'base64',
      size: bytes.length,
      name: path.split('/').pop() ?? path,
      path,
      // GitHub wraps the base64 at 60 characters; decoders must cope with the newlines.
      content: (bytes.toString('base64').match(/.{1,60}/g) ?? []).join('\n') + '\n',
      sha,
      url: self,
      git_url: git,
      html_url: html,
      download_url: `https://raw.githubusercontent.com/${fullName}/${ref}/${path}`,
      _links: { self, git, html },
    };
  }

  route('GET /repos/{owner}/{repo}/pulls/{pull_number}', 'installation', (request) => {
    const state = pulls.get(Number(request.params.pull_number));
    return state ? { status: 200, body: pullObject(state) } : errorAnswer(404);
  });

  route('GET /repos/{owner}/{repo}/pulls', 'installation', (request) => {
    const { state = 'open', head, base, sort, direction = 'desc' } = request.query;
    const field = sort === 'updated' ? 'updated_at' : 'created_at';
    // Every PR here targets the default branch, so another base lists nothing.
    const chosen = [...pulls.values()]
      .filter(() => base === undefined || base === defaultBranch)
      .filter((p) => state === 'all' || p.spec.state === state)
      .map(pullObject)
      .filter((p) => head === undefined || p.head.label === head)
      .sort((a, b) => {
        const order = a[field].localeCompare(b[field]) || a.number - b.number;
        return direction === 'desc' ? -order : order;
      });
    return paginated(request, chosen);
  });

  route('GET /repos/{owner}/{repo}/commits/{commit_sha}/pulls', 'installation', (request) => {
    const sha = request.params.commit_sha;
    const chosen = [...pulls.values()].filter((p) => p.spec.sha === sha).map(pullObject);
    return paginated(request, chosen);
  });

  route('GET /repos/{owner}/{repo}/issues/{issue_number}/comments', 'installation', (request) => {
    const n = Number(request.params.issue_number);
    if (!pulls.has(n)) return errorAnswer(404);
    const since = request.query.since;
    const chosen = [...comments.values()]
      .filter((c) => c.issueNumber === n)
      .filter((c) => since === undefined || c.comment.updated_at >= since)
      .map(currentComment);
    return paginated(request, chosen);
  });

  route('POST /repos/{owner}/{repo}/issues/{issue_number}/comments', 'installation', (request) => {
    const n = Number(request.params.issue_number);
    if (!pulls.has(n)) return errorAnswer(404);
    const comment = commentObject(n, bodyOf(request).body ?? '', bot());
    comments.set(comment.id, { issueNumber: n, comment });
    return { status: 201, body: comment, headers: { location: comment.url } };
  });

  route('GET /repos/{owner}/{repo}/issues/comments/{comment_id}', 'installation', (request) => {
    const state = comments.get(Number(request.params.comment_id));
    return state ? { status: 200, body: currentComment(state) } : errorAnswer(404);
  });

  route('PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}', 'installation', (request) => {
    const state = comments.get(Number(request.params.comment_id));
    if (!state) return errorAnswer(404);
    state.comment = { ...state.comment, body: bodyOf(request).body ?? '', updated_at: timestamp() };
    return { status: 200, body: currentComment(state) };
  });

  route(
    'POST /repos/{owner}/{repo}/issues/comments/{comment_id}/reactions',
    'installation',
    (request) => {
      const commentId = Number(request.params.comment_id);
      if (!comments.has(commentId)) return errorAnswer(404);
      const content = bodyOf(request).content ?? '';
      const reacted = reactions.find(
        (r) => r.commentId === commentId && r.content === content && r.login === botLogin,
      );
      // GitHub answers 200 with the existing reaction when the same user reacts twice.
      if (reacted) return { status: 200, body: reactionObject(reacted.commentId, content, true) };
      reactions.push({ commentId, content, login: botLogin });
      reactionLog.push({ commentId, content });
      return { status: 201, body: reactionObject(commentId, content, false) };
    },
  );

  function reactionObject(commentId: number, content: string, existing: boolean): Reaction {
    const id = existing ? stableId(`${commentId}:${content}`) : nextId();
    const known = REACTIONS.find((r) => r === content) ?? 'eyes';
    return { id, node_id: nodeId('REA', id), user: bot(), content: known, created_at: timestamp() };
  }

  route(
    'GET /repos/{owner}/{repo}/collaborators/{username}/permission',
    'installation',
    (request) => {
      const login = request.params.username ?? '';
      const role = permissions.get(login.toLowerCase()) ?? 'read';
      const at = (p: Permission): boolean => RANK.indexOf(role) >= RANK.indexOf(p);
      const body: CollaboratorPermission = {
        permission: LEGACY_PERMISSION[role],
        role_name: role,
        user: {
          ...user(login, login.endsWith('[bot]') ? 'Bot' : 'User'),
          permissions: {
            pull: at('read'),
            triage: at('triage'),
            push: at('write'),
            maintain: at('maintain'),
            admin: at('admin'),
          },
          role_name: role,
        },
      };
      return { status: 200, body };
    },
  );

  route('POST /repos/{owner}/{repo}/deployments', 'installation', (request) => {
    const body = bodyOf(request);
    const ref = body.ref ?? '';
    const sha = resolveRef(ref);
    if (sha === undefined) return errorAnswer(422, `No ref found for: ${ref}`);
    const id = nextId();
    const now = timestamp();
    const environment = body.environment ?? 'production';
    const deployment: Deployment = {
      url: `${repoApi}/deployments/${id}`,
      id,
      node_id: nodeId('DE', id),
      sha,
      ref,
      task: body.task ?? 'deploy',
      payload: (body.payload ?? {}) as Deployment['payload'],
      original_environment: environment,
      environment,
      description: body.description ?? '',
      creator: bot(),
      created_at: now,
      updated_at: now,
      statuses_url: `${repoApi}/deployments/${id}/statuses`,
      repository_url: repoApi,
      transient_environment: body.transient_environment ?? false,
      production_environment: body.production_environment ?? environment === 'production',
      performed_via_github_app: app,
    };
    deployments.set(id, { deployment, statuses: [], records: [] });
    return { status: 201, body: deployment };
  });

  route('GET /repos/{owner}/{repo}/deployments', 'installation', (request) => {
    const { sha, ref, task, environment } = request.query;
    const chosen = [...deployments.values()]
      .map((d) => d.deployment)
      .filter((d) => sha === undefined || d.sha === sha)
      .filter((d) => ref === undefined || d.ref === ref)
      .filter((d) => task === undefined || d.task === task)
      .filter((d) => environment === undefined || d.environment === environment)
      .reverse(); // newest first, as GitHub lists them
    return paginated(request, chosen);
  });

  route(
    'POST /repos/{owner}/{repo}/deployments/{deployment_id}/statuses',
    'installation',
    (request) => {
      const state = deployments.get(Number(request.params.deployment_id));
      if (!state) return errorAnswer(404);
      const body = bodyOf(request) as StatusBody;
      const environment = body.environment ?? state.deployment.environment;
      const status = statusObject(state, body, environment);
      state.statuses.push(status);
      state.records.push(statusRecord(body));
      if (environment !== state.deployment.environment) {
        state.deployment = { ...state.deployment, environment };
      }
      if (body.state === 'success' && (body.auto_inactive ?? true)) autoInactivate(state);
      return { status: 201, body: status };
    },
  );

  /**
   * GitHub's `auto_inactive`: older successful deployments to the same environment get an
   * `inactive` status, but only non-transient, non-production ones (so per-PR transient
   * environments keep theirs and the App must retire them itself).
   */
  function autoInactivate(current: DeploymentState): void {
    for (const other of deployments.values()) {
      const d = other.deployment;
      if (other === current || d.id > current.deployment.id) continue;
      if (d.environment !== current.deployment.environment) continue;
      if (d.transient_environment || d.production_environment) continue;
      if (other.statuses.at(-1)?.state !== 'success') continue;
      const body: StatusBody = { state: 'inactive' };
      other.statuses.push(statusObject(other, body, d.environment));
      other.records.push({ state: 'inactive', automatic: true });
    }
  }

  route(
    'GET /repos/{owner}/{repo}/deployments/{deployment_id}/statuses',
    'installation',
    (request) => {
      const state = deployments.get(Number(request.params.deployment_id));
      if (!state) return errorAnswer(404);
      return paginated(request, [...state.statuses].reverse());
    },
  );

  // --- the world -----------------------------------------------------------------------------

  return {
    owner,
    repo,
    fullName,
    defaultBranch,
    defaultBranchSha,
    installationId,
    botLogin,
    repository,
    setFile(path, text, ref = defaultBranch) {
      const name = ref.replace(/^refs\/heads\//, '');
      const onRef = files.get(name) ?? new Map<string, string | null>();
      files.set(name, onRef);
      // A deletion on another ref must hide the default branch's copy, so it is kept as null.
      if (text === undefined && name === defaultBranch) onRef.delete(path);
      else onRef.set(path, text ?? null);
    },
    fileReads,
    file(path, ref = defaultBranch) {
      return readFile(path, ref) ?? undefined;
    },
    addPull(spec) {
      if (pulls.has(spec.number)) throw new Error(`pull request #${spec.number} already exists`);
      if (!/^[0-9a-f]{40}$/.test(spec.sha)) throw new Error(`sha must be 40 hex, got ${spec.sha}`);
      const now = timestamp();
      const state: PullState = {
        spec: {
          ...spec,
          branch: spec.branch ?? `feature/pr-${spec.number}`,
          author: spec.author ?? 'octocat',
          state: 'open',
        },
        id: nextId(),
        issueId: nextId(),
        createdAt: now,
        updatedAt: spec.updatedAt ? timestamp(spec.updatedAt.getTime()) : now,
        closedAt: null,
        mergedAt: null,
      };
      pulls.set(spec.number, state);
      if (spec.state === 'closed')
        applyPatch(state, { state: 'closed', merged: spec.merged ?? false });
      return pullObject(state);
    },
    updatePull(number, patch) {
      if (patch.sha !== undefined && !/^[0-9a-f]{40}$/.test(patch.sha)) {
        throw new Error(`sha must be 40 hex, got ${patch.sha}`);
      }
      const state = pullState(number);
      applyPatch(state, patch);
      return pullObject(state);
    },
    pull(number) {
      return pullObject(pullState(number));
    },
    addComment(issueNumber, body, author = { login: 'octocat', type: 'User' }) {
      pullState(issueNumber);
      const comment = commentObject(issueNumber, body, user(author.login, author.type));
      comments.set(comment.id, { issueNumber, comment });
      return comment;
    },
    comments(issueNumber) {
      return commentsOf(issueNumber).map((c) => c.body);
    },
    commentObjects: commentsOf,
    reactions: reactionLog,
    setPermission(login, permission) {
      permissions.set(login.toLowerCase(), permission);
    },
    addSuspendedInstallation(id, account) {
      suspendedInstallations.push({ id, account });
    },
    uninstall() {
      installed = false;
    },
    get deployments() {
      return [...deployments.values()].map(deploymentRecord);
    },
    failNext(template, status, times = 1) {
      if (!WORLD_ROUTES.includes(template)) throw new Error(`the world has no route ${template}`);
      faults.set(template, { status, remaining: times });
    },
    requests() {
      return [...log];
    },
    pullRequestEvent(action, number, extra = {}) {
      // Annotated, not cast: tsc proves the objects fit the webhook schema too.
      const pull: WebhookPull = pullObject(pullState(number));
      const payload = {
        action,
        number,
        pull_request: pull,
        repository: repository satisfies WebhookRepository,
        sender: pull.user,
        installation: { id: installationId, node_id: nodeId('MDIz', installationId) },
        ...extra,
      };
      // Only the action-specific extras (label, before/after, changes) are up to the caller.
      return payload as PullRequestEventPayload;
    },
    issueCommentEvent(action, comment, extra = {}) {
      const n = Number(comment.issue_url.split('/').pop());
      const payload = {
        action,
        issue: issueObject(pullState(n)),
        comment,
        repository: repository satisfies WebhookRepository,
        sender: comment.user,
        installation: { id: installationId, node_id: nodeId('MDIz', installationId) },
        ...extra,
      };
      return payload as IssueCommentEventPayload;
    },
  };
}

interface StatusBody {
  state: DeploymentStatus['state'];
  target_url?: string;
  log_url?: string;
  description?: string;
  environment?: string;
  environment_url?: string;
  auto_inactive?: boolean;
}

function statusRecord(body: StatusBody): DeploymentStatusRecord {
  return {
    state: body.state,
    ...(body.environment_url !== undefined ? { environment_url: body.environment_url } : {}),
    ...(body.log_url !== undefined ? { log_url: body.log_url } : {}),
    ...(body.description !== undefined ? { description: body.description } : {}),
  };
}

/** The fields of request bodies the world reads; Prism already checked their types. */
interface RequestFields {
  body?: string;
  content?: string;
  ref?: string;
  task?: string;
  environment?: string;
  description?: string;
  payload?: unknown;
  transient_environment?: boolean;
  production_environment?: boolean;
}

function bodyOf(request: GitHubRequest): RequestFields {
  return typeof request.body === 'object' && request.body !== null ? request.body : {};
}

/** GitHub's list answer: `per_page` (default 30, at most 100) and `page`, with a `link` header. */
function paginated(request: GitHubRequest, items: unknown[]): GitHubAnswer {
  const perPage = Math.min(100, Math.max(1, Number(request.query.per_page ?? 30) || 30));
  const page = Math.max(1, Number(request.query.page ?? 1) || 1);
  const last = Math.max(1, Math.ceil(items.length / perPage));
  const body = items.slice((page - 1) * perPage, page * perPage);
  // Octokit's paginate follows rel="next"; the links point back at this server (loopback).
  const host = request.headers.host ?? '127.0.0.1';
  const linkTo = (n: number): string => {
    const query = new URLSearchParams({
      ...request.query,
      per_page: String(perPage),
      page: `${n}`,
    });
    return `<http://${host}${request.path}?${query.toString()}>`;
  };
  const links = [
    ...(page < last ? [`${linkTo(page + 1)}; rel="next"`, `${linkTo(last)}; rel="last"`] : []),
    ...(page > 1 ? [`${linkTo(1)}; rel="first"`, `${linkTo(page - 1)}; rel="prev"`] : []),
  ];
  return {
    status: 200,
    body,
    ...(links.length > 0 ? { headers: { link: links.join(', ') } } : {}),
  };
}

function errorAnswer(status: number, message?: string, errors?: string[]): GitHubAnswer {
  const body = {
    message: message ?? ERROR_MESSAGES[status] ?? 'Error',
    documentation_url: DOCS,
    status: String(status),
    ...(errors ? { errors } : {}),
  };
  // A secondary rate limit says when to come back; Probot's throttling plugin waits that long.
  const headers: Record<string, string> = status === 429 ? { 'retry-after': '1' } : {};
  return { status, body, headers };
}

/** Why an app JWT would be refused, or undefined when GitHub would accept it. */
function jwtProblem(jwt: string, appId: number, key: KeyObject | undefined): string | undefined {
  const [header = '', payload = '', signature = ''] = jwt.split('.');
  const decode = (part: string): Record<string, unknown> | undefined => {
    try {
      const parsed: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
      return typeof parsed === 'object' && parsed !== null
        ? (parsed as Record<string, unknown>)
        : undefined;
    } catch {
      return undefined;
    }
  };
  const head = decode(header);
  const claims = decode(payload);
  if (!head || !claims) return 'the JWT is not three base64url JSON parts';
  if (head.alg !== 'RS256') return `the JWT must be signed with RS256, not ${String(head.alg)}`;
  if (String(claims.iss) !== String(appId)) return `iss ${String(claims.iss)} is not app ${appId}`;
  const now = Date.now() / 1000;
  if (typeof claims.exp !== 'number' || claims.exp < now) return 'the JWT has expired';
  if (typeof claims.iat !== 'number' || claims.iat > now + 60) return 'iat is in the future';
  if (claims.exp - claims.iat > 600 + 60) return 'the JWT lives longer than 10 minutes';
  if (key) {
    const signed = Buffer.from(`${header}.${payload}`);
    if (!verify('RSA-SHA256', signed, key, Buffer.from(signature, 'base64url'))) {
      return "the JWT's signature does not match the App's key";
    }
  }
  return undefined;
}

function sha1(data: string | Buffer): string {
  return createHash('sha1').update(data).digest('hex');
}

/** The same name always gets the same id (a login is one user across every object). */
function stableId(name: string): number {
  return 10_000_000 + (parseInt(sha1(name.toLowerCase()).slice(0, 7), 16) % 90_000_000);
}

function nodeId(kind: string, id: number): string {
  return `${kind}_kwDO${Buffer.from(String(id)).toString('base64url')}`;
}

/** GitHub's timestamps: ISO 8601 in UTC, whole seconds. */
function timestamp(ms = Date.now()): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function decodePath(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}
