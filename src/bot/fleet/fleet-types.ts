/** A preview's state as the fleet API and the dashboard show it. */
export const PREVIEW_STATES = [
  'starting',
  'ready',
  'unhealthy',
  'stopped-idle',
  'stopped',
] as const;
export type PreviewState = (typeof PREVIEW_STATES)[number];

export interface FleetFilter {
  /** `owner/name`, compared without case. */
  readonly repo?: string;
  readonly state?: PreviewState;
}

/** One PR's preview, read from its tasks' tags (times as ISO 8601). */
export interface FleetPreview {
  /** `owner/name` as the tasks' tags name it. */
  readonly repository: string;
  readonly pr: number;
  readonly sha: string;
  readonly url?: string;
  readonly state: PreviewState;
  readonly startedAt?: string;
  /** The PR's last push, comment or review that reached the App. */
  readonly lastActivity?: string;
  /** Only where a request metric exists (alb routing, or `activity-metric`) and could be read. */
  readonly requests?: {
    readonly count: number;
    readonly lastRequestAt?: string;
    /** The window counted: the repository's `idle-after`. */
    readonly windowSeconds: number;
  };
  readonly keepUntil?: string;
  readonly stoppedAt?: string;
  readonly stoppedReason?: string;
  readonly taskArns: readonly string[];
  readonly cluster: string;
}

export interface FleetListing {
  /** By repository, then PR; running previews before stopped ones of the same PR. */
  readonly previews: readonly FleetPreview[];
  /** Every cluster previews may use was listed. */
  readonly complete: boolean;
  /** What could not be read; names repositories, so only operators are shown it. */
  readonly problems: readonly string[];
}
