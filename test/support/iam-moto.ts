import { createServer, request as httpRequest, type IncomingMessage } from 'node:http';
import { freePort } from './ports.js';
import { queryApi, xmlText } from './iam-query.js';
import type { PolicyDocument } from './iam-policy.js';

export interface AccessKey {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

/**
 * Turns moto's IAM enforcement on or off for the whole server. `on` is INITIAL_NO_AUTH_ACTION_COUNT=0
 * set through moto's own `/moto-api/reset-auth` (what its decorator uses in server mode): set-up
 * runs unchecked, so the count need not be guessed, and from here on every request must be signed
 * by a known access key whose policies allow the action, or moto answers 403.
 */
export async function setIamEnforcement(motoUrl: string, on: boolean): Promise<void> {
  const response = await fetch(`${motoUrl}/moto-api/reset-auth`, {
    method: 'POST',
    // moto reads the raw body as a number; a form content type would hide it from Flask.
    headers: { 'content-type': 'text/plain' },
    body: on ? '0' : 'inf',
  });
  if (!response.ok) throw new Error(`reset-auth → ${response.status}: ${await response.text()}`);
}

/** An IAM user holding exactly `policy` (inline), and its access key; call before enforcement. */
export async function createIamUser(
  motoUrl: string,
  userName: string,
  policy: PolicyDocument,
): Promise<AccessKey> {
  await queryApi(motoUrl, 'iam', 'CreateUser', { UserName: userName });
  await queryApi(motoUrl, 'iam', 'PutUserPolicy', {
    UserName: userName,
    PolicyName: `${userName}-policy`,
    PolicyDocument: JSON.stringify(policy),
  });
  const created = await queryApi(motoUrl, 'iam', 'CreateAccessKey', { UserName: userName });
  const accessKeyId = xmlText(created, 'AccessKeyId');
  const secretAccessKey = xmlText(created, 'SecretAccessKey');
  if (!accessKeyId || !secretAccessKey) throw new Error(`CreateAccessKey answered ${created}`);
  return { accessKeyId, secretAccessKey };
}

/** A role holding `policy` (inline) that `principal` may assume; call before enforcement. */
export async function createRole(
  motoUrl: string,
  roleName: string,
  policy: PolicyDocument,
  principal: Readonly<Record<string, string>>,
): Promise<void> {
  const trust = {
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Principal: principal, Action: ['sts:AssumeRole', 'sts:TagSession'] },
    ],
  };
  await queryApi(motoUrl, 'iam', 'CreateRole', {
    RoleName: roleName,
    AssumeRolePolicyDocument: JSON.stringify(trust),
  });
  await queryApi(motoUrl, 'iam', 'PutRolePolicy', {
    RoleName: roleName,
    PolicyName: `${roleName}-policy`,
    PolicyDocument: JSON.stringify(policy),
  });
}

/** Everything allowed: the test's own set-up and assertions once enforcement is on. */
export const ADMIN_POLICY: PolicyDocument = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
};

/** SDK client config for `endpoint` as the holder of `key`. */
export function awsConfigAs(
  endpoint: string,
  key: AccessKey,
): { region: 'us-east-1'; endpoint: string; credentials: AccessKey } {
  return { region: 'us-east-1', endpoint, credentials: key };
}

/** The environment a child process needs to call `endpoint` as the holder of `key`. */
export function awsEnvAs(endpoint: string, key: AccessKey): Record<string, string> {
  return {
    AWS_ENDPOINT_URL: endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: key.accessKeyId,
    AWS_SECRET_ACCESS_KEY: key.secretAccessKey,
    AWS_EC2_METADATA_DISABLED: 'true',
  };
}

export interface DenialRecorder {
  /** Point processes here instead of at moto. */
  readonly url: string;
  /** The IAM actions moto refused so far (`ecs:RunTask`), each once, in order. */
  denials(): string[];
  /** Every action asked for so far, allowed or not, each once: what a flow exercised. */
  requested(): string[];
  clear(): void;
  stop(): Promise<void>;
}

const DENIED = /not authorized to perform:?\s*([\w-]+:[\w*]+)/;

// Route 53 is the one REST service the code calls: its operation is in the method and path.
const ROUTE53: ReadonlyArray<[method: string, path: RegExp, action: string]> = [
  ['POST', /\/hostedzone\/[^/]+\/rrset\/?$/, 'ChangeResourceRecordSets'],
  ['GET', /\/hostedzone\/[^/]+\/rrset\/?$/, 'ListResourceRecordSets'],
  ['GET', /\/change\/[^/]+$/, 'GetChange'],
];

/** The action moto judges a request as: `<signing name>:<operation>`. */
function actionOf(req: IncomingMessage, body: string): string {
  const scope = /Credential=[^/]+\/\d{8}\/[^/]+\/([^/]+)\//.exec(req.headers.authorization ?? '');
  const service = scope?.[1] ?? 'unsigned';
  const target = req.headers['x-amz-target'];
  if (typeof target === 'string') return `${service}:${target.split('.').pop() ?? ''}`;
  const [path = '', query = ''] = (req.url ?? '').split('?');
  const form = new URLSearchParams(body.includes('Action=') ? body : query).get('Action');
  if (form) return `${service}:${form}`;
  const route = ROUTE53.find(([method, pattern]) => method === req.method && pattern.test(path));
  return `${service}:${route?.[2] ?? `${req.method ?? ''} ${path}`}`;
}

/**
 * A pass-through in front of moto that notes every 403 and the action it names. The SDK turns
 * some of moto's denials into deserialization errors (an XML body for a JSON service), so a
 * process's own log cannot be trusted to say AccessDenied; this can. Headers, Host included, go
 * through untouched so moto's signature check sees what the client signed.
 */
export async function startDenialRecorder(targetUrl: string): Promise<DenialRecorder> {
  const target = new URL(targetUrl);
  const denied: string[] = [];
  const requested = new Set<string>();
  const server = createServer((req, res) => {
    const sent: Buffer[] = [];
    req.on('data', (chunk: Buffer) => sent.push(chunk));
    req.on('end', () => requested.add(actionOf(req, Buffer.concat(sent).toString('utf8'))));
    const upstream = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      (answer: IncomingMessage) => {
        const chunks: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => chunks.push(chunk));
        answer.on('end', () => {
          const body = Buffer.concat(chunks);
          if (answer.statusCode === 403) {
            const action = DENIED.exec(body.toString('utf8'))?.[1] ?? `403 on ${req.url ?? '?'}`;
            if (!denied.includes(action)) denied.push(action);
          }
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          res.end(body);
        });
      },
    );
    upstream.on('error', (error) => {
      res.writeHead(502);
      res.end(String(error));
    });
    req.pipe(upstream);
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${port}`,
    denials: () => [...denied],
    requested: () => [...requested],
    clear: () => {
      denied.splice(0);
      requested.clear();
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
