import { readFileSync } from 'node:fs';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import { parse } from 'yaml';

/** One exchange with the API as a test saw it. */
export interface Exchange {
  readonly method: string;
  /** Path and query, as sent. */
  readonly url: string;
  readonly requestBody?: unknown;
  readonly headers: Readonly<Record<string, string>>;
  readonly status: number;
  readonly responseHeaders: Headers;
  readonly body: unknown;
  /** Sent wrong on purpose (a 400, 404 or 405 test): only the answer is checked. */
  readonly deliberate?: boolean;
}

type Node = Record<string, unknown>;

/**
 * Checks exchanges against an OpenAPI 3.1 description: the request names a documented operation
 * with valid parameters and body, and the answer's status, required headers and JSON body are
 * documented (schemas close their objects, so an undocumented field fails too).
 */
export class OpenApiContract {
  private readonly doc: Node;
  private readonly ajv = new Ajv2020({ strict: false, allErrors: true });
  private readonly compiled = new Map<string, ValidateFunction>();
  readonly violations: string[] = [];

  constructor(path: string) {
    this.doc = parse(readFileSync(path, 'utf8')) as Node;
    this.ajv.addFormat('date-time', (text: string) => !Number.isNaN(Date.parse(text)));
    this.ajv.addSchema(this.doc, 'api');
  }

  check(exchange: Exchange): void {
    const url = new URL(exchange.url, 'http://localhost');
    const where = `${exchange.method} ${exchange.url} → ${exchange.status}`;
    const found = this.operation(exchange.method.toLowerCase(), url.pathname);
    if (!found) {
      if (!exchange.deliberate) this.violations.push(`${where}: no documented operation`);
      if (exchange.status !== 405 && exchange.status !== 404) {
        this.violations.push(`${where}: an undocumented route answered`);
      }
      if (exchange.status === 405 && !exchange.responseHeaders.get('allow')) {
        this.violations.push(`${where}: 405 without Allow`);
      }
      return;
    }
    const { pointer, operation, params } = found;
    if (!exchange.deliberate) this.checkRequest(where, pointer, operation, params, url, exchange);
    const responses = operation.responses as Node;
    const key = String(exchange.status);
    if (!(key in responses)) {
      this.violations.push(`${where}: status not documented`);
      return;
    }
    const [response, responsePointer] = this.resolve(
      responses[key] as Node,
      `${pointer}/responses/${key}`,
    );
    for (const [name, header] of Object.entries((response.headers ?? {}) as Node)) {
      if ((header as Node).required && !exchange.responseHeaders.get(name)) {
        this.violations.push(`${where}: header ${name} missing`);
      }
    }
    const content = response.content as Node | undefined;
    if (!content) return;
    if (!exchange.responseHeaders.get('content-type')?.startsWith('application/json')) {
      this.violations.push(`${where}: not application/json`);
    }
    this.validate(where, `${responsePointer}/content/application~1json/schema`, exchange.body);
  }

  assertNone(): void {
    // Emptied as it is reported: one test's breach is not every later test's.
    const found = this.violations.splice(0);
    if (found.length > 0) {
      throw new Error(`The API broke its OpenAPI description:\n${found.join('\n')}`);
    }
  }

  private checkRequest(
    where: string,
    pointer: string,
    operation: Node,
    params: Record<string, string>,
    url: URL,
    exchange: Exchange,
  ): void {
    const pathItem = this.at(pointer.slice(0, pointer.lastIndexOf('/')));
    const declared = [
      ...((pathItem.parameters ?? []) as Node[]).map((p, i) =>
        this.resolve(p, `${pointer.slice(0, pointer.lastIndexOf('/'))}/parameters/${i}`),
      ),
      ...((operation.parameters ?? []) as Node[]).map((p, i) =>
        this.resolve(p, `${pointer}/parameters/${i}`),
      ),
    ];
    const query = new Set(url.searchParams.keys());
    for (const [parameter, at] of declared) {
      const name = String(parameter.name);
      const raw =
        parameter.in === 'path'
          ? params[name]
          : parameter.in === 'query'
            ? (url.searchParams.get(name) ?? undefined)
            : parameter.in === 'header'
              ? exchange.headers[name]
              : undefined;
      query.delete(name);
      if (raw === undefined) {
        if (parameter.required) this.violations.push(`${where}: ${name} is required`);
        continue;
      }
      const schema = parameter.schema as Node;
      const value = schema.type === 'integer' && /^-?\d+$/.test(raw) ? Number(raw) : raw;
      this.validate(`${where} (${name})`, `${at}/schema`, value);
    }
    for (const extra of query) this.violations.push(`${where}: query ${extra} not documented`);
    if (exchange.requestBody !== undefined) {
      const body = operation.requestBody as Node | undefined;
      if (!body) this.violations.push(`${where}: a body the operation does not take`);
      else
        this.validate(
          `${where} (body)`,
          `${pointer}/requestBody/content/application~1json/schema`,
          exchange.requestBody,
        );
    }
  }

  private operation(
    method: string,
    path: string,
  ): { pointer: string; operation: Node; params: Record<string, string> } | undefined {
    for (const [template, item] of Object.entries(this.doc.paths as Node)) {
      const names: string[] = [];
      const pattern = template.replace(/\{([^}]+)\}/g, (_, name: string) => {
        names.push(name);
        return '([^/]+)';
      });
      const match = new RegExp(`^${pattern}$`).exec(path);
      const operation = (item as Node)[method] as Node | undefined;
      if (!match || !operation) continue;
      const params = Object.fromEntries(
        names.map((n, i) => [n, decodeURIComponent(match[i + 1] ?? '')]),
      );
      return { pointer: `#/paths/${escape(template)}/${method}`, operation, params };
    }
    return undefined;
  }

  private validate(where: string, pointer: string, value: unknown): void {
    let validate = this.compiled.get(pointer);
    if (!validate) {
      validate = this.ajv.compile({ $ref: `api${pointer}` });
      this.compiled.set(pointer, validate);
    }
    if (!validate(value)) {
      this.violations.push(
        `${where}: ${this.ajv.errorsText(validate.errors)} in ${JSON.stringify(value)}`,
      );
    }
  }

  /** Follows a `$ref` outside schemas (responses, parameters) to the object and its pointer. */
  private resolve(node: Node, pointer: string): [Node, string] {
    const ref = node.$ref;
    return typeof ref === 'string' ? [this.at(ref), ref] : [node, pointer];
  }

  private at(pointer: string): Node {
    let node: unknown = this.doc;
    for (const part of pointer.replace(/^#\//, '').split('/')) {
      node = (node as Node)[part.replace(/~1/g, '/').replace(/~0/g, '~')];
    }
    return node as Node;
  }
}

const escape = (part: string): string => part.replace(/~/g, '~0').replace(/\//g, '~1');
