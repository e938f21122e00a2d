/** One mistake in a config file: where (`preview.routing.port`) and what, `<what is wrong>; expected <form>`. */
export interface ConfigIssue {
  /** Dotted key path, list positions in brackets (`preview.subnets[1]`); empty for the whole file. */
  readonly path: string;
  readonly message: string;
}

/**
 * A config file that cannot be used. The message lists every issue, one per line, as
 * `<source>: <key.path>: <what is wrong>; expected <form>`, ready for a PR comment or a log.
 */
export class ConfigError extends Error {
  constructor(
    readonly source: string,
    readonly issues: readonly ConfigIssue[],
  ) {
    super(
      issues
        .map((issue) => [source, issue.path, issue.message].filter(Boolean).join(': '))
        .join('\n'),
    );
    this.name = 'ConfigError';
  }
}

/** `['preview', 'subnets', 1]` → `preview.subnets[1]`. */
export function keyPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((text, key) => {
    if (typeof key === 'number') return `${text}[${key}]`;
    const name = String(key);
    return text ? `${text}.${name}` : name;
  }, '');
}
