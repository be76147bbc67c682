/**
 * Dataverse accounts and contacts → Xero Contacts.
 *
 * Choices (Xero has fewer slots than Dataverse):
 * - ContactNumber is the Dataverse GUID in lower case: the stable key the sync looks contacts up by.
 * - Phones: telephone1 → DEFAULT, account telephone2 ("Other Phone") → DDI, the only other landline slot Xero has,
 *   fax → FAX, contact mobilephone → MOBILE.
 * - Addresses: address1 → POBOX, address2 → STREET. Xero prints the POBOX (postal) address on invoices, and
 *   Dataverse's address1 is the primary/bill-to address; address2 is commonly the ship-to (delivery) address.
 * - E-mail: Xero takes ASCII addresses only ("umlauts not supported", EmailAddress in Xero's accounting OpenAPI
 *   contract; developer.xero.com/documentation/api/accounting/contacts). A non-ASCII domain is sent in its punycode
 *   form (bücher.example → xn--bcher-kva.example); an address that still is not plain ASCII (a non-ASCII local part)
 *   or does not look like one is left out rather than failing the whole contact, which is still useful without it.
 * - Empty values are omitted, never sent as null or "": on update Xero keeps what it has for absent fields.
 * - Website is not sent: Xero's contract marks Contact Website read only.
 */
import { MappingError } from '../errors';
import type { DvAccount, DvAddress, DvContact, DvContactPerson } from '../model/dataverse';
import type { XeroAddress, XeroContact, XeroContactPerson, XeroPhone } from '../model/xero';
import { currencyCode, guardMapping, requiredId } from './guard';
import { XERO_LIMITS, clean, cleanText, truncate, withoutUndefined } from './text';

/** Xero keeps at most this many contact persons per contact. */
export const MAX_CONTACT_PERSONS = 5;

export type ContactMapping =
  | { readonly kind: 'own-contact'; readonly contact: XeroContact }
  | {
      readonly kind: 'person-of-account';
      /** Dataverse account GUID (lower case) = ContactNumber of the Xero contact the person belongs to. */
      readonly accountId: string;
      readonly person: XeroContactPerson;
      /** Dataverse contact GUID, for logs and the integration log. */
      readonly contactId: string;
      /** false for an inactive Dataverse contact: the sync layer may remove the person instead of merging it. */
      readonly active: boolean;
    };

const ASCII_LOCAL_PART = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const ASCII_DOMAIN = /^([A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?\.)+[A-Za-z0-9-]{2,}$/;

/** The domain in ASCII (IDNA/punycode through the WHATWG URL parser), or undefined when it is not a host name. */
function asciiDomain(domain: string): string | undefined {
  if (/^[\x21-\x7e]+$/.test(domain)) return domain;
  try {
    return new URL(`http://${domain}`).hostname;
  } catch {
    return undefined;
  }
}

function email(value: unknown): string | undefined {
  const text = clean(value);
  const at = text?.lastIndexOf('@') ?? -1;
  if (text === undefined || at <= 0) return undefined;
  const local = text.slice(0, at);
  const domain = asciiDomain(text.slice(at + 1));
  if (domain === undefined || !ASCII_LOCAL_PART.test(local) || !ASCII_DOMAIN.test(domain)) return undefined;
  const address = `${local}@${domain}`;
  return address.length <= XERO_LIMITS.email ? address : undefined;
}

function phone(type: XeroPhone['PhoneType'], value: unknown): XeroPhone | undefined {
  const number = cleanText(value, XERO_LIMITS.phoneNumber);
  return number === undefined ? undefined : { PhoneType: type, PhoneNumber: number };
}

function phones(...candidates: (XeroPhone | undefined)[]): readonly XeroPhone[] | undefined {
  const present = candidates.filter((candidate): candidate is XeroPhone => candidate !== undefined);
  return present.length > 0 ? present : undefined;
}

function address(type: XeroAddress['AddressType'], source: DvAddress | undefined): XeroAddress | undefined {
  if (source === undefined || source === null || typeof source !== 'object') return undefined;
  const mapped = withoutUndefined({
    AddressLine1: cleanText(source.line1, XERO_LIMITS.addressLine),
    AddressLine2: cleanText(source.line2, XERO_LIMITS.addressLine),
    AddressLine3: cleanText(source.line3, XERO_LIMITS.addressLine),
    City: cleanText(source.city, XERO_LIMITS.city),
    Region: cleanText(source.stateOrProvince, XERO_LIMITS.region),
    PostalCode: cleanText(source.postalCode, XERO_LIMITS.postalCode),
    Country: cleanText(source.country, XERO_LIMITS.country),
  });
  return Object.keys(mapped).length === 0 ? undefined : { AddressType: type, ...mapped };
}

function addresses(...candidates: (XeroAddress | undefined)[]): readonly XeroAddress[] | undefined {
  const present = candidates.filter((candidate): candidate is XeroAddress => candidate !== undefined);
  return present.length > 0 ? present : undefined;
}

function status(statecode: unknown): XeroContact['ContactStatus'] {
  return statecode === 1 ? 'ARCHIVED' : 'ACTIVE';
}

/** A contact person, or undefined when the Dataverse contact has neither a name nor an e-mail. */
export function personOf(
  source: Pick<DvContactPerson, 'firstname' | 'lastname' | 'emailaddress1'>
): XeroContactPerson | undefined {
  const person = withoutUndefined({
    FirstName: cleanText(source.firstname, XERO_LIMITS.personName),
    LastName: cleanText(source.lastname, XERO_LIMITS.personName),
    EmailAddress: email(source.emailaddress1),
  });
  return Object.keys(person).length === 0 ? undefined : { ...person, IncludeInEmails: true };
}

export const mapAccountToContact: (account: DvAccount) => XeroContact = guardMapping(
  'account',
  (account: DvAccount): XeroContact => {
    const accountId = requiredId(account?.accountid, 'Account');
    const name = cleanText(account.name, XERO_LIMITS.contactName);
    if (name === undefined) throw new MappingError(`Account ${accountId} has no name; Xero requires a contact name`);
    const primary = account.primaryContact ? personOf(account.primaryContact) : undefined;
    return withoutUndefined<XeroContact>({
      ContactNumber: accountId,
      Name: name,
      AccountNumber: cleanText(account.accountnumber, XERO_LIMITS.accountNumber),
      ContactStatus: status(account.statecode),
      EmailAddress: email(account.emailaddress1),
      DefaultCurrency: currencyCode(account.currencyCode),
      Phones: phones(phone('DEFAULT', account.telephone1), phone('DDI', account.telephone2), phone('FAX', account.fax)),
      Addresses: addresses(address('POBOX', account.address1), address('STREET', account.address2)),
      ContactPersons: primary ? [primary] : undefined,
    });
  },
  (account) => account?.accountid
);

/** "First Last" from the parts that exist. */
function joinedName(first: string | undefined, last: string | undefined): string | undefined {
  return clean([first, last].filter((part) => part !== undefined).join(' '));
}

export const mapContact: (contact: DvContact) => ContactMapping = guardMapping(
  'contact',
  (contact: DvContact): ContactMapping => {
    const contactId = requiredId(contact?.contactid, 'Contact');
    const parentAccountId = clean(contact.parentAccountId)?.toLowerCase();
    if (parentAccountId !== undefined) {
      const person = personOf(contact);
      if (person === undefined) {
        throw new MappingError(`Contact ${contactId} has no first name, last name or e-mail to add to its account`);
      }
      return {
        kind: 'person-of-account',
        accountId: parentAccountId,
        person,
        contactId,
        active: contact.statecode !== 1,
      };
    }
    const firstName = cleanText(contact.firstname, XERO_LIMITS.personName);
    const lastName = cleanText(contact.lastname, XERO_LIMITS.personName);
    const name = cleanText(clean(contact.fullname) ?? joinedName(firstName, lastName), XERO_LIMITS.contactName);
    if (name === undefined) throw new MappingError(`Contact ${contactId} has no name; Xero requires a contact name`);
    return {
      kind: 'own-contact',
      contact: withoutUndefined<XeroContact>({
        ContactNumber: contactId,
        Name: name,
        FirstName: firstName,
        LastName: lastName,
        ContactStatus: status(contact.statecode),
        EmailAddress: email(contact.emailaddress1),
        DefaultCurrency: currencyCode(contact.currencyCode),
        Phones: phones(phone('DEFAULT', contact.telephone1), phone('MOBILE', contact.mobilephone)),
        Addresses: addresses(address('POBOX', contact.address1)),
      }),
    };
  },
  (contact) => contact?.contactid
);

function sameText(a: string | undefined, b: string | undefined): boolean {
  return a !== undefined && b !== undefined && a.trim().toLowerCase() === b.trim().toLowerCase();
}

function isSamePerson(candidate: XeroContactPerson, person: XeroContactPerson, previousEmail?: string): boolean {
  if (sameText(candidate.EmailAddress, person.EmailAddress) || sameText(candidate.EmailAddress, previousEmail)) {
    return true;
  }
  const candidateName = joinedName(candidate.FirstName, candidate.LastName);
  return candidateName !== undefined && sameText(candidateName, joinedName(person.FirstName, person.LastName));
}

/**
 * The contact-person list after `person` was created or updated: every entry that is the same person (same e-mail,
 * the e-mail it had before `previousEmail`, or else the same first + last name, case-insensitive) is replaced by
 * `person`, which goes first. Xero holds at most five persons, so the list is cut to the five most recently
 * updated: the lists this function builds are newest-first, and the oldest entries fall off the end.
 */
export function mergeContactPersons(
  existing: readonly XeroContactPerson[],
  person: XeroContactPerson,
  previousEmail?: string
): XeroContactPerson[] {
  const others = existing.filter((candidate) => !isSamePerson(candidate, person, previousEmail));
  return [person, ...others].slice(0, MAX_CONTACT_PERSONS);
}

/** The contact-person list without `person` (for a deleted or deactivated Dataverse contact). */
export function removeContactPerson(
  existing: readonly XeroContactPerson[],
  person: XeroContactPerson,
  previousEmail?: string
): XeroContactPerson[] {
  return existing.filter((candidate) => !isSamePerson(candidate, person, previousEmail));
}

/** Characters of the ContactNumber appended by `disambiguatedContactName`. */
const NAME_SUFFIX_LENGTH = 8;

/**
 * The contact name with " (<first 8 characters of the ContactNumber>)" appended, for when another Xero contact
 * already holds the name and settings.disambiguateDuplicateNames is on. Deterministic, so a retry and every later
 * update ask for the same name, and cut to Xero's 255 characters without losing the suffix.
 */
export function disambiguatedContactName(name: string, contactNumber: string): string {
  const suffix = ` (${contactNumber.trim().slice(0, NAME_SUFFIX_LENGTH)})`;
  if (name.trim().endsWith(suffix)) return name.trim();
  return `${truncate(name.trim(), XERO_LIMITS.contactName - suffix.length).trimEnd()}${suffix}`;
}
