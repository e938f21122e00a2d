import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { ACMClient, RequestCertificateCommand } from '@aws-sdk/client-acm';
import {
  CreateClusterCommand,
  ECSClient,
  ListTaskDefinitionsCommand,
  ListTasksCommand,
} from '@aws-sdk/client-ecs';
import {
  AddListenerCertificatesCommand,
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  DescribeRulesCommand,
  DescribeTargetGroupsCommand,
  ElasticLoadBalancingV2Client,
  type Rule,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { CreateHostedZoneCommand, Route53Client } from '@aws-sdk/client-route-53';
import {
  CreateSecretCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { createAwsClients, type AwsClients } from '../../src/core/aws/clients.js';
import { silentLogger } from '../../src/core/logger.js';
import { createAlbRouter, targetGroupName } from '../../src/core/preview/alb-router.js';
import { createRouter } from '../../src/core/preview/create-router.js';
import { launchPreview } from '../../src/core/preview/launch-preview.js';
import type { PreviewSettings, PullRequestRef } from '../../src/core/preview/preview-types.js';
import type {
  AlbRoutingSettings,
  PreviewAuth,
  RouteTarget,
} from '../../src/core/preview/routing-types.js';
import { teardownPreview } from '../../src/core/preview/teardown-preview.js';
import {
  createDefaultNetwork,
  registerFargateTaskDefinition,
  testAwsConfig,
  type TestNetwork,
} from '../support/aws.js';
import { startMoto, type Moto } from '../support/moto.js';

const DOMAIN = 'preview.example.com';
const HOST = `pr-1-web.${DOMAIN}`;
const IMAGE = `123456789012.dkr.ecr.us-east-1.amazonaws.com/web@sha256:${'d'.repeat(64)}`;
/** moto issues a certificate at once when a private CA signs it; it does not look the CA up. */
const PRIVATE_CA =
  'arn:aws:acm-pca:us-east-1:123456789012:certificate-authority/12345678-1234-1234-1234-123456789012';
const BYPASS_VALUE = 'ci-bypass-0123456789abcdefghijklmnopqrstuv';

let moto: Moto;
let elbv2: ElasticLoadBalancingV2Client;
let route53: Route53Client;
let acm: ACMClient;
let secrets: SecretsManagerClient;
let ecs: ECSClient;
let aws: AwsClients;
let network: TestNetwork;
let zoneId: string;
let balancerArn: string;

beforeAll(async () => {
  moto = await startMoto();
  const config = testAwsConfig(moto.url);
  elbv2 = new ElasticLoadBalancingV2Client(config);
  route53 = new Route53Client(config);
  acm = new ACMClient(config);
  secrets = new SecretsManagerClient(config);
  ecs = new ECSClient(config);
  aws = createAwsClients('us-east-1', {
    endpoint: config.endpoint,
    credentials: config.credentials,
  });
});

afterAll(async () => {
  for (const client of [elbv2, route53, acm, secrets, ecs, aws?.ecs]) client?.destroy();
  await moto?.stop();
});

beforeEach(async () => {
  await moto.reset();
  network = await createDefaultNetwork(moto.url);
  const zone = await route53.send(
    new CreateHostedZoneCommand({ Name: DOMAIN, CallerReference: randomBytes(8).toString('hex') }),
  );
  zoneId = zone.HostedZone?.Id?.split('/').pop() ?? '';
  const { LoadBalancers } = await elbv2.send(
    new CreateLoadBalancerCommand({
      Name: 'previews',
      Type: 'application',
      Subnets: network.subnetIds.slice(0, 2),
    }),
  );
  balancerArn = LoadBalancers?.[0]?.LoadBalancerArn ?? '';
});

/** An ACM certificate for `domain` (and `sans`): issued, or still waiting for DNS validation. */
async function certificate(
  domain: string,
  { sans = [], issued = true }: { sans?: string[]; issued?: boolean } = {},
): Promise<string> {
  const { CertificateArn } = await acm.send(
    new RequestCertificateCommand({
      DomainName: domain,
      ...(sans.length > 0 && { SubjectAlternativeNames: sans }),
      ...(issued && { CertificateAuthorityArn: PRIVATE_CA }),
    }),
  );
  return CertificateArn ?? '';
}

/** A listener on the shared balancer: HTTPS with this default certificate, or plain HTTP. */
async function listener(certificateArn?: string): Promise<string> {
  const { Listeners } = await elbv2.send(
    new CreateListenerCommand({
      LoadBalancerArn: balancerArn,
      ...(certificateArn
        ? { Protocol: 'HTTPS', Port: 443, Certificates: [{ CertificateArn: certificateArn }] }
        : { Protocol: 'HTTP', Port: 80 }),
      DefaultActions: [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '404' } }],
    }),
  );
  return Listeners?.[0]?.ListenerArn ?? '';
}

/** The listener a platform team runs for previews: HTTPS with a wildcard certificate. */
async function httpsListener(): Promise<string> {
  return listener(await certificate(`*.${DOMAIN}`));
}

async function secret(value: string): Promise<string> {
  const { ARN } = await secrets.send(
    new CreateSecretCommand({ Name: `s-${randomBytes(6).toString('hex')}`, SecretString: value }),
  );
  return ARN ?? '';
}

async function rotate(arn: string, value: string): Promise<void> {
  await secrets.send(new PutSecretValueCommand({ SecretId: arn, SecretString: value }));
}

function routing(listenerArn: string, auth?: PreviewAuth): AlbRoutingSettings {
  return {
    mode: 'alb',
    domain: DOMAIN,
    hostedZoneId: zoneId,
    port: 8080,
    subdomain: 'pr-{number}-{repo}',
    listenerArn,
    vpcId: network.vpcId,
    healthCheckPath: '/',
    ...(auth && { auth }),
  };
}

function router(listenerArn: string, auth?: PreviewAuth) {
  return createAlbRouter({ elbv2, route53, acm, secrets }, routing(listenerArn, auth), {
    pollMs: 20,
  });
}

async function oidc(extra: Partial<PreviewAuth> = {}): Promise<PreviewAuth> {
  return {
    kind: 'oidc',
    issuer: 'https://login.example.com',
    authorizationEndpoint: 'https://login.example.com/authorize',
    tokenEndpoint: 'https://login.example.com/token',
    userInfoEndpoint: 'https://login.example.com/userinfo',
    clientId: 'previews',
    clientSecretArn: await secret('client-secret-1'),
    ...extra,
  } as PreviewAuth;
}

const COGNITO: PreviewAuth = {
  kind: 'cognito',
  userPoolArn: 'arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_abcdEFGH',
  userPoolClientId: '1example23456789',
  userPoolDomain: 'acme-previews',
};

const target = (ip = '10.0.0.1'): RouteTarget => ({
  hostname: HOST,
  label: 'pr-1-web',
  ip,
  port: 8080,
  repo: 'acme/web',
  pr: 1,
  sha: 'a'.repeat(40),
});

async function rules(listenerArn: string): Promise<Rule[]> {
  const { Rules = [] } = await elbv2.send(new DescribeRulesCommand({ ListenerArn: listenerArn }));
  return Rules.filter((r) => !r.IsDefault).sort((a, b) => Number(a.Priority) - Number(b.Priority));
}

/** A rule as the listener evaluates it: what it matches, then what it does, in order. */
function shape(rule: Rule | undefined) {
  return {
    matches: (rule?.Conditions ?? []).map((c) =>
      c.Field === 'http-header'
        ? `${c.HttpHeaderConfig?.HttpHeaderName}: ${(c.HttpHeaderConfig?.Values ?? []).join(',')}`
        : `${c.Field}: ${(c.HostHeaderConfig?.Values ?? c.Values ?? []).join(',')}`,
    ),
    does: [...(rule?.Actions ?? [])]
      .sort((a, b) => (a.Order ?? 0) - (b.Order ?? 0))
      .map((a) => a.Type),
  };
}

async function groupArn(): Promise<string> {
  const { TargetGroups = [] } = await elbv2.send(
    new DescribeTargetGroupsCommand({ Names: [targetGroupName(HOST)] }),
  );
  return TargetGroups[0]?.TargetGroupArn ?? '';
}

async function groupCount(): Promise<number> {
  const { TargetGroups = [] } = await elbv2.send(new DescribeTargetGroupsCommand({}));
  return TargetGroups.length;
}

describe('routing.auth on the preview rules', () => {
  it('puts the OIDC login (Order 1) before the forward (Order 2), with the client secret from Secrets Manager', async () => {
    const listenerArn = await httpsListener();
    const auth = await oidc();

    await router(listenerArn, auth).route(target());

    const [rule, ...others] = await rules(listenerArn);
    expect(others).toEqual([]);
    expect(shape(rule)).toEqual({
      matches: [`host-header: ${HOST}`],
      does: ['authenticate-oidc', 'forward'],
    });
    const [login, forward] = [...(rule?.Actions ?? [])].sort(
      (a, b) => (a.Order ?? 0) - (b.Order ?? 0),
    );
    expect(login).toMatchObject({
      Order: 1,
      AuthenticateOidcConfig: {
        Issuer: 'https://login.example.com',
        AuthorizationEndpoint: 'https://login.example.com/authorize',
        TokenEndpoint: 'https://login.example.com/token',
        UserInfoEndpoint: 'https://login.example.com/userinfo',
        ClientId: 'previews',
        ClientSecret: 'client-secret-1',
        OnUnauthenticatedRequest: 'authenticate',
      },
    });
    expect(forward).toMatchObject({ Order: 2, TargetGroupArn: await groupArn() });
  });

  it('puts the Cognito login before the forward', async () => {
    const listenerArn = await httpsListener();

    await router(listenerArn, COGNITO).route(target());

    const [rule, ...others] = await rules(listenerArn);
    expect(others).toEqual([]);
    expect(shape(rule).does).toEqual(['authenticate-cognito', 'forward']);
    expect(rule?.Actions?.find((a) => a.Type === 'authenticate-cognito')).toMatchObject({
      Order: 1,
      AuthenticateCognitoConfig: {
        UserPoolArn: COGNITO.kind === 'cognito' ? COGNITO.userPoolArn : '',
        UserPoolClientId: '1example23456789',
        UserPoolDomain: 'acme-previews',
      },
    });
    expect(rule?.Actions?.find((a) => a.Type === 'forward')?.Order).toBe(2);
  });

  it('lets the bypass header through a rule of its own, ahead of the login, and unroutes both', async () => {
    const listenerArn = await httpsListener();
    const auth = await oidc({ bypassSecretArn: await secret(`  ${BYPASS_VALUE}\n`) });

    await router(listenerArn, auth).route(target());

    const [bypass, login, ...others] = await rules(listenerArn);
    expect(others).toEqual([]);
    expect(shape(bypass)).toEqual({
      matches: [`host-header: ${HOST}`, `x-ecs-paas-bypass: ${BYPASS_VALUE}`],
      does: ['forward'],
    });
    expect(bypass?.Actions?.[0]?.TargetGroupArn).toBe(await groupArn());
    expect(shape(login)).toEqual({
      matches: [`host-header: ${HOST}`],
      does: ['authenticate-oidc', 'forward'],
    });
    expect(Number(bypass?.Priority)).toBeLessThan(Number(login?.Priority));

    await router(listenerArn, auth).unroute([HOST], new Map([[HOST, { repo: 'acme/web', pr: 1 }]]));

    expect(await rules(listenerArn)).toEqual([]);
    expect(await groupCount()).toBe(0);
  });

  it('turns login and bypass on for a preview routed before, moving the bypass rule ahead', async () => {
    const listenerArn = await httpsListener();
    await router(listenerArn).route(target());
    expect((await rules(listenerArn)).map(shape)).toEqual([
      { matches: [`host-header: ${HOST}`], does: ['forward'] },
    ]);

    const auth = await oidc({ bypassSecretArn: await secret(BYPASS_VALUE) });
    await router(listenerArn, auth).route(target());

    expect((await rules(listenerArn)).map(shape)).toEqual([
      {
        matches: [`host-header: ${HOST}`, `x-ecs-paas-bypass: ${BYPASS_VALUE}`],
        does: ['forward'],
      },
      { matches: [`host-header: ${HOST}`], does: ['authenticate-oidc', 'forward'] },
    ]);
  });

  it('follows rotated secrets, then a bypass and a login taken out of the config', async () => {
    const listenerArn = await httpsListener();
    const bypassSecretArn = await secret(BYPASS_VALUE);
    const auth = await oidc({ bypassSecretArn });
    await router(listenerArn, auth).route(target());
    const [firstBypass, firstLogin] = await rules(listenerArn);

    const rotated = `rotated-${BYPASS_VALUE}`;
    await rotate(bypassSecretArn, rotated);
    await rotate(auth.kind === 'oidc' ? auth.clientSecretArn : '', 'client-secret-2');
    await router(listenerArn, auth).route(target());

    const [bypass, login] = await rules(listenerArn);
    expect([bypass?.RuleArn, login?.RuleArn]).toEqual([firstBypass?.RuleArn, firstLogin?.RuleArn]);
    expect(shape(bypass).matches).toEqual([
      `host-header: ${HOST}`,
      `x-ecs-paas-bypass: ${rotated}`,
    ]);
    expect(
      login?.Actions?.find((a) => a.Type === 'authenticate-oidc')?.AuthenticateOidcConfig
        ?.ClientSecret,
    ).toBe('client-secret-2');

    const { bypassSecretArn: _dropped, ...withoutBypass } = auth;
    await router(listenerArn, withoutBypass).route(target());
    expect((await rules(listenerArn)).map(shape)).toEqual([
      { matches: [`host-header: ${HOST}`], does: ['authenticate-oidc', 'forward'] },
    ]);

    await router(listenerArn).route(target());
    expect((await rules(listenerArn)).map(shape)).toEqual([
      { matches: [`host-header: ${HOST}`], does: ['forward'] },
    ]);
  });

  it.each([
    ['short', 'too-short-to-be-safe'],
    ['a wildcard', `${BYPASS_VALUE}*`],
    ['only a wildcard', '*'.repeat(40)],
  ])('refuses a bypass secret that is %s, before anything is created', async (_case, value) => {
    const listenerArn = await httpsListener();
    const auth = await oidc({ bypassSecretArn: await secret(value) });
    const checked = router(listenerArn, auth);

    const refusal = await checked.preflight();
    expect(refusal).toMatch(/^routing\.auth\.bypass-secret holds a value the load balancer/);
    expect(refusal).not.toContain(value);
    await expect(checked.route(target())).rejects.toThrow(/routing\.auth\.bypass-secret/);

    expect(await rules(listenerArn)).toEqual([]);
    expect(await groupCount()).toBe(0);
  });

  it('refuses a client secret without a text value', async () => {
    const listenerArn = await httpsListener();
    const auth = await oidc({ clientSecretArn: await secret('   ') });

    expect(await router(listenerArn, auth).preflight()).toBe(
      'routing.auth.oidc.client-secret names a secret without a text value: store the value in it as plain text',
    );
  });
});

describe('preflight: the listener must serve HTTPS for *.<domain>', () => {
  const attach = `attach an HTTPS listener with a certificate for *.${DOMAIN} and name it in routing.listener-arn`;

  it('accepts an HTTPS listener whose default certificate is for *.<domain>', async () => {
    expect(await router(await httpsListener()).preflight()).toBeUndefined();
  });

  it('refuses an HTTP listener, saying what to attach', async () => {
    expect(await router(await listener()).preflight()).toBe(
      `the listener in routing.listener-arn serves HTTP, not HTTPS: ${attach}`,
    );
  });

  it.each([
    ['the parent domain', `*.example.com`, []],
    ['the domain itself', DOMAIN, []],
    ['another domain', '*.preview.example.org', ['preview.example.com']],
  ])('refuses a certificate for %s only', async (_case, domain, sans) => {
    const listenerArn = await listener(await certificate(domain, { sans }));

    expect(await router(listenerArn).preflight()).toBe(
      `the HTTPS listener in routing.listener-arn has no ACM certificate for *.${DOMAIN}: add one to the listener, or ${attach}`,
    );
  });

  it('accepts *.<domain> among the alternative names of an extra (SNI) certificate', async () => {
    const listenerArn = await listener(await certificate('www.example.org'));
    await elbv2.send(
      new AddListenerCertificatesCommand({
        ListenerArn: listenerArn,
        Certificates: [
          {
            CertificateArn: await certificate('preview.example.com', {
              sans: ['*.Preview.Example.com'],
            }),
          },
        ],
      }),
    );

    expect(await router(listenerArn).preflight()).toBeUndefined();
  });

  it('passes over an IAM server certificate, which ACM cannot describe', async () => {
    // No IAM client in the project: moto takes an unsigned query; the credential scope names IAM.
    const response = await fetch(moto.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization:
          'AWS4-HMAC-SHA256 Credential=testing/20240101/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=0',
      },
      body: new URLSearchParams({
        Action: 'UploadServerCertificate',
        Version: '2010-05-08',
        ServerCertificateName: 'legacy',
        CertificateBody: '-----BEGIN CERTIFICATE-----\nlegacy\n-----END CERTIFICATE-----',
        PrivateKey: '-----BEGIN RSA PRIVATE KEY-----\nlegacy\n-----END RSA PRIVATE KEY-----',
      }),
    });
    const iamArn = /<Arn>([^<]+)<\/Arn>/.exec(await response.text())?.[1] ?? '';
    expect(iamArn).toMatch(/^arn:aws:iam::\d{12}:server-certificate\//);
    const listenerArn = await listener(iamArn);

    expect(await router(listenerArn).preflight()).toMatch(/has no ACM certificate for/);
    await elbv2.send(
      new AddListenerCertificatesCommand({
        ListenerArn: listenerArn,
        Certificates: [{ CertificateArn: await certificate(`*.${DOMAIN}`) }],
      }),
    );
    expect(await router(listenerArn).preflight()).toBeUndefined();
  });

  it('refuses a certificate for *.<domain> that is not issued yet', async () => {
    const listenerArn = await listener(await certificate(`*.${DOMAIN}`, { issued: false }));

    expect(await router(listenerArn).preflight()).toBe(
      `the listener's certificate for *.${DOMAIN} is pending validation, not issued: renew or replace it in ACM`,
    );
  });
});

describe('the preview engine with routing.auth', () => {
  let settings: PreviewSettings;

  beforeEach(async () => {
    await ecs.send(new CreateClusterCommand({ clusterName: 'previews' }));
    await registerFargateTaskDefinition(ecs, 'web', [
      { name: 'web', image: 'nginx', portMappings: [{ containerPort: 8080 }] },
    ]);
  });

  const previewSettings = (routingSettings: AlbRoutingSettings): PreviewSettings => ({
    cluster: 'previews',
    taskDefinition: 'web',
    launchType: 'FARGATE',
    subnets: network.subnetIds.slice(0, 1),
    securityGroups: [network.securityGroupId],
    assignPublicIp: false,
    routing: routingSettings,
    env: {},
    maxPreviews: 5,
    forks: 'never',
  });

  const pr: PullRequestRef = {
    repo: 'acme/web',
    number: 1,
    sha: 'b'.repeat(40),
    branch: 'feature',
    author: 'octocat',
    fork: false,
  };

  async function running(): Promise<string[]> {
    const { taskArns = [] } = await ecs.send(
      new ListTasksCommand({ cluster: 'previews', desiredStatus: 'RUNNING' }),
    );
    return taskArns;
  }

  async function revisions(): Promise<string[]> {
    const { taskDefinitionArns = [] } = await ecs.send(
      new ListTaskDefinitionsCommand({ familyPrefix: 'web', status: 'ACTIVE' }),
    );
    return taskDefinitionArns;
  }

  it('launches behind the login with a bypass rule ahead of it, and tears both rules down', async () => {
    const listenerArn = await httpsListener();
    settings = previewSettings(
      routing(listenerArn, await oidc({ bypassSecretArn: await secret(BYPASS_VALUE) })),
    );
    const deps = {
      aws,
      router: await createRouter(aws, settings.routing),
      log: silentLogger,
      pollMs: 50,
    };

    expect(await deps.router.preflight?.()).toBeUndefined();
    const launched = await launchPreview(deps, settings, {
      pr,
      image: IMAGE,
      launchedBy: 'octocat',
    });

    expect(launched).toMatchObject({ kind: 'launched', url: `https://${HOST}` });
    expect((await rules(listenerArn)).map(shape)).toEqual([
      {
        matches: [`host-header: ${HOST}`, `x-ecs-paas-bypass: ${BYPASS_VALUE}`],
        does: ['forward'],
      },
      { matches: [`host-header: ${HOST}`], does: ['authenticate-oidc', 'forward'] },
    ]);

    expect((await teardownPreview(deps, settings, pr, 'closed')).kind).toBe('torn-down');
    expect(await rules(listenerArn)).toEqual([]);
    expect(await groupCount()).toBe(0);
    expect(await running()).toEqual([]);
  });

  // Waits for launchPreview to ask `deps.router.preflight()` before it registers a revision (the
  // engine is another change): until then this fails, and `it.failing` keeps the suite green.
  // Once the engine asks, this passes and jest reports it: make it a plain `it`.
  it('refuses a launch on an HTTP listener before any revision, task, group or rule exists', async () => {
    const listenerArn = await listener();
    settings = previewSettings(routing(listenerArn, COGNITO));
    const deps = {
      aws,
      router: await createRouter(aws, settings.routing),
      log: silentLogger,
      pollMs: 50,
    };
    const before = await revisions();

    const result = await launchPreview(deps, settings, {
      pr,
      image: IMAGE,
      launchedBy: 'octocat',
    });

    expect(result).toEqual({
      kind: 'refused',
      reason: `the listener in routing.listener-arn serves HTTP, not HTTPS: attach an HTTPS listener with a certificate for *.${DOMAIN} and name it in routing.listener-arn`,
    });
    expect(await running()).toEqual([]);
    expect(await revisions()).toEqual(before);
    expect(await groupCount()).toBe(0);
    expect(await rules(listenerArn)).toEqual([]);
  });
});
