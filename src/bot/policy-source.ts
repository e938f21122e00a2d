import { readFile } from 'node:fs/promises';
import { ConfigError } from '../core/config/repo-config.js';
import { OPEN_POLICY, parsePolicy, type OperatorPolicy } from '../core/policy/operator-policy.js';
import { SettingsError } from './app-settings.js';

/** Reads a policy document kept in AWS (an SSM parameter or a Secrets Manager secret). */
export type PolicyFetcher = (reference: string) => Promise<string>;

/**
 * ECS_PAAS_POLICY: a YAML file path, `ssm:<parameter name>`, an SSM parameter or Secrets Manager
 * ARN, or `open`. Required: a shared App without a policy lets any installed repository point the
 * App's identity at any cluster, zone or listener, so "no policy" must be said out loud.
 */
export async function loadPolicy(
  raw: string | undefined,
  fetchRemote: PolicyFetcher,
): Promise<OperatorPolicy> {
  const value = raw?.trim();
  if (!value) {
    throw new SettingsError(
      'ECS_PAAS_POLICY',
      "is not set; set it to the operator's policy file (YAML), an SSM parameter (ssm:/name or its ARN) or a Secrets Manager ARN, or to 'open' for a single-team install where every installed repository may use anything the App can reach",
    );
  }
  if (value === 'open') return OPEN_POLICY;
  const remote = value.startsWith('ssm:') || value.startsWith('arn:');
  let text: string;
  try {
    text = remote ? await fetchRemote(value) : await readFile(value, 'utf8');
  } catch (error) {
    throw new SettingsError(
      'ECS_PAAS_POLICY',
      `is '${value}', which cannot be read (${error instanceof Error ? error.name : 'error'}); point it at the policy`,
    );
  }
  try {
    return parsePolicy(text, `ECS_PAAS_POLICY (${value})`);
  } catch (error) {
    if (error instanceof ConfigError) {
      throw new SettingsError('ECS_PAAS_POLICY', `is not a valid policy:\n${error.message}`);
    }
    throw error;
  }
}
