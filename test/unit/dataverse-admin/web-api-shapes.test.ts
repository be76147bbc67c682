import { randomUUID } from 'node:crypto';
import type { WebhookAction } from '../../../lambdas/core/dataverse-admin';
import {
  bodyToSend,
  integrationLogNames,
  integrationLogRow,
  planIntegrationSchema,
  planWebhookRegistration,
  WEBHOOK_MESSAGES,
  WEBHOOK_TABLES,
  filterKey,
  httpHeaderAuthValue,
} from '../../../lambdas/core/dataverse-admin';
import { PermanentError, ValidationError } from '../../../lambdas/core/errors';
import { DataverseSession, DataverseWriter } from '../../../lambdas/adapters/dataverse/dataverse-writer';
import { createStaticTokenSource } from '../../../lambdas/adapters/dataverse/dataverse-token-source';
import {
  attributeProblems,
  httpHeaderSettings,
  entityProblems,
  navigationPropertyOf,
  oneToManyProblems,
  serviceEndpointProblems,
  stepImageProblems,
  stepProblems,
} from '../../../sandbox/dataverse/web-api-shapes';
import { useFakeOrgPerTest } from './fake-dataverse-org';

type Body = Record<string, unknown>;
const FRESH = { logTable: null, attributes: {} };
const names = integrationLogNames();

function schemaBodies() {
  const actions = planIntegrationSchema({}, FRESH).actions;
  const of = (kind: string) => actions.filter((a) => a.target.kind === kind).map((a) => a.body as Body);
  return { entity: of('entity')[0]!, attributes: of('attribute'), relationships: of('relationship') };
}

function webhookActions(): readonly WebhookAction[] {
  const messageIds = Object.fromEntries(WEBHOOK_MESSAGES.map((message) => [message, randomUUID()]));
  const filterIds = Object.fromEntries(
    WEBHOOK_TABLES.flatMap((table) => WEBHOOK_MESSAGES.map((message) => [filterKey(table, message), randomUUID()]))
  );
  return planWebhookRegistration(
    { baseUrl: 'https://connector.example.com', webhookKey: 'k'.repeat(64) },
    { endpoint: null, steps: [], images: [], messageIds, filterIds }
  ).actions;
}

/** The bodies as the admin client sends them, with the endpoint and steps given ids. */
function sentBodies(collection: string): Body[] {
  const actions = webhookActions();
  const stepIds = new Map(actions.filter((a) => a.key.startsWith('step:')).map((a) => [a.key, randomUUID()]));
  return actions
    .filter((action) => action.collection === collection)
    .map((action) => bodyToSend(action, { endpointId: randomUUID(), stepIds }));
}

describe('Web API shapes of the setup-dataverse bodies', () => {
  it('should accept the table, every column and every lookup relationship that setup plans', () => {
    const { entity, attributes, relationships } = schemaBodies();

    expect(entityProblems(entity)).toEqual([]);
    for (const body of attributes) expect(attributeProblems(body)).toEqual([]);
    for (const body of relationships) expect(oneToManyProblems(body)).toEqual([]);
  });

  it('should refuse a table without its primary name column, or whose primary name is not plain text', () => {
    const { entity } = schemaBodies();
    const [primary] = entity.Attributes as Body[];

    expect(entityProblems({ ...entity, Attributes: [] })).toContain(
      'Attributes must contain exactly one primary name column (IsPrimaryName true)'
    );
    expect(entityProblems({ ...entity, Attributes: [{ ...primary, FormatName: { Value: 'Email' } }] })).toEqual([
      'attribute d365x_Name: the primary name column must use Text',
    ]);
  });

  it('should refuse a table missing a documented required property or a prefixed SchemaName', () => {
    const { entity } = schemaBodies();
    const { HasNotes: _notes, ...withoutNotes } = entity;

    const { PrimaryNameAttribute: _primary, ...withoutPrimaryName } = entity;

    expect(entityProblems(withoutNotes)).toEqual(['HasNotes must be set (true or false)']);
    expect(entity.PrimaryNameAttribute).toBe('d365x_name');
    expect(entityProblems(withoutPrimaryName)).toEqual([
      'PrimaryNameAttribute must be the logical name of the primary name column (d365x_name)',
    ]);
    expect(entityProblems({ ...entity, OwnershipType: 'TeamOwned' })).toHaveLength(1);
    expect(entityProblems({ ...entity, SchemaName: 'IntegrationLog' })[0]).toMatch(/customization prefix/);
  });

  it('should refuse labels without a LanguageCode and columns beyond their limits', () => {
    const { attributes } = schemaBodies();
    const text = attributes.find((body) => body['@odata.type'] === 'Microsoft.Dynamics.CRM.StringAttributeMetadata')!;

    expect(attributeProblems({ ...text, DisplayName: { LocalizedLabels: [{ Label: 'Xero Id' }] } })).toHaveLength(1);
    expect(attributeProblems({ ...text, DisplayName: 'Xero Id' })).toHaveLength(1);
    expect(attributeProblems({ ...text, MaxLength: 4001 })).toEqual([
      `attribute ${String(text.SchemaName)}: MaxLength must be 1–4000`,
    ]);
    expect(attributeProblems({ ...text, AttributeType: 'Memo' })).toHaveLength(1);
    expect(attributeProblems({ ...text, RequiredLevel: 'None' })).toHaveLength(1);
  });

  it('should plan "Sync to Xero" as a documented Yes/No column and refuse one without its two options', () => {
    const { attributes } = schemaBodies();
    const flag = attributes.find((body) => body.SchemaName === 'd365x_SynctoXero')!;

    expect(flag).toMatchObject({
      '@odata.type': 'Microsoft.Dynamics.CRM.BooleanAttributeMetadata',
      DefaultValue: false,
      OptionSet: { TrueOption: { Value: 1 }, FalseOption: { Value: 0 } },
    });
    expect(attributeProblems(flag)).toEqual([]);
    expect(attributeProblems({ ...flag, OptionSet: undefined })).toEqual([
      'attribute d365x_SynctoXero: a Boolean column needs an OptionSet with TrueOption and FalseOption',
    ]);
    const noFalse = { ...(flag.OptionSet as Body), FalseOption: { Value: 2 } };
    expect(attributeProblems({ ...flag, OptionSet: noFalse })).toEqual([
      'attribute d365x_SynctoXero: OptionSet.FalseOption.Value must be 0',
    ]);
  });

  it('should refuse a relationship whose lookup is not a LookupAttributeMetadata or whose cascade is unknown', () => {
    const [relationship] = schemaBodies().relationships;

    expect(
      oneToManyProblems({ ...relationship, Lookup: { ...(relationship!.Lookup as Body), '@odata.type': 'x' } })
    ).toEqual(['Lookup must be a LookupAttributeMetadata']);
    const product = schemaBodies().relationships.find((body) => body.ReferencedEntity === 'product')!;
    expect(oneToManyProblems({ ...product, CascadeConfiguration: { Delete: 'NoCascade' } })).toEqual([
      'CascadeConfiguration.Delete "NoCascade" is not valid for Delete',
    ]);
  });

  it('should pin each Regarding lookup to the navigation property the log row binds through', () => {
    const { relationships } = schemaBodies();

    for (const table of ['account', 'contact', 'product', 'salesorder'] as const) {
      const relationship = relationships.find((body) => body.ReferencedEntity === table)!;
      const row = integrationLogRow(
        { table, id: randomUUID(), status: 'synced', message: 'ok', event: 'Update' },
        { names }
      );
      const bind = Object.keys(row).find((key) => key.endsWith('@odata.bind'))!;

      expect(relationship.ReferencingEntityNavigationPropertyName).toBe(names.regardingNavigation[table]);
      expect(bind).toBe(`${navigationPropertyOf(relationship)}@odata.bind`);
    }
  });
});

describe('Regarding lookups and merges', () => {
  it('should cascade Merge from accounts and contacts, which can be merged, and not from products or orders', () => {
    const merge = Object.fromEntries(
      schemaBodies().relationships.map((body) => [body.ReferencedEntity, (body.CascadeConfiguration as Body).Merge])
    );

    expect(merge).toEqual({ account: 'Cascade', contact: 'Cascade', product: 'NoCascade', salesorder: 'NoCascade' });
  });

  it('should refuse a lookup to a mergeable table that does not cascade Merge', () => {
    const account = schemaBodies().relationships.find((body) => body.ReferencedEntity === 'account')!;
    const cascade = { ...(account.CascadeConfiguration as Body), Merge: 'NoCascade' };

    expect(oneToManyProblems({ ...account, CascadeConfiguration: cascade })).toEqual([
      'CascadeConfiguration.Merge must be Cascade: account rows can be merged',
    ]);
  });
});

describe('Web API shapes of the register-webhooks bodies', () => {
  it('should accept the endpoint, every step and every image that registration sends', () => {
    const endpoints = sentBodies('serviceendpoints');
    const steps = sentBodies('sdkmessageprocessingsteps');
    const images = sentBodies('sdkmessageprocessingstepimages');

    expect(endpoints).toHaveLength(1);
    expect(serviceEndpointProblems(endpoints[0]!, true)).toEqual([]);
    expect(steps).toHaveLength(WEBHOOK_TABLES.length * WEBHOOK_MESSAGES.length);
    for (const step of steps) expect(stepProblems(step, true)).toEqual([]);
    expect(images).toHaveLength(3);
    for (const image of images) expect(stepImageProblems(image, true)).toEqual([]);
  });

  it('should refuse a step bound through the lookup logical name instead of its navigation property', () => {
    const [step] = sentBodies('sdkmessageprocessingsteps');
    const { 'eventhandler_serviceendpoint@odata.bind': bind, ...rest } = step!;

    const problems = stepProblems({ ...rest, 'eventhandler@odata.bind': bind }, true);

    expect(problems).toEqual([
      expect.stringContaining("An undeclared property 'eventhandler'"),
      'eventhandler_serviceendpoint@odata.bind is required',
    ]);
  });

  it('should refuse out-of-range step and image values', () => {
    const [step] = sentBodies('sdkmessageprocessingsteps');
    const [image] = sentBodies('sdkmessageprocessingstepimages');

    expect(stepProblems({ ...step, stage: 30 }, true)).toHaveLength(1);
    expect(stepProblems({ ...step, mode: 0 }, true)).toEqual(['asyncautodelete applies to asynchronous steps only']);
    expect(stepProblems({ ...step, description: 'd'.repeat(257) }, true)).toHaveLength(1);
    expect(stepImageProblems({ ...image, imagetype: 3 }, true)).toHaveLength(1);
    expect(stepImageProblems({ ...image, messagepropertyname: '' }, true)).toEqual(['messagepropertyname is required']);
    expect(serviceEndpointProblems({ name: 'x', contract: 8, authtype: 1 }, true)).toHaveLength(1);
  });

  it('should refuse an endpoint name that would make a step name longer than Dataverse allows', () => {
    const plan = (endpointName: string) =>
      planWebhookRegistration(
        { baseUrl: 'https://connector.example.com', webhookKey: 'k', endpointName },
        { endpoint: null, steps: [], images: [], messageIds: {}, filterIds: {} }
      );

    expect(() => plan('n'.repeat(230))).toThrow(ValidationError);
    expect(() => plan('n'.repeat(200))).not.toThrow();
  });
});

describe('the fake org refuses what Dataverse refuses', () => {
  const fake = useFakeOrgPerTest({ schema: true });

  const writer = () =>
    new DataverseWriter(
      new DataverseSession({
        serverUrl: fake.org.url,
        tokenSource: createStaticTokenSource('test-token'),
        timeoutMs: 2_000,
        sleep: () => Promise.resolve(),
      })
    );
  const createLog = (row: Body) => writer().createRecord(names.entitySet, row);

  it('should accept a log row bound through the lookup SchemaName and expose the lookup by its logical name', async () => {
    const accountId = randomUUID();
    fake.org.rows.set('accounts', new Map([[accountId, { accountid: accountId }]]));
    const row = integrationLogRow(
      { table: 'account', id: accountId, status: 'failed', message: 'no', event: 'Create' },
      { names }
    );

    const id = await createLog(row);

    expect(fake.org.rows.get(names.entitySet)?.get(id)).toMatchObject({ _d365x_regardingaccountid_value: accountId });
  });

  it('should refuse a log row bound through the lower-case logical name', async () => {
    const row = integrationLogRow(
      { table: 'account', id: randomUUID(), status: 'synced', message: 'ok', event: 'Update' },
      { names, navigation: { account: names.regarding.account } }
    );

    await expect(createLog(row)).rejects.toBeInstanceOf(PermanentError);
    expect(fake.org.refusals).toEqual([expect.stringContaining("undeclared property 'd365x_regardingaccountid'")]);
  });

  it('should refuse text longer than its column and a status outside the choice', async () => {
    await expect(
      createLog({ [names.columns.name]: 'x', [names.columns.event]: 'e'.repeat(21) })
    ).rejects.toBeInstanceOf(PermanentError);
    await expect(createLog({ [names.columns.name]: 'x', [names.columns.status]: 7 })).rejects.toBeInstanceOf(
      PermanentError
    );
    expect(fake.org.refusals).toEqual([
      expect.stringContaining("'d365x_event' attribute exceeded 20"),
      expect.stringContaining('outside the valid range'),
    ]);
  });

  it('should refuse a table definition without a primary name column', async () => {
    const { entity } = schemaBodies();
    const response = await fetch(`${fake.org.url}/api/data/v9.2/EntityDefinitions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...entity, SchemaName: 'd365x_Other', Attributes: [] }),
    });

    expect(response.status).toBe(400);
    expect(fake.org.tables.has('d365x_other')).toBe(false);
  });
});

describe('sandbox serviceendpoint HttpHeader authentication', () => {
  it('should accept the settings XML the connector registers and read the key header back', () => {
    const authvalue = httpHeaderAuthValue('k&y"1');
    expect(serviceEndpointProblems({ contract: 8, authtype: 5, authvalue }, false)).toEqual([]);
    expect(httpHeaderSettings(authvalue)).toEqual({ 'x-connector-key': 'k&y"1' });
  });

  it('should refuse an HttpHeader endpoint whose authvalue is a bare key', () => {
    expect(serviceEndpointProblems({ contract: 8, authtype: 5, authvalue: 'bare-key' }, false)).toEqual([
      expect.stringContaining('HttpHeader'),
    ]);
  });
});
