import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { ECRClient } from '@aws-sdk/client-ecr';
import {
  CreateClusterCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSClient,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  type TaskDefinition,
} from '@aws-sdk/client-ecs';
import { CreateHostedZoneCommand, Route53Client } from '@aws-sdk/client-route-53';
import { deliver, settled, startApp, type AppProcess } from '../support/app-process.js';
import { createDefaultNetwork, testAwsConfig } from '../support/aws.js';
import { pushEcrImage } from '../support/ecr-image.js';
import { startGitHubApi, type GitHubApi } from '../support/github.js';
import { createGitHubWorld, type GitHubWorld } from '../support/github-world.js';
import { startMoto, type Moto } from '../support/moto.js';

// What the PR comment tells about a preview's identity, through the running App: the task role's
// name and the secrets' variable names, never an ARN or an account id.
let moto: Moto;
let api: GitHubApi;
let world: GitHubWorld;
let app: AppProcess;
let ecs: ECSClient;
let ecr: ECRClient;
let route53: Route53Client;

const ACCOUNT = '123456789012';
const PREVIEW_ROLE = `arn:aws:iam::${ACCOUNT}:role/previews/preview-web`;
const PREVIEW_DB = `arn:aws:ssm:us-east-1:${ACCOUNT}:parameter/preview/db`;
const PREVIEW_TOKEN = `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:preview/token-AbCdEf`;

beforeAll(async () => {
  moto = await startMoto();
  api = await startGitHubApi();
  const config = testAwsConfig(moto.url);
  ecs = new ECSClient(config);
  ecr = new ECRClient(config);
  route53 = new Route53Client(config);
  app = await startApp({
    githubUrl: api.url,
    awsEndpoint: moto.url,
    env: { ECS_PAAS_POLL_MS: '50' },
  });
});

afterAll(async () => {
  for (const client of [ecs, ecr, route53]) client?.destroy();
  await app?.stop();
  await Promise.allSettled([api?.stop(), moto?.stop()]);
});

beforeEach(async () => {
  await moto.reset();
  api.reset();
  world = createGitHubWorld(api, { owner: 'acme', repo: 'web' });
  await ecs.send(new CreateClusterCommand({ clusterName: 'previews' }));
  const network = await createDefaultNetwork(moto.url);
  // Production's definition: its own task role and a production secret.
  await ecs.send(
    new RegisterTaskDefinitionCommand({
      family: 'web',
      networkMode: 'awsvpc',
      requiresCompatibilities: ['FARGATE'],
      cpu: '256',
      memory: '512',
      taskRoleArn: `arn:aws:iam::${ACCOUNT}:role/prod-web`,
      executionRoleArn: `arn:aws:iam::${ACCOUNT}:role/prod-execution`,
      containerDefinitions: [
        {
          name: 'web',
          image: 'nginx',
          memory: 512,
          essential: true,
          portMappings: [{ containerPort: 80 }],
          // Ready once HEALTHY (moto says so at once): moto's task addresses answer no probe.
          healthCheck: { command: ['CMD-SHELL', 'exit 0'] },
          secrets: [
            { name: 'PROD_DB', valueFrom: `arn:aws:ssm:us-east-1:${ACCOUNT}:parameter/prod/db` },
          ],
        },
      ],
    }),
  );
  const zone = await route53.send(
    new CreateHostedZoneCommand({
      Name: 'preview.example.com',
      CallerReference: randomBytes(8).toString('hex'),
    }),
  );
  world.setFile(
    '.github/ecs-paas.yml',
    [
      'preview:',
      '  cluster: previews',
      '  task-definition: web',
      '  ecr-repository: web',
      `  subnets: [${network.subnetIds[0] ?? ''}]`,
      `  security-groups: [${network.securityGroupId}]`,
      `  routing: { mode: dns, hosted-zone-id: ${zone.HostedZone?.Id?.split('/').pop() ?? ''}, domain: preview.example.com }`,
      `  task-role-arn: ${PREVIEW_ROLE}`,
      '  secrets:',
      `    DATABASE_URL: ${PREVIEW_DB}`,
      `    API_TOKEN: ${PREVIEW_TOKEN}`,
      '',
    ].join('\n'),
  );
  world.setPermission('maintainer', 'write');
});

afterEach(async () => {
  await settled(app);
  api.assertNoViolations();
});

const sha = (): string => randomBytes(20).toString('hex');
const living = (n: number): string =>
  world.comments(n).find((c) => c.includes('ecs-paas:preview')) ?? '';

async function servingRevision(): Promise<TaskDefinition | undefined> {
  const { taskArns } = await ecs.send(
    new ListTasksCommand({ cluster: 'previews', desiredStatus: 'RUNNING' }),
  );
  if (!taskArns?.length) return undefined;
  const { tasks } = await ecs.send(
    new DescribeTasksCommand({ cluster: 'previews', tasks: taskArns }),
  );
  const { taskDefinition } = await ecs.send(
    new DescribeTaskDefinitionCommand({ taskDefinition: tasks?.[0]?.taskDefinitionArn }),
  );
  return taskDefinition;
}

/** No ARN, no account id: the comment may be public. */
function expectNothingToAimAt(body: string): void {
  expect(body).not.toMatch(/arn:aws/);
  expect(body).not.toContain(ACCOUNT);
  expect(body).not.toContain('prod-web');
}

describe("the PR comment names the preview's identity", () => {
  it('names the task role and the secret variables, and says the URL is open plain HTTP', async () => {
    const head = sha();
    world.addPull({ number: 1, sha: head });
    await pushEcrImage(ecr, 'web', head);
    await deliver(app, 'pull_request', world.pullRequestEvent('opened', 1));
    await settled(app);

    const revision = await servingRevision();
    expect(revision?.taskRoleArn).toBe(PREVIEW_ROLE);
    const body = living(1);
    expect(body).toContain('Preview ready');
    expect(body).toContain('| Task role | `preview-web` |');
    expect(body).toContain('| Secrets | `API_TOKEN`, `DATABASE_URL` |');
    expect(body).toContain(
      '| Access | plain HTTP, no login: anyone who can reach this name can open it |',
    );
    expect(body).not.toContain('PROD_DB');
    expectNothingToAimAt(body);

    // A redelivered event rewrites the comment from the serving task: it still says the same.
    await deliver(app, 'pull_request', world.pullRequestEvent('synchronize', 1));
    await settled(app);
    expect(living(1)).toContain('| Task role | `preview-web` |');
    expect(living(1)).toContain('| Secrets | `API_TOKEN`, `DATABASE_URL` |');
  });

  it("tells an approved fork's preview runs with no task role and no secrets", async () => {
    const head = sha();
    world.addPull({ number: 2, sha: head, fork: true, author: 'mallory' });
    await pushEcrImage(ecr, 'web', head);
    await deliver(app, 'pull_request', world.pullRequestEvent('opened', 2));
    await settled(app);
    const approval = world.addComment(2, '/deploy', { login: 'maintainer', type: 'User' });
    await deliver(app, 'issue_comment', world.issueCommentEvent('created', approval));
    await settled(app);

    const revision = await servingRevision();
    expect(revision).toBeDefined();
    expect(revision?.taskRoleArn).toBeUndefined();
    expect(revision?.containerDefinitions?.flatMap((c) => c.secrets ?? [])).toEqual([]);
    const body = living(2);
    expect(body).toContain('| Task role | none |');
    expect(body).toContain('| Secrets | none |');
    expectNothingToAimAt(body);
  });
});
