/** A new PR comment as the command handler reads it from the `issue_comment` payload. */
export interface CommandComment {
  readonly id: number;
  readonly body: string;
  readonly author: string;
  readonly authorType: string;
  readonly issueNumber: number;
  readonly onPullRequest: boolean;
  /** GitHub's own time for the comment: what a command approves is judged against it. */
  readonly createdAt: Date;
  /** Where the comment is, for "in progress: <link>". */
  readonly htmlUrl: string;
  /** The delivery that carried it, so a reply can point to the App's log lines. */
  readonly delivery: string;
}

export interface Outcome {
  readonly ok: boolean;
  readonly reply?: string;
}
