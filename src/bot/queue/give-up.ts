import { upsertComment } from '../../core/github/living-comment.js';
import type { GitHubApi } from '../github-api.js';
import { deliveryGroup } from './delivery-group.js';
import type { QueuedDelivery } from './work-queue.js';

/**
 * The last attempt at a PR's delivery failed and SQS moves it to the dead-letter queue: the PR's
 * comment says its preview could not be brought up, so nobody waits for a link that never comes.
 * The error itself stays in the App's log (it may name ARNs).
 */
export async function tellGaveUp(
  auth: (installationId: number) => Promise<GitHubApi>,
  delivery: QueuedDelivery,
  attempts: number,
): Promise<void> {
  const payload = delivery.payload as { installation?: { id?: number } };
  const match = /^([^/]+)\/([^#]+)#(\d+)$/.exec(deliveryGroup(delivery.payload));
  const installation = payload.installation?.id;
  if (!match || installation === undefined) return;
  const [, owner = '', repo = '', number = ''] = match;
  await upsertComment(
    await auth(installation),
    { owner, repo, issueNumber: Number(number) },
    [
      '### ❌ The preview could not be brought up',
      '',
      `The App tried ${attempts} times to act on this pull request's \`${delivery.name}\` event and failed each time. The event is kept in the App's dead-letter queue for its operator.`,
      '',
      'A push or `/deploy` tries again.',
    ].join('\n'),
  );
}
