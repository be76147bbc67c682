import { TransientError } from '../../../../lambdas/core/errors';
import { invoiceTotals } from '../../../../lambdas/core/mapping/invoice-mapping';
import {
  buildAccount,
  buildContact,
  buildContactPerson,
  buildOrderLine,
  buildProduct,
  buildSalesOrder,
  buildWriteInLine,
  guid,
} from '../../../helpers/dataverse-factories';
import { changeEvent as change, inMemoryPipeline as pipeline } from '../../../helpers/in-memory-pipeline';

describe('sync pipeline', () => {
  it('should turn an order with catalogue and write-in lines into one invoice with its customer and items', async () => {
    const p = pipeline();
    const account = p.dataverse.add(
      buildAccount({ accountid: guid(1), name: 'Société Générale 北京 🚀' })
    ) as ReturnType<typeof buildAccount>;
    p.dataverse.add(buildProduct({ productid: guid(2), productnumber: 'ESP-200' }));
    const order = p.dataverse.add(
      buildSalesOrder({
        salesorderid: guid(3),
        ordernumber: 'SO-3001',
        customer: { table: 'account', id: account.accountid },
        freightamount: 12.5,
        discountamount: 10,
        lines: [
          buildOrderLine({
            productid: guid(2),
            productnumber: 'ESP-200',
            quantity: 2,
            priceperunit: 899.5,
            manualdiscountamount: 50,
            tax: 349.8,
            sequencenumber: 1,
          }),
          buildWriteInLine({
            productdescription: 'Installation on site',
            priceperunit: 120,
            tax: 24,
            sequencenumber: 2,
          }),
        ],
      })
    );

    const results = await p.sync(change('salesorder', guid(3)));

    expect(results.every((r) => r.status === 'done')).toBe(true);
    expect(p.xero.contacts.size).toBe(1);
    expect([...p.xero.contacts.values()][0]).toMatchObject({
      Name: 'Société Générale 北京 🚀',
      ContactNumber: guid(1),
    });
    expect([...p.xero.items.values()].map((i) => i.Code)).toEqual(['ESP-200']);
    const invoice = [...p.xero.invoices.values()][0]!;
    expect(invoice.Reference).toBe('SO-3001');
    expect(invoice.LineItems.find((l) => l.Description === 'Installation on site')?.ItemCode).toBeUndefined();
    expect(invoice.LineItems.find((l) => l.ItemCode === 'ESP-200')).toBeDefined();
    expect(invoiceTotals(invoice).total).toBe((order as ReturnType<typeof buildSalesOrder>).totalamount.toFixed(2));
  });

  it('should sync an order exactly once under duplicate webhooks and a lost Xero response', async () => {
    const p = pipeline();
    p.dataverse.add(buildAccount({ accountid: guid(1) }));
    p.dataverse.add(
      buildSalesOrder({
        salesorderid: guid(3),
        ordernumber: 'SO-1',
        customer: { table: 'account', id: guid(1) },
        lines: [buildWriteInLine()],
      })
    );
    p.xero.loseNextResponse('saveInvoices');

    const first = await p.sync(change('salesorder', guid(3)), change('salesorder', guid(3)));
    expect(first.some((r) => r.status === 'retry')).toBe(true);
    await p.sync(change('salesorder', guid(3)));
    await p.sync(change('salesorder', guid(3)));

    expect(p.xero.invoices.size).toBe(1);
    expect(p.xero.contacts.size).toBe(1);
  });

  it('should bill a contact with a parent account to the account and sync the contact as a person of it', async () => {
    const p = pipeline();
    const person = buildContactPerson({
      contactid: guid(5),
      firstname: 'Zoë',
      lastname: 'Øberg',
      emailaddress1: 'zoe@example.org',
    });
    p.dataverse.add(
      buildAccount({ accountid: guid(1), name: 'Parent Co', primaryContact: undefined, contacts: [person] })
    );
    p.dataverse.add(
      buildContact({ contactid: guid(5), firstname: 'Zoë', lastname: 'Øberg', parentAccountId: guid(1) })
    );
    p.dataverse.add(
      buildSalesOrder({
        salesorderid: guid(3),
        customer: { table: 'contact', id: guid(5) },
        lines: [buildWriteInLine()],
      })
    );

    await p.sync(change('contact', guid(5)));
    expect(p.queues.changes).toEqual([expect.objectContaining({ table: 'account', id: guid(1), message: 'Update' })]);
    await p.sync(...p.queues.changes.splice(0), change('salesorder', guid(3)));

    expect(p.xero.contacts.size).toBe(1);
    const stored = [...p.xero.contacts.values()][0]!;
    expect(stored).toMatchObject({
      ContactNumber: guid(1),
      ContactPersons: [{ FirstName: 'Zoë', LastName: 'Øberg', EmailAddress: 'zoe@example.org', IncludeInEmails: true }],
    });
    expect([...p.xero.invoices.values()][0]!.Contact.ContactID).toBe(stored.ContactID);
  });

  it('should give a contact without a parent account a Xero contact of its own', async () => {
    const p = pipeline();
    p.dataverse.add(buildContact({ contactid: guid(6), fullname: 'Grace Hopper', parentAccountId: undefined }));

    await p.sync(change('contact', guid(6)));

    expect([...p.xero.contacts.values()][0]).toMatchObject({ ContactNumber: guid(6), Name: 'Grace Hopper' });
  });

  it('should archive the Xero contact of a deleted account and of a deactivated one', async () => {
    const p = pipeline();
    p.dataverse.add(buildAccount({ accountid: guid(1), name: 'Gone Ltd' }));
    p.dataverse.add(buildAccount({ accountid: guid(2), name: 'Sleeping Ltd' }));
    await p.sync(change('account', guid(1)), change('account', guid(2)));

    p.dataverse.accounts.delete(guid(1));
    p.dataverse.add(
      buildAccount({ accountid: guid(2), name: 'Sleeping Ltd', statecode: 1, modifiedon: '2026-11-20T00:00:00Z' })
    );
    await p.sync(change('account', guid(1), 'Delete'), change('account', guid(2)));

    expect([...p.xero.contacts.values()].map((c) => [c.Name, c.ContactStatus])).toEqual([
      ['Gone Ltd', 'ARCHIVED'],
      ['Sleeping Ltd', 'ARCHIVED'],
    ]);
  });

  it('should stop selling a retired or deleted product and void or delete the invoice of a cancelled or deleted order', async () => {
    const p = pipeline({ invoiceStatus: 'AUTHORISED' });
    p.dataverse.add(buildAccount({ accountid: guid(1) }));
    p.dataverse.add(buildProduct({ productid: guid(2), productnumber: 'RET-1' }));
    p.dataverse.add(
      buildSalesOrder({
        salesorderid: guid(3),
        ordernumber: 'SO-A',
        customer: { table: 'account', id: guid(1) },
        lines: [buildWriteInLine()],
      })
    );
    await p.sync(change('product', guid(2)), change('salesorder', guid(3)));

    p.dataverse.products.delete(guid(2));
    p.dataverse.orders.delete(guid(3));
    await p.sync(change('product', guid(2), 'Delete'), change('salesorder', guid(3), 'Delete'));

    expect([...p.xero.items.values()][0]).toMatchObject({ Code: 'RET-1', IsSold: false });
    expect([...p.xero.invoices.values()][0]!.Status).toBe('VOIDED');
  });

  it('should fail permanently, with the order named, when totals do not reconcile', async () => {
    const p = pipeline();
    p.dataverse.add(buildAccount({ accountid: guid(1) }));
    p.dataverse.add(
      buildSalesOrder({
        salesorderid: guid(3),
        ordernumber: 'SO-BAD',
        customer: { table: 'account', id: guid(1) },
        lines: [buildWriteInLine()],
        totalamount: 9999,
      })
    );

    const [result] = await p.sync(change('salesorder', guid(3)));

    expect(result).toMatchObject({ status: 'dead', error: expect.stringContaining('SO-BAD') });
    expect(p.outcomes.outcomes.at(-1)).toMatchObject({ status: 'failed', errorCode: 'MAPPING', willRetry: false });
    expect(p.xero.invoices.size).toBe(0);
  });

  it('should retry, not fail, when Dataverse cannot be read for a moment', async () => {
    const p = pipeline();
    p.dataverse.getAccount = async () => {
      throw new TransientError('Dataverse timed out');
    };

    const [result] = await p.sync(change('account', guid(1)));

    expect(result).toMatchObject({ status: 'retry' });
  });

  it('should ignore tables that are not configured for sync', async () => {
    const p = pipeline({ syncedTables: ['account'] });

    const [result] = await p.sync(change('product', guid(2)));

    expect(result).toEqual({ status: 'done' });
    expect(p.dataverse.reads).toBe(0);
    expect(p.outcomes.outcomes.at(-1)).toMatchObject({ status: 'skipped', message: 'table product is not synced' });
  });
});
