/** POST /webhooks/dataverse → authenticate, parse strictly, enqueue one change, answer 202 fast. */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { createAcceptDataverseWebhook } from '../core/ingress/accept-dataverse-webhook';
import type { ChangeQueue } from '../core/ports';
import type { SyncedTable } from '../core/model/change-event';
import { DynamoDbChangeSightings } from '../adapters/aws/dynamodb-change-sightings';
import type { ChangeSightings } from '../core/sweep/ports';
import { noteDeliveredChanges, noteOwnChange } from '../core/sweep/sighting-queue';
import { clock, dynamo } from './shared/aws-clients';
import { envFor } from './shared/env';
import { mappingSettings, settingsOf } from './shared/settings';
import { changeQueue } from './shared/queue-deps';
import { requestOf, response } from './shared/api-gateway';
import { loggerPort } from './shared/powertools';

export interface DataverseWebhookDeps {
  readonly queue: ChangeQueue;
  /** Remembers delivered (and own) changes for the catch-up sweep; optional so tests can leave it out. */
  readonly sightings?: ChangeSightings;
  readonly webhookKey: string;
  readonly organization?: string;
  readonly connectorUserId?: string;
  readonly syncedTables: readonly SyncedTable[];
}

export function createHandler(getDeps: () => Promise<DataverseWebhookDeps>) {
  return async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => {
    const deps = await getDeps();
    const accept = createAcceptDataverseWebhook({
      queue: deps.sightings ? noteDeliveredChanges(deps.queue, deps.sightings, loggerPort) : deps.queue,
      ...(deps.sightings && { onOwnChange: noteOwnChange(deps.sightings, loggerPort) }),
      settings: {
        webhookKey: deps.webhookKey,
        organization: deps.organization,
        syncedTables: deps.syncedTables,
        ignoreUserId: deps.connectorUserId,
      },
      clock,
      logger: loggerPort,
    });
    const answer = await accept(requestOf(event));
    return response(answer.status, answer.body, { 'content-type': 'application/json', ...answer.headers });
  };
}

const env = envFor('dataverseWebhook');
// Built per invocation: the key is re-read after the settings cache expires, so a rotated key takes over within minutes.
export const handler = createHandler(async () => ({
  queue: changeQueue(env),
  sightings: new DynamoDbChangeSightings(dynamo(), env.require('SYNC_STATE_TABLE')),
  webhookKey: (await settingsOf('dataverseWebhook', env)).DATAVERSE_WEBHOOK_KEY,
  organization: env.optional('DATAVERSE_ORGANIZATION'),
  connectorUserId: env.optional('DATAVERSE_CONNECTOR_USER_ID'),
  syncedTables: mappingSettings(env).syncedTables,
}));
