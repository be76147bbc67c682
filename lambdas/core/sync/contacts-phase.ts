import {
  DuplicateContactNameError,
  PermanentError,
  TransientError,
  XeroValidationError,
  dispositionOf,
} from '../errors';
import type { XeroContact, XeroContactRef } from '../model/xero';
import type { ContactDependency, SourceRef } from '../model/xero-write';
import type { BatchContext } from './batch-context';
import { XERO_BATCH_SIZE, chunk, idempotencyKeyFor } from './idempotency';
import { saveInBatches } from './save-in-batches';
import { disambiguatedContactName } from '../mapping/contact-mapping';

const DUPLICATE_NAME = /already assigned to another contact/i;

/** Where a saved contact's result must go: a write of the batch, or the invoices that need it as their customer. */
type Target = { readonly writeIndex: number } | { readonly dependency: ContactDependency; readonly invoices: number[] };

interface PendingSave {
  readonly body: XeroContact;
  readonly target: Target;
}

/** What the invoice phase needs to know of the customers: ContactID and, for archived ones, the contact. */
export interface CustomerDirectory {
  readonly ids: Map<string, string>;
  /** By ContactNumber: customers archived in Xero, which take no new invoices until restored. */
  readonly archived: Map<string, XeroContactRef>;
}

/**
 * Contacts first: upserts, the customers invoices need (created only when missing, never updated), then archives.
 * Customers of invoices are always looked up, so an archived one is known before its invoice is sent.
 */
export async function runContactsPhase(ctx: BatchContext): Promise<CustomerDirectory> {
  const upserts = ctx.pending('upsert-contact');
  const archives = ctx.pending('archive-contact');
  const invoices = ctx.pending('upsert-invoice');

  // Known ContactIDs from our own state; everything else (and every archive) is looked up by ContactNumber.
  const lookups = ctx.keyLookups('contacts');
  const { ids } = lookups;
  for (const index of upserts) {
    const write = ctx.write(index);
    if (write.kind === 'upsert-contact') await lookups.need(write.contact.ContactNumber, write.source);
  }
  const dependencies = new Map<string, { dependency: ContactDependency; invoices: number[] }>();
  for (const index of invoices) {
    const write = ctx.write(index);
    if (write.kind !== 'upsert-invoice') continue;
    for (const dependency of write.requires.contacts) {
      const number = dependency.contact.ContactNumber;
      const entry = dependencies.get(number) ?? { dependency, invoices: [] };
      entry.invoices.push(index);
      dependencies.set(number, entry);
      await lookups.need(number, dependency.source, { lookUpKnown: true });
    }
  }
  for (const index of archives) {
    const write = ctx.write(index);
    if (write.kind === 'archive-contact') lookups.alwaysLookUp(write.contactNumber);
  }

  const found = new Map<string, XeroContactRef>();
  const archived = new Map<string, XeroContactRef>();
  for (const numbers of chunk(await lookups.keys(), XERO_BATCH_SIZE)) {
    const refs = await ctx.deps.xero.findContactsByNumber(numbers);
    refs.forEach((ref, number) => {
      found.set(number, ref);
      if (!ids.has(number)) ids.set(number, ref.ContactID);
      if (ref.ContactStatus === 'ARCHIVED') archived.set(number, ref);
    });
  }

  const saves: PendingSave[] = [];
  const covered = new Set<string>();
  for (const index of upserts) {
    const write = ctx.write(index);
    if (write.kind !== 'upsert-contact') continue;
    const id = ids.get(write.contact.ContactNumber);
    const body = keepDisambiguatedName(ctx, write.contact, found.get(write.contact.ContactNumber));
    saves.push({ body: id ? { ...body, ContactID: id } : body, target: { writeIndex: index } });
    covered.add(write.contact.ContactNumber);
  }
  for (const [number, entry] of dependencies) {
    if (covered.has(number) || ids.has(number)) continue;
    saves.push({ body: entry.dependency.contact, target: entry });
  }
  await saveContacts(ctx, saves, { ids, archived });

  await archiveContacts(ctx, archives, found);
  return { ids, archived };
}

/** With disambiguateDuplicateNames, a contact already carrying its suffixed name in Xero keeps it on update. */
function keepDisambiguatedName(ctx: BatchContext, contact: XeroContact, current: XeroContactRef | undefined) {
  if (!ctx.deps.settings.disambiguateDuplicateNames || current === undefined) return contact;
  const suffixed = disambiguatedName(contact);
  return current.Name === suffixed ? { ...contact, Name: suffixed } : contact;
}

async function saveContacts(ctx: BatchContext, saves: readonly PendingSave[], directory: CustomerDirectory) {
  const { ids } = directory;
  await ctx.markCreating(saves.filter((save) => !save.body.ContactID).map((save) => sourceOf(ctx, save.target)));
  await saveInBatches(saves, 'contacts', (bodies, key) => ctx.deps.xero.saveContacts(bodies, key), {
    ok: async (save, ref) => {
      ids.set(save.body.ContactNumber, ref.ContactID);
      if (ref.ContactStatus === 'ARCHIVED') directory.archived.set(save.body.ContactNumber, ref);
      else directory.archived.delete(save.body.ContactNumber);
      await succeedTarget(ctx, save, ref);
    },
    rejected: (save, messages) => handleRejected(ctx, save, messages, ids),
    failed: (save, error) => failTarget(ctx, save.target, error),
  });
}

async function handleRejected(
  ctx: BatchContext,
  save: PendingSave,
  messages: readonly string[],
  ids: Map<string, string>
) {
  const duplicate = messages.some((message) => DUPLICATE_NAME.test(message));
  if (!duplicate) {
    await failTarget(
      ctx,
      save.target,
      new XeroValidationError(`Xero rejected the contact: ${messages.join('; ')}`, messages)
    );
    return;
  }
  const existing = await ctx.deps.xero.findContactByName(save.body.Name);
  if (existing?.ContactNumber === save.body.ContactNumber) {
    // The name is this very record's: another delivery of the same change (SQS delivers at least once) created it
    // after our lookup. Not a conflict: the next attempt finds it by its ContactNumber and updates it.
    await failTarget(
      ctx,
      save.target,
      new TransientError(
        `contact ${save.body.ContactNumber} was just created by another delivery of the same change; retrying`,
        'XERO_CONCURRENT_CREATE'
      )
    );
    return;
  }
  // A create takes the suffixed name; an update keeps it (the contact got it when it was created).
  const renamed = { ...save.body, Name: disambiguatedName(save.body) };
  if (ctx.deps.settings.disambiguateDuplicateNames && renamed.Name !== save.body.Name) {
    const [result] = await ctx.deps.xero.saveContacts([renamed], idempotencyKeyFor('contacts', [renamed]));
    if (result?.ok) {
      ids.set(renamed.ContactNumber, result.value.ContactID);
      await succeedTarget(ctx, { ...save, body: renamed }, result.value);
      return;
    }
  }
  await failTarget(
    ctx,
    save.target,
    new DuplicateContactNameError(save.body.Name, save.body.ContactNumber, existing?.ContactID)
  );
}

/** "Contoso (1a2b3c4d)": the name plus the start of our ContactNumber (see disambiguatedContactName). */
function disambiguatedName(contact: XeroContact): string {
  return disambiguatedContactName(contact.Name, contact.ContactNumber);
}

async function succeedTarget(ctx: BatchContext, save: PendingSave, ref: XeroContactRef) {
  const key = save.body.ContactNumber;
  if ('writeIndex' in save.target) {
    const verb = save.body.ContactID ? 'updated' : 'created';
    await ctx.succeed(save.target.writeIndex, 'synced', `contact "${ref.Name}" ${verb} in Xero`, {
      id: ref.ContactID,
      key,
    });
  } else {
    await ctx.remember(save.target.dependency.source, { xeroId: ref.ContactID, xeroKey: key, status: 'synced' });
  }
}

function sourceOf(ctx: BatchContext, target: Target): SourceRef {
  return 'writeIndex' in target ? ctx.write(target.writeIndex).source : target.dependency.source;
}

async function failTarget(ctx: BatchContext, target: Target, error: unknown) {
  if ('writeIndex' in target) {
    await ctx.fail(target.writeIndex, error);
    return;
  }
  const reason = error instanceof Error ? error.message : String(error);
  const wrapped =
    dispositionOf(error) === 'permanent'
      ? new PermanentError(`the customer could not be created in Xero: ${reason}`, 'DEPENDENCY_FAILED')
      : error;
  for (const index of target.invoices) if (!ctx.isSettled(index)) await ctx.fail(index, wrapped);
}

async function archiveContacts(ctx: BatchContext, archives: readonly number[], found: Map<string, XeroContactRef>) {
  const saves: { index: number; body: XeroContact }[] = [];
  for (const index of archives) {
    const write = ctx.write(index);
    if (write.kind !== 'archive-contact') continue;
    const ref = found.get(write.contactNumber);
    if (!ref) await ctx.succeed(index, 'skipped', 'no Xero contact to archive');
    else if (ref.ContactStatus === 'ARCHIVED')
      await ctx.succeed(index, 'skipped', 'Xero contact already archived', { id: ref.ContactID });
    else
      saves.push({
        index,
        body: {
          ContactID: ref.ContactID,
          ContactNumber: write.contactNumber,
          Name: ref.Name,
          ContactStatus: 'ARCHIVED',
        },
      });
  }
  await saveInBatches(saves, 'contacts-archive', (bodies, key) => ctx.deps.xero.saveContacts(bodies, key), {
    ok: (save, ref) =>
      ctx.succeed(save.index, 'synced', `contact "${ref.Name}" archived in Xero`, {
        id: ref.ContactID,
        key: save.body.ContactNumber,
      }),
    rejected: (save, messages) =>
      ctx.fail(
        save.index,
        new XeroValidationError(`Xero refused to archive the contact: ${messages.join('; ')}`, messages)
      ),
    failed: (save, error) => ctx.fail(save.index, error),
  });
}
