import {
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  StartMessageMoveTaskCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';

export interface RedriveStarted {
  readonly sourceArn: string;
  /** Messages waiting in the dead-letter queue when the move started. */
  readonly messages: number;
  readonly taskHandle?: string;
}

/**
 * Redrive on AWS: SQS moves every message of each dead-letter queue back to the queue it came from
 * (StartMessageMoveTask). Empty queues are skipped; the counts are read first so the operator sees what moved.
 */
export async function redriveDeadLetterQueues(
  sqs: SQSClient,
  deadLetterQueueArns: readonly string[]
): Promise<RedriveStarted[]> {
  const started: RedriveStarted[] = [];
  for (const sourceArn of deadLetterQueueArns) {
    const queueUrl = await resolveQueueUrl(sqs, sourceArn);
    const attributes = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }),
      {
        abortSignal: AbortSignal.timeout(10_000),
      }
    );
    const messages = Number(attributes.Attributes?.ApproximateNumberOfMessages ?? 0);
    if (messages === 0) {
      started.push({ sourceArn, messages });
      continue;
    }
    const task = await sqs.send(new StartMessageMoveTaskCommand({ SourceArn: sourceArn }), {
      abortSignal: AbortSignal.timeout(10_000),
    });
    started.push({ sourceArn, messages, taskHandle: task.TaskHandle });
  }
  return started;
}

/**
 * The queue's URL as the client's endpoint knows it (GetQueueUrl): a URL built from the ARN would name the public
 * endpoint, which the SDK then calls even when the client is configured for another one (a VPC endpoint, an emulator).
 */
async function resolveQueueUrl(sqs: SQSClient, arn: string): Promise<string> {
  queueUrlOf(arn); // refuses anything but an SQS queue ARN
  const [, , , , account, name] = arn.split(':');
  const answer = await sqs.send(new GetQueueUrlCommand({ QueueName: name, QueueOwnerAWSAccountId: account }), {
    abortSignal: AbortSignal.timeout(10_000),
  });
  if (!answer.QueueUrl) throw new Error(`SQS knows no queue ${arn}`);
  return answer.QueueUrl;
}

/** arn:aws:sqs:REGION:ACCOUNT:NAME → https://sqs.REGION.amazonaws.com/ACCOUNT/NAME */
export function queueUrlOf(arn: string): string {
  const match = /^arn:aws[a-z-]*:sqs:([a-z0-9-]+):(\d{12}):([A-Za-z0-9_.-]+)$/.exec(arn);
  if (!match) throw new Error(`not an SQS queue ARN: ${arn}`);
  return `https://sqs.${match[1]}.amazonaws.com/${match[2]}/${match[3]}`;
}
