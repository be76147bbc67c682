import { PermanentError, XeroValidationError, describeError, dispositionOf } from '../errors';
import type { XeroContact, XeroContactRef, XeroInvoice, XeroInvoiceRef } from '../model/xero';
import type { CustomerDirectory } from './contacts-phase';
import type { BatchContext } from './batch-context';
import { XERO_BATCH_SIZE, chunk, idempotencyKeyFor } from './idempotency';
import { saveInBatches } from './save-in-batches';
import { invoiceDates } from '../mapping/invoice-mapping';
import { ianaZoneOfXero } from '../mapping/time-zones';
import { resolveBranding, withBrandingTheme } from './apply-branding';

/** Xero lets the API change an invoice's lines only while it is a draft, submitted, or approved without payments. */
export function invoiceIsEditable(ref: XeroInvoiceRef): boolean {
  if (ref.Status === 'DRAFT' || ref.Status === 'SUBMITTED') return true;
  return ref.Status === 'AUTHORISED' && !hasPayments(ref);
}

function hasPayments(ref: XeroInvoiceRef): boolean {
  return (ref.AmountPaid ?? 0) !== 0 || (ref.AmountCredited ?? 0) !== 0;
}

function describeInvoice(ref: XeroInvoiceRef): string {
  return `invoice ${ref.InvoiceNumber ?? ref.InvoiceID}`;
}

/**
 * The IANA zone of the Xero organisation, read only when an invoice of the batch is dated by it (no timeZone
 * setting). A Timezone this connector cannot map leaves those invoices on the UTC day, with a warning.
 */
async function organisationZone(ctx: BatchContext, upserts: readonly number[]): Promise<string | undefined> {
  const needed = upserts.some((index) => {
    const write = ctx.write(index);
    return write.kind === 'upsert-invoice' && write.dateSource !== undefined;
  });
  if (!needed || !ctx.deps.xero.readOrganisation) return undefined;
  const organisation = await ctx.deps.xero.readOrganisation();
  const zone = ianaZoneOfXero(organisation.Timezone);
  if (!zone) {
    ctx.deps.logger.warn('Xero organisation time zone not recognised; invoices dated by the UTC day', {
      timezone: organisation.Timezone,
    });
  }
  return zone;
}

function datedIn(invoice: XeroInvoice, source: string | undefined, zone: string | undefined, dueDays: number) {
  if (source === undefined || zone === undefined) return invoice;
  const dates = invoiceDates(source, zone, dueDays);
  return dates ? { ...invoice, ...dates } : invoice;
}

interface InvoiceSave {
  readonly index: number;
  readonly body: XeroInvoice;
  readonly verb: string;
}

function archivedCustomerError(customer: XeroContactRef, reference: string): PermanentError {
  return new PermanentError(
    `the customer "${customer.Name}" is archived in Xero, and Xero creates no invoice for an archived contact; ` +
      `restore the contact in Xero (or set restoreArchivedCustomers) and retry order ${reference}`,
    'CUSTOMER_ARCHIVED'
  );
}

function statusChange(ref: XeroContactRef, status: 'ACTIVE' | 'ARCHIVED'): XeroContact {
  return { ContactID: ref.ContactID, ContactNumber: ref.ContactNumber ?? '', Name: ref.Name, ContactStatus: status };
}

/**
 * restoreArchivedCustomers: un-archive each archived customer just before its invoices are created. Invoices whose
 * customer cannot be restored fail with Xero's reason and are not sent.
 */
async function restoreCustomers(
  ctx: BatchContext,
  restoring: Map<string, XeroContactRef>,
  saves: InvoiceSave[]
): Promise<InvoiceSave[]> {
  if (restoring.size === 0) return saves;
  const refused = new Map<string, unknown>();
  await saveInBatches(
    [...restoring].map(([number, ref]) => ({ number, body: statusChange(ref, 'ACTIVE') })),
    'contacts-restore',
    (bodies, key) => ctx.deps.xero.saveContacts(bodies, key),
    {
      ok: async () => undefined,
      rejected: async (save, messages) =>
        void refused.set(
          save.number,
          new XeroValidationError(`Xero refused to restore the customer: ${messages.join('; ')}`, messages)
        ),
      failed: async (save, error) => void refused.set(save.number, error),
    }
  );
  const kept: InvoiceSave[] = [];
  for (const save of saves) {
    const number = ctx.write(save.index).kind === 'upsert-invoice' ? contactNumberOf(ctx, save.index) : '';
    const error = refused.get(number);
    if (error === undefined) kept.push(save);
    else await ctx.fail(save.index, error);
  }
  for (const number of refused.keys()) restoring.delete(number);
  return kept;
}

function contactNumberOf(ctx: BatchContext, index: number): string {
  const write = ctx.write(index);
  return write.kind === 'upsert-invoice' ? (write.invoice.Contact.ContactNumber ?? '') : '';
}

/** Archives the restored customers again: the connector restored them only to invoice them. */
async function rearchiveCustomers(ctx: BatchContext, restored: ReadonlyMap<string, XeroContactRef>) {
  if (restored.size === 0) return;
  const bodies = [...restored.values()].map((ref) => statusChange(ref, 'ARCHIVED'));
  try {
    const results = await ctx.deps.xero.saveContacts(bodies, idempotencyKeyFor('contacts-rearchive', bodies));
    results.forEach((result, position) => {
      if (!result.ok) {
        ctx.deps.logger.error('customer restored for an invoice could not be archived again', {
          contactId: bodies[position]?.ContactID,
          error: result.messages.join('; '),
        });
      }
    });
  } catch (error) {
    ctx.deps.logger.error('customers restored for invoices could not be archived again', {
      contactIds: bodies.map((body) => body.ContactID),
      error: describeError(error),
    });
  }
}

/** Invoices last: create or update by Reference, then cancellations (delete a draft, void an unpaid approval). */
export async function runInvoicesPhase(ctx: BatchContext, customers: CustomerDirectory): Promise<void> {
  const contactIds = customers.ids;
  const upserts = ctx.pending('upsert-invoice');
  const cancels = ctx.pending('cancel-invoice');
  // Every invoice is looked up (its Xero status decides what to do), unless a key index proves a new one absent.
  const references = new Set<string>();
  const untouched = new Set<string>();
  for (const index of upserts) {
    const write = ctx.write(index);
    if (write.kind !== 'upsert-invoice') continue;
    references.add(write.invoice.Reference);
    if ((await ctx.stateOf(write.source)) === null) untouched.add(write.invoice.Reference);
  }
  for (const index of cancels) {
    const write = ctx.write(index);
    if (write.kind !== 'cancel-invoice') continue;
    references.add(write.reference);
    untouched.delete(write.reference);
  }
  const existing = new Map<string, XeroInvoiceRef>();
  for (const group of chunk(await ctx.keysToLookUp('invoices', references, untouched), XERO_BATCH_SIZE)) {
    (await ctx.deps.xero.findInvoicesByReference(group)).forEach((ref, reference) => existing.set(reference, ref));
  }

  const zone = await organisationZone(ctx, upserts);
  const branding = await resolveBranding(ctx, upserts);
  const restoring = new Map<string, XeroContactRef>();
  let saves: InvoiceSave[] = [];
  for (const index of upserts) {
    const write = ctx.write(index);
    if (write.kind !== 'upsert-invoice' || branding.failed.has(index)) continue;
    const dated = datedIn(write.invoice, write.dateSource, zone, ctx.deps.settings.dueDays);
    const invoice = withBrandingTheme(dated, branding.ids.get(index));
    const contactNumber = invoice.Contact.ContactNumber ?? '';
    const contactId = invoice.Contact.ContactID ?? contactIds.get(contactNumber);
    if (!contactId) {
      await ctx.fail(
        index,
        new PermanentError(`the customer (ContactNumber ${contactNumber}) is not in Xero`, 'DEPENDENCY_FAILED')
      );
      continue;
    }
    const current = existing.get(invoice.Reference);
    const archivedCustomer = current ? undefined : customers.archived.get(contactNumber);
    if (archivedCustomer && !ctx.deps.settings.restoreArchivedCustomers) {
      await ctx.fail(index, archivedCustomerError(archivedCustomer, invoice.Reference));
    } else if (!current) {
      if (archivedCustomer) restoring.set(contactNumber, archivedCustomer);
      saves.push({ index, body: { ...invoice, Contact: { ContactID: contactId } }, verb: 'created' });
    } else if (!invoiceIsEditable(current)) {
      await ctx.succeed(
        index,
        'skipped',
        `${describeInvoice(current)} is ${current.Status}${hasPayments(current) ? ' with payments' : ''} in Xero; the order change was not applied`,
        { id: current.InvoiceID, key: invoice.Reference }
      );
    } else {
      // An approved invoice stays approved; the number Xero gave it is kept unless we number invoices ourselves.
      const status = current.Status === 'DRAFT' ? invoice.Status : current.Status;
      saves.push({
        index,
        body: { ...invoice, InvoiceID: current.InvoiceID, Status: status, Contact: { ContactID: contactId } },
        verb: 'updated',
      });
    }
  }

  saves = await restoreCustomers(ctx, restoring, saves);
  await ctx.markCreating(saves.filter((save) => !save.body.InvoiceID).map((save) => ctx.write(save.index).source));
  await saveInBatches(saves, 'invoices', (bodies, key) => ctx.deps.xero.saveInvoices(bodies, key), {
    ok: (save, ref) =>
      ctx.succeed(save.index, 'synced', `${describeInvoice(ref)} ${save.verb} in Xero`, {
        id: ref.InvoiceID,
        key: save.body.Reference,
      }),
    rejected: (save, messages) =>
      ctx.fail(
        save.index,
        new XeroValidationError(
          `Xero rejected the invoice for order ${save.body.Reference}: ${messages.join('; ')}`,
          messages
        )
      ),
    failed: (save, error) => ctx.fail(save.index, error),
  });
  await rearchiveCustomers(ctx, restoring);

  for (const index of cancels) {
    const write = ctx.write(index);
    if (write.kind !== 'cancel-invoice') continue;
    const current = existing.get(write.reference);
    if (!current) {
      await ctx.succeed(index, 'skipped', `no Xero invoice with reference ${write.reference}`);
    } else if (current.Status === 'VOIDED' || current.Status === 'DELETED') {
      await ctx.succeed(index, 'skipped', `${describeInvoice(current)} is already ${current.Status}`, {
        id: current.InvoiceID,
      });
    } else if (current.Status === 'PAID' || hasPayments(current)) {
      await ctx.fail(
        index,
        new PermanentError(
          `${describeInvoice(current)} has payments in Xero, so it cannot be voided by the connector; ` +
            'remove the payments or raise a credit note in Xero, then retry this record',
          'INVOICE_HAS_PAYMENTS'
        )
      );
    } else {
      const target = current.Status === 'AUTHORISED' ? 'VOIDED' : 'DELETED';
      try {
        const ref = await ctx.deps.xero.setInvoiceStatus(
          current.InvoiceID,
          target,
          idempotencyKeyFor('invoice-status', { id: current.InvoiceID, target })
        );
        await ctx.succeed(index, 'synced', `${describeInvoice(ref)} ${target.toLowerCase()} in Xero`, {
          id: ref.InvoiceID,
          key: write.reference,
        });
      } catch (error) {
        if (dispositionOf(error) !== 'permanent') throw error;
        await ctx.fail(index, error);
      }
    }
  }
}
