/** POST /webhooks/xero → verify x-xero-signature over the raw body, queue the events, answer 200 with no body. */
import { SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { TransientError } from '../core/errors';
import { createAcceptXeroWebhook, type XeroWebhookSink } from '../core/ingress/xero-webhook';
import { requireEnv, sqs } from './shared/aws-clients';
import { settings } from './shared/settings';
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

export const handler = createHandler(async () => {
  const s = await settings();
  if (!s.XERO_WEBHOOK_KEY) throw new Error('XERO_WEBHOOK_KEY is not set in the connector-settings secret');
  return { key: s.XERO_WEBHOOK_KEY, sink: sqsSink(requireEnv('XERO_EVENTS_QUEUE_URL')) };
});
