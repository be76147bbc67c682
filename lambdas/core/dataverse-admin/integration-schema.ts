/**
 * The integration-log table and the optional Xero columns on the synced tables, as Dataverse metadata Web API
 * bodies. Names derive from a publisher prefix (default `d365x`) so the connector's customisations are easy to find
 * and never collide with another solution's. The plan creates only what is missing; nothing is ever changed or
 * deleted, because an operator may have customised labels or lengths since.
 */
import { resolveWritebackColumns } from '../writeback/columns';
import { ValidationError } from '../errors';
import type { SyncedTable } from '../model/change-event';
import { SYNCED_TABLES } from '../model/change-event';
import type { SyncStatus } from '../ports';

export const DEFAULT_PUBLISHER_PREFIX = 'd365x';
export const LANGUAGE_CODE_ENGLISH = 1033;

/** Option values of the status choice columns (the customary range for a custom publisher). */
export const SYNC_STATUS_OPTIONS: Readonly<Record<SyncStatus, { readonly value: number; readonly label: string }>> = {
  synced: { value: 100_000_000, label: 'Succeeded' },
  failed: { value: 100_000_001, label: 'Failed' },
  skipped: { value: 100_000_002, label: 'Skipped' },
};

const PRIMARY_KEYS: Readonly<Record<SyncedTable, string>> = {
  account: 'accountid',
  contact: 'contactid',
  product: 'productid',
  salesorder: 'salesorderid',
};

/** Part of each Regarding lookup's SchemaName (and so of its default navigation property). */
const SCHEMA_PARTS: Readonly<Record<SyncedTable, string>> = {
  account: 'Account',
  contact: 'Contact',
  product: 'Product',
  salesorder: 'SalesOrder',
};

/** Synced tables whose rows Dataverse can merge (account and contact; product and salesorder cannot be). */
const MERGEABLE_TABLES: ReadonlySet<SyncedTable> = new Set(['account', 'contact']);

const TABLE_LABELS: Readonly<Record<SyncedTable, string>> = {
  account: 'Account',
  contact: 'Contact',
  product: 'Product',
  salesorder: 'Order',
};

export interface IntegrationLogNames {
  readonly prefix: string;
  readonly table: string;
  readonly tableSchema: string;
  /** Entity set Dataverse derives from the logical name (confirm with EntitySetName when it exists). */
  readonly entitySet: string;
  readonly columns: {
    readonly name: string;
    readonly event: string;
    readonly status: string;
    readonly message: string;
    readonly tableName: string;
    readonly recordId: string;
    readonly xeroId: string;
    readonly correlationId: string;
  };
  /** Lookup column logical names on the log table, per synced table. */
  readonly regarding: Readonly<Record<SyncedTable, string>>;
  /**
   * Default navigation property of each Regarding lookup: for a custom lookup it is the lookup's SchemaName. Check
   * $metadata when the table was made by hand; the sink lets you override these.
   */
  readonly regardingNavigation: Readonly<Record<SyncedTable, string>>;
  /** Optional columns on the synced tables themselves. */
  readonly record: {
    readonly xeroId: string;
    readonly xeroLink: string;
    readonly lastSyncStatus: string;
    readonly lastSyncMessage: string;
    /** Yes/No on salesorder: the seed's "Sync to Xero" switch, for a `column` sync condition. */
    readonly syncToXero: string;
  };
}

export function integrationLogNames(prefix: string = DEFAULT_PUBLISHER_PREFIX): IntegrationLogNames {
  const p = prefix.trim().toLowerCase();
  if (!/^[a-z][a-z0-9]{1,7}$/.test(p) || p.startsWith('mscrm')) {
    throw new ValidationError(
      `publisher prefix "${prefix.slice(0, 20)}" is invalid: 2–8 letters or digits, starting with a letter, not mscrm`,
      ['prefix']
    );
  }
  const regardingSchema = (table: SyncedTable): string => `${p}_Regarding${SCHEMA_PARTS[table]}Id`;
  const perTable = <T>(make: (table: SyncedTable) => T): Record<SyncedTable, T> =>
    Object.fromEntries(SYNCED_TABLES.map((table) => [table, make(table)])) as Record<SyncedTable, T>;
  return {
    prefix: p,
    table: `${p}_integrationlog`,
    tableSchema: `${p}_IntegrationLog`,
    entitySet: `${p}_integrationlogs`,
    columns: {
      name: `${p}_name`,
      event: `${p}_event`,
      status: `${p}_status`,
      message: `${p}_message`,
      tableName: `${p}_tablename`,
      recordId: `${p}_recordid`,
      xeroId: `${p}_xeroid`,
      correlationId: `${p}_correlationid`,
    },
    regarding: perTable((table) => regardingSchema(table).toLowerCase()),
    regardingNavigation: perTable(regardingSchema),
    record: {
      xeroId: `${p}_xeroid`,
      xeroLink: `${p}_xerolink`,
      lastSyncStatus: `${p}_lastsyncstatus`,
      lastSyncMessage: `${p}_lastsyncmessage`,
      syncToXero: `${p}_synctoxero`,
    },
  };
}

export type MetadataTarget =
  | { readonly kind: 'entity' }
  | { readonly kind: 'attribute'; readonly entity: string }
  | { readonly kind: 'relationship' };

export interface SchemaAction {
  readonly op: 'create' | 'unchanged';
  /** Table the item belongs to, and the logical name of the item (table, column or lookup). */
  readonly table: string;
  readonly name: string;
  readonly label: string;
  readonly target: MetadataTarget;
  /** The metadata body to POST (absent when unchanged). */
  readonly body?: Readonly<Record<string, unknown>>;
}

export interface SchemaPlan {
  readonly names: IntegrationLogNames;
  readonly actions: readonly SchemaAction[];
  /** Reasons the plan cannot be applied (a synced table the org does not have). */
  readonly problems: readonly string[];
}

/** What exists: the log table (null when missing) and the attribute logical names of each table that was read. */
export interface SchemaState {
  readonly logTable: { readonly entitySetName?: string } | null;
  readonly attributes: Readonly<Record<string, readonly string[]>>;
  /** Synced tables the org does not have (no Dynamics 365 Sales, or no read access to their metadata). */
  readonly missingTables?: readonly string[];
}

export interface SchemaSettings {
  readonly prefix?: string;
  /** Add the optional Xero columns to these synced tables (default: all four). */
  readonly recordColumnTables?: readonly SyncedTable[];
}

export function planIntegrationSchema(settings: SchemaSettings, state: SchemaState): SchemaPlan {
  const names = integrationLogNames(settings.prefix);
  const actions: SchemaAction[] = [];
  const has = (table: string, column: string): boolean =>
    (state.attributes[table] ?? []).some((name) => name.toLowerCase() === column);
  const add = (exists: boolean, action: Omit<SchemaAction, 'op' | 'body'>, body: Record<string, unknown>): void => {
    actions.push(exists ? { ...action, op: 'unchanged' } : { ...action, op: 'create', body });
  };

  const tableExists = state.logTable !== null;
  add(
    tableExists,
    { table: names.table, name: names.table, label: `table ${names.table}`, target: { kind: 'entity' } },
    logTableBody(names)
  );
  const column = (logicalName: string, body: Record<string, unknown>): void =>
    add(
      tableExists && has(names.table, logicalName),
      {
        table: names.table,
        name: logicalName,
        label: `column ${names.table}.${logicalName}`,
        target: { kind: 'attribute', entity: names.table },
      },
      body
    );
  const c = names.columns;
  column(c.event, stringColumn(c.event, 'Event', 'Create, Update or Delete in Dataverse.', 20));
  column(c.status, statusColumn(c.status, 'Status', 'Outcome of the sync attempt.'));
  column(c.message, memoColumn(c.message, 'Message', 'What happened, or why it failed.', 4000));
  column(c.tableName, stringColumn(c.tableName, 'Table Name', 'Logical name of the synced table.', 100));
  column(c.recordId, stringColumn(c.recordId, 'Record Id', 'GUID of the synced Dataverse record.', 100));
  column(c.xeroId, stringColumn(c.xeroId, 'Xero Id', 'Id of the Xero contact, item or invoice.', 100));
  column(c.correlationId, stringColumn(c.correlationId, 'Correlation Id', 'Dataverse correlation id.', 100));

  for (const table of SYNCED_TABLES) {
    const lookup = names.regarding[table];
    add(
      tableExists && has(names.table, lookup),
      {
        table: names.table,
        name: lookup,
        label: `lookup ${names.table}.${lookup} → ${table}`,
        target: { kind: 'relationship' },
      },
      regardingRelationshipBody(names, table)
    );
  }

  const r = names.record;
  for (const table of settings.recordColumnTables ?? SYNCED_TABLES) {
    const recordColumn = (logicalName: string, body: Record<string, unknown>): void =>
      add(
        has(table, logicalName),
        {
          table,
          name: logicalName,
          label: `column ${table}.${logicalName}`,
          target: { kind: 'attribute', entity: table },
        },
        body
      );
    recordColumn(r.xeroId, stringColumn(r.xeroId, 'Xero Id', 'Id of the matching Xero record.', 100));
    recordColumn(r.xeroLink, stringColumn(r.xeroLink, 'Xero Link', 'Opens the record in Xero.', 500, 'Url'));
    recordColumn(r.lastSyncStatus, statusColumn(r.lastSyncStatus, 'Last Sync Status', 'Last sync to Xero.'));
    recordColumn(
      r.lastSyncMessage,
      memoColumn(r.lastSyncMessage, 'Last Sync Message', 'Last sync message from the connector.', 2000)
    );
  }
  // Xero → Dynamics write-back columns on the sales order (invoice number, status, amounts, paid date, link).
  const writeback = resolveWritebackColumns({}, `${names.prefix}_`);
  const wantsOrderColumns = (settings.recordColumnTables ?? SYNCED_TABLES).includes('salesorder');
  const orderColumn = (logicalName: string, body: Record<string, unknown>): void => {
    if (!wantsOrderColumns) return;
    add(
      has('salesorder', logicalName),
      {
        table: 'salesorder',
        name: logicalName,
        label: `column salesorder.${logicalName}`,
        target: { kind: 'attribute', entity: 'salesorder' },
      },
      body
    );
  };
  orderColumn(
    writeback.invoiceNumber,
    stringColumn(writeback.invoiceNumber, 'Xero Invoice Number', 'Number of the Xero invoice.', 255)
  );
  orderColumn(
    writeback.status,
    stringColumn(writeback.status, 'Xero Invoice Status', 'Status of the Xero invoice.', 20)
  );
  orderColumn(
    writeback.amountDue,
    moneyColumn(writeback.amountDue, 'Xero Amount Due', 'Amount still due on the Xero invoice.')
  );
  orderColumn(
    writeback.amountPaid,
    moneyColumn(writeback.amountPaid, 'Xero Amount Paid', 'Amount paid on the Xero invoice.')
  );
  orderColumn(
    writeback.fullyPaidOn,
    dateOnlyColumn(writeback.fullyPaidOn, 'Xero Fully Paid On', 'When the Xero invoice was paid in full.')
  );
  orderColumn(
    writeback.invoiceUrl,
    stringColumn(writeback.invoiceUrl, 'Xero Invoice URL', 'Opens the invoice in Xero.', 500, 'Url')
  );

  // "Sync to Xero" (default No): the seed connector sent only orders marked Yes; see core/sync/sync-condition.ts.
  orderColumn(
    r.syncToXero,
    booleanColumn(r.syncToXero, 'Sync to Xero', 'When Yes, the connector sends this order to Xero.')
  );

  const missing = new Set(state.missingTables ?? []);
  const problems = SYNCED_TABLES.filter((table) => missing.has(table)).map(
    (table) => `table ${table} does not exist in this environment (is Dynamics 365 Sales installed?)`
  );
  return { names, actions, problems };
}

export function describeSchemaPlan(plan: SchemaPlan): string[] {
  return [
    ...plan.actions.map((action) => `${action.op.padEnd(9)} ${action.label}`),
    ...plan.problems.map((problem) => `problem   ${problem}`),
  ];
}

export function label(text: string): Record<string, unknown> {
  return {
    '@odata.type': 'Microsoft.Dynamics.CRM.Label',
    LocalizedLabels: [
      { '@odata.type': 'Microsoft.Dynamics.CRM.LocalizedLabel', Label: text, LanguageCode: LANGUAGE_CODE_ENGLISH },
    ],
  };
}

const notRequired = {
  Value: 'None',
  CanBeChanged: true,
  ManagedPropertyLogicalName: 'canmodifyrequirementlevelsettings',
};

/** SchemaName from a logical name: the prefix stays lower case, the rest is as given (Dataverse lower-cases it). */
function schemaNameOf(logicalName: string, displayName: string): string {
  const [prefix] = logicalName.split('_');
  return `${prefix}_${displayName.replace(/[^A-Za-z0-9]/g, '')}`;
}

function stringColumn(
  logicalName: string,
  displayName: string,
  description: string,
  maxLength: number,
  format: 'Text' | 'Url' = 'Text'
): Record<string, unknown> {
  return {
    '@odata.type': 'Microsoft.Dynamics.CRM.StringAttributeMetadata',
    SchemaName: schemaNameOf(logicalName, displayName),
    AttributeType: 'String',
    AttributeTypeName: { Value: 'StringType' },
    MaxLength: maxLength,
    FormatName: { Value: format },
    RequiredLevel: notRequired,
    DisplayName: label(displayName),
    Description: label(description),
  };
}

/**
 * A Yes/No column, shaped like Microsoft's "Create a boolean column" example (learn.microsoft.com/power-apps/
 * developer/data-platform/webapi/create-update-column-definitions-using-web-api): a BooleanOptionSetMetadata with
 * TrueOption 1 and FalseOption 0, each labelled.
 */
function booleanColumn(logicalName: string, displayName: string, description: string): Record<string, unknown> {
  return {
    '@odata.type': 'Microsoft.Dynamics.CRM.BooleanAttributeMetadata',
    SchemaName: schemaNameOf(logicalName, displayName),
    AttributeType: 'Boolean',
    AttributeTypeName: { Value: 'BooleanType' },
    DefaultValue: false,
    OptionSet: {
      '@odata.type': 'Microsoft.Dynamics.CRM.BooleanOptionSetMetadata',
      TrueOption: { Value: 1, Label: label('Yes') },
      FalseOption: { Value: 0, Label: label('No') },
      OptionSetType: 'Boolean',
    },
    RequiredLevel: notRequired,
    DisplayName: label(displayName),
    Description: label(description),
  };
}

function moneyColumn(logicalName: string, displayName: string, description: string): Record<string, unknown> {
  return {
    '@odata.type': 'Microsoft.Dynamics.CRM.MoneyAttributeMetadata',
    SchemaName: schemaNameOf(logicalName, displayName),
    AttributeType: 'Money',
    AttributeTypeName: { Value: 'MoneyType' },
    // 2 = the currency's precision, as Dataverse's own amount columns use.
    PrecisionSource: 2,
    MinValue: -922337203685477,
    MaxValue: 922337203685477,
    RequiredLevel: notRequired,
    DisplayName: label(displayName),
    Description: label(description),
  };
}

function dateOnlyColumn(logicalName: string, displayName: string, description: string): Record<string, unknown> {
  return {
    '@odata.type': 'Microsoft.Dynamics.CRM.DateTimeAttributeMetadata',
    SchemaName: schemaNameOf(logicalName, displayName),
    AttributeType: 'DateTime',
    AttributeTypeName: { Value: 'DateTimeType' },
    Format: 'DateOnly',
    DateTimeBehavior: { Value: 'DateOnly' },
    RequiredLevel: notRequired,
    DisplayName: label(displayName),
    Description: label(description),
  };
}

function memoColumn(
  logicalName: string,
  displayName: string,
  description: string,
  maxLength: number
): Record<string, unknown> {
  return {
    '@odata.type': 'Microsoft.Dynamics.CRM.MemoAttributeMetadata',
    SchemaName: schemaNameOf(logicalName, displayName),
    AttributeType: 'Memo',
    AttributeTypeName: { Value: 'MemoType' },
    Format: 'TextArea',
    ImeMode: 'Disabled',
    MaxLength: maxLength,
    RequiredLevel: notRequired,
    DisplayName: label(displayName),
    Description: label(description),
  };
}

function statusColumn(logicalName: string, displayName: string, description: string): Record<string, unknown> {
  return {
    '@odata.type': 'Microsoft.Dynamics.CRM.PicklistAttributeMetadata',
    SchemaName: schemaNameOf(logicalName, displayName),
    AttributeType: 'Picklist',
    AttributeTypeName: { Value: 'PicklistType' },
    RequiredLevel: notRequired,
    DisplayName: label(displayName),
    Description: label(description),
    OptionSet: {
      '@odata.type': 'Microsoft.Dynamics.CRM.OptionSetMetadata',
      IsGlobal: false,
      OptionSetType: 'Picklist',
      Options: Object.values(SYNC_STATUS_OPTIONS).map((option) => ({
        Value: option.value,
        Label: label(option.label),
      })),
    },
  };
}

function logTableBody(names: IntegrationLogNames): Record<string, unknown> {
  return {
    '@odata.type': 'Microsoft.Dynamics.CRM.EntityMetadata',
    SchemaName: names.tableSchema,
    DisplayName: label('Xero Integration Log'),
    DisplayCollectionName: label('Xero Integration Logs'),
    Description: label('One row per attempt of the Dynamics 365 → Xero connector to sync a record.'),
    // Organisation-owned: log rows belong to no user and need no sharing.
    OwnershipType: 'OrganizationOwned',
    IsActivity: false,
    HasActivities: false,
    HasNotes: false,
    // Microsoft's metadata sample lists it as required: the logical name of the primary name column below.
    PrimaryNameAttribute: names.columns.name,
    Attributes: [
      {
        ...stringColumn(names.columns.name, 'Name', 'Summary of the sync attempt.', 200),
        IsPrimaryName: true,
      },
    ],
  };
}

function regardingRelationshipBody(names: IntegrationLogNames, table: SyncedTable): Record<string, unknown> {
  const lookupSchema = names.regardingNavigation[table];
  const display = `Regarding ${TABLE_LABELS[table]}`;
  return {
    '@odata.type': 'Microsoft.Dynamics.CRM.OneToManyRelationshipMetadata',
    SchemaName: `${names.prefix}_${table}_${names.table}_regarding`,
    ReferencedEntity: table,
    ReferencedAttribute: PRIMARY_KEYS[table],
    ReferencingEntity: names.table,
    // Pinned rather than left to Dataverse's default, so the log-row writer's `<navigation>@odata.bind` (case
    // sensitive) is known without reading $metadata.
    ReferencingEntityNavigationPropertyName: lookupSchema,
    AssociatedMenuConfiguration: {
      Behavior: 'UseLabel',
      Group: 'Details',
      Label: label('Xero Integration Log'),
      Order: 10000,
    },
    // Deleting the synced record keeps its log rows (the lookup is cleared): the history outlives the record.
    CascadeConfiguration: {
      Assign: 'NoCascade',
      Delete: 'RemoveLink',
      // Accounts and contacts can be merged, and then Cascade is the only valid Merge option (the log rows follow
      // the surviving record); for the other tables Microsoft says to use NoCascade.
      Merge: MERGEABLE_TABLES.has(table) ? 'Cascade' : 'NoCascade',
      Reparent: 'NoCascade',
      Share: 'NoCascade',
      Unshare: 'NoCascade',
    },
    Lookup: {
      '@odata.type': 'Microsoft.Dynamics.CRM.LookupAttributeMetadata',
      SchemaName: lookupSchema,
      AttributeType: 'Lookup',
      AttributeTypeName: { Value: 'LookupType' },
      RequiredLevel: notRequired,
      DisplayName: label(display),
      Description: label(`The ${TABLE_LABELS[table].toLowerCase()} this log row is about.`),
    },
  };
}
