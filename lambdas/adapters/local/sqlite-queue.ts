/**
 * A durable work queue in SQLite with the SQS semantics the pipeline relies on:
 * - FIFO per message group: a message is never leased while an earlier message of its group is pending or in flight
 *   (one message per group per receive, so a failure cannot let a later change overtake an earlier one);
 * - de-duplication: a repeated dedupeId within 5 minutes is dropped, like SQS FIFO content de-duplication;
 * - visibility leases: a received message is hidden until acked, failed, released or its lease expires, so a worker
 *   killed mid-batch loses nothing (the message simply becomes visible again);
 * - bounded retries: each receive counts; a failure after `maxReceives` receives moves the message to the dead
 *   letters with its last error, otherwise it comes back after an exponential backoff with jitter (or Retry-After).
 * Every operation runs in one SQLite transaction.
 */
import { randomUUID } from 'node:crypto';
import { migrate, type SqliteDatabase } from './sqlite-database';
import { systemNow } from '../system-clock';

/** changes → map stage; writes → post stage; xero-events → write-back of invoice status to Dataverse. */
export const QUEUE_NAMES = ['changes', 'writes', 'xero-events'] as const;
export type QueueName = (typeof QUEUE_NAMES)[number];

export interface OutgoingMessage {
  readonly body: string;
  /** FIFO scope: messages of one group are processed one at a time, in send order. */
  readonly groupId?: string;
  /** A repeated id within the de-duplication window is silently dropped. */
  readonly dedupeId?: string;
  /** Keep the message invisible this long after sending. */
  readonly delayMs?: number;
  /**
   * Drop this message when its group already has one waiting that was never received: for work that re-reads the
   * current state (a change of a record), the waiting message runs first and covers this one. A record edited in a
   * tight loop then keeps one change queued instead of thousands.
   */
  readonly coalesce?: boolean;
}

export interface LeasedMessage {
  readonly id: string;
  /**
   * Proof of this particular lease. Passing it to ack/fail/release makes them no-ops once the lease has expired and
   * the message was handed to someone else, so a slow worker cannot settle another worker's attempt.
   */
  readonly receipt: string;
  readonly queue: QueueName;
  readonly body: string;
  readonly groupId?: string;
  /** How many times the message has been received, this receive included. */
  readonly receiveCount: number;
  /** The error of the previous failed attempt, if any. */
  readonly lastError?: string;
  readonly sentAt: Date;
}

export interface DeadLetter {
  readonly id: string;
  readonly queue: QueueName;
  readonly body: string;
  readonly groupId?: string;
  readonly receiveCount: number;
  readonly lastError: string;
  readonly sentAt: Date;
  readonly deadAt: Date;
}

export interface QueueDepth {
  /** Visible now and waiting for a worker (includes expired leases). */
  readonly ready: number;
  /** Leased by a worker right now. */
  readonly inFlight: number;
  /** Waiting for a delay or a retry backoff to pass. */
  readonly delayed: number;
  readonly deadLetters: number;
}

export interface RedriveFilter {
  readonly groupId?: string;
  /** E.g. `salesorder:` to redrive one table's changes. */
  readonly groupIdPrefix?: string;
  readonly ids?: readonly string[];
}

/** Settles only the lease with this receipt, when given. */
export interface LeaseCheck {
  readonly receipt?: string;
}

export interface SendResult {
  /** Ids of the messages stored, in order; duplicates are left out. */
  readonly ids: readonly string[];
  readonly duplicates: number;
  /** Messages dropped because an untouched message of their group was already waiting (`coalesce`). */
  readonly coalesced: number;
}

export interface SqliteQueueOptions {
  /** Receives after which a failure dead-letters the message. Default 5. */
  readonly maxReceives?: number;
  /** First retry delay; doubles with each receive. Default 1 s. */
  readonly baseBackoffMs?: number;
  /** Cap of the computed backoff (a server's Retry-After is honoured even when longer). Default 5 min. */
  readonly maxBackoffMs?: number;
  /** How long a dedupeId is remembered. Default 5 min, as SQS FIFO. */
  readonly dedupeWindowMs?: number;
  /** Injected for tests. */
  readonly now?: () => number;
  readonly random?: () => number;
}

interface MessageRow {
  id: string;
  queue: QueueName;
  body: string;
  group_id: string | null;
  state: 'ready' | 'leased' | 'dead';
  receive_count: number;
  last_error: string | null;
  sent_at: number;
  dead_at: number | null;
}

const MIGRATIONS = [
  {
    version: 1,
    sql: `
      CREATE TABLE queue_messages (
        id TEXT PRIMARY KEY,
        queue TEXT NOT NULL,
        seq INTEGER NOT NULL,
        body TEXT NOT NULL,
        group_id TEXT,
        state TEXT NOT NULL CHECK (state IN ('ready', 'leased', 'dead')),
        visible_at INTEGER NOT NULL,
        lease_until INTEGER,
        lease_id TEXT,
        receive_count INTEGER NOT NULL DEFAULT 0,
        last_error TEXT,
        sent_at INTEGER NOT NULL,
        dead_at INTEGER
      );
      CREATE INDEX queue_messages_by_state ON queue_messages (queue, state, seq);
      CREATE INDEX queue_messages_by_group ON queue_messages (queue, group_id, seq);
      CREATE INDEX queue_messages_by_seq ON queue_messages (seq);
      CREATE TABLE queue_dedupe (
        queue TEXT NOT NULL,
        dedupe_id TEXT NOT NULL,
        expires_at INTEGER NOT NULL,
        PRIMARY KEY (queue, dedupe_id)
      );`,
  },
];

const MAX_ERROR_LENGTH = 2000;
/** Matches any lease when no receipt is given (two identical bound parameters). */
const LEASE_MATCH = '(? IS NULL OR lease_id = ?)';

export class SqliteQueue {
  private readonly maxReceives: number;
  private readonly baseBackoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly dedupeWindowMs: number;
  private readonly now: () => number;
  private readonly random: () => number;

  constructor(
    private readonly db: SqliteDatabase,
    options: SqliteQueueOptions = {}
  ) {
    this.maxReceives = options.maxReceives ?? 5;
    this.baseBackoffMs = options.baseBackoffMs ?? 1000;
    this.maxBackoffMs = options.maxBackoffMs ?? 5 * 60_000;
    this.dedupeWindowMs = options.dedupeWindowMs ?? 5 * 60_000;
    this.now = options.now ?? (() => systemNow().getTime());
    this.random = options.random ?? Math.random;
    if (this.maxReceives < 1) throw new RangeError('maxReceives must be at least 1');
    migrate(db, 'queue', MIGRATIONS);
  }

  send(queue: QueueName, messages: readonly OutgoingMessage[]): SendResult {
    return this.db
      .transaction(() => {
        const now = this.now();
        this.db.prepare('DELETE FROM queue_dedupe WHERE expires_at <= ?').run(now);
        const remember = this.db.prepare(
          'INSERT OR IGNORE INTO queue_dedupe (queue, dedupe_id, expires_at) VALUES (?, ?, ?)'
        );
        const insert = this.db.prepare(
          `INSERT INTO queue_messages (id, queue, seq, body, group_id, state, visible_at, sent_at)
           VALUES (?, ?, ?, ?, ?, 'ready', ?, ?)`
        );
        const waiting = this.db.prepare(
          `SELECT 1 FROM queue_messages
           WHERE queue = ? AND group_id = ? AND state = 'ready' AND receive_count = 0 LIMIT 1`
        );
        let seq = this.nextSeq();
        const ids: string[] = [];
        let duplicates = 0;
        let coalesced = 0;
        for (const message of messages) {
          if (message.dedupeId !== undefined) {
            const fresh = remember.run(queue, message.dedupeId, now + this.dedupeWindowMs).changes > 0;
            if (!fresh) {
              duplicates += 1;
              continue;
            }
          }
          // Only a message never received: one that already failed may yet be dead-lettered, and must not take
          // a later change with it.
          if (message.coalesce && message.groupId !== undefined && waiting.get(queue, message.groupId)) {
            coalesced += 1;
            continue;
          }
          const id = randomUUID();
          insert.run(id, queue, seq++, message.body, message.groupId ?? null, now + (message.delayMs ?? 0), now);
          ids.push(id);
        }
        return { ids, duplicates, coalesced };
      })
      .immediate();
  }

  /** Leases up to `max` visible messages for `visibilityMs`: at most one per group, the head of each group. */
  receive(queue: QueueName, max: number, visibilityMs: number): LeasedMessage[] {
    return this.db
      .transaction(() => {
        const now = this.now();
        const candidates = this.db
          .prepare(
            `SELECT * FROM queue_messages m
             WHERE m.queue = ?
               AND ((m.state = 'ready' AND m.visible_at <= ?) OR (m.state = 'leased' AND m.lease_until <= ?))
               AND (m.group_id IS NULL OR NOT EXISTS (
                 SELECT 1 FROM queue_messages p
                 WHERE p.queue = m.queue AND p.group_id = m.group_id AND p.state != 'dead' AND p.seq < m.seq))
             ORDER BY m.seq
             LIMIT ?`
          )
          .all(queue, now, now, Math.max(0, max)) as (MessageRow & { state: 'ready' | 'leased' })[];
        const lease = this.db.prepare(
          `UPDATE queue_messages SET state = 'leased', lease_until = ?, lease_id = ?, receive_count = receive_count + 1
           WHERE id = ?`
        );
        const leased: LeasedMessage[] = [];
        for (const row of candidates) {
          // An expired lease already counted its receive: a worker that keeps dying on it must not loop forever.
          if (row.state === 'leased' && row.receive_count >= this.maxReceives) {
            const reason = row.last_error ?? 'lease expired without ack (worker stopped or timed out)';
            this.markDead(row.id, `${reason} [after ${row.receive_count} receives]`, now);
            continue;
          }
          const receipt = randomUUID();
          lease.run(now + visibilityMs, receipt, row.id);
          leased.push(toLeased(row, row.receive_count + 1, receipt));
        }
        return leased;
      })
      .immediate();
  }

  /** Removes a processed message. Returns false when it was no longer leased (e.g. already acked). */
  ack(id: string, check: LeaseCheck = {}): boolean {
    return (
      this.db
        .prepare(`DELETE FROM queue_messages WHERE id = ? AND state = 'leased' AND ${LEASE_MATCH}`)
        .run(id, check.receipt ?? null, check.receipt ?? null).changes > 0
    );
  }

  /**
   * Records a failed attempt: the message returns after a backoff (or `retryAfterMs`), or becomes a dead letter
   * once it has been received `maxReceives` times. Returns what happened.
   */
  /** A failed attempt: back off and retry, or dead-letter after maxReceives — at once when `permanent`. */
  fail(
    id: string,
    failure: { retryAfterMs?: number; error: string; permanent?: boolean } & LeaseCheck
  ): 'retry' | 'dead' | 'unknown' {
    return this.db
      .transaction(() => {
        const row = this.db
          .prepare(`SELECT * FROM queue_messages WHERE id = ? AND state = 'leased' AND ${LEASE_MATCH}`)
          .get(id, failure.receipt ?? null, failure.receipt ?? null) as MessageRow | undefined;
        if (!row) return 'unknown';
        const now = this.now();
        const error = failure.error.slice(0, MAX_ERROR_LENGTH);
        if (failure.permanent || row.receive_count >= this.maxReceives) {
          this.markDead(id, error, now);
          return 'dead';
        }
        const delay = failure.retryAfterMs ?? this.backoffMs(row.receive_count);
        this.db
          .prepare(
            `UPDATE queue_messages SET state = 'ready', lease_until = NULL, lease_id = NULL, visible_at = ?,
               last_error = ? WHERE id = ?`
          )
          .run(now + Math.max(0, delay), error, id);
        return 'retry';
      })
      .immediate();
  }

  /**
   * Returns a leased message without counting the receive (shutdown, paused sync waiting for a reconnect).
   * `delayMs` keeps it hidden for a while so a paused worker does not spin on it.
   */
  /**
   * At start-up every lease belongs to a process that is gone (one connector per DATA_DIR): hand its messages out
   * again now instead of waiting for the leases to expire. The interrupted attempt still counts.
   */
  recoverLeases(): number {
    return this.db
      .prepare(
        `UPDATE queue_messages SET state = 'ready', lease_until = NULL, lease_id = NULL, visible_at = ? WHERE state = 'leased'`
      )
      .run(this.now()).changes;
  }

  /** Make every waiting message visible now (after Xero is reconnected, paused work should not wait its recheck). */
  wakeDelayed(): number {
    const now = this.now();
    return this.db
      .prepare(`UPDATE queue_messages SET visible_at = ? WHERE state = 'ready' AND visible_at > ?`)
      .run(now, now).changes;
  }

  release(id: string, options: { delayMs?: number } & LeaseCheck = {}): boolean {
    const result = this.db
      .prepare(
        `UPDATE queue_messages SET state = 'ready', lease_until = NULL, lease_id = NULL, visible_at = ?,
           receive_count = MAX(receive_count - 1, 0)
         WHERE id = ? AND state = 'leased' AND ${LEASE_MATCH}`
      )
      .run(this.now() + (options.delayMs ?? 0), id, options.receipt ?? null, options.receipt ?? null);
    return result.changes > 0;
  }

  depth(queue: QueueName): QueueDepth {
    const now = this.now();
    const row = this.db
      .prepare(
        `SELECT
           SUM(CASE WHEN (state = 'ready' AND visible_at <= @now) OR (state = 'leased' AND lease_until <= @now)
                    THEN 1 ELSE 0 END) AS ready,
           SUM(CASE WHEN state = 'leased' AND lease_until > @now THEN 1 ELSE 0 END) AS inFlight,
           SUM(CASE WHEN state = 'ready' AND visible_at > @now THEN 1 ELSE 0 END) AS delayed,
           SUM(CASE WHEN state = 'dead' THEN 1 ELSE 0 END) AS deadLetters
         FROM queue_messages WHERE queue = @queue`
      )
      .get({ now, queue }) as Record<keyof QueueDepth, number | null>;
    return {
      ready: row.ready ?? 0,
      inFlight: row.inFlight ?? 0,
      delayed: row.delayed ?? 0,
      deadLetters: row.deadLetters ?? 0,
    };
  }

  deadLetters(queue: QueueName, limit = 100): DeadLetter[] {
    const rows = this.db
      .prepare(
        "SELECT * FROM queue_messages WHERE queue = ? AND state = 'dead' ORDER BY dead_at DESC, seq DESC LIMIT ?"
      )
      .all(queue, limit) as MessageRow[];
    return rows.map(toDeadLetter);
  }

  /** Moves dead letters (all, or those matching the filter) back to the end of the queue. Returns how many. */
  redrive(queue: QueueName, filter: RedriveFilter = {}): number {
    return this.db
      .transaction(() => {
        const rows = this.db
          .prepare("SELECT * FROM queue_messages WHERE queue = ? AND state = 'dead' ORDER BY seq")
          .all(queue) as MessageRow[];
        const ids = filter.ids ? new Set(filter.ids) : undefined;
        let moved = 0;
        for (const row of rows) {
          if (filter.groupId !== undefined && row.group_id !== filter.groupId) continue;
          if (filter.groupIdPrefix !== undefined && !(row.group_id ?? '').startsWith(filter.groupIdPrefix)) continue;
          if (ids && !ids.has(row.id)) continue;
          this.revive(row.id);
          moved += 1;
        }
        return moved;
      })
      .immediate();
  }

  /** Puts one dead letter back on its queue. Returns false when there is no such dead letter. */
  retryDeadLetter(id: string): boolean {
    return this.db
      .transaction(() => {
        const row = this.db.prepare("SELECT id FROM queue_messages WHERE id = ? AND state = 'dead'").get(id);
        if (!row) return false;
        this.revive(id);
        return true;
      })
      .immediate();
  }

  /** Exponential backoff with jitter: base·2^(n−1), capped, then randomised between half and the full value. */
  private backoffMs(receiveCount: number): number {
    const exponential = this.baseBackoffMs * 2 ** Math.max(0, receiveCount - 1);
    const capped = Math.min(this.maxBackoffMs, exponential);
    return Math.round(capped / 2 + (this.random() * capped) / 2);
  }

  private nextSeq(): number {
    const row = this.db.prepare('SELECT COALESCE(MAX(seq), 0) + 1 AS next FROM queue_messages').get() as {
      next: number;
    };
    return row.next;
  }

  private markDead(id: string, error: string, now: number): void {
    this.db
      .prepare(
        `UPDATE queue_messages SET state = 'dead', lease_until = NULL, lease_id = NULL, last_error = ?, dead_at = ?
         WHERE id = ?`
      )
      .run(error.slice(0, MAX_ERROR_LENGTH), now, id);
  }

  /** A revived message goes behind everything already queued, with a fresh receive budget. */
  private revive(id: string): void {
    this.db
      .prepare(
        `UPDATE queue_messages SET state = 'ready', seq = ?, visible_at = ?, lease_until = NULL, receive_count = 0,
           dead_at = NULL WHERE id = ?`
      )
      .run(this.nextSeq(), this.now(), id);
  }
}

function toLeased(row: MessageRow, receiveCount: number, receipt: string): LeasedMessage {
  return {
    id: row.id,
    receipt,
    queue: row.queue,
    body: row.body,
    ...(row.group_id !== null ? { groupId: row.group_id } : {}),
    receiveCount,
    ...(row.last_error !== null ? { lastError: row.last_error } : {}),
    sentAt: new Date(row.sent_at),
  };
}

function toDeadLetter(row: MessageRow): DeadLetter {
  return {
    id: row.id,
    queue: row.queue,
    body: row.body,
    ...(row.group_id !== null ? { groupId: row.group_id } : {}),
    receiveCount: row.receive_count,
    lastError: row.last_error ?? 'unknown error',
    sentAt: new Date(row.sent_at),
    deadAt: new Date(row.dead_at ?? row.sent_at),
  };
}
