import { parseDocument, type YAMLError } from 'yaml';
import { errorMessage } from '../errors.js';
import { ConfigError, keyPath, type ConfigIssue } from './config-error.js';
import { section } from './config-fields.js';
import { environmentsSchema, type EnvironmentConfig } from './environment-config.js';
import { previewSchema, type PreviewConfig } from './preview-config.js';

export { ConfigError, type ConfigIssue } from './config-error.js';
export {
  PERMISSION_LEVELS,
  type EnvironmentConfig,
  type Permission,
} from './environment-config.js';
export type { ActivityMetric, LaunchType, PreviewConfig } from './preview-config.js';

/** `.github/ecs-paas.yml`, validated, with defaults filled in and keys in camelCase. */
export interface RepoConfig {
  /** Left out when the file has no `preview:` section: this repository gets no previews. */
  readonly preview?: PreviewConfig;
  /** Targets of `/deploy <name>`; empty when none are configured. */
  readonly environments: Readonly<Record<string, EnvironmentConfig>>;
}

const repoConfigSchema = section(
  { preview: previewSchema.optional(), environments: environmentsSchema.optional() },
  'a map with preview and/or environments',
).transform((config): RepoConfig => ({
  ...(config.preview !== undefined && { preview: config.preview }),
  environments: config.environments ?? {},
}));

/**
 * Parses and validates the repository's config. An empty file is valid and turns previews off.
 * Throws a ConfigError that lists every mistake at once, so one fix-up commit can address them all.
 */
export function parseRepoConfig(text: string, source = '.github/ecs-paas.yml'): RepoConfig {
  // `<<: *defaults` is how teams share settings between environments; YAML 1.2 needs it opted in.
  const document = parseDocument(text, { merge: true });
  if (document.errors.length > 0) throw new ConfigError(source, syntaxIssues(document.errors));
  let content: unknown;
  try {
    content = document.toJS();
  } catch (error: unknown) {
    // toJS refuses alias bombs and similar; that is the file's fault, not ours.
    throw new ConfigError(source, [
      { path: '', message: `${errorMessage(error)}; expected plain YAML` },
    ]);
  }
  const result = repoConfigSchema.safeParse(withoutEmptyValues(content) ?? {});
  if (result.success) return result.data;
  throw new ConfigError(
    source,
    result.error.issues.map((issue) => ({ path: keyPath(issue.path), message: issue.message })),
  );
}

/** One issue per line: a single slip often makes the parser complain several times about one line. */
function syntaxIssues(errors: readonly YAMLError[]): ConfigIssue[] {
  const byLine = new Map<number, ConfigIssue>();
  for (const error of errors) {
    const start = error.linePos?.[0];
    const line = start?.line ?? 0;
    if (byLine.has(line)) continue;
    const where = start ? `line ${start.line}, column ${start.col}` : 'YAML';
    const reason =
      error.code === 'MULTIPLE_DOCS'
        ? 'a second YAML document (---)'
        : error.message.replace(/ at line \d+, column \d+:[\s\S]*$/, '');
    byLine.set(line, { path: '', message: `${where}: ${reason}; expected valid YAML` });
  }
  return [...byLine.values()];
}

/**
 * Drops map entries with no value. `container:` with nothing after it, or a section whose every
 * line is commented out, then reads as the key left out rather than as a puzzling "got null".
 */
function withoutEmptyValues(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutEmptyValues);
  if (typeof value !== 'object' || value === null) return value;
  if (Object.getPrototypeOf(value) !== Object.prototype) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([, entry]) => entry !== null)
      .map(([key, entry]) => [key, withoutEmptyValues(entry)]),
  );
}
