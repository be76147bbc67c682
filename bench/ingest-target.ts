/**
 * Child process of the ingest benchmark: the local connector in sandbox mode (workers running, sandbox Xero at
 * Xero's real limits), so the load generator does not share its event loop. Prints one JSON line with the webhook
 * URL (it carries the webhook key: the parent must never print it); when stdin closes it prints the queue figures
 * and exits. It exits by itself after `maxLifetimeMs` whatever happens.
 */
import { rmSync } from 'node:fs';
import { DEMO_IDS } from '../sandbox/demo-data';
import { XERO_REAL_LIMITS, startSandboxedConnector } from './bench-kit';
import { DEFAULT_THROUGHPUT_OPTIONS, seedBenchRecords } from './throughput';

export interface IngestTargetReady {
  readonly webhookUrl: string;
  readonly records: { readonly table: string; readonly id: string }[];
}

export interface IngestTargetStats {
  /** The changes queue when the load stopped: what the map stage had not yet worked through. */
  readonly changesBacklog: number;
  readonly warnings: number;
  readonly errors: number;
}

const MAX_LIFETIME_MS = 120_000;

async function main(): Promise<void> {
  const connector = await startSandboxedConnector({ limits: XERO_REAL_LIMITS, seed: true });
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      const depth = connector.app.queue.depth('changes');
      const stats: IngestTargetStats = {
        changesBacklog: depth.ready + depth.inFlight + depth.delayed,
        warnings: connector.logger.warnings,
        errors: connector.logger.errors,
      };
      process.stdout.write(`${JSON.stringify({ stats })}\n`);
      // A graceful close waits for the batch in hand (possibly a rate-limited Xero call): give it a few seconds.
      await Promise.race([connector.stop(), new Promise((resolve) => setTimeout(resolve, 5000))]);
      rmSync(connector.dataDir, { recursive: true, force: true });
      process.exit(0);
    })();
  };
  setTimeout(stop, MAX_LIFETIME_MS).unref();
  process.stdin.on('end', stop);
  process.stdin.on('close', stop);
  process.stdin.resume();

  // HOT_RECORDS=1: every webhook about the dozen demo records (deep per-record FIFO backlogs); otherwise spread
  // over thousands of accounts and contacts, as a bulk edit in Dynamics would be.
  const records =
    process.env.HOT_RECORDS === '1'
      ? [
          ...Object.values(DEMO_IDS.accounts).map((id) => ({ table: 'account', id })),
          ...Object.values(DEMO_IDS.contacts).map((id) => ({ table: 'contact', id })),
          ...Object.values(DEMO_IDS.products).map((id) => ({ table: 'product', id })),
          ...Object.values(DEMO_IDS.orders).map((id) => ({ table: 'salesorder', id })),
        ]
      : seedBenchRecords(connector.sandbox.dataverseServer.state, {
          ...DEFAULT_THROUGHPUT_OPTIONS,
          accounts: 2000,
          contacts: 1000,
          products: 0,
          orders: 0,
        }).map(({ table, id }) => ({ table, id }));
  // STALL_MAP_STAGE=1: Dataverse never answers, so the map worker waits on its first read and only the ingest path
  // (HTTP, validation, SQLite enqueue) runs during the load.
  if (process.env.STALL_MAP_STAGE === '1') connector.sandbox.dataverseServer.knobs.hangNext(Number.MAX_SAFE_INTEGER);
  const ready: IngestTargetReady = { webhookUrl: connector.webhookUrl, records };
  process.stdout.write(`${JSON.stringify({ ready })}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`ingest target failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
