import fc from 'fast-check';
import { ValidationError } from '../../../../lambdas/core/errors';
import { parseRemoteExecutionContext, wcfDateToIso } from '../../../../lambdas/core/ingress/dataverse-webhook-parser';
import type { DataverseFixture } from './dataverse-fixtures';
import { FIXTURE_ORDER_ID, FIXTURE_ORG_ID, FIXTURE_USER_ID, fixtureBytes, fixtureJson } from './dataverse-fixtures';

const noHeaders = {};

function expectValidationError(run: () => unknown, reason?: RegExp): ValidationError {
  let caught: unknown;
  try {
    run();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(ValidationError);
  if (reason) expect((caught as ValidationError).message).toMatch(reason);
  return caught as ValidationError;
}

describe('parseRemoteExecutionContext', () => {
  it('should read a Create of an account from UTF-8 bytes', () => {
    const change = parseRemoteExecutionContext(fixtureBytes('account-create'), noHeaders);
    expect(change).toMatchObject({
      table: 'account',
      id: '3f6a9b2c-1d4e-4f50-8a7b-9c0d1e2f3a4b',
      message: 'Create',
      occurredAt: '2025-11-26T00:00:00.000Z',
      correlationId: 'c0ffee00-1111-4222-8333-444455556666',
      operationId: 'a1b2c3d4-0001-4e11-9a2b-3c4d5e6f7081',
      organizationId: FIXTURE_ORG_ID,
      organizationName: 'contosotest',
      depth: 1,
      initiatingUserId: FIXTURE_USER_ID,
      sizeExceeded: false,
    });
    expect(change.source).toEqual({ table: 'account', id: change.id, message: 'Create' });
  });

  it('should read an Update whose OperationCreatedOn carries an offset, ignoring the offset', () => {
    const change = parseRemoteExecutionContext(fixtureBytes('contact-update').toString('utf8'), noHeaders);
    expect(change).toMatchObject({
      table: 'contact',
      message: 'Update',
      occurredAt: '2025-11-26T01:00:00.000Z',
      depth: 2,
    });
  });

  it('should read a Delete whose Target is an EntityReference', () => {
    const change = parseRemoteExecutionContext(fixtureBytes('product-delete'), noHeaders);
    expect(change).toMatchObject({ table: 'product', id: 'c4b3a291-8f7e-4d6c-a5b4-93a2b1c0d9e8', message: 'Delete' });
  });

  it('should parse a body delivered as a JSON string containing the JSON context', () => {
    const inner = fixtureBytes('contact-update').toString('utf8');
    const direct = parseRemoteExecutionContext(inner, noHeaders);
    const twice = parseRemoteExecutionContext(Buffer.from(JSON.stringify(inner), 'utf8'), noHeaders);
    expect(twice).toEqual(direct);
  });

  it('should accept non-ASCII content and a UTF-8 byte order mark', () => {
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), fixtureBytes('account-update-non-ascii')]);
    expect(bytes.toString('utf8')).toContain('株式会社');
    const change = parseRemoteExecutionContext(bytes, noHeaders);
    expect(change).toMatchObject({ table: 'account', id: '4b5c6d7e-8f90-4a1b-8c2d-3e4f5a6b7c8d', message: 'Update' });
  });

  it('should still parse when names arrive double-encoded (mojibake), since only ids are kept', () => {
    const text = fixtureBytes('account-update-non-ascii').toString('utf8');
    const mojibake = Buffer.from(Buffer.from(text, 'utf8').toString('latin1'), 'utf8');
    const change = parseRemoteExecutionContext(mojibake, noHeaders);
    expect(change.id).toBe('4b5c6d7e-8f90-4a1b-8c2d-3e4f5a6b7c8d');
  });

  it('should use PrimaryEntityName/Id when the size-exceeded header says parameters were stripped', () => {
    const change = parseRemoteExecutionContext(fixtureBytes('salesorder-size-exceeded'), {
      'X-MS-Dynamics-Msg-Size-Exceeded': 'true',
      'x-ms-dynamics-organization': 'contosotest.crm4.dynamics.com',
    });
    expect(change).toMatchObject({
      table: 'salesorder',
      id: FIXTURE_ORDER_ID,
      message: 'Update',
      sizeExceeded: true,
      organizationHost: 'contosotest.crm4.dynamics.com',
    });
  });

  it('should turn an order line Update into an Update of its order via the Target salesorderid lookup', () => {
    const change = parseRemoteExecutionContext(fixtureBytes('salesorderdetail-update'), noHeaders);
    expect(change).toMatchObject({ table: 'salesorder', id: FIXTURE_ORDER_ID, message: 'Update' });
    expect(change.source).toEqual({
      table: 'salesorderdetail',
      id: '9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a',
      message: 'Update',
    });
  });

  it('should find the order of an updated line in its post-image when the Target lacks salesorderid', () => {
    const body = fixtureJson('salesorderdetail-update');
    const parameters = body['InputParameters'] as { key: string; value: { Attributes: { key: string }[] } }[];
    const target = parameters.find((p) => p.key === 'Target')!.value;
    const orderReference = target.Attributes.find((a) => a.key === 'salesorderid');
    target.Attributes = target.Attributes.filter((a) => a.key !== 'salesorderid');
    body['PostEntityImages'] = [
      {
        key: 'lineimage',
        value: { LogicalName: 'salesorderdetail', Id: body['PrimaryEntityId'], Attributes: [orderReference] },
      },
    ];
    const change = parseRemoteExecutionContext(JSON.stringify(body), noHeaders);
    expect(change).toMatchObject({ table: 'salesorder', id: FIXTURE_ORDER_ID, message: 'Update' });

    body['PostEntityImages'] = [];
    expect(parseRemoteExecutionContext(JSON.stringify(body), noHeaders).id).toBeUndefined();
  });

  it('should find the order of a deleted line in its pre-image', () => {
    const change = parseRemoteExecutionContext(fixtureBytes('salesorderdetail-delete-preimage'), noHeaders);
    expect(change).toMatchObject({ table: 'salesorder', id: FIXTURE_ORDER_ID, message: 'Update' });
    expect(change.source.message).toBe('Delete');
    expect(change.unresolved).toBeUndefined();
  });

  it('should report an unknown order for a deleted line without an image instead of failing', () => {
    const change = parseRemoteExecutionContext(fixtureBytes('salesorderdetail-delete-noimage'), noHeaders);
    expect(change.table).toBe('salesorder');
    expect(change.id).toBeUndefined();
    expect(change.unresolved).toMatch(/pre-image for Delete/);
  });

  it('should drop the empty GUID a synchronous step sends as OperationId', () => {
    const body = fixtureJson('contact-update');
    body['OperationId'] = '00000000-0000-0000-0000-000000000000';
    const change = parseRemoteExecutionContext(JSON.stringify(body), noHeaders);
    expect(change.operationId).toBeUndefined();
  });

  it('should lower-case ids and read the correlation id from the header when the body has none', () => {
    const body = fixtureJson('product-delete');
    body['PrimaryEntityId'] = 'C4B3A291-8F7E-4D6C-A5B4-93A2B1C0D9E8';
    delete body['CorrelationId'];
    const change = parseRemoteExecutionContext(JSON.stringify(body), {
      'x-ms-correlation-request-id': 'ABCDEF01-2345-4678-9ABC-DEF012345678',
    });
    expect(change.id).toBe('c4b3a291-8f7e-4d6c-a5b4-93a2b1c0d9e8');
    expect(change.correlationId).toBe('abcdef01-2345-4678-9abc-def012345678');
  });

  it.each([
    ['empty body', ''],
    ['not JSON', '{"MessageName": "Update",'],
    ['a JSON array', '[1,2,3]'],
    ['a JSON number', '42'],
    ['a string of a string of JSON (three levels)', JSON.stringify(JSON.stringify('{}'))],
    ['an object of the wrong shape', '{"hello":"world"}'],
  ])('should reject %s with a ValidationError', (_label, body) => {
    expectValidationError(() => parseRemoteExecutionContext(body, noHeaders));
  });

  it.each<[string, DataverseFixture, (body: Record<string, unknown>) => void, RegExp]>([
    ['a missing PrimaryEntityId', 'account-create', (b) => delete b['PrimaryEntityId'], /RemoteExecutionContext/],
    ['a non-GUID PrimaryEntityId', 'account-create', (b) => (b['PrimaryEntityId'] = 'nope'), /RemoteExecutionContext/],
    [
      'a bad OperationCreatedOn',
      'account-create',
      (b) => (b['OperationCreatedOn'] = '/Date(abc)/'),
      /OperationCreatedOn/,
    ],
    [
      'a Delete whose Target is an Entity',
      'product-delete',
      (b) => ((b['InputParameters'] as { value: unknown }[])[0]!.value = { LogicalName: 'product', Attributes: [] }),
      /EntityReference/,
    ],
    [
      'a Target naming a different record',
      'contact-update',
      (b) => (b['PrimaryEntityId'] = '11111111-2222-4333-8444-555555555555'),
      /different record/,
    ],
    ['a Target of another table', 'contact-update', (b) => (b['PrimaryEntityName'] = 'account'), /different table/],
  ])('should reject %s', (_label, fixture, mutate, reason) => {
    const body = fixtureJson(fixture);
    mutate(body);
    expectValidationError(() => parseRemoteExecutionContext(JSON.stringify(body), noHeaders), reason);
  });

  it('should name the failing fields in the issues of a shape error', () => {
    const body = fixtureJson('account-create');
    body['MessageName'] = 17;
    const error = expectValidationError(() => parseRemoteExecutionContext(JSON.stringify(body), noHeaders));
    expect(error.issues.join(' ')).toContain('MessageName');
  });
});

describe('wcfDateToIso', () => {
  it.each([
    ['/Date(0)/', '1970-01-01T00:00:00.000Z'],
    ['/Date(1506384247000)/', '2017-09-26T00:04:07.000Z'],
    ['/Date(1506409448000-0700)/', '2017-09-26T07:04:08.000Z'],
    ['/Date(1608007658000+0000)/', '2020-12-15T04:47:38.000Z'],
    ['/Date(-86400000)/', '1969-12-31T00:00:00.000Z'],
    ['2025-11-26T00:00:00Z', '2025-11-26T00:00:00.000Z'],
  ])('should convert %s', (input, iso) => {
    expect(wcfDateToIso(input)).toBe(iso);
  });

  it.each(['/Date()/', 'Date(1)', '/Date(9999999999999999)/', '2025-11-26', 'yesterday'])(
    'should reject %s',
    (input) => {
      expect(() => wcfDateToIso(input)).toThrow(ValidationError);
    }
  );
});

describe('parseRemoteExecutionContext under fuzzing', () => {
  const fixtures: DataverseFixture[] = [
    'account-create',
    'contact-update',
    'product-delete',
    'salesorder-size-exceeded',
    'salesorderdetail-update',
    'salesorderdetail-delete-preimage',
  ];

  function parsesOrRejectsCleanly(body: string | Buffer, headers: Record<string, string> = {}): void {
    try {
      const change = parseRemoteExecutionContext(body, headers);
      expect(typeof change.table).toBe('string');
      expect(Number.isNaN(Date.parse(change.occurredAt))).toBe(false);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
    }
  }

  it('should never throw anything but ValidationError for random JSON', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        parsesOrRejectsCleanly(JSON.stringify(value));
        parsesOrRejectsCleanly(JSON.stringify(JSON.stringify(value)));
      }),
      { numRuns: 300 }
    );
  });

  it('should never throw anything but ValidationError for random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => parsesOrRejectsCleanly(Buffer.from(bytes))),
      { numRuns: 300 }
    );
  });

  it('should never throw anything but ValidationError for mutated valid payloads', () => {
    const replacement = fc.oneof(
      fc.jsonValue(),
      fc.constant(null),
      fc.constant('/Date(12)/'),
      fc.constant([{ key: 'Target', value: null }]),
      fc.constant({ __type: 'EntityReference:x', Id: '00000000-0000-0000-0000-000000000000', LogicalName: '' })
    );
    fc.assert(
      fc.property(
        fc.constantFrom(...fixtures),
        fc.array(fc.tuple(fc.nat(), replacement), { minLength: 1, maxLength: 4 }),
        (fixture, mutations) => {
          const body = fixtureJson(fixture);
          for (const [index, value] of mutations) mutateAt(body, index, value);
          parsesOrRejectsCleanly(JSON.stringify(body), { 'x-ms-dynamics-msg-size-exceeded': 'true' });
        }
      ),
      { numRuns: 300 }
    );
  });

  it('should never throw anything but ValidationError for truncated valid payloads', () => {
    const text = fixtureBytes('salesorderdetail-update').toString('utf8');
    fc.assert(
      fc.property(fc.nat({ max: text.length }), (cut) => parsesOrRejectsCleanly(text.slice(0, cut))),
      { numRuns: 200 }
    );
  });
});

/** Replaces the value at the index-th node of a depth-first walk of the object. */
function mutateAt(root: unknown, index: number, value: unknown): void {
  const slots: { parent: Record<string, unknown> | unknown[]; key: string | number }[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) {
      node.forEach((child, i) => {
        slots.push({ parent: node, key: i });
        walk(child);
      });
    } else if (node && typeof node === 'object') {
      for (const [key, child] of Object.entries(node)) {
        slots.push({ parent: node as Record<string, unknown>, key });
        walk(child);
      }
    }
  };
  walk(root);
  const slot = slots[index % Math.max(slots.length, 1)];
  // A clone, so that one generated value inserted twice never makes the object cyclic.
  if (slot) (slot.parent as Record<string | number, unknown>)[slot.key] = structuredClone(value);
}
