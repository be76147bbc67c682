/** POST /webhooks/xero → verify x-xero-signature over the raw body, queue the events, answer 200 with no body. */
import { SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { TransientError } from '../core/errors';
import { createAcceptXeroWebhook, type XeroWebhookSink } from '../core/ingress/xero-webhook';
import { sqs } from './shared/aws-clients';
import { envFor } from './shared/env';
import { settingsOf } from './shared/settings';
import { requestOf, response } from './shared/api-gateway';
import { loggerPort } from './shared/powertools';

export function createHandler(getDeps: () => Promise<{ key: string; sink: XeroWebhookSink }>) {
  return async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => {
    const deps = await getDeps();
    const accept = createAcceptXeroWebhook({ key: deps.key, sink: deps.sink, logger: loggerPort });
    const { headers, rawBody } = requestOf(event);
    const answer = await accept({ headers, rawBody });
    return response(answer.status, answer.body);
  };
}

/** Each Xero event becomes one message on the Xero-events queue; the write-back function reads it. */
const sqsSink = (queueUrl: string): XeroWebhookSink => ({
  async enqueue(events) {
    for (let i = 0; i < events.length; i += 10) {
      const batch = events.slice(i, i + 10);
      const result = await sqs().send(
        new SendMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: batch.map((e, n) => ({ Id: String(n), MessageBody: JSON.stringify(e) })),
        }),
        { abortSignal: AbortSignal.timeout(5_000) }
      );
      if (result.Failed?.length) throw new TransientError(`SQS refused ${result.Failed.length} Xero event(s)`);
    }
  },
});

const env = envFor('xeroWebhook');
// Built per invocation: the key is re-read after the settings cache expires, so a rotated key takes over within minutes.
export const handler = createHandler(async () => ({
  key: (await settingsOf('xeroWebhook', env)).XERO_WEBHOOK_KEY,
  sink: sqsSink(env.require('XERO_EVENTS_QUEUE_URL')),
}));
