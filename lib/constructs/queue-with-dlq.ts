import { Duration } from 'aws-cdk-lib';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

export interface QueueWithDlqProps {
  /** FIFO queue (and FIFO DLQ). Content-based deduplication stays off: producers send MessageDeduplicationId. */
  readonly fifo?: boolean;
  /** Must be at least 6× the consuming function's timeout (AWS guidance for Lambda event sources). */
  readonly visibilityTimeout: Duration;
  /** Receives before a message moves to the DLQ. @default 5 */
  readonly maxReceiveCount?: number;
  /** @default Duration.days(4) */
  readonly retentionPeriod?: Duration;
}

/**
 * An SQS queue with its dead-letter queue, both encrypted at rest with SQS-managed SSE and denying non-TLS requests.
 * SSE-SQS (rather than a customer key) keeps EventBridge Scheduler and Lambda free of KMS key-policy wiring; the
 * messages carry record ids and mapped documents, never credentials.
 */
export class QueueWithDlq extends Construct {
  readonly queue: Queue;
  readonly deadLetterQueue: Queue;

  constructor(scope: Construct, id: string, props: QueueWithDlqProps) {
    super(scope, id);
    const fifo = props.fifo ?? false;
    const common = {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      ...(fifo ? { fifo: true, contentBasedDeduplication: false } : {}),
    };
    // Longest retention, so an operator has two weeks to inspect and redrive.
    this.deadLetterQueue = new Queue(this, 'Dlq', { ...common, retentionPeriod: Duration.days(14) });
    this.queue = new Queue(this, 'Queue', {
      ...common,
      visibilityTimeout: props.visibilityTimeout,
      retentionPeriod: props.retentionPeriod ?? Duration.days(4),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: props.maxReceiveCount ?? 5 },
    });
  }
}
