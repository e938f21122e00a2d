/** Where the core writes what it is doing: `@actions/core` in the Action, Probot's log in the App. */
export interface Logger {
  info(message: string): void;
  warning(message: string): void;
  debug(message: string): void;
  /** Groups the lines that `work` prints under one foldable heading. */
  group<T>(title: string, work: () => Promise<T>): Promise<T>;
  /** Registers a value that must never be printed (masked by the runner from then on). */
  secret(value: string): void;
}

/** A logger that forgets everything, for callers that only want results. */
export const silentLogger: Logger = {
  info: () => undefined,
  warning: () => undefined,
  debug: () => undefined,
  group: (_title, work) => work(),
  secret: () => undefined,
};
