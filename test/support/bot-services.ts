import { BotServices } from '../../src/bot/bot-services.js';
import { createAwsClients } from '../../src/core/aws/clients.js';
import type { Logger } from '../../src/core/logger.js';

/** A Logger that keeps warnings, for tests that assert what the App told its operator. */
export function recordingLogger(warnings: string[]): Logger {
  return {
    info: () => undefined,
    warning: (m) => warnings.push(m),
    debug: () => undefined,
    group: (_title, work) => work(),
    secret: () => undefined,
  };
}

/**
 * The App's services in the test process, as main.ts builds them, with AWS at `awsUrl` (moto or
 * the fault proxy) and a clock the test moves: previews go idle without waiting a day.
 */
export function testBotServices(awsUrl: string, now: () => Date, log: Logger): BotServices {
  return new BotServices(
    createAwsClients('us-east-1', {
      endpoint: awsUrl,
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
      maxAttempts: 2,
    }),
    log,
    { now, pollMs: 20 },
  );
}
