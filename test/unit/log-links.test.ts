import { describe, expect, it } from '@jest/globals';
import type { ContainerLogStream } from '../../src/core/preview/preview-logs.js';
import { renderLogLinks } from '../../src/core/report/log-links.js';

const TASK = '0f1e2d3c4b5a69788796a5b4c3d2e1f0';
const WEB: ContainerLogStream = {
  container: 'web',
  location: { group: '/ecs/web', stream: `preview/web/${TASK}`, region: 'eu-west-1' },
};
const SIDECAR: ContainerLogStream = { container: 'envoy', note: 'no awslogs log configuration' };

describe('renderLogLinks', () => {
  it('names each container’s group, stream and region, and how to tail them', () => {
    const reply = renderLogLinks([WEB, SIDECAR], 'public');
    expect(reply).toBe(
      [
        'This repository is public, so `/logs` does not post log lines here: masking cannot be trusted to catch every secret.',
        '',
        'Read them in CloudWatch Logs, with access to the AWS account:',
        '',
        `- \`web\`: log group \`/ecs/web\`, stream \`preview/web/${TASK}\`, in \`eu-west-1\``,
        '- `envoy`: no log stream to name (no awslogs log configuration)',
        '',
        '```sh',
        `aws logs tail /ecs/web --log-stream-names preview/web/${TASK} --region eu-west-1 --since 1h`,
        '```',
      ].join('\n'),
    );
  });

  it.each([
    ['public', 'This repository is public'],
    ['public-refused-comment', '`preview.logs: comment` is refused on a public repository'],
    ['configured', '`preview.logs: link` in .github/ecs-paas.yml'],
  ] as const)('says why for %s', (reason, why) => {
    expect(renderLogLinks([WEB], reason).split('\n')[0]).toContain(why);
  });

  it('says so when no container logs with awslogs, and offers no command', () => {
    const reply = renderLogLinks([SIDECAR], 'public');
    expect(reply).toContain('No container of the preview writes to CloudWatch Logs with awslogs');
    expect(reply).toContain('no awslogs log configuration');
    expect(reply).not.toContain('aws logs tail');
  });

  it('never shows an account id or an ARN, even one an operator put in a name', () => {
    const odd: ContainerLogStream = {
      container: 'web',
      location: {
        group: '/ecs/123456789012/web',
        stream: `arn:aws:ecs:us-east-1:123456789012:task/${TASK}`,
        region: 'us-east-1',
      },
    };
    const reply = renderLogLinks([odd], 'public');
    expect(reply).not.toContain('123456789012');
    expect(reply).not.toContain('arn:aws');
    // A task id is hex and never mistaken for an account id.
    expect(reply).toContain(TASK);
  });

  it('quotes names the shell would split and code spans a backtick would end', () => {
    const odd: ContainerLogStream = {
      container: 'we`b',
      location: { group: '/ecs/#web', stream: "it's/we`b/1", region: 'us-east-1' },
    };
    const reply = renderLogLinks([odd], 'configured');
    expect(reply).toContain("aws logs tail '/ecs/#web' --log-stream-names 'it'\\''s/we`b/1'");
    expect(reply).toContain("- ``we`b``: log group `/ecs/#web`, stream ``it's/we`b/1``");
  });
});
