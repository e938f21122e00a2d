import { AsyncLocalStorage } from 'node:async_hooks';
import type { Logger } from '../core/logger.js';

/** What every log line of one piece of work carries, so an operator can follow a PR across lines. */
export interface WorkFields {
  readonly repo?: string;
  readonly pr?: number;
  readonly delivery?: string;
}

const current = new AsyncLocalStorage<WorkFields>();

/** Runs `work` with these fields on every line logged inside it, however deep. */
export function withWorkFields<T>(fields: WorkFields, work: () => T): T {
  return current.run({ ...current.getStore(), ...fields }, work);
}

/** The part of pino (Probot's logger) this writes to. */
export interface PinoLike {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  debug(fields: object, message: string): void;
}

/**
 * The App's one log: Probot's pino (JSON unless LOG_FORMAT=pretty), with `repo`, `pr` and
 * `delivery` on every line written while a piece of work runs, the core's lines included.
 * Probot makes its logger only once it is loaded, so it is looked up at each line.
 */
export function pinoLogger(log: () => PinoLike): Logger {
  const fields = (): WorkFields => current.getStore() ?? {};
  return {
    info: (message) => log().info(fields(), message),
    warning: (message) => log().warn(fields(), message),
    debug: (message) => log().debug(fields(), message),
    group: (_title, work) => work(),
    // The App prints no secret it is given; nothing to mask on a server's log.
    secret: () => undefined,
  };
}
