/**
 * Calls to moto's services for which the project has no SDK client (IAM, CloudFormation, SQS,
 * Lambda, EventBridge): only test set-up and assertions need them. They go out unsigned but for a
 * credential scope, which is how moto's server tells services apart; that is enough while moto
 * checks no IAM (before enforcement starts, or when it never does).
 */

const API_VERSIONS = {
  iam: '2010-05-08',
  cloudformation: '2010-05-15',
  sqs: '2012-11-05',
} as const;

function unsignedScope(service: string): string {
  return `AWS4-HMAC-SHA256 Credential=testing/20240101/us-east-1/${service}/aws4_request, SignedHeaders=host, Signature=0`;
}

async function answer(response: Response, what: string): Promise<string> {
  const text = await response.text();
  if (!response.ok) throw new Error(`${what} → ${response.status}: ${text.slice(0, 2000)}`);
  return text;
}

/** A Query-protocol call (form in, XML out), e.g. IAM CreateUser; throws with moto's error text. */
export async function queryApi(
  endpoint: string,
  service: keyof typeof API_VERSIONS,
  action: string,
  params: Readonly<Record<string, string>> = {},
): Promise<string> {
  const body = new URLSearchParams({
    Action: action,
    Version: API_VERSIONS[service],
    ...params,
  });
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: {
      authorization: unsignedScope(service),
      'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
    },
    body,
  });
  return answer(response, `${service} ${action}`);
}

/**
 * A JSON-protocol call (`X-Amz-Target`), e.g. EventBridge ListTargetsByRule; SQS speaks JSON 1.0,
 * the others here 1.1.
 */
export async function jsonApi(
  endpoint: string,
  service: string,
  target: string,
  input: unknown,
): Promise<unknown> {
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: {
      authorization: unsignedScope(service),
      'content-type': `application/x-amz-json-${service === 'sqs' ? '1.0' : '1.1'}`,
      'x-amz-target': target,
    },
    body: JSON.stringify(input),
  });
  return JSON.parse(await answer(response, target)) as unknown;
}

/** A REST call with a JSON answer, e.g. Lambda GetFunction (`GET /2015-03-31/functions/<name>`). */
export async function restApi(
  endpoint: string,
  service: string,
  method: string,
  path: string,
  body?: string | Uint8Array,
): Promise<string> {
  const response = await fetch(`${endpoint}${path}`, {
    method,
    headers: { authorization: unsignedScope(service) },
    ...(body === undefined ? {} : { body }),
  });
  return answer(response, `${service} ${method} ${path}`);
}

const ENTITIES: Readonly<Record<string, string>> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
};

function unescapeXml(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|\w+);/gi, (whole, entity: string) => {
    if (entity.startsWith('#x')) return String.fromCodePoint(parseInt(entity.slice(2), 16));
    if (entity.startsWith('#')) return String.fromCodePoint(parseInt(entity.slice(1), 10));
    return ENTITIES[entity] ?? whole;
  });
}

/**
 * The inner XML of every `<tag>` element, outermost first. Enough for the flat answers read here
 * (`<member>` lists, leaf values); not a general XML parser.
 */
export function xmlElements(xml: string, tag: string): string[] {
  const pattern = new RegExp(`<${tag}(?:\\s[^>]*)?>([\\s\\S]*?)</${tag}>`, 'g');
  return [...xml.matchAll(pattern)].map((m) => m[1] ?? '');
}

/** The text of the first `<tag>`, unescaped, or undefined. */
export function xmlText(xml: string, tag: string): string | undefined {
  const [first] = xmlElements(xml, tag);
  return first === undefined ? undefined : unescapeXml(first.trim());
}
