import type { AwsClients } from '../core/aws/clients.js';

/**
 * The policy kept in AWS, read with the App's own identity at start-up: `ssm:<name>` or an SSM
 * parameter ARN (SecureString decrypted), or a Secrets Manager secret ARN. Loaded on use: most
 * installs keep the policy in a file.
 */
export async function fetchPolicyDocument(aws: AwsClients, reference: string): Promise<string> {
  const config = { region: aws.region };
  if (reference.startsWith('ssm:') || /^arn:aws[a-z-]*:ssm:/.test(reference)) {
    const { SSMClient, GetParameterCommand } = await import('@aws-sdk/client-ssm');
    const client = new SSMClient(config);
    try {
      const name = reference.startsWith('ssm:') ? reference.slice(4) : reference;
      const { Parameter } = await client.send(
        new GetParameterCommand({ Name: name, WithDecryption: true }),
      );
      return Parameter?.Value ?? '';
    } finally {
      client.destroy();
    }
  }
  const { SecretsManagerClient, GetSecretValueCommand } =
    await import('@aws-sdk/client-secrets-manager');
  const client = new SecretsManagerClient(config);
  try {
    const { SecretString } = await client.send(new GetSecretValueCommand({ SecretId: reference }));
    return SecretString ?? '';
  } finally {
    client.destroy();
  }
}
