import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { UsedNonceStore } from '../../core/connection/ports';

/**
 * Single use of consent states and links across Lambda containers: a conditional put of `nonce#<n>` into the
 * sync-state table, kept until the token expires (the table's TTL attribute removes it afterwards).
 */
export class DynamoDbUsedNonceStore implements UsedNonceStore {
  private readonly documents: DynamoDBDocumentClient;
  constructor(
    client: DynamoDBClient,
    private readonly tableName: string
  ) {
    this.documents = DynamoDBDocumentClient.from(client);
  }

  async consume(nonce: string, expiresAt: Date): Promise<boolean> {
    try {
      await this.documents.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk: `nonce#${nonce}`, ttl: Math.ceil(expiresAt.getTime() / 1000) + 60 },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
        { abortSignal: AbortSignal.timeout(5_000) }
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }
}
