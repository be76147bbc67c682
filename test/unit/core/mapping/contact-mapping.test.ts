import { MappingError } from '../../../../lambdas/core/errors';
import {
  MAX_CONTACT_PERSONS,
  disambiguatedContactName,
  mapAccountToContact,
  mapContact,
  mergeContactPersons,
  removeContactPerson,
} from '../../../../lambdas/core/mapping/contact-mapping';
import type { DvAccount } from '../../../../lambdas/core/model/dataverse';
import type { XeroContactPerson } from '../../../../lambdas/core/model/xero';
import { buildAccount, buildContact, buildContactPerson } from '../../../helpers/dataverse-factories';

/** Fails when any value anywhere in the document is null or an empty string. */
function expectNoEmptyValues(value: unknown, path = '$'): void {
  expect([path, value]).not.toEqual([path, null]);
  expect([path, value]).not.toEqual([path, '']);
  if (value && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) expectNoEmptyValues(child, `${path}.${key}`);
  }
}

describe('mapAccountToContact', () => {
  it('should map an account with every field to a Xero contact keyed by its lower-case GUID', () => {
    const account = buildAccount({
      accountid: 'A1B2C3D4-0000-4000-8000-00000000ABCD',
      name: '  Fourth Coffee  ',
      telephone2: '+44 20 7946 0001',
      fax: '+44 20 7946 0002',
      address2: { line1: 'Unit 7, Dock Road', city: 'Tilbury', country: 'United Kingdom' },
      primaryContact: buildContactPerson({ firstname: 'Ada', lastname: 'Lovelace', emailaddress1: 'ada@example.org' }),
    });

    const contact = mapAccountToContact(account);

    expect(contact).toStrictEqual({
      ContactNumber: 'a1b2c3d4-0000-4000-8000-00000000abcd',
      Name: 'Fourth Coffee',
      AccountNumber: 'ACC-1001',
      ContactStatus: 'ACTIVE',
      EmailAddress: 'accounts@fourthcoffee.example',
      DefaultCurrency: 'GBP',
      Phones: [
        { PhoneType: 'DEFAULT', PhoneNumber: '+44 20 7946 0000' },
        { PhoneType: 'DDI', PhoneNumber: '+44 20 7946 0001' },
        { PhoneType: 'FAX', PhoneNumber: '+44 20 7946 0002' },
      ],
      Addresses: [
        {
          AddressType: 'POBOX',
          AddressLine1: '1 Roastery Lane',
          City: 'London',
          PostalCode: 'EC1A 1AA',
          Country: 'United Kingdom',
        },
        { AddressType: 'STREET', AddressLine1: 'Unit 7, Dock Road', City: 'Tilbury', Country: 'United Kingdom' },
      ],
      ContactPersons: [
        { FirstName: 'Ada', LastName: 'Lovelace', EmailAddress: 'ada@example.org', IncludeInEmails: true },
      ],
    });
  });

  it.each<[string, Partial<DvAccount>, string[]]>([
    [
      'a bare account',
      {
        accountnumber: undefined,
        emailaddress1: undefined,
        telephone1: undefined,
        websiteurl: undefined,
        address1: undefined,
        currencyCode: undefined,
      },
      ['AccountNumber', 'EmailAddress', 'Phones', 'Addresses', 'Website', 'DefaultCurrency', 'ContactPersons'],
    ],
    [
      'blank strings and an empty address',
      {
        accountnumber: '  ',
        emailaddress1: '',
        telephone1: ' ',
        address1: { line1: ' ', city: '' },
        currencyCode: 'x',
      },
      ['AccountNumber', 'EmailAddress', 'Phones', 'Addresses', 'DefaultCurrency', 'ContactPersons'],
    ],
    ['an invalid e-mail', { emailaddress1: 'not an email' }, ['EmailAddress']],
    ['an e-mail with an umlaut before the @', { emailaddress1: 'jürgen@example.de' }, ['EmailAddress']],
    ['an e-mail without a domain name', { emailaddress1: 'someone@localhost' }, ['EmailAddress']],
  ])('should omit empty fields entirely for %s', (_case, overrides, absent) => {
    const contact = mapAccountToContact(buildAccount(overrides));
    for (const field of absent) expect(contact).not.toHaveProperty(field);
    expectNoEmptyValues(contact);
  });

  // Xero's OpenAPI contract, Contact EmailAddress: "umlauts not supported".
  it.each([
    ['info@bücher.example', 'info@xn--bcher-kva.example'],
    ['  Anna.Müller@MÜLLER.de ', undefined],
    ['sales@straße.example', 'sales@xn--strae-oqa.example'],
    ["o'brien+orders@example.ie", "o'brien+orders@example.ie"],
  ])('should send %p to Xero as %p', (emailaddress1, expected) => {
    expect(mapAccountToContact(buildAccount({ emailaddress1 })).EmailAddress).toBe(expected);
  });

  // Xero's accounting OpenAPI contract: Contact Website is read only.
  it('should not send the website, which Xero does not let the API set', () => {
    expect(mapAccountToContact(buildAccount({ websiteurl: 'https://fourthcoffee.example' }))).not.toHaveProperty(
      'Website'
    );
  });

  it.each([
    [0, 'ACTIVE'],
    [1, 'ARCHIVED'],
  ] as const)('should map statecode %i to %s', (statecode, status) => {
    expect(mapAccountToContact(buildAccount({ statecode })).ContactStatus).toBe(status);
  });

  it.each([
    ['with', buildContactPerson({ firstname: 'Zoë', lastname: 'Ørsted', emailaddress1: 'zoe@example.dk' }), 1],
    ['without', undefined, 0],
    ['with an empty', buildContactPerson({ firstname: ' ', lastname: undefined, emailaddress1: undefined }), 0],
  ])('should handle an account %s primary contact', (_case, primaryContact, persons) => {
    const contact = mapAccountToContact(buildAccount({ primaryContact }));
    expect(contact.ContactPersons ?? []).toHaveLength(persons);
    if (persons > 0) expect(contact.ContactPersons?.[0]).toMatchObject({ FirstName: 'Zoë', LastName: 'Ørsted' });
  });

  it('should keep non-ASCII names intact and enforce Xero length limits without splitting characters', () => {
    const name = 'Société Générale Ünïcode 北京 🚀';
    expect(mapAccountToContact(buildAccount({ name })).Name).toBe(name);

    const long = mapAccountToContact(buildAccount({ name: `${'x'.repeat(254)}🚀tail`, accountnumber: 'N'.repeat(80) }));
    expect(long.Name).toBe('x'.repeat(254));
    expect(long.AccountNumber).toBe('N'.repeat(50));
  });

  it.each([
    ['no name', { name: '   ' }],
    ['no id', { accountid: '' }],
  ])('should refuse an account with %s', (_case, overrides) => {
    expect(() => mapAccountToContact(buildAccount(overrides))).toThrow(MappingError);
  });
});

describe('mapContact', () => {
  it('should make a contact without a parent account its own Xero contact', () => {
    const source = buildContact({
      contactid: 'C0FFEE00-0000-4000-8000-000000000001',
      mobilephone: '+1 555 0199',
      address1: { line1: '12 Pier St', city: 'Auckland', country: 'New Zealand' },
      currencyCode: 'nzd',
    });

    expect(mapContact(source)).toStrictEqual({
      kind: 'own-contact',
      contact: {
        ContactNumber: 'c0ffee00-0000-4000-8000-000000000001',
        Name: 'Grace Hopper',
        FirstName: 'Grace',
        LastName: 'Hopper',
        ContactStatus: 'ACTIVE',
        EmailAddress: 'grace@example.org',
        DefaultCurrency: 'NZD',
        Phones: [
          { PhoneType: 'DEFAULT', PhoneNumber: '+1 555 0100' },
          { PhoneType: 'MOBILE', PhoneNumber: '+1 555 0199' },
        ],
        Addresses: [{ AddressType: 'POBOX', AddressLine1: '12 Pier St', City: 'Auckland', Country: 'New Zealand' }],
      },
    });
  });

  it.each([
    [{ fullname: undefined, firstname: 'Jürgen', lastname: 'Groß' }, 'Jürgen Groß'],
    [{ fullname: undefined, firstname: undefined, lastname: '王' }, '王'],
    [{ fullname: '  Dr. Jane Doe ', firstname: 'Jane', lastname: 'Doe' }, 'Dr. Jane Doe'],
  ])('should name an own contact from %p as %p', (overrides, name) => {
    const mapped = mapContact(buildContact(overrides));
    expect(mapped.kind === 'own-contact' && mapped.contact.Name).toBe(name);
  });

  it('should make a contact with a parent account a contact person of that account', () => {
    const source = buildContact({ parentAccountId: 'ABCDEF00-0000-4000-8000-000000000002', statecode: 1 });

    expect(mapContact(source)).toStrictEqual({
      kind: 'person-of-account',
      accountId: 'abcdef00-0000-4000-8000-000000000002',
      contactId: source.contactid,
      active: false,
      person: { FirstName: 'Grace', LastName: 'Hopper', EmailAddress: 'grace@example.org', IncludeInEmails: true },
    });
  });

  it.each([
    ['an own contact without any name', { fullname: ' ', firstname: undefined, lastname: undefined }],
    [
      'a person without name or e-mail',
      { parentAccountId: 'p', firstname: undefined, lastname: undefined, emailaddress1: undefined },
    ],
  ])('should refuse %s', (_case, overrides) => {
    expect(() => mapContact(buildContact(overrides))).toThrow(MappingError);
  });
});

describe('mergeContactPersons', () => {
  const person = (first: string, last: string, email?: string): XeroContactPerson => ({
    FirstName: first,
    LastName: last,
    ...(email ? { EmailAddress: email } : {}),
    IncludeInEmails: true,
  });
  const ada = person('Ada', 'Lovelace', 'ada@example.org');
  const alan = person('Alan', 'Turing', 'alan@example.org');

  it.each<[string, XeroContactPerson[], XeroContactPerson, string | undefined, XeroContactPerson[]]>([
    ['add a new person first', [alan], ada, undefined, [ada, alan]],
    [
      'replace the same e-mail',
      [alan, ada],
      person('Ada', 'King', 'ADA@example.org'),
      undefined,
      [person('Ada', 'King', 'ADA@example.org'), alan],
    ],
    [
      'replace by the previous e-mail',
      [ada, alan],
      person('Ada', 'Lovelace', 'ada@new.example'),
      'ada@example.org',
      [person('Ada', 'Lovelace', 'ada@new.example'), alan],
    ],
    [
      'replace by name when the e-mail changed',
      [alan, ada],
      person('ada', 'LOVELACE', 'ada@new.example'),
      undefined,
      [person('ada', 'LOVELACE', 'ada@new.example'), alan],
    ],
    ['heal duplicates of the same person', [ada, alan, ada], ada, undefined, [ada, alan]],
  ])('should %s', (_case, existing, updated, previousEmail, expected) => {
    expect(mergeContactPersons(existing, updated, previousEmail)).toStrictEqual(expected);
  });

  it('should keep only the five most recent persons, newest first', () => {
    const existing = [1, 2, 3, 4, 5].map((n) => person(`P${n}`, 'Person', `p${n}@example.org`));
    const merged = mergeContactPersons(existing, ada);
    expect(merged).toHaveLength(MAX_CONTACT_PERSONS);
    expect(merged.map((p) => p.FirstName)).toStrictEqual(['Ada', 'P1', 'P2', 'P3', 'P4']);
  });

  it('should not merge different people who share no e-mail and no name', () => {
    expect(mergeContactPersons([person('Ada', 'Lovelace')], person('Ada', 'Byron'))).toHaveLength(2);
  });

  it('should remove a person by e-mail', () => {
    expect(removeContactPerson([ada, alan], person('A', 'L', 'ada@example.org'))).toStrictEqual([alan]);
  });
});

describe('disambiguatedContactName', () => {
  it.each([
    ['Fourth Coffee', 'a1b2c3d4-0000-4000-8000-00000000abcd', 'Fourth Coffee (a1b2c3d4)'],
    [' Société Générale 北京 ', 'C-42', 'Société Générale 北京 (C-42)'],
  ])('should append the ContactNumber suffix to %p', (name, contactNumber, expected) => {
    expect(disambiguatedContactName(name, contactNumber)).toBe(expected);
  });

  it('should leave a name that already carries its suffix as it is', () => {
    expect(disambiguatedContactName('Fourth Coffee (a1b2c3d4)', 'a1b2c3d4-0000')).toBe('Fourth Coffee (a1b2c3d4)');
  });

  it('should keep the suffix and stay within 255 characters for a long name', () => {
    const result = disambiguatedContactName(`${'n'.repeat(243)}🚀${'m'.repeat(20)}`, 'abcdef0123456789');
    expect(result).toBe(`${'n'.repeat(243)} (abcdef01)`);
    expect(result.length).toBeLessThanOrEqual(255);
  });
});
