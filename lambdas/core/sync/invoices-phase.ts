import { PermanentError, XeroValidationError, dispositionOf } from '../errors';
import type { XeroInvoice, XeroInvoiceRef } from '../model/xero';
import type { BatchContext } from './batch-context';
import { XERO_BATCH_SIZE, chunk, idempotencyKeyFor } from './idempotency';
import { saveInBatches } from './save-in-batches';
import { invoiceDates } from '../mapping/invoice-mapping';
import { ianaZoneOfXero } from '../mapping/time-zones';

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

/** Invoices last: create or update by Reference, then cancellations (delete a draft, void an unpaid approval). */
export async function runInvoicesPhase(ctx: BatchContext, contactIds: ReadonlyMap<string, string>): Promise<void> {
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
  const saves: { index: number; body: XeroInvoice; verb: string }[] = [];
  for (const index of upserts) {
    const write = ctx.write(index);
    if (write.kind !== 'upsert-invoice') continue;
    const invoice = datedIn(write.invoice, write.dateSource, zone, ctx.deps.settings.dueDays);
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
    if (!current) {
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
