/** The sync-state table's shape (lib/constructs/sync-pipeline.ts: string partition key `pk`), made in moto by tests. */
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { startMoto, type MotoServer } from './moto-server';

export async function createSyncStateTable(client: DynamoDBClient, tableName: string): Promise<void> {
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
    })
  );
}

/** One DynamoDB operation a recorded client sent, with its input. */
export interface SentCommand {
  readonly command: string;
  readonly input: Record<string, unknown>;
}

/**
 * A moto server for the test file and an empty sync-state table before each test. `client()` makes an SDK client
 * on it (one per simulated Lambda), destroyed after the file; a `recorded` client logs each operation into `sent`,
 * which is emptied once the table exists.
 */
export function useMotoSyncStateTable(tableName: string) {
  let moto: MotoServer | undefined;
  const clients: DynamoDBClient[] = [];
  const sent: SentCommand[] = [];
  beforeAll(async () => {
    moto = await startMoto();
  }, 60_000);
  afterAll(async () => {
    for (const client of clients.splice(0)) client.destroy();
    await moto?.stop();
  });
  beforeEach(async () => {
    await moto!.reset();
    await createSyncStateTable(client(), tableName);
    sent.length = 0;
  });

  function client(options: { readonly recorded?: boolean } = {}): DynamoDBClient {
    if (!moto) throw new Error('moto is not running yet: make clients inside hooks or tests');
    const made = new DynamoDBClient(moto.clientConfig);
    if (options.recorded) {
      made.middlewareStack.add(
        (next, context) => async (args) => {
          sent.push({ command: String(context.commandName), input: args.input as Record<string, unknown> });
          return next(args);
        },
        { step: 'initialize', name: 'recordCommands' }
      );
    }
    clients.push(made);
    return made;
  }
  return { client, sent };
}
