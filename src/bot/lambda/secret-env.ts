import { errorMessage } from '../../core/errors.js';
import { SettingsError } from '../app-settings.js';

type Env = Readonly<Record<string, string | undefined>>;

/** Reads a Secrets Manager secret's string by its ARN. */
export type SecretReader = (arn: string) => Promise<string>;

/** The settings a Lambda may give as a secret's ARN instead of its value. */
const FROM_ARN = [
  ['PRIVATE_KEY', 'PRIVATE_KEY_SECRET_ARN'],
  ['WEBHOOK_SECRET', 'WEBHOOK_SECRET_ARN'],
] as const;

/**
 * Lambda has no secrets injection (ECS puts a secret's value in the environment; Lambda only
 * plain variables), and a key pasted into a function's configuration shows in its console: the
 * stack gives PRIVATE_KEY_SECRET_ARN and WEBHOOK_SECRET_ARN, read here once per container. A
 * value given directly as well is refused rather than one silently winning.
 */
export async function resolveSecretArns(env: Env, read: SecretReader): Promise<Env> {
  const resolved: Record<string, string | undefined> = { ...env };
  for (const [variable, arnVariable] of FROM_ARN) {
    const arn = env[arnVariable]?.trim();
    if (!arn) continue;
    if (env[variable]?.trim()) {
      throw new SettingsError(arnVariable, `is set as well as ${variable}; set only one of them`);
    }
    if (!/^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:\S+$/.test(arn)) {
      throw new SettingsError(
        arnVariable,
        `is '${arn}'; set it to a Secrets Manager secret ARN such as arn:aws:secretsmanager:us-east-1:123456789012:secret:ecs-paas/private-key`,
      );
    }
    let value: string;
    try {
      value = await read(arn);
    } catch (error) {
      throw new SettingsError(
        arnVariable,
        `is '${arn}', which cannot be read (${errorMessage(error)}); give the function's role secretsmanager:GetSecretValue on it`,
      );
    }
    if (!value)
      throw new SettingsError(arnVariable, `is '${arn}', whose secret has no string value`);
    resolved[variable] = value;
  }
  return resolved;
}

/** GetSecretValue in the secret's own region (its ARN names it); the client loaded on use. */
export const readSecretString: SecretReader = async (arn) => {
  const { SecretsManagerClient, GetSecretValueCommand } =
    await import('@aws-sdk/client-secrets-manager');
  const client = new SecretsManagerClient({ region: arn.split(':')[3] ?? '' });
  try {
    const { SecretString } = await client.send(new GetSecretValueCommand({ SecretId: arn }));
    return SecretString ?? '';
  } finally {
    client.destroy();
  }
};
