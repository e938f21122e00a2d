import { lambdaHandlers } from './lambda/handlers.js';

/**
 * The App on AWS Lambda, one function per handler over the same code (`lib/bot/lambda.webhook`,
 * `.worker`, `.sweep`): the webhook behind a function URL or an API Gateway HTTP API queues each
 * delivery on ECS_PAAS_QUEUE_URL; the worker is that queue's event source, with
 * ReportBatchItemFailures on; the sweep is called by an EventBridge schedule. Settings come from
 * the environment as for `npm start`; each container builds the App once, on its first call.
 */
export const { webhook, worker, sweep } = lambdaHandlers(process.env);
