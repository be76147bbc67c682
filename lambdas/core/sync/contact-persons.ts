import type { DvAccount, DvContactPerson } from '../model/dataverse';
import { MAX_CONTACT_PERSONS } from '../mapping/contact-mapping';
import type { XeroContact, XeroContactPerson } from '../model/xero';

/**
 * The account's people as Xero contact persons: the primary contact first, then the other contacts of the account,
 * at most five, each once. When the reader did not list the account's contacts, the mapping's persons stand.
 */
export function withContactPersons(contact: XeroContact, account: DvAccount): XeroContact {
  if (!account.contacts) return contact;
  const people: DvContactPerson[] = [];
  const seen = new Set<string>();
  for (const person of [account.primaryContact, ...account.contacts]) {
    if (!person || seen.has(person.contactid)) continue;
    seen.add(person.contactid);
    if (person.firstname || person.lastname || person.emailaddress1) people.push(person);
  }
  const persons = people.slice(0, MAX_CONTACT_PERSONS).map(toPerson);
  const { ContactPersons: _previous, ...rest } = contact;
  return persons.length > 0 ? { ...rest, ContactPersons: persons } : rest;
}

function toPerson(person: DvContactPerson): XeroContactPerson {
  return {
    ...(person.firstname ? { FirstName: person.firstname } : {}),
    ...(person.lastname ? { LastName: person.lastname } : {}),
    ...(person.emailaddress1 ? { EmailAddress: person.emailaddress1 } : {}),
    IncludeInEmails: Boolean(person.emailaddress1),
  };
}
