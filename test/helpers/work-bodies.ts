/** The JSON bodies the three work queues carry (changes, Xero writes, Xero webhook events), one per record n. */
import type { XeroWebhookEvent } from '../../lambdas/core/ingress/xero-webhook';
import type { ChangeEvent } from '../../lambdas/core/model/change-event';
import type { XeroWrite } from '../../lambdas/core/model/xero-write';
import { guid } from './xero-write-builders';

export const changeBody = (n: number): string =>
  JSON.stringify({
    table: 'account',
    id: guid(n),
    message: 'Update',
    occurredAt: '2026-11-26T10:00:00.000Z',
    dedupeId: `op-${n}`,
    source: 'dataverse-webhook',
  } satisfies ChangeEvent);

export const writeBody = (n: number, name = `Account ${n}`): string =>
  JSON.stringify({
    kind: 'upsert-contact',
    source: { table: 'account', id: guid(n), event: 'Update' },
    contact: { ContactNumber: guid(n), Name: name },
  } satisfies XeroWrite);

export const xeroEventBody = (n: number, overrides: Partial<XeroWebhookEvent> = {}): string =>
  JSON.stringify({
    resourceUrl: `https://api.xero.com/api.xro/2.0/Invoices/${guid(n)}`,
    resourceId: guid(n),
    eventDateUtc: '2026-11-26T10:00:00.000',
    eventType: 'UPDATE',
    eventCategory: 'INVOICE',
    tenantId: guid(999),
    tenantType: 'ORGANISATION',
    ...overrides,
  } satisfies XeroWebhookEvent);
