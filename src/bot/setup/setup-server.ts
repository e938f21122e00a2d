import { randomBytes, timingSafeEqual } from 'node:crypto';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import { apiBaseUrl } from '../app-settings.js';
import { createAppServer, listen, type RouteHandler } from '../http/app-server.js';
import { reply } from '../http/respond.js';
import { setupPage } from './setup-page.js';

type Env = Readonly<Record<string, string | undefined>>;

interface Conversion {
  id: number;
  slug?: string;
  pem: string;
  webhook_secret: string | null;
  html_url: string;
}

/**
 * `npm run setup`: registers a GitHub App from app.yml through GitHub's manifest flow, and nothing
 * else. It listens on 127.0.0.1 whatever HOST says, serves no webhooks and has no import
 * endpoint: the only way in for credentials is GitHub's redirect carrying a one-time code and the
 * state this process made, which it exchanges itself. It writes the key and an env file (mode
 * 0600) for the operator to hand to `npm start`; it never starts the App.
 */
export async function runSetup(env: Env): Promise<void> {
  const api = apiBaseUrl(env.GITHUB_API_URL) ?? 'https://api.github.com';
  const web = env.GITHUB_URL?.trim().replace(/\/+$/, '') || webUrlOf(api);
  const outDir = env.ECS_PAAS_SETUP_DIR?.trim() || process.cwd();
  const manifest = parse(
    await readFile(new URL('../../../app.yml', import.meta.url), 'utf8'),
  ) as Record<string, unknown>;
  const state = randomBytes(24).toString('hex');
  let used = false;
  let port = Number(env.PORT?.trim() || 3000);

  const handler: RouteHandler = async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (req.method === 'GET' && url.pathname === '/') {
      const redirect = `http://127.0.0.1:${port}/setup/callback`;
      const body = setupPage({
        action: `${web}${env.GITHUB_ORG ? `/organizations/${encodeURIComponent(env.GITHUB_ORG)}` : ''}/settings/apps/new?state=${state}`,
        manifest: JSON.stringify({
          ...manifest,
          redirect_url: redirect,
          ...(env.WEBHOOK_URL && {
            hook_attributes: { url: env.WEBHOOK_URL, active: true },
          }),
        }),
      });
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(body);
      return true;
    }
    if (req.method === 'GET' && url.pathname === '/setup/callback') {
      const code = url.searchParams.get('code') ?? '';
      if (
        used ||
        !sameText(url.searchParams.get('state') ?? '', state) ||
        !/^\w{1,64}$/.test(code)
      ) {
        reply(res, 400, { error: 'unknown or used state, or no code: start again from /' });
        return true;
      }
      used = true;
      const converted = await convert(api, code);
      const files = await writeCredentials(outDir, converted);
      process.stdout.write(
        `Registered GitHub App ${converted.id}. Start it with the settings in ${files.env} (the key is ${files.pem}).\n`,
      );
      res
        .writeHead(302, { location: `${converted.html_url}/installations/new` })
        .end('Registered. Install the App next.');
      return true;
    }
    return false;
  };
  const server = createAppServer(
    [handler],
    { headersTimeoutMs: 10_000, requestTimeoutMs: 30_000 },
    (e) => process.stderr.write(`setup request failed: ${String(e)}\n`),
  );
  ({ port } = await listen(server, port, '127.0.0.1'));
  process.stdout.write(
    `ecs-paas setup: open http://127.0.0.1:${port}/ to register the App (listening on 127.0.0.1 only; no webhooks are served)\n`,
  );
}

/** https://api.github.com → https://github.com; https://ghe.example.com/api/v3 → https://ghe.example.com. */
function webUrlOf(api: string): string {
  const url = new URL(api);
  if (url.hostname === 'api.github.com') return 'https://github.com';
  return `${url.origin}${url.pathname.replace(/\/api\/v3$/, '')}`.replace(/\/+$/, '');
}

async function convert(api: string, code: string): Promise<Conversion> {
  const response = await fetch(`${api}/app-manifests/${code}/conversions`, {
    method: 'POST',
    headers: { accept: 'application/json', 'user-agent': 'ecs-paas-setup' },
    signal: AbortSignal.timeout(30_000),
  });
  if (!response.ok) throw new Error(`GitHub answered ${response.status} to the manifest code`);
  return (await response.json()) as Conversion;
}

async function writeCredentials(
  dir: string,
  app: Conversion,
): Promise<{ pem: string; env: string }> {
  const pem = join(dir, 'ecs-paas-app.pem');
  const env = join(dir, 'ecs-paas.env');
  await writeFile(pem, app.pem, { mode: 0o600 });
  await chmod(pem, 0o600);
  const lines = [
    `APP_ID=${app.id}`,
    `PRIVATE_KEY_PATH=${pem}`,
    `WEBHOOK_SECRET=${app.webhook_secret ?? randomBytes(32).toString('hex')}`,
    '',
  ];
  await writeFile(env, lines.join('\n'), { mode: 0o600 });
  await chmod(env, 0o600);
  return { pem, env };
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
