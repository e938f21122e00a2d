import { randomBytes } from 'node:crypto';
import { ECRClient } from '@aws-sdk/client-ecr';
import { CreateClusterCommand, ECSClient } from '@aws-sdk/client-ecs';
import { CreateHostedZoneCommand, Route53Client } from '@aws-sdk/client-route-53';
import { createDefaultNetwork, registerFargateTaskDefinition, testAwsConfig } from './aws.js';
import { startGitHubApi, type GitHubApi } from './github.js';
import { createGitHubWorld, type GitHubWorld } from './github-world.js';

export interface PreviewFixture {
  readonly api: GitHubApi;
  readonly world: GitHubWorld;
  readonly ecs: ECSClient;
  readonly ecr: ECRClient;
  readonly route53: Route53Client;
  readonly zoneId: string;
  /** The default VPC's subnets and security group the config names. */
  readonly network: Awaited<ReturnType<typeof createDefaultNetwork>>;
  close(): Promise<void>;
}

/**
 * A repository ready for previews, as a platform engineer would leave it: a cluster, a base task
 * definition, a hosted zone in AWS (moto at `awsUrl`), and `acme/web` on a contract-checked GitHub
 * with `.github/ecs-paas.yml` on its default branch.
 */
export async function setUpPreviewFixture(
  awsUrl: string,
  extraConfig = '',
): Promise<PreviewFixture> {
  const api = await startGitHubApi();
  const world = createGitHubWorld(api, { owner: 'acme', repo: 'web' });
  const config = testAwsConfig(awsUrl);
  const ecs = new ECSClient(config);
  const ecr = new ECRClient(config);
  const route53 = new Route53Client(config);
  await ecs.send(new CreateClusterCommand({ clusterName: 'previews' }));
  const network = await createDefaultNetwork(awsUrl);
  await registerFargateTaskDefinition(ecs, 'web');
  const zone = await route53.send(
    new CreateHostedZoneCommand({
      Name: 'preview.example.com',
      CallerReference: randomBytes(8).toString('hex'),
    }),
  );
  const zoneId = zone.HostedZone?.Id?.split('/').pop() ?? '';
  world.setFile(
    '.github/ecs-paas.yml',
    [
      'preview:',
      '  cluster: previews',
      '  task-definition: web',
      '  ecr-repository: web',
      `  subnets: [${network.subnetIds[0] ?? ''}]`,
      `  security-groups: [${network.securityGroupId}]`,
      `  routing: { mode: dns, hosted-zone-id: ${zoneId}, domain: preview.example.com }`,
      extraConfig,
      '',
    ].join('\n'),
  );
  return {
    api,
    world,
    ecs,
    ecr,
    route53,
    zoneId,
    network,
    close: async () => {
      for (const client of [ecs, ecr, route53]) client.destroy();
      await api.stop();
    },
  };
}
