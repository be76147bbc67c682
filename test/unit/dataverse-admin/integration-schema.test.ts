import type { SchemaAction } from '../../../lambdas/core/dataverse-admin';
import { integrationLogNames, planIntegrationSchema } from '../../../lambdas/core/dataverse-admin';
import { runDataverseCommands } from '../../../src/cli/dataverse-commands';
import { DEFAULT_WRITEBACK_COLUMN_NAMES } from '../../helpers/writeback-column-names';
import { useFakeOrgPerTest } from './fake-dataverse-org';
import { runCaptured } from '../../helpers/capture-io';

type Body = Record<string, unknown>;
const FRESH = { logTable: null, attributes: {} };

function labelText(label: unknown): string {
  const localized = (label as { LocalizedLabels: { Label: string; LanguageCode: number }[] }).LocalizedLabels;
  expect(localized).toHaveLength(1);
  expect(localized[0]!.LanguageCode).toBe(1033);
  return localized[0]!.Label;
}

const find = (actions: readonly SchemaAction[], table: string, name: string) =>
  actions.find((action) => action.table === table && action.name === name);

describe('planIntegrationSchema', () => {
  it('should plan the log table, its columns, four Regarding lookups and the Xero columns on a fresh org', () => {
    const plan = planIntegrationSchema({}, FRESH);

    expect(plan.actions.every((action) => action.op === 'create')).toBe(true);
    const kinds = plan.actions.map((action) => action.target.kind);
    expect(kinds.filter((kind) => kind === 'entity')).toHaveLength(1);
    expect(kinds.filter((kind) => kind === 'relationship')).toHaveLength(4);
    expect(
      plan.actions.filter((a) => a.target.kind === 'attribute' && a.table === 'd365x_integrationlog')
    ).toHaveLength(7);
    for (const table of ['account', 'contact', 'product', 'salesorder']) {
      const writeback = table === 'salesorder' ? [...DEFAULT_WRITEBACK_COLUMN_NAMES, 'd365x_synctoxero'] : [];
      expect(plan.actions.filter((a) => a.table === table).map((a) => a.name)).toEqual([
        'd365x_xeroid',
        'd365x_xerolink',
        'd365x_lastsyncstatus',
        'd365x_lastsyncmessage',
        ...writeback,
      ]);
    }
  });

  it('should plan nothing to create once everything exists', () => {
    const names = integrationLogNames();
    const created = planIntegrationSchema({}, FRESH).actions;
    const attributes: Record<string, string[]> = {};
    for (const action of created) {
      if (action.target.kind !== 'entity') (attributes[action.table] ??= []).push(action.name.toUpperCase());
    }

    const plan = planIntegrationSchema({}, { logTable: { entitySetName: names.entitySet }, attributes });

    expect(plan.actions.map((action) => action.op)).toEqual(created.map(() => 'unchanged'));
  });

  it('should create only the missing column when one is absent', () => {
    const names = integrationLogNames();
    const all = planIntegrationSchema({}, FRESH).actions;
    const attributes: Record<string, string[]> = {};
    for (const action of all) {
      if (action.target.kind === 'entity' || action.name === 'd365x_xerolink') continue;
      (attributes[action.table] ??= []).push(action.name);
    }
    attributes.contact!.push('d365x_xerolink');

    const plan = planIntegrationSchema({}, { logTable: { entitySetName: names.entitySet }, attributes });

    expect(plan.actions.filter((action) => action.op === 'create').map((a) => `${a.table}.${a.name}`)).toEqual([
      'account.d365x_xerolink',
      'product.d365x_xerolink',
      'salesorder.d365x_xerolink',
    ]);
  });

  it('should build an EntityMetadata body with a primary name column and English labels', () => {
    const body = find(
      planIntegrationSchema({ prefix: 'acme' }, FRESH).actions,
      'acme_integrationlog',
      'acme_integrationlog'
    )!.body as Body;

    expect(body['@odata.type']).toBe('Microsoft.Dynamics.CRM.EntityMetadata');
    expect(body.SchemaName).toBe('acme_IntegrationLog');
    expect(body.OwnershipType).toBe('OrganizationOwned');
    labelText(body.DisplayName);
    labelText(body.DisplayCollectionName);
    const [primary] = body.Attributes as Body[];
    expect(primary).toMatchObject({
      '@odata.type': 'Microsoft.Dynamics.CRM.StringAttributeMetadata',
      SchemaName: 'acme_Name',
      IsPrimaryName: true,
      AttributeType: 'String',
    });
  });

  it('should give every column a typed body whose SchemaName matches its logical name', () => {
    const plan = planIntegrationSchema({}, FRESH);
    const types = new Set<string>();
    for (const action of plan.actions.filter((a) => a.target.kind === 'attribute')) {
      const body = action.body as Body;
      types.add(String(body['@odata.type']));
      expect(String(body.SchemaName).toLowerCase()).toBe(action.name);
      labelText(body.DisplayName);
      expect(body.RequiredLevel).toMatchObject({ Value: 'None' });
    }
    expect([...types].sort()).toEqual([
      'Microsoft.Dynamics.CRM.BooleanAttributeMetadata',
      'Microsoft.Dynamics.CRM.DateTimeAttributeMetadata',
      'Microsoft.Dynamics.CRM.MemoAttributeMetadata',
      'Microsoft.Dynamics.CRM.MoneyAttributeMetadata',
      'Microsoft.Dynamics.CRM.PicklistAttributeMetadata',
      'Microsoft.Dynamics.CRM.StringAttributeMetadata',
    ]);
  });

  it('should offer Succeeded, Failed and Skipped in the status choice', () => {
    const body = find(planIntegrationSchema({}, FRESH).actions, 'd365x_integrationlog', 'd365x_status')!.body as Body;
    const options = (body.OptionSet as { IsGlobal: boolean; Options: { Value: number; Label: unknown }[] }).Options;

    expect(options.map((option) => labelText(option.Label))).toEqual(['Succeeded', 'Failed', 'Skipped']);
    expect(new Set(options.map((option) => option.Value)).size).toBe(3);
  });

  it('should mark the Xero link as a URL column', () => {
    const body = find(planIntegrationSchema({}, FRESH).actions, 'account', 'd365x_xerolink')!.body as Body;

    expect(body.FormatName).toEqual({ Value: 'Url' });
  });

  it('should model each Regarding lookup as a one-to-many relationship that keeps log rows on delete', () => {
    const action = find(
      planIntegrationSchema({}, FRESH).actions,
      'd365x_integrationlog',
      'd365x_regardingsalesorderid'
    )!;
    const body = action.body as Body;

    expect(body).toMatchObject({
      '@odata.type': 'Microsoft.Dynamics.CRM.OneToManyRelationshipMetadata',
      ReferencedEntity: 'salesorder',
      ReferencedAttribute: 'salesorderid',
      ReferencingEntity: 'd365x_integrationlog',
      CascadeConfiguration: expect.objectContaining({ Delete: 'RemoveLink' }),
      Lookup: expect.objectContaining({
        '@odata.type': 'Microsoft.Dynamics.CRM.LookupAttributeMetadata',
        SchemaName: 'd365x_RegardingSalesOrderId',
      }),
    });
  });

  it('should leave the synced tables alone when no record columns are wanted', () => {
    const plan = planIntegrationSchema({ recordColumnTables: [] }, FRESH);

    expect(plan.actions.every((action) => action.table === 'd365x_integrationlog')).toBe(true);
  });

  it('should report synced tables the org lacks as problems', () => {
    const plan = planIntegrationSchema({}, { ...FRESH, missingTables: ['salesorder'] });

    expect(plan.problems).toEqual([
      'table salesorder does not exist in this environment (is Dynamics 365 Sales installed?)',
    ]);
    expect(planIntegrationSchema({}, FRESH).problems).toEqual([]);
  });

  it('should refuse an invalid publisher prefix', () => {
    expect(() => integrationLogNames('x')).toThrow(/prefix/);
    expect(() => integrationLogNames('has_underscore')).toThrow(/prefix/);
    expect(() => integrationLogNames('mscrmx')).toThrow(/prefix/);
    expect(integrationLogNames('Acme').table).toBe('acme_integrationlog');
  });
});

describe('connector setup-dataverse', () => {
  const fake = useFakeOrgPerTest();

  async function setup(...args: string[]) {
    return runCaptured((io) => runDataverseCommands(['setup-dataverse', ...args], io), {
      DATAVERSE_URL: fake.org.url,
      DATAVERSE_ACCESS_TOKEN: 'test-token',
    });
  }

  it('should only read and print the plan during a dry run', async () => {
    const result = await setup('--dry-run');

    expect(result.code).toBe(0);
    expect(fake.org.server.requests.every((request) => request.method === 'GET')).toBe(true);
    expect(result.out).toMatch(/create\s+table d365x_integrationlog/);
    expect(fake.org.tables.has('d365x_integrationlog')).toBe(false);
  });

  it('should create the schema through the metadata endpoints, then find nothing to do', async () => {
    const first = await setup('--solution', 'XeroConnector');

    expect(first.code).toBe(0);
    const posts = fake.org.writes();
    expect(posts.every((request) => request.method === 'POST')).toBe(true);
    expect(posts.filter((r) => r.url.endsWith('/EntityDefinitions'))).toHaveLength(1);
    expect(posts.filter((r) => r.url.endsWith('/RelationshipDefinitions'))).toHaveLength(4);
    expect(posts.every((r) => r.headers['mscrm.solutionuniquename'] === 'XeroConnector')).toBe(true);
    // Metadata is cached for up to ~30 s; every metadata call asks for the current definitions.
    const metadataCalls = fake.org.server.requests.filter((r) => /Definitions/.test(r.url));
    expect(metadataCalls.every((r) => r.headers.consistency === 'Strong')).toBe(true);
    expect([...fake.org.tables.get('d365x_integrationlog')!.attributes]).toEqual(
      expect.arrayContaining(['d365x_name', 'd365x_status', 'd365x_regardingaccountid'])
    );
    expect([...fake.org.tables.get('product')!.attributes]).toEqual(expect.arrayContaining(['d365x_xerolink']));

    const writes = fake.org.writes().length;
    const second = await setup();

    expect(second.code).toBe(0);
    expect(fake.org.writes()).toHaveLength(writes);
    expect(second.out).toMatch(/created 0, updated 0, removed 0; \d+ unchanged/);
  });

  it('should fail, not claim success, when a synced table does not exist in the org', async () => {
    fake.org.tables.delete('product');

    const result = await setup();

    expect(result.code).toBe(1);
    expect(result.out).toMatch(/problem\s+table product does not exist/);
    expect(result.err).toContain('nothing was changed');
    expect(fake.org.writes()).toHaveLength(0);
  });

  it('should exit 2 for an invalid prefix before calling Dataverse', async () => {
    const result = await setup('--prefix', 'x');

    expect(result.code).toBe(2);
    expect(result.err).toContain('prefix');
    expect(fake.org.server.requests).toHaveLength(0);
  });
});
