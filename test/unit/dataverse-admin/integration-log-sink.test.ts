import { randomUUID } from 'node:crypto';
import {
  integrationLogNames,
  integrationLogRow,
  MAPPED_COLUMNS,
  recordWriteBack,
  SYNC_STATUS_OPTIONS,
  xeroDeepLink,
} from '../../../lambdas/core/dataverse-admin';
import type { SyncOutcome } from '../../../lambdas/core/ports';
import { ValidationError } from '../../../lambdas/core/errors';
import {
  createIntegrationLogSinkFromEnv,
  IntegrationLogSink,
} from '../../../lambdas/adapters/dataverse/integration-log-sink';
import { DataverseSession, DataverseWriter } from '../../../lambdas/adapters/dataverse/dataverse-writer';
import { createStaticTokenSource } from '../../../lambdas/adapters/dataverse/dataverse-token-source';
import { useFakeOrgPerTest } from './fake-dataverse-org';
import { recordingLogger } from '../../helpers/in-memory-ports';

type Row = Record<string, unknown>;
const names = integrationLogNames();

function outcome(overrides: Partial<SyncOutcome> = {}): SyncOutcome {
  return {
    table: 'account',
    id: randomUUID(),
    status: 'synced',
    message: 'Xero contact updated',
    event: 'Update',
    xeroId: randomUUID(),
    correlationId: randomUUID(),
    ...overrides,
  };
}

describe('integration log rows (pure)', () => {
  it('should carry event, status, ids and a Regarding lookup bound to the synced record', () => {
    const result = outcome({ table: 'salesorder', id: 'AB3E7C51-93D1-4B5B-9C2E-0A1B2C3D4E5F' });

    const row = integrationLogRow(result, { names });

    expect(row).toEqual({
      d365x_name: `Succeeded: Update of salesorder ${result.id}`,
      d365x_event: 'Update',
      d365x_status: SYNC_STATUS_OPTIONS.synced.value,
      d365x_message: 'Xero contact updated',
      d365x_tablename: 'salesorder',
      d365x_recordid: result.id,
      d365x_xeroid: result.xeroId,
      d365x_correlationid: result.correlationId,
      'd365x_RegardingSalesOrderId@odata.bind': '/salesorders(ab3e7c51-93d1-4b5b-9c2e-0a1b2c3d4e5f)',
    });
  });

  it('should use a configured navigation property and include the error code in the message', () => {
    const result = outcome({ table: 'contact', status: 'failed', errorCode: 'XERO_VALIDATION', message: 'Email bad' });

    const row = integrationLogRow(result, { names, navigation: { contact: 'd365x_regardingcontactid' } });

    expect(row['d365x_regardingcontactid@odata.bind']).toBe(`/contacts(${result.id})`);
    expect(row.d365x_status).toBe(SYNC_STATUS_OPTIONS.failed.value);
    expect(row.d365x_message).toBe('XERO_VALIDATION: Email bad');
  });

  it('should say whether a failed attempt will be retried', () => {
    const retried = integrationLogRow(outcome({ status: 'failed', message: 'timeout', willRetry: true }), { names });
    const dead = integrationLogRow(outcome({ status: 'failed', message: 'invalid', willRetry: false }), { names });

    expect(retried.d365x_message).toBe('timeout (will be retried)');
    expect(dead.d365x_message).toBe('invalid (not retried: needs attention)');
  });

  it('should name the Xero organisation the record went to when routing chose one', () => {
    const tenant = '22222222-2222-4222-8222-222222222222';
    const routed = integrationLogRow(outcome({ message: 'invoice INV-1 created in Xero', tenantId: tenant }), {
      names,
    });
    const single = integrationLogRow(outcome({ message: 'invoice INV-1 created in Xero' }), { names });

    expect(routed.d365x_message).toBe(`invoice INV-1 created in Xero [Xero organisation ${tenant}]`);
    expect(single.d365x_message).toBe('invoice INV-1 created in Xero');
  });

  it('should not bind a deleted record and truncate an overlong message', () => {
    const row = integrationLogRow(outcome({ event: 'Delete', message: 'x'.repeat(5000) }), { names });

    expect(Object.keys(row).some((key) => key.endsWith('@odata.bind'))).toBe(false);
    expect(String(row.d365x_message)).toHaveLength(4000);
  });

  it('should link through organisationlogin with the ShortCode when the outcome carries one', () => {
    expect(xeroDeepLink('salesorder', 'abc-1', '!Ab3xY')).toBe(
      'https://go.xero.com/organisationlogin/default.aspx?shortcode=!Ab3xY' +
        '&redirecturl=%2FAccountsReceivable%2FView.aspx%3FInvoiceID%3Dabc-1'
    );
    const fields = recordWriteBack(outcome({ table: 'account', xeroId: 'c-1', xeroShortCode: '!Ab3xY' }), names);
    expect(fields?.[names.record.xeroLink]).toContain('shortcode=!Ab3xY&redirecturl=%2FContacts%2FView%2Fc-1');
  });

  it('should link to the Xero contact, item or invoice', () => {
    expect(xeroDeepLink('account', 'c1')).toBe('https://go.xero.com/Contacts/View/c1');
    expect(xeroDeepLink('contact', 'c2')).toBe('https://go.xero.com/Contacts/View/c2');
    expect(xeroDeepLink('product', 'i1')).toBe('https://go.xero.com/Accounts/Inventory/i1');
    expect(xeroDeepLink('salesorder', 'v1')).toBe('https://go.xero.com/AccountsReceivable/View.aspx?InvoiceID=v1');
  });

  it('should write back only columns the webhook steps do not filter on', () => {
    const fields = recordWriteBack(outcome(), names)!;

    for (const table of ['account', 'contact', 'product', 'salesorder'] as const) {
      for (const column of Object.keys(fields)) expect(MAPPED_COLUMNS[table]).not.toContain(column);
    }
  });

  it('should keep the earlier Xero link when a sync fails without a Xero id', () => {
    const fields = recordWriteBack(outcome({ status: 'failed', xeroId: undefined, message: 'boom' }), names);

    expect(fields).toEqual({ d365x_lastsyncstatus: SYNC_STATUS_OPTIONS.failed.value, d365x_lastsyncmessage: 'boom' });
    expect(recordWriteBack(outcome({ event: 'Delete' }), names)).toBeNull();
  });
});

describe('IntegrationLogSink over the Web API', () => {
  const fake = useFakeOrgPerTest({ schema: true, forgetSetup: true });

  function sink(options: Partial<ConstructorParameters<typeof IntegrationLogSink>[0]> = {}) {
    const session = new DataverseSession({
      serverUrl: fake.org.url,
      tokenSource: createStaticTokenSource('test-token'),
      timeoutMs: 2_000,
      sleep: () => Promise.resolve(),
    });
    const log = recordingLogger();
    return {
      log,
      sink: new IntegrationLogSink({ writer: new DataverseWriter(session), logger: log, ...options }),
    };
  }

  const seed = (set: string, id: string, row: Row = {}) => {
    const rows = fake.org.rows.get(set) ?? new Map<string, Row>();
    fake.org.rows.set(set, rows);
    rows.set(id, { ...row });
    return rows.get(id)!;
  };
  const logRows = () => [...(fake.org.rows.get('d365x_integrationlogs')?.values() ?? [])];

  it('should write one log row per attempt and the Xero id, link and status onto the record', async () => {
    const result = outcome({ table: 'product' });
    const product = seed('products', result.id, { name: 'Widget' });
    const { sink: s } = sink();

    await s.record(result);

    expect(logRows()).toEqual([
      expect.objectContaining({
        d365x_status: SYNC_STATUS_OPTIONS.synced.value,
        d365x_tablename: 'product',
        _d365x_regardingproductid_value: result.id,
      }),
    ]);
    expect(product).toEqual({
      name: 'Widget',
      d365x_xeroid: result.xeroId,
      d365x_xerolink: `https://go.xero.com/Accounts/Inventory/${result.xeroId}`,
      d365x_lastsyncstatus: SYNC_STATUS_OPTIONS.synced.value,
      d365x_lastsyncmessage: result.message,
    });
    const patch = fake.org.server.requests.find((request) => request.method === 'PATCH')!;
    expect(patch.headers['if-match']).toBe('*');
  });

  it('should skip successful attempts in failures mode but still log failures', async () => {
    const { sink: s } = sink({ mode: 'failures', writeBackTables: [] });

    await s.record(outcome({ status: 'synced' }));
    await s.record(outcome({ status: 'skipped' }));
    await s.record(outcome({ status: 'failed', message: 'Xero said no' }));

    expect(logRows()).toHaveLength(1);
    expect(logRows()[0]).toMatchObject({
      d365x_status: SYNC_STATUS_OPTIONS.failed.value,
      d365x_message: 'Xero said no',
    });
  });

  it('should not throw when the log row cannot be written, and log ids only', async () => {
    const { sink: s, log } = sink({ writeBackTables: [] });
    const secretish = 'customer-email@example.com';
    fake.org.overrides.push({
      match: (request) => request.method === 'POST',
      reply: { status: 500, body: { error: { code: '0x80040216', message: `failed on ${secretish}` } } },
    });
    const result = outcome({ message: secretish });

    await expect(s.record(result)).resolves.toBeUndefined();

    const posts = fake.org.server.requests.filter((request) => request.method === 'POST');
    expect(posts).toHaveLength(1); // a create with an uncertain outcome is not repeated
    expect(log.entries).toEqual([
      expect.objectContaining({
        level: 'error',
        message: 'integration log row not written',
        fields: expect.objectContaining({ table: 'account', id: result.id, code: 'DATAVERSE_SERVER' }),
      }),
    ]);
    expect(JSON.stringify(log.entries)).not.toContain(secretish);
  });

  it('should not throw when the synced record is gone or Dataverse is unreachable', async () => {
    const { sink: s, log } = sink();
    await s.record(outcome()); // no such account: PATCH with If-Match * answers 404
    await fake.org.close();

    await expect(s.record(outcome())).resolves.toBeUndefined();
    expect(log.entries.map((entry) => entry.message)).toEqual(
      expect.arrayContaining([
        'sync status not written back: record no longer exists',
        'integration log row not written',
      ])
    );
  });

  it('should stop writing back to a table that lacks the optional columns', async () => {
    const first = outcome({ table: 'contact' });
    const second = outcome({ table: 'contact' });
    seed('contacts', first.id);
    seed('contacts', second.id);
    // As if setup-dataverse ran with --no-record-columns: contact lacks the Xero columns, so Dataverse refuses.
    for (const column of Object.values(names.record)) fake.org.tables.get('contact')!.attributes.delete(column);
    const { sink: s, log } = sink();

    await s.record(first);
    await s.record(second);

    expect(fake.org.server.requests.filter((request) => request.method === 'PATCH')).toHaveLength(1);
    expect(logRows()).toHaveLength(2);
    expect(log.entries.filter((entry) => entry.level === 'warn')).toHaveLength(1);
  });

  // learn.microsoft.com/power-apps/developer/data-platform/reference/entities/salesorder (StateCode): only active
  // orders can be edited, so a fulfilled order refuses the write-back while the next order takes it.
  it('should treat a record that refuses the write-back as that record only, not the whole table', async () => {
    const closed = outcome({ table: 'salesorder' });
    const open = outcome({ table: 'salesorder' });
    seed('salesorders', closed.id);
    const openOrder = seed('salesorders', open.id);
    fake.org.overrides.push({
      match: (request) => request.method === 'PATCH' && request.url.includes(closed.id),
      reply: { status: 400, body: { error: { code: '0x80040203', message: 'Only active orders can be edited.' } } },
    });
    const { sink: s, log } = sink();

    await s.record(closed);
    await s.record(open);

    expect(fake.org.server.requests.filter((request) => request.method === 'PATCH')).toHaveLength(2);
    expect(openOrder).toMatchObject({ d365x_xeroid: open.xeroId });
    expect(logRows()).toEqual([
      expect.objectContaining({ d365x_recordid: closed.id, d365x_xeroid: closed.xeroId }),
      expect.objectContaining({ d365x_recordid: open.id }),
    ]);
    expect(log.entries.filter((entry) => entry.level === 'warn' || entry.level === 'error')).toEqual([]);
  });
});

describe('createIntegrationLogSinkFromEnv', () => {
  const deps = {
    writer: { createRecord: () => Promise.resolve('id'), updateRecord: () => Promise.resolve(true) },
    logger: recordingLogger(),
  };

  it('should build a sink by default and none when turned off', () => {
    expect(createIntegrationLogSinkFromEnv({}, deps)).toBeInstanceOf(IntegrationLogSink);
    expect(createIntegrationLogSinkFromEnv({ DATAVERSE_LOG_MODE: 'off' }, deps)).toBeNull();
  });

  it('should honour the prefix, entity set, mode and write-back settings', async () => {
    const created: [string, Record<string, unknown>][] = [];
    let updates = 0;
    const sink = createIntegrationLogSinkFromEnv(
      {
        DATAVERSE_LOG_MODE: 'failures',
        DATAVERSE_PUBLISHER_PREFIX: 'acme',
        DATAVERSE_LOG_ENTITY_SET: 'acme_synclogs',
        DATAVERSE_WRITE_BACK: 'false',
      },
      {
        logger: deps.logger,
        writer: {
          createRecord: (set, data) => {
            created.push([set, { ...data }]);
            return Promise.resolve('id');
          },
          updateRecord: () => {
            updates += 1;
            return Promise.resolve(true);
          },
        },
      }
    )!;

    await sink.record(outcome({ status: 'synced' }));
    await sink.record(outcome({ status: 'failed' }));

    expect(created).toHaveLength(1);
    expect(created[0]![0]).toBe('acme_synclogs');
    expect(created[0]![1]).toHaveProperty('acme_status', SYNC_STATUS_OPTIONS.failed.value);
    expect(updates).toBe(0);
  });

  it('should bind through hand-made navigation properties given in DATAVERSE_LOG_REGARDING_NAVIGATION', async () => {
    const created: Record<string, unknown>[] = [];
    const sink = createIntegrationLogSinkFromEnv(
      {
        DATAVERSE_LOG_REGARDING_NAVIGATION: ' contact = new_RegardingContact , account=new_Acct',
        DATAVERSE_WRITE_BACK: 'false',
      },
      {
        logger: deps.logger,
        writer: {
          createRecord: (_set, data) => {
            created.push({ ...data });
            return Promise.resolve('id');
          },
          updateRecord: () => Promise.resolve(true),
        },
      }
    )!;
    const contact = outcome({ table: 'contact' });
    const product = outcome({ table: 'product' });

    await sink.record(contact);
    await sink.record(product);

    expect(created[0]).toHaveProperty(['new_RegardingContact@odata.bind'], `/contacts(${contact.id})`);
    expect(created[1]).toHaveProperty(['d365x_RegardingProductId@odata.bind'], `/products(${product.id})`);
  });

  it('should refuse values it does not understand', () => {
    expect(() =>
      createIntegrationLogSinkFromEnv({ DATAVERSE_LOG_REGARDING_NAVIGATION: 'lead=new_Lead' }, deps)
    ).toThrow(/DATAVERSE_LOG_REGARDING_NAVIGATION/);
    expect(() =>
      createIntegrationLogSinkFromEnv({ DATAVERSE_LOG_REGARDING_NAVIGATION: 'account=new Acct' }, deps)
    ).toThrow(ValidationError);
    expect(() => createIntegrationLogSinkFromEnv({ DATAVERSE_LOG_MODE: 'some' }, deps)).toThrow(/DATAVERSE_LOG_MODE/);
    expect(() => createIntegrationLogSinkFromEnv({ DATAVERSE_WRITE_BACK: 'yes' }, deps)).toThrow(
      /DATAVERSE_WRITE_BACK/
    );
    expect(() => createIntegrationLogSinkFromEnv({ DATAVERSE_PUBLISHER_PREFIX: 'a' }, deps)).toThrow(/prefix/);
  });
});
