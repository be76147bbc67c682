/**
 * An AWS::Lambda::EventSourceMapping on an SQS queue, driven as Lambda drives it: pollers (as many as the mapping's
 * MaximumConcurrency and the function's reserved concurrency allow) receive up to BatchSize messages, waiting up to
 * MaximumBatchingWindowInSeconds to fill a batch, invoke the function with an SQS event, delete what succeeded
 * (ReportBatchItemFailures: all but the reported ids; an invalid report fails the whole batch) and leave the rest to
 * come back after the visibility timeout. FIFO group order and maxReceiveCount → DLQ are moto's own.
 */
import {
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  type Message,
  type SQSClient,
  type MessageAttributeValue,
} from '@aws-sdk/client-sqs';
import type { LambdaHost } from './aws-lambda-host';

export interface SqsMappingSpec {
  readonly logicalId: string;
  readonly queueUrl: string;
  readonly queueArn: string;
  readonly functionName: string;
  readonly batchSize: number;
  readonly batchingWindowMs: number;
  readonly reportBatchItemFailures: boolean;
  readonly pollers: number;
  readonly enabled: boolean;
}

export interface MappingStats {
  invocations: number;
  /** Messages deleted after a successful invocation. */
  deleted: number;
  /** Messages left on the queue (reported failures, function errors). */
  leftForRetry: number;
  largestBatch: number;
}

/** Pause between empty polls of an idle queue (Lambda long-polls; short polls plus this pause cost moto less). */
const IDLE_POLL_MS = 250;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * moto's ReceiveMessage takes no lock: two concurrent receives on one queue can both get the same message, which
 * SQS never does within a visibility timeout. Receives of one queue are therefore made one at a time (batches are
 * still processed concurrently).
 */
const receiveQueue = new Map<string, Promise<unknown>>();
function oneReceiveAtATime<T>(queueUrl: string, receive: () => Promise<T>): Promise<T> {
  const previous = receiveQueue.get(queueUrl) ?? Promise.resolve();
  const next = previous.then(receive, receive);
  receiveQueue.set(
    queueUrl,
    next.catch(() => undefined)
  );
  return next;
}

export class SqsEventSource {
  readonly stats: MappingStats = { invocations: 0, deleted: 0, leftForRetry: 0, largestBatch: 0 };
  private running = false;
  private loops: Promise<void>[] = [];
  private inFlight = 0;

  constructor(
    readonly spec: SqsMappingSpec,
    private readonly sqs: SQSClient,
    private readonly lambda: LambdaHost,
    private readonly region: string
  ) {}

  /** True while a poller holds received messages (an invocation is running or about to). */
  get busy(): boolean {
    return this.inFlight > 0;
  }

  start(): void {
    if (this.running || !this.spec.enabled) return;
    this.running = true;
    this.loops = Array.from({ length: this.spec.pollers }, () => this.poll());
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.allSettled(this.loops);
  }

  private async poll(): Promise<void> {
    while (this.running) {
      try {
        const batch = await this.gather();
        if (batch.length === 0) continue;
        this.inFlight++;
        try {
          await this.deliver(batch);
        } finally {
          this.inFlight--;
        }
      } catch (error) {
        if (!this.running) return;
        if (process.env.DEBUG_AWS_TIER) process.stderr.write(`[${this.spec.logicalId}] poll error ${String(error)}\n`);
        await sleep(200);
      }
    }
  }

  private async gather(): Promise<Message[]> {
    const batch: Message[] = [];
    let windowEnds = 0;
    while (this.running && batch.length < this.spec.batchSize) {
      // Short polls: a long poll would hold the queue's receive turn (see oneReceiveAtATime).
      const received = await oneReceiveAtATime(this.spec.queueUrl, () =>
        this.sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: this.spec.queueUrl,
            MaxNumberOfMessages: Math.min(10, this.spec.batchSize - batch.length),
            WaitTimeSeconds: 0,
            MessageSystemAttributeNames: ['All'],
            MessageAttributeNames: ['All'],
          }),
          { abortSignal: AbortSignal.timeout(10_000) }
        )
      );
      const messages = received.Messages ?? [];
      batch.push(...messages);
      if (batch.length === 0) {
        await sleep(IDLE_POLL_MS);
        return batch;
      }
      if (windowEnds === 0) windowEnds = Date.now() + this.spec.batchingWindowMs;
      if (Date.now() >= windowEnds) break;
      if (messages.length === 0) await sleep(Math.min(200, Math.max(0, windowEnds - Date.now())));
    }
    return batch;
  }

  private async deliver(batch: Message[]): Promise<void> {
    this.stats.invocations++;
    this.stats.largestBatch = Math.max(this.stats.largestBatch, batch.length);
    const event = { Records: batch.map((m) => this.record(m)) };
    const result = await this.lambda.invoke(this.spec.functionName, event, 'queued');
    const failed = result.functionError
      ? new Set(batch.map((m) => m.MessageId!))
      : this.reportedFailures(batch, result.payload);
    const done = batch.filter((m) => !failed.has(m.MessageId!));
    this.stats.leftForRetry += batch.length - done.length;
    for (let i = 0; i < done.length; i += 10) {
      const chunk = done.slice(i, i + 10);
      await this.sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: this.spec.queueUrl,
          Entries: chunk.map((m, n) => ({ Id: String(n), ReceiptHandle: m.ReceiptHandle! })),
        }),
        { abortSignal: AbortSignal.timeout(10_000) }
      );
      this.stats.deleted += chunk.length;
    }
  }

  /** Ids to keep: the reported ones, or all of them when the report names an id not in the batch. */
  private reportedFailures(batch: Message[], payload: string): Set<string> {
    if (!this.spec.reportBatchItemFailures) return new Set();
    const all = new Set(batch.map((m) => m.MessageId!));
    let response: { batchItemFailures?: { itemIdentifier?: unknown }[] } | null;
    try {
      response = JSON.parse(payload) as typeof response;
    } catch {
      return new Set();
    }
    const failures = response?.batchItemFailures ?? [];
    const ids = failures.map((f) => f.itemIdentifier);
    if (ids.some((id) => typeof id !== 'string' || !all.has(id))) return all;
    return new Set(ids as string[]);
  }

  private record(m: Message) {
    return {
      messageId: m.MessageId!,
      receiptHandle: m.ReceiptHandle!,
      body: m.Body ?? '',
      attributes: { ...(m.Attributes ?? {}) },
      messageAttributes: Object.fromEntries(
        Object.entries(m.MessageAttributes ?? {}).map(([name, v]: [string, MessageAttributeValue]) => [
          name,
          {
            dataType: v.DataType,
            ...(v.StringValue !== undefined ? { stringValue: v.StringValue } : {}),
            ...(v.BinaryValue !== undefined ? { binaryValue: Buffer.from(v.BinaryValue).toString('base64') } : {}),
            stringListValues: [],
            binaryListValues: [],
          },
        ])
      ),
      md5OfBody: m.MD5OfBody,
      eventSource: 'aws:sqs',
      eventSourceARN: this.spec.queueArn,
      awsRegion: this.region,
    };
  }
}
