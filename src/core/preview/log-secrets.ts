import type { ContainerDefinition, KeyValuePair, TaskOverride } from '@aws-sdk/client-ecs';

export const MASK = '***';

/**
 * Names that say "this value is a secret". Long words match anywhere in the name (GITHUBTOKEN,
 * DB_PASSWORD_FILE); short ones only as a whole part of it, so KEY matches API_KEY and
 * STRIPE_KEY but not MONKEY_MODE or KEYBOARD, and AUTH matches AUTH_HEADER but not AUTHOR.
 */
const SECRET_NAME_ANYWHERE =
  /SECRET|TOKEN|PASSWORD|PASSWD|PASSPHRASE|CREDENTIAL|APIKEY|ACCESSKEY|PRIVATEKEY|SESSION|COOKIE|SIGNING|SIGNATURE|CONNECTION_?STRING/;
const SECRET_NAME_PART = /^(KEY|KEYS|PWD|PASS|AUTH|DSN|SALT|PEPPER|CREDS|JWT|HMAC|OTP)$/;

/** `scheme://user:password@`, the password in group 2. */
const URL_CREDENTIALS = /([a-z][a-z0-9+.-]*:\/\/[^\s:/@]*:)([^\s@]+)(@)/gi;
const HAS_URL_CREDENTIALS = new RegExp(URL_CREDENTIALS.source, 'i');

/**
 * Values not worth masking even under a secret-looking name, because masking them would blank
 * ordinary words and numbers all over the log without hiding anything: anything shorter than four
 * characters (`1`, `on`), plain numbers of up to five digits (ports, timeouts such as
 * SESSION_TIMEOUT=3600), and words that configure rather than authenticate (`true`, `production`).
 */
const MIN_SECRET_LENGTH = 4;
const SHORT_NUMBER = /^\d{1,5}$/;
const COMMON_VALUES = new Set([
  'true',
  'false',
  'yes',
  'none',
  'null',
  'nil',
  'undefined',
  'enabled',
  'disabled',
  'required',
  'optional',
  'strict',
  'lax',
  'secure',
  'insecure',
  'production',
  'prod',
  'staging',
  'development',
  'test',
  'testing',
  'preview',
  'local',
  'localhost',
  'debug',
  'info',
  'warn',
  'warning',
  'error',
  'memory',
  'redis',
  'cookie',
  'header',
  'bearer',
  'basic',
  'jwt',
]);

type Replacement = (match: string, ...groups: string[]) => string;
const masked = (): string => MASK;
const keepFirst = (_match: string, kept: string): string => `${kept}${MASK}`;

/**
 * Secrets that no environment tells us about, recognised by their shape. Each keeps what says
 * what it was (`Bearer `, the user in a URL) and loses the part that grants access.
 */
const GENERIC_PATTERNS: readonly (readonly [RegExp, Replacement])[] = [
  // AWS access key ids: long-term (AKIA) and temporary (ASIA).
  [/\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/g, masked],
  // GitHub tokens: classic personal, OAuth, user-to-server, installation, refresh; fine-grained.
  [/\bgh[pousr]_[A-Za-z0-9]{20,}/g, masked],
  [/\bgithub_pat_[A-Za-z0-9_]{20,}/g, masked],
  // JSON Web Tokens travel outside Authorization headers too (query strings, cookies).
  [/\beyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g, masked],
  [/\b(Bearer\s+)[A-Za-z0-9\-._~+/]+=*/gi, keepFirst],
  [URL_CREDENTIALS, (_match, user: string, _password, at: string) => `${user}${MASK}${at}`],
  // `db_password=…`, `"token": "…"`: what apps print when they dump their own configuration.
  [
    /((?:password|passwd|secret|token|api[_-]?key|access[_-]?key|private[_-]?key)["']?\s*[:=]\s*["']?)([^\s"',;&]{4,})/gi,
    (match, key: string, value: string) => (worthMasking(value) ? `${key}${MASK}` : match),
  ],
  // The body of a PEM private key printed in one message; see maskLogLines for one per line.
  [
    /(-----BEGIN [A-Z ]*PRIVATE KEY-----)[\s\S]+?(-----END [A-Z ]*PRIVATE KEY-----|$)/g,
    (_match, begin: string, end: string) => `${begin}${MASK}${end}`,
  ],
];

const PEM_BEGIN = /-----BEGIN [A-Z ]*PRIVATE KEY-----/;
const PEM_END = /-----END [A-Z ]*PRIVATE KEY-----/;
// A 4096-bit RSA key is about 50 lines; past this a missing END line is not a key any more.
const MAX_PEM_LINES = 100;

type Environment = readonly KeyValuePair[] | undefined;

/**
 * The values in a task's environment that must never reach a PR comment: the values of variables
 * whose name looks secret, and the password of any `scheme://user:password@host` in any value.
 * Container overrides count as well: RunTask may set variables the task definition does not have.
 * Longest first, so a secret that contains another is masked whole.
 */
export function secretsOf(
  definition: { readonly containerDefinitions?: readonly ContainerDefinition[] | undefined },
  overrides?: TaskOverride,
): string[] {
  const environments: Environment[] = [
    ...(definition.containerDefinitions ?? []).map((container) => container.environment),
    ...(overrides?.containerOverrides ?? []).map((override) => override.environment),
  ];
  const secrets = new Set<string>();
  for (const variable of environments.flatMap((environment) => environment ?? [])) {
    const value = variable.value ?? '';
    if (looksSecret(variable.name ?? '', value)) variants(value).forEach((v) => secrets.add(v));
    for (const match of value.matchAll(URL_CREDENTIALS)) {
      variants(match[2] ?? '').forEach((v) => secrets.add(v));
    }
  }
  return [...secrets].filter(worthMasking).sort((a, b) => b.length - a.length);
}

/** Replaces every known secret, then every secret-shaped string, with `***`. */
export function maskSecrets(line: string, secrets: readonly string[]): string {
  let result = line;
  // `secrets` from secretsOf is longest first; sorting again keeps hand-made lists safe too.
  for (const secret of [...secrets].sort((a, b) => b.length - a.length)) {
    if (worthMasking(secret)) result = result.split(secret).join(MASK);
  }
  for (const [pattern, replacement] of GENERIC_PATTERNS) {
    result = result.replace(pattern, replacement);
  }
  return result;
}

/**
 * Masks a container's lines in order. On top of maskSecrets, a PEM private key logged one line per
 * event has its body masked from the BEGIN line to the END line: one line alone cannot be told
 * apart from any other base64.
 */
export function maskLogLines(lines: readonly string[], secrets: readonly string[]): string[] {
  let keyLines = 0; // > 0 while inside a key that began on an earlier line
  return lines.map((line) => {
    if (keyLines > 0) {
      const end = PEM_END.exec(line);
      if (end) {
        keyLines = 0;
        return maskSecrets(`${MASK}${line.slice(end.index)}`, secrets);
      }
      keyLines += 1;
      if (keyLines <= MAX_PEM_LINES) return MASK;
      keyLines = 0;
    }
    const begin = line.search(PEM_BEGIN);
    if (begin >= 0 && !PEM_END.test(line.slice(begin))) keyLines = 1;
    return maskSecrets(line, secrets);
  });
}

function looksSecret(name: string, value: string): boolean {
  // apiKey and stripeKey are API_KEY and STRIPE_KEY written in camelCase.
  const upper = name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();
  if (SECRET_NAME_ANYWHERE.test(upper)) return true;
  if (upper.split(/[^A-Z0-9]+/).some((part) => SECRET_NAME_PART.test(part))) return true;
  // DATABASE_URL, REDIS_URL, SENTRY_DSN…: a URL is only secret when it carries a password.
  return /(URL|URI)$/.test(upper) && HAS_URL_CREDENTIALS.test(value);
}

function worthMasking(value: string): boolean {
  const trimmed = value.trim();
  return (
    trimmed.length >= MIN_SECRET_LENGTH &&
    !SHORT_NUMBER.test(trimmed) &&
    !COMMON_VALUES.has(trimmed.toLowerCase())
  );
}

/**
 * The forms a value takes in a log: as is, each line of a multi-line value (a PEM key is printed
 * line by line), and percent-encoded or decoded, as it appears inside URLs.
 */
function variants(value: string): string[] {
  const lines = value.split(/\r?\n/).map((line) => line.trim());
  // PEM armour lines say what the value is, not what it holds; masking them would hide the
  // BEGIN line that maskLogLines needs to find the key's body.
  const forms = new Set<string>([
    value,
    ...lines.filter((line) => !/^-----[A-Z ]+-----$/.test(line)),
  ]);
  for (const form of [...forms]) {
    forms.add(encodeURIComponent(form));
    try {
      forms.add(decodeURIComponent(form));
    } catch {
      // Not percent-encoded after all: the raw form is already in.
    }
  }
  return [...forms];
}
