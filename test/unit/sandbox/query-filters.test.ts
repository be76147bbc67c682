import { parseFilter } from '../../../sandbox/dataverse/odata-filter';
import { annotationFilter, parseQueryOptions } from '../../../sandbox/dataverse/odata-query';
import { parseWhere, WhereSyntaxError } from '../../../sandbox/xero-accounting/where-filter';

const rows = [
  { name: 'Kauri Co', statecode: 0, modifiedon: '2026-01-01T10:00:00Z', _parentcustomerid_value: null },
  { name: "O'Brien & Sons", statecode: 1, modifiedon: '2026-01-02T10:00:00Z', _parentcustomerid_value: 'a1' },
  { name: 'Rimu Ltd', statecode: 0, modifiedon: '2026-01-03T10:00:00Z', _parentcustomerid_value: 'a1' },
];

describe('sandbox query filters', () => {
  it('should evaluate OData comparisons with and/or/not, parentheses and string functions', () => {
    const names = (filter: string) => rows.filter(parseFilter(filter)).map((r) => r.name);
    expect(names('modifiedon gt 2026-01-01T10:00:00Z')).toEqual(["O'Brien & Sons", 'Rimu Ltd']);
    expect(names('statecode eq 0 and not (_parentcustomerid_value eq null)')).toEqual(['Rimu Ltd']);
    expect(names("name eq 'o''brien & sons' or contains(name,'kauri')")).toEqual(['Kauri Co', "O'Brien & Sons"]);
    expect(names("startswith(name,'Ri') and statecode le 0")).toEqual(['Rimu Ltd']);
    expect(() => parseFilter('name eq')).toThrow('Invalid $filter');
    expect(() => parseFilter('statecode between 1')).toThrow('Invalid $filter');
  });

  it('should parse nested $expand options', () => {
    const options = parseQueryOptions(
      new URLSearchParams({
        $select: 'name,totalamount',
        $expand:
          'order_details($select=quantity,priceperunit;$orderby=sequencenumber desc;$top=2;$expand=productid($select=productnumber,name)),customerid_account($select=name)',
      })
    );
    expect(options.select).toEqual(['name', 'totalamount']);
    expect(options.expand.map((e) => e.navigation)).toEqual(['order_details', 'customerid_account']);
    const lines = options.expand[0]!.options;
    expect(lines).toMatchObject({
      select: ['quantity', 'priceperunit'],
      top: 2,
      orderby: [{ column: 'sequencenumber', descending: true }],
    });
    expect(lines.expand[0]).toMatchObject({ navigation: 'productid', options: { select: ['productnumber', 'name'] } });
  });

  it('should honour annotation lists and wildcards in Prefer', () => {
    const all = annotationFilter('odata.include-annotations="*"');
    expect(all('OData.Community.Display.V1.FormattedValue')).toBe(true);
    const some = annotationFilter('odata.include-annotations="Microsoft.Dynamics.CRM.*"');
    expect(some('Microsoft.Dynamics.CRM.lookuplogicalname')).toBe(true);
    expect(some('OData.Community.Display.V1.FormattedValue')).toBe(false);
    expect(annotationFilter(undefined)('Microsoft.Dynamics.CRM.lookuplogicalname')).toBe(false);
  });

  it('should evaluate Xero where clauses and refuse what it does not support', () => {
    const contacts = [
      { Name: 'A "quoted" name', ContactNumber: '1', IsCustomer: true },
      { Name: 'Plain', ContactNumber: '2', IsCustomer: false },
    ];
    expect(contacts.filter(parseWhere('Name=="A \\"quoted\\" name"')).map((c) => c.ContactNumber)).toEqual(['1']);
    expect(contacts.filter(parseWhere('IsCustomer==false OR ContactNumber=="1"'))).toHaveLength(2);
    expect(contacts.filter(parseWhere('Name=="x OR y"'))).toHaveLength(0);
    expect(() => parseWhere('Name.StartsWith("P")')).toThrow(WhereSyntaxError);
  });
});
