import type { STSClient } from '@aws-sdk/client-sts';
import type { AssumeRole } from './repo-credentials.js';

/** AssumeRole with the App's own identity; the STS client is loaded on first use. */
export function assumeWithSts(region: string): AssumeRole {
  let client: STSClient | undefined;
  return async ({ roleArn, sessionName, tags }) => {
    const sts = await import('@aws-sdk/client-sts');
    client ??= new sts.STSClient({ region });
    const { Credentials } = await client.send(
      new sts.AssumeRoleCommand({
        RoleArn: roleArn,
        RoleSessionName: sessionName,
        DurationSeconds: 3600,
        Tags: tags.map(({ key, value }) => ({ Key: key, Value: value })),
      }),
    );
    if (
      !Credentials?.AccessKeyId ||
      !Credentials.SecretAccessKey ||
      !Credentials.SessionToken ||
      !Credentials.Expiration
    ) {
      throw new Error(`AssumeRole of ${roleArn} returned no credentials`);
    }
    return {
      accessKeyId: Credentials.AccessKeyId,
      secretAccessKey: Credentials.SecretAccessKey,
      sessionToken: Credentials.SessionToken,
      expiration: new Date(Credentials.Expiration),
    };
  };
}
