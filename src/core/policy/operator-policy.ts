import { parseDocument } from 'yaml';
import { ConfigError, keyPath } from '../config/config-error.js';
import type { RepoConfig } from '../config/repo-config.js';
import { policySchema, type Grant } from './policy-schema.js';

export type { Grant } from './policy-schema.js';

/**
 * The operator's side of the boundary: which repository may use what. The repository config
 * chooses within its grant and never widens it. `open` is the single-team install: no checks.
 */
export type OperatorPolicy =
  | { readonly kind: 'open' }
  | { readonly kind: 'granted'; readonly grants: ReadonlyMap<string, Grant> };

export const OPEN_POLICY: OperatorPolicy = { kind: 'open' };

export function parsePolicy(text: string, source: string): OperatorPolicy {
  const document = parseDocument(text, { merge: true });
  if (document.errors.length > 0) {
    throw new ConfigError(source, [
      {
        path: '',
        message: `${document.errors[0]?.message ?? 'invalid YAML'}; expected valid YAML`,
      },
    ]);
  }
  const result = policySchema.safeParse(document.toJS() ?? {});
  if (!result.success) {
    throw new ConfigError(
      source,
      result.error.issues.map((i) => ({ path: keyPath(i.path), message: i.message })),
    );
  }
  const grants = new Map<string, Grant>();
  for (const [key, grant] of Object.entries(result.data.repositories)) {
    grants.set(key.toLowerCase(), grant);
  }
  return { kind: 'granted', grants };
}

/**
 * The grant for `owner/repo`: an exact entry, else `owner/*`, else `*`; undefined grants nothing.
 * The most specific entry wins whole (grants are not merged), so an operator reads one entry to
 * know what a repository may do.
 */
export function grantFor(policy: OperatorPolicy, repository: string): Grant | undefined | 'open' {
  if (policy.kind === 'open') return 'open';
  const name = repository.toLowerCase();
  const owner = name.split('/')[0] ?? '';
  return policy.grants.get(name) ?? policy.grants.get(`${owner}/*`) ?? policy.grants.get('*');
}

/** Whether more than one repository may use a zone: two entries name it, or a glob entry does. */
function zoneShared(policy: OperatorPolicy, zoneId: string): boolean {
  if (policy.kind === 'open') return false;
  const holders = [...policy.grants].filter(([, grant]) => grant.hostedZones.includes(zoneId));
  return holders.length > 1 || holders.some(([key]) => key.includes('*'));
}

/** `web-*` matches `web-api`; only `*` is special. */
export function matchesGlob(value: string, glob: string): boolean {
  const pattern = glob.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
  return new RegExp(`^${pattern}$`).test(value);
}

/** A task definition reference (family, family:rev or ARN) → its family. */
function familyOf(reference: string): string {
  const tail = reference.split('/').pop() ?? reference;
  return tail.split(':')[0] ?? tail;
}

function withinDomain(domain: string, granted: readonly string[]): boolean {
  const name = domain.toLowerCase().replace(/\.$/, '');
  return granted.some((g) => name === g || name.endsWith(`.${g}`));
}

/**
 * Every key of the repository config that names something outside the repository's grant, as
 * config issues: checked before any AWS call, so a refused config costs AWS nothing.
 */
export function checkAgainstPolicy(
  config: RepoConfig,
  policy: OperatorPolicy,
  repository: string,
): ConfigError | undefined {
  const grant = grantFor(policy, repository);
  if (grant === 'open') return undefined;
  const refuse = (path: string) => ({
    path,
    message: "the operator's policy does not allow it for this repository",
  });
  if (grant === undefined) {
    const keys = [
      ...(config.preview ? ['preview'] : []),
      ...Object.keys(config.environments).map((e) => `environments.${e}`),
    ];
    if (keys.length === 0) return undefined;
    return new ConfigError(
      '.github/ecs-paas.yml',
      keys.map((path) => ({
        path,
        message:
          "the operator's policy grants this repository nothing; ask the operator for a grant",
      })),
    );
  }
  const issues: Array<{ path: string; message: string }> = [];
  const preview = config.preview;
  if (preview) {
    if (!grant.clusters.includes(preview.cluster)) issues.push(refuse('preview.cluster'));
    if (!grant.taskFamilies.some((g) => matchesGlob(familyOf(preview.taskDefinition), g))) {
      issues.push(refuse('preview.task-definition'));
    }
    preview.subnets.forEach((s, i) => {
      if (!grant.subnets.includes(s)) issues.push(refuse(`preview.subnets[${i}]`));
    });
    preview.securityGroups.forEach((s, i) => {
      if (!grant.securityGroups.includes(s)) issues.push(refuse(`preview.security-groups[${i}]`));
    });
    const routing = preview.routing;
    if (!grant.routingModes.includes(routing.mode)) issues.push(refuse('preview.routing.mode'));
    if (!grant.hostedZones.includes(routing.hostedZoneId)) {
      issues.push(refuse('preview.routing.hosted-zone-id'));
    }
    if (!withinDomain(routing.domain, grant.domains)) issues.push(refuse('preview.routing.domain'));
    if (zoneShared(policy, routing.hostedZoneId) && !/\{(repo|owner)\}/.test(routing.subdomain)) {
      issues.push({
        path: 'preview.routing.subdomain',
        message:
          "the operator's policy grants this hosted zone to more than one repository; put {repo} or {owner} in the template so their names cannot collide",
      });
    }
    if (routing.mode === 'alb' && !grant.listeners.includes(routing.listenerArn)) {
      issues.push(refuse('preview.routing.listener-arn'));
    }
    const roleAllowed = (arn: string) => grant.previewRoles.some((g) => matchesGlob(arn, g));
    if (preview.taskRoleArn !== undefined && !roleAllowed(preview.taskRoleArn)) {
      issues.push(refuse('preview.task-role-arn'));
    }
    if (preview.executionRoleArn !== undefined && !roleAllowed(preview.executionRoleArn)) {
      issues.push(refuse('preview.execution-role-arn'));
    }
    for (const [name, source] of Object.entries(preview.secrets)) {
      if (!grant.previewSecrets.some((g) => matchesGlob(source, g))) {
        issues.push(refuse(`preview.secrets.${name}`));
      }
    }
    for (const asked of inheritOf(preview)) {
      if (!(grant.inherit as readonly string[]).includes(asked)) {
        issues.push(refuse('preview.inherit'));
        break;
      }
    }
  }
  for (const [name, environment] of Object.entries(config.environments)) {
    const at = `environments.${name}`;
    if (environment.kind === 'workflow') {
      if (!grant.workflows.includes(environment.workflow)) issues.push(refuse(`${at}.workflow`));
      continue;
    }
    if (!grant.clusters.includes(environment.cluster)) issues.push(refuse(`${at}.cluster`));
    const allowed = grant.services[name] ?? [];
    environment.services.forEach((s, i) => {
      if (!allowed.includes(s)) issues.push(refuse(`${at}.services[${i}]`));
    });
    if (
      environment.taskDefinition !== undefined &&
      !grant.taskFamilies.some((g) => matchesGlob(familyOf(environment.taskDefinition ?? ''), g))
    ) {
      issues.push(refuse(`${at}.task-definition`));
    }
  }
  return issues.length > 0 ? new ConfigError('.github/ecs-paas.yml', issues) : undefined;
}

/** `preview.inherit`, once the identity settings exist; none before. */
function inheritOf(preview: object): readonly string[] {
  const inherit = (preview as { inherit?: unknown }).inherit;
  return Array.isArray(inherit) ? (inherit as string[]) : [];
}

/**
 * The config as the grant lets it run: `max-previews` is capped at the grant's (a config that
 * leaves it out must not be refused for the default it never asked for).
 */
export function withinGrant(
  config: RepoConfig,
  policy: OperatorPolicy,
  repository: string,
): RepoConfig {
  const grant = grantFor(policy, repository);
  if (grant === 'open' || grant === undefined || !config.preview) return config;
  if (config.preview.maxPreviews <= grant.maxPreviews) return config;
  return { ...config, preview: { ...config.preview, maxPreviews: grant.maxPreviews } };
}
