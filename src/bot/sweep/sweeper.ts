import { errorMessage } from '../../core/errors.js';
import type { BotServices } from '../bot-services.js';
import { noticeStoppedTask, type ApiFor, type CrashOutcome } from '../health/notice-stopped.js';
import type { FleetSource } from './installed-repositories.js';
import { sweepFleet } from './sweep-fleet.js';
import type { SweepReport } from './sweep-types.js';

export type SweepOutcome = SweepReport | { readonly trigger: string; readonly failed: string };

export interface SweepRun {
  readonly startedAt: Date;
  readonly trigger: string;
  readonly done: Promise<SweepOutcome>;
}

/**
 * One sweep at a time, whoever asks (the timer, `POST /api/sweep`): a second request while one
 * runs gets the running one back, so two sweeps never judge the same preview and stop it twice.
 */
export class Sweeper {
  private current: SweepRun | undefined;
  private previous: SweepOutcome | undefined;
  private stopTimers: (() => void) | undefined;
  /** Shutting down: a sweep started now would be cut off halfway by the exit. */
  private stopping = false;

  constructor(
    private readonly services: BotServices,
    private readonly source: FleetSource,
  ) {}

  /** Starts a sweep, or returns the one already running (`started: false`); none once stopping. */
  start(trigger: string): { started: boolean; run: SweepRun } | undefined {
    if (this.current) return { started: false, run: this.current };
    if (this.stopping) return undefined;
    const done = sweepFleet(this.services, this.source, trigger)
      .then((report): SweepOutcome => {
        const { stopped, orphanRoutes, reconciled, previews } = report;
        this.services.log.info(
          `sweep (${trigger}): ${previews} previews; stopped ${stopped.idle} idle, ${stopped.closed} closed; ${orphanRoutes} routes without a task removed; ${reconciled} reconciled; ${report.seconds.toFixed(1)} s`,
        );
        return report;
      })
      .catch((error: unknown): SweepOutcome => {
        this.services.log.warning(`sweep (${trigger}) failed: ${errorMessage(error)}`);
        return { trigger, failed: errorMessage(error) };
      })
      .then((outcome) => {
        this.previous = outcome;
        this.current = undefined;
        return outcome;
      });
    this.current = { startedAt: this.services.now(), trigger, done };
    return { started: true, run: this.current };
  }

  /** A preview task stopped (EventBridge, through the queue): see noticeStoppedTask. */
  noticeStopped(cluster: string, taskArn: string, apiFor: ApiFor): Promise<CrashOutcome> {
    return noticeStoppedTask(this.services, apiFor, cluster, taskArn);
  }

  status(): { running?: { startedAt: string; trigger: string }; last?: SweepOutcome } {
    return {
      ...(this.current && {
        running: { startedAt: this.current.startedAt.toISOString(), trigger: this.current.trigger },
      }),
      ...(this.previous && { last: this.previous }),
    };
  }

  /**
   * Sweeps every `intervalMs`, the first time soon after start so previews of PRs closed while
   * the App was down go at once. A tick that finds a sweep running lets it be.
   */
  every(intervalMs: number): void {
    this.stopTimers?.();
    const tick = (): void => void this.start('interval');
    const first = setTimeout(tick, Math.min(intervalMs, 30_000));
    const repeat = setInterval(tick, intervalMs);
    // The timers alone must not keep a stopping process alive.
    first.unref();
    repeat.unref();
    this.stopTimers = () => {
      clearTimeout(first);
      clearInterval(repeat);
    };
  }

  /** Stops the timer and waits for a running sweep (graceful shutdown). */
  async stop(): Promise<void> {
    this.stopping = true;
    this.stopTimers?.();
    this.stopTimers = undefined;
    await this.current?.done;
  }
}
