import {
  DeregisterTaskDefinitionCommand,
  ListTaskDefinitionsCommand,
  type ECSClient,
} from '@aws-sdk/client-ecs';
import { errorMessage } from '../errors.js';
import type { Logger } from '../logger.js';

/**
 * Deregisters all but the `keep` newest ACTIVE revisions of `family`, never one in `protect` (what
 * runs now and the rollback target). Failures are warnings: pruning never fails a deploy.
 */
export async function pruneRevisions(
  ecs: ECSClient,
  family: string,
  keep: number,
  protect: ReadonlySet<string>,
  log: Logger,
): Promise<string[]> {
  if (keep <= 0) return [];
  const arns: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await ecs.send(
      new ListTaskDefinitionsCommand({
        familyPrefix: family,
        status: 'ACTIVE',
        sort: 'DESC',
        ...(nextToken ? { nextToken } : {}),
      }),
    );
    // familyPrefix matches prefixes: `web` also lists `web-worker`.
    arns.push(
      ...(page.taskDefinitionArns ?? []).filter(
        (arn) => arn.split('/').pop()?.replace(/:\d+$/, '') === family,
      ),
    );
    nextToken = page.nextToken;
  } while (nextToken);
  const byRevision = arns.sort((a, b) => revision(b) - revision(a));
  const doomed = byRevision.slice(keep).filter((arn) => !protect.has(arn));
  const removed: string[] = [];
  for (const arn of doomed) {
    try {
      await ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: arn }));
      removed.push(arn);
    } catch (error) {
      log.warning(`Could not deregister ${arn}: ${errorMessage(error)}`);
    }
  }
  if (removed.length > 0) log.info(`Deregistered ${removed.length} old revision(s) of ${family}`);
  return removed;
}

function revision(arn: string): number {
  return Number(/:(\d+)$/.exec(arn)?.[1] ?? 0);
}
