/** Turns anything thrown into text a user can read; AWS and Octokit errors keep their code. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { name?: string; Code?: string }).Code ?? error.name;
    return code &&
      !['Error', 'InputError', 'ConfigError'].includes(code) &&
      !error.message.includes(code)
      ? `${code}: ${error.message}`
      : error.message;
  }
  return typeof error === 'string' ? error : JSON.stringify(error);
}

/** Adds what we were doing to an error as it rises (`Could not register task definition: …`). */
export function withContext(context: string, error: unknown): Error {
  return new Error(`${context}: ${errorMessage(error)}`, { cause: error });
}

/** An error in user input: names the input and what form it expects. */
export class InputError extends Error {
  constructor(
    readonly input: string,
    problem: string,
  ) {
    super(`Input '${input}': ${problem}`);
    this.name = 'InputError';
  }
}

/** An error whose message was written to be posted publicly: it names no ARN, account or role. */
export class PublicError extends Error {}

/**
 * What a public PR comment may say of an error: its kind (`AccessDeniedException`), never its
 * text, which can carry ARNs, account ids and role names. The text goes to `log` for operators.
 */
export function publicReason(error: unknown, log: { warning(message: string): void }): string {
  log.warning(errorMessage(error));
  if (error instanceof PublicError) return error.message;
  const name = error instanceof Error ? ((error as { Code?: string }).Code ?? error.name) : '';
  const kind = /^[A-Za-z]{3,60}$/.test(name) && name !== 'Error' ? name : 'an error';
  return `${kind} (the logs have the details)`;
}
