import type { LogDeliveryDecision } from '../preview/log-delivery.js';
import type { ContainerLogStream } from '../preview/preview-logs.js';

const WHY: Record<NonNullable<LogDeliveryDecision['reason']>, string> = {
  public:
    'This repository is public, so `/logs` does not post log lines here: masking cannot be trusted to catch every secret.',
  'public-refused-comment':
    '`preview.logs: comment` is refused on a public repository: log lines are not posted here, because masking cannot be trusted to catch every secret.',
  configured: '`preview.logs: link` in .github/ecs-paas.yml: log lines are not posted here.',
};

/**
 * The reply to `/logs` where lines must not be posted: why, then each container's log group,
 * stream and region, and an `aws logs tail` command per stream for those who may read them.
 * Names only, never a line of output; and no ARN or account id, in case an operator put one in a
 * group name or stream prefix.
 */
export function renderLogLinks(
  streams: readonly ContainerLogStream[],
  reason: LogDeliveryDecision['reason'],
): string {
  const why = WHY[reason ?? 'public'];
  const located = streams.flatMap((s) => (s.location ? [{ ...s, location: s.location }] : []));
  const list = streams.map(({ container, location, note }) =>
    location
      ? `- ${code(container)}: log group ${code(scrub(location.group))}, stream ${code(scrub(location.stream))}, in ${code(location.region)}`
      : `- ${code(container)}: no log stream to name (${note ?? 'unknown'})`,
  );
  if (located.length === 0) {
    return [
      why,
      '',
      'No container of the preview writes to CloudWatch Logs with awslogs:',
      ...list,
    ].join('\n');
  }
  const commands = located.map(({ location }) =>
    [
      'aws logs tail',
      shellWord(scrub(location.group)),
      '--log-stream-names',
      shellWord(scrub(location.stream)),
      '--region',
      shellWord(location.region),
      '--since 1h',
    ].join(' '),
  );
  const fence = '`'.repeat(Math.max(3, longestBacktickRun(commands.join('\n')) + 1));
  return [
    why,
    '',
    'Read them in CloudWatch Logs, with access to the AWS account:',
    '',
    ...list,
    '',
    `${fence}sh`,
    ...commands,
    fence,
  ].join('\n');
}

/** ARNs and 12-digit account ids out of a name, which only an odd task definition would hold. */
function scrub(name: string): string {
  return name.replace(/arn:aws[a-z-]*:[^\s/]*/gi, '<arn>').replace(/\b\d{12}\b/g, '<account-id>');
}

/** A word the shell reads back as `text`: quoted unless it only holds characters that never need it. */
function shellWord(text: string): string {
  return /^[A-Za-z0-9._/=-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

/** Inline code that no backtick inside can end early. */
function code(text: string): string {
  const ticks = '`'.repeat(longestBacktickRun(text) + 1);
  const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : '';
  return `${ticks}${pad}${text}${pad}${ticks}`;
}

function longestBacktickRun(text: string): number {
  return Math.max(0, ...Array.from(text.matchAll(/`+/g), (run) => run[0].length));
}
