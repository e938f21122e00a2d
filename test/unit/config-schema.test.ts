import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import ts from 'typescript';
import { parse as parseYaml, stringify } from 'yaml';
import { ConfigError, parseRepoConfig } from '../../src/core/config/repo-config.js';
import { repoConfigJsonSchema, SCHEMA_PATH, SCHEMA_URL } from '../../scripts/schema.js';

// schema/ecs-paas.schema.json is what editors check `.github/ecs-paas.yml` against, so it must
// agree with the parser: fresh, accepting every config the docs and tests use, knowing exactly the
// keys the parser knows, and each of those keys documented in the README with its default.

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');

type Json = Record<string, unknown>;
const isMap = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const schema = JSON.parse(readFileSync(SCHEMA_PATH, 'utf8')) as Json;
const validate = new Ajv2020({ allErrors: true, allowUnionTypes: true }).compile(schema);

function schemaProblems(config: unknown): string[] {
  if (validate(config)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`);
}

/**
 * The file as the parser reads it: merge keys (`<<: *base`) applied, and a key with nothing after
 * it read as left out. The schema does not allow such an empty key: an editor should point at it.
 */
function readConfig(text: string): unknown {
  const withoutEmpty = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(withoutEmpty);
    if (!isMap(value)) return value;
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, entry]) => entry !== null)
        .map(([key, entry]) => [key, withoutEmpty(entry)]),
    );
  };
  return withoutEmpty(parseYaml(text, { merge: true }) ?? {});
}

function parserAccepts(text: string): boolean {
  try {
    parseRepoConfig(text);
    return true;
  } catch (error: unknown) {
    if (error instanceof ConfigError) return false;
    throw error;
  }
}

/** A key of the file as the README names it: `preview.routing.port`, `environments.<name>.cluster`. */
interface SchemaKey {
  readonly path: string;
  readonly node: Json;
}

/**
 * Every key a config may hold, walking both routing modes, list items (`[]`) and named entries
 * (`<name>`). A key whose schema is `not: {}` is known to the parser only to refuse it (an alb key
 * in dns mode), so it is not a key a user can set there.
 */
function schemaKeys(node: unknown, path = ''): SchemaKey[] {
  if (!isMap(node)) return [];
  const keys: SchemaKey[] = [];
  for (const branch of [...asList(node.oneOf), ...asList(node.anyOf)]) {
    keys.push(...schemaKeys(branch, path));
  }
  if (isMap(node.properties)) {
    for (const [name, child] of Object.entries(node.properties)) {
      if (!isMap(child) || isMap(child.not)) continue;
      const childPath = path ? `${path}.${name}` : name;
      keys.push({ path: childPath, node: child }, ...schemaKeys(child, childPath));
    }
  }
  if (node.propertyNames !== undefined && isMap(node.additionalProperties)) {
    keys.push(...schemaKeys(node.additionalProperties, `${path}.<name>`));
  }
  if (isMap(node.items)) keys.push(...schemaKeys(node.items, `${path}[]`));
  return keys;
}

const asList = (value: unknown): unknown[] => (Array.isArray(value) ? (value as unknown[]) : []);

/** Each `key | default | …` row of the README's config reference. */
function referenceRows(): Map<string, string> {
  const start = README.indexOf('### Config reference');
  const rows = new Map<string, string>();
  if (start === -1) return rows;
  const table = README.slice(start).split('\n## ')[0] ?? '';
  for (const line of table.split('\n')) {
    const cells = line.split('|').map((cell) => cell.trim());
    const key = /^`([^`]+)`$/.exec(cells[1] ?? '')?.[1];
    if (key) rows.set(key, cells[2] ?? '');
  }
  return rows;
}

function readmeConfigs(): { text: string; value: unknown }[] {
  return [...README.matchAll(/```yaml\n([\s\S]*?)```/g)]
    .map((match) => match[1] ?? '')
    .map((text) => ({ text, value: readConfig(text) }))
    .filter(
      ({ value }) =>
        isMap(value) &&
        Object.keys(value).length > 0 &&
        Object.keys(value).every((key) => key === 'preview' || key === 'environments'),
    );
}

/** What a test puts where `${…}` stands in a config it builds, by the key it is the value of. */
const PLACEHOLDERS: Record<string, string> = {
  subnets: 'subnet-0abc1234',
  'security-groups': 'sg-0abc1234',
  'hosted-zone-id': 'Z0123456789ABC',
  'vpc-id': 'vpc-0abc1234',
  'listener-arn':
    'arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/previews/50dc6c495c0c9188/f2f7dc8efc522ab2',
  domain: 'preview.example.com',
  subdomain: 'pr-{number}-{repo}',
  'task-role-arn': 'arn:aws:iam::123456789012:role/preview-web',
  'execution-role-arn': 'arn:aws:iam::123456789012:role/ecsTaskExecutionRole',
};

function templateText(node: ts.TemplateExpression): string {
  let text = node.head.text;
  for (const span of node.templateSpans) {
    const key = /([\w-]+):\s*\[?\s*$/.exec(text.split('\n').at(-1) ?? '')?.[1] ?? '';
    text += (PLACEHOLDERS[key] ?? 'x1') + span.literal.text;
  }
  return text;
}

function literalText(node: ts.Node): string | undefined {
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return node.text;
  if (ts.isTemplateExpression(node)) return templateText(node);
  return undefined;
}

const looksLikeConfig = (text: string) => /^\s*(preview|environments):\s*$/m.test(text);

/**
 * The `.github/ecs-paas.yml` texts the tests and their fixtures write: string literals holding a
 * config, and arrays of lines joined into one (`['preview:', '  cluster: previews', …]`), with
 * every `${…}` filled in as the test's servers would and spread-in lines left out.
 */
function testConfigs(): { where: string; text: string }[] {
  const files = readdirSync(join(ROOT, 'test'), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts'))
    .map((file) => join(ROOT, 'test', file));
  const found: { where: string; text: string }[] = [];
  for (const file of files) {
    const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2023);
    const visit = (node: ts.Node): void => {
      const where = `${relative(ROOT, file)}:${source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1}`;
      if (ts.isArrayLiteralExpression(node)) {
        const first = node.elements[0];
        if (first && /^(preview|environments):$/.test(literalText(first) ?? '')) {
          const lines = node.elements.map((element) => literalText(element) ?? '');
          found.push({ where, text: lines.join('\n') });
          return;
        }
      }
      const text = literalText(node);
      if (text !== undefined && text.includes('\n') && looksLikeConfig(text)) {
        found.push({ where, text });
        return;
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return found;
}

describe('schema/ecs-paas.schema.json', () => {
  it('is what npm run schema writes from the zod schemas today', () => {
    expect(schema).toEqual(repoConfigJsonSchema());
  });

  it('is the $schema the README tells editors to use', () => {
    expect(schema.$id).toBe(SCHEMA_URL);
    expect(README).toContain(`# yaml-language-server: $schema=${SCHEMA_URL}`);
  });

  const examples = readmeConfigs();
  it.each(examples.map((example, index) => [index + 1, example] as const))(
    'accepts README config example %d, which the parser accepts too',
    (_index, { text, value }) => {
      expect(parserAccepts(text)).toBe(true);
      expect(schemaProblems(value)).toEqual([]);
    },
  );

  it('accepts examples/ecs-paas.yml, which names the schema for editors', () => {
    const text = readFileSync(join(ROOT, 'examples', 'ecs-paas.yml'), 'utf8');
    expect(text.split('\n')[0]).toBe(`# yaml-language-server: $schema=${SCHEMA_URL}`);
    expect(parserAccepts(text)).toBe(true);
    expect(schemaProblems(readConfig(text))).toEqual([]);
  });

  it('finds the README preview example among them', () => {
    expect(examples.some(({ text }) => text.includes('yaml-language-server'))).toBe(true);
  });

  const written = testConfigs();
  it('finds the configs the tests write, the fixtures included', () => {
    const places = written.map(({ where }) => where);
    expect(places.some((where) => where.startsWith('test/support/app-fixture.ts'))).toBe(true);
    expect(places.some((where) => where.startsWith('test/support/preview-fixture.ts'))).toBe(true);
    expect(written.length).toBeGreaterThanOrEqual(10);
  });

  it('accepts every config a test writes that the parser accepts', () => {
    // The rest are configs a test writes to be refused, or whose values only its servers know.
    const accepted = written.filter(({ text }) => parserAccepts(text));
    expect(accepted.length).toBeGreaterThanOrEqual(15);
    const refused = accepted
      .map(({ where, text }) => ({ where, problems: schemaProblems(readConfig(text)) }))
      .filter(({ problems }) => problems.length > 0);
    expect(refused).toEqual([]);
  });
});

/** A config with every section the schema has, so each can get an unknown key. */
const ROUTING = { domain: 'preview.example.com', 'hosted-zone-id': 'Z0123ABC' };
const LISTENER =
  'arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/previews/50dc6c495c0c9188/f2f7dc8efc522ab2';
const SECRET = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:previews/oidc-AbCdEf';
const PREVIEW = {
  cluster: 'previews',
  'task-definition': 'web',
  subnets: ['subnet-0abc'],
  'activity-metric': { namespace: 'MyApp', name: 'Requests', dimension: 'Preview' },
  'capacity-provider-strategy': [{ 'capacity-provider': 'FARGATE_SPOT' }],
};
const OIDC = {
  issuer: 'https://login.example.com',
  'authorization-endpoint': 'https://login.example.com/authorize',
  'token-endpoint': 'https://login.example.com/token',
  'user-info-endpoint': 'https://login.example.com/userinfo',
  'client-id': 'previews',
  'client-secret': SECRET,
};
const COGNITO = {
  'user-pool-arn': 'arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_AbC',
  'user-pool-client-id': 'abc123',
  'user-pool-domain': 'acme-previews',
};
const ALB = { mode: 'alb', ...ROUTING, 'listener-arn': LISTENER, 'vpc-id': 'vpc-0abc1234' };
const BASES: Json[] = [
  {
    preview: { ...PREVIEW, routing: ROUTING },
    environments: { staging: { cluster: 'prod', services: ['web'] } },
  },
  { preview: { ...PREVIEW, routing: { ...ALB, auth: { oidc: OIDC } } } },
  { preview: { ...PREVIEW, routing: { ...ALB, auth: { cognito: COGNITO } } } },
];

/** The map at `path` in `config` (`[]` is the first item, `<name>` the first entry), if any. */
function mapAt(config: unknown, path: string): Json | undefined {
  let node: unknown = config;
  for (const part of path ? path.split('.') : []) {
    if (!isMap(node)) return undefined;
    const [key = '', ...rest] = part.split('[]');
    node = key === '<name>' ? Object.values(node)[0] : node[key];
    for (let i = 0; i < rest.length; i++) node = Array.isArray(node) ? node[0] : undefined;
  }
  return isMap(node) ? node : undefined;
}

/** The keys the parser names when it refuses an unknown one in the map at `path`. */
function parserKeysAt(base: Json, path: string): string[] | undefined {
  const config = structuredClone(base);
  const map = mapAt(config, path);
  if (!map) return undefined;
  map['zzz-not-a-key'] = 1;
  try {
    parseRepoConfig(stringify(config));
  } catch (error: unknown) {
    if (!(error instanceof ConfigError)) throw error;
    const issue = error.issues.find((i) => i.path.endsWith('zzz-not-a-key'));
    const list = /^unknown key; expected one of (.*)$/.exec(issue?.message ?? '')?.[1];
    return list?.split(', ').sort();
  }
  return [];
}

/** The maps of the schema, with the keys each allows (both routing modes apart). */
function schemaMaps(node: unknown, path = ''): { path: string; keys: string[] }[] {
  if (!isMap(node)) return [];
  const maps: { path: string; keys: string[] }[] = [];
  for (const branch of [...asList(node.oneOf), ...asList(node.anyOf)]) {
    maps.push(...schemaMaps(branch, path));
  }
  if (isMap(node.properties)) {
    maps.push({ path, keys: Object.keys(node.properties).sort() });
    for (const [name, child] of Object.entries(node.properties)) {
      maps.push(...schemaMaps(child, path ? `${path}.${name}` : name));
    }
  }
  if (node.propertyNames !== undefined && isMap(node.additionalProperties)) {
    maps.push(...schemaMaps(node.additionalProperties, `${path}.<name>`));
  }
  if (isMap(node.items)) maps.push(...schemaMaps(node.items, `${path}[]`));
  return maps;
}

describe('the schema and the parser', () => {
  it('accept the configs the key check starts from', () => {
    for (const base of BASES) {
      expect(parserAccepts(stringify(base))).toBe(true);
      expect(schemaProblems(base)).toEqual([]);
    }
  });

  const maps = schemaMaps(schema);
  it.each(maps.map(({ path, keys }) => [path || '(top level)', path, keys] as const))(
    'know the same keys in %s',
    (_name, path, keys) => {
      // Each routing mode has its own keys: one of the bases holds each mode.
      const answers = BASES.map((base) => parserKeysAt(base, path)).filter(
        (answer): answer is string[] => answer !== undefined,
      );
      expect(answers.length).toBeGreaterThan(0);
      expect(answers).toContainEqual(keys);
    },
  );

  it.each<[string, Json, RegExp]>([
    [
      'an unknown key',
      { preview: { ...PREVIEW, routing: ROUTING, size: 1 } },
      /must NOT have additional/,
    ],
    ['a typo', { environments: { staging: { cluster: 'p', service: ['web'] } } }, /additional/],
    [
      'an alb key in dns mode',
      { preview: { ...PREVIEW, routing: { ...ROUTING, 'vpc-id': 'vpc-1' } } },
      /must NOT be valid|must match exactly one/,
    ],
    [
      'a fraction where an integer goes',
      { preview: { ...PREVIEW, routing: ROUTING, 'max-previews': 1.5 } },
      /must be integer/,
    ],
    [
      'a missing required key',
      { preview: { cluster: 'previews', routing: ROUTING } },
      /required property/,
    ],
  ])('both refuse %s', (_what, config, problem) => {
    expect(parserAccepts(stringify(config))).toBe(false);
    expect(schemaProblems(config).join('\n')).toMatch(problem);
  });

  it.each<[string, Json]>([
    ['one service as a string', { environments: { staging: { cluster: 'p', services: 'web' } } }],
    [
      'one inherit value as a string',
      { preview: { ...PREVIEW, routing: ROUTING, inherit: 'secrets' } },
    ],
    ['cpu as text', { preview: { ...PREVIEW, routing: ROUTING, cpu: '1 vCPU' } }],
  ])('both accept %s', (_what, config) => {
    expect(parserAccepts(stringify(config))).toBe(true);
    expect(schemaProblems(config)).toEqual([]);
  });
});

describe("the README's config reference", () => {
  const rows = referenceRows();
  const keys = schemaKeys(schema);

  it.each([...new Set(keys.map(({ path }) => path))])('documents %s with its default', (path) => {
    expect(rows.has(path)).toBe(true);
    const cell = rows.get(path) ?? '';
    expect(cell).not.toBe('');
    for (const { node } of keys.filter((key) => key.path === path)) {
      if (!('default' in node)) continue;
      const value = typeof node.default === 'string' ? node.default : JSON.stringify(node.default);
      expect(cell).toContain(`\`${value}\``);
    }
  });

  it('documents no key the parser does not accept', () => {
    const known = new Set(keys.map(({ path }) => path));
    expect([...rows.keys()].filter((key) => !known.has(key))).toEqual([]);
  });

  it('names the no-preview label', () => {
    expect(README).toMatch(/labelled `no-preview`/);
  });
});
