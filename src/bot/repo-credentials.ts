import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@aws-sdk/types';

export interface AssumedRole {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  readonly expiration: Date;
}

/** STS AssumeRole, passed in so the App's own STS client (and tests' moto) is used. */
export type AssumeRole = (request: {
  roleArn: string;
  sessionName: string;
  tags: ReadonlyArray<{ key: string; value: string }>;
}) => Promise<AssumedRole>;

/** Refresh this long before expiry: a launch started on credentials must not outlive them. */
const REFRESH_MARGIN_MS = 5 * 60_000;

/**
 * Credentials per repository and PR from the role the operator's policy names, with session tags
 * `repo` and `pr` so the role's policy (and CloudTrail) can tell whose work a call is. Each
 * session is reused until five minutes before it expires, and dropped after; concurrent asks for
 * one session share one AssumeRole.
 */
export class RepoCredentials {
  private readonly sessions = new Map<
    string,
    { readonly session: Promise<AssumedRole>; expiresAt?: number }
  >();

  constructor(
    private readonly assume: AssumeRole,
    private readonly now: () => Date = () => new Date(),
  ) {}

  provider(roleArn: string, repo: string, pr: number | undefined): AwsCredentialIdentityProvider {
    return async (): Promise<AwsCredentialIdentity> => {
      const session = await this.session(roleArn, repo, pr);
      return {
        accessKeyId: session.accessKeyId,
        secretAccessKey: session.secretAccessKey,
        sessionToken: session.sessionToken,
        expiration: new Date(session.expiration.getTime() - REFRESH_MARGIN_MS),
      };
    };
  }

  get size(): number {
    return this.sessions.size;
  }

  private session(roleArn: string, repo: string, pr: number | undefined): Promise<AssumedRole> {
    this.prune();
    const key = `${roleArn} ${repo}#${pr ?? ''}`;
    const known = this.sessions.get(key);
    if (known) return known.session;
    const session = this.assume({
      roleArn,
      sessionName: sessionName(repo, pr),
      tags: [
        { key: 'repo', value: repo },
        ...(pr === undefined ? [] : [{ key: 'pr', value: String(pr) }]),
      ],
    });
    const entry: { readonly session: Promise<AssumedRole>; expiresAt?: number } = { session };
    this.sessions.set(key, entry);
    session.then(
      (s) => {
        entry.expiresAt = s.expiration.getTime() - REFRESH_MARGIN_MS;
      },
      // A failed AssumeRole is asked again next time rather than remembered.
      () => this.sessions.delete(key),
    );
    return session;
  }

  /** Sessions within five minutes of expiry go, so the map holds only live ones. */
  private prune(): void {
    const now = this.now().getTime();
    for (const [key, entry] of this.sessions) {
      if (entry.expiresAt !== undefined && entry.expiresAt <= now) this.sessions.delete(key);
    }
  }
}

/** `ecs-paas-acme-web-42`: STS allows [\w+=,.@-], at most 64 characters. */
function sessionName(repo: string, pr: number | undefined): string {
  const name = `ecs-paas-${repo.replace('/', '-')}${pr === undefined ? '' : `-${pr}`}`;
  return name.replace(/[^\w+=,.@-]/g, '-').slice(0, 64);
}
