import type { DvAccount } from '../model/dataverse';
import { MAX_CONTACT_PERSONS, personOf } from '../mapping/contact-mapping';
import type { XeroContact, XeroContactPerson } from '../model/xero';

/**
 * The account's people as Xero contact persons: the primary contact first, then the other contacts of the account,
 * at most five, each once. When the reader did not list the account's contacts, the mapping's persons stand. When it
 * did and none is left, an empty list is sent: Xero replaces a contact's persons with the list given on update
 * (developer.xero.com/documentation/api/accounting/contacts, ContactPersons), so a deleted or moved contact leaves.
 */
export function withContactPersons(contact: XeroContact, account: DvAccount): XeroContact {
  if (!account.contacts) return contact;
  const persons: XeroContactPerson[] = [];
  const seen = new Set<string>();
  for (const person of [account.primaryContact, ...account.contacts]) {
    if (!person || seen.has(person.contactid)) continue;
    seen.add(person.contactid);
    const mapped = personOf(person);
    if (mapped && persons.length < MAX_CONTACT_PERSONS) persons.push(mapped);
  }
  const { ContactPersons: _previous, ...rest } = contact;
  return { ...rest, ContactPersons: persons };
}
