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
