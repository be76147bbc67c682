import { Logger } from '@aws-lambda-powertools/logger';
import { createAcceptDataverseWebhook } from '../../../lambdas/core/ingress/accept-dataverse-webhook';
import { SYNCED_TABLES } from '../../../lambdas/core/model/change-event';
import { POWERTOOLS_RESERVED_KEYS, loggerPort } from '../../../lambdas/handlers/shared/powertools';
import { fixtureBytes } from '../core/ingress/dataverse-fixtures';
import { fixedClock } from '../../helpers/in-memory-ports';

/** Everything Powertools writes to stdout and stderr while `run` runs, one parsed JSON object per line. */
async function captured(run: () => Promise<void> | void): Promise<Record<string, unknown>[]> {
  const chunks: string[] = [];
  const keep = (chunk: string | Uint8Array) => {
    chunks.push(`${typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8')}\n`);
    return true;
  };
  // Powertools writes warnings and errors to stderr, the rest to stdout.
  const spies = [process.stdout, process.stderr].map((stream) => jest.spyOn(stream, 'write').mockImplementation(keep));
  try {
    await run();
  } finally {
    for (const spy of spies) spy.mockRestore();
  }
  return chunks
    .join('')
    .split('\n')
    .filter((line) => line.trim().startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

const droppedWarnings = (lines: Record<string, unknown>[]) =>
  lines.filter((line) => String(line.message).includes('reserved key'));

describe('Powertools logger port', () => {
  it('should list exactly the keys Powertools drops as reserved', async () => {
    const probe = new Logger({ serviceName: 'probe' });
    for (const key of POWERTOOLS_RESERVED_KEYS) {
      const lines = await captured(() => probe.info('probe', { [key]: 'x' }));
      expect(droppedWarnings(lines).map((l) => l.message)).toEqual([
        `The key "${key}" is a reserved key and will be dropped.`,
      ]);
    }
    expect(droppedWarnings(await captured(() => probe.info('probe', { table: 'account' })))).toEqual([]);
  });

  it('should keep a field named like a reserved key instead of letting Powertools drop it', async () => {
    const lines = await captured(() => loggerPort.info('probe', { message: 'Update', id: '1' }));

    expect(droppedWarnings(lines)).toEqual([]);
    expect(lines).toEqual([expect.objectContaining({ message: 'probe', message_field: 'Update', id: '1' })]);
  });

  it('should log an accepted Dataverse webhook with its operation name and no reserved key', async () => {
    const key = 'k3y-Th1s-is-a-long-random-webhook-secret-0123456789';
    const accept = createAcceptDataverseWebhook({
      queue: { enqueue: async () => undefined },
      settings: { webhookKey: key, syncedTables: SYNCED_TABLES },
      clock: fixedClock('2025-11-26T09:00:00Z'),
      logger: loggerPort,
    });

    const lines = await captured(async () => {
      expect(
        (
          await accept({
            headers: { 'content-type': 'application/json' },
            query: { code: key },
            rawBody: fixtureBytes('account-create'),
          })
        ).status
      ).toBe(202);
    });

    expect(droppedWarnings(lines)).toEqual([]);
    const accepted = lines.find((line) => line.message === 'dataverse change accepted');
    expect(accepted).toEqual(expect.objectContaining({ dataverseMessage: 'Create', table: 'account' }));
    for (const fieldKey of Object.keys(accepted ?? {})) expect(fieldKey).not.toMatch(/_field$/);
  });
});
