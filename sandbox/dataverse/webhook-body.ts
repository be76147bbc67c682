/**
 * Builds the JSON a Dataverse webhook step (async, post-operation) POSTs: a serialised RemoteExecutionContext with
 * dictionaries as `{key, value}` arrays, typed values wrapped with `__type`, WCF `/Date(ms)/` dates, an Entity
 * Target on Create/Update and an EntityReference Target on Delete. Used by the demo and by tests of the ingest side.
 */
import { randomUUID } from 'node:crypto';
import { TABLES, isTableName } from './tables';

const CONTRACTS = 'http://schemas.microsoft.com/xrm/2011/Contracts';

export type WebhookMessage = 'Create' | 'Update' | 'Delete';

export interface RemoteExecutionContextInput {
  readonly table: string;
  readonly id: string;
  readonly message: WebhookMessage;
  readonly organizationId: string;
  readonly organizationName: string;
  readonly userId: string;
  /** Columns written (Update: only these travel in the Target, as in Dataverse). Values may use the helpers below. */
  readonly changed?: Readonly<Record<string, unknown>>;
  /** For salesorderdetail: the order it belongs to (a salesorderid EntityReference on the Target, or pre-image on Delete). */
  readonly parentOrderId?: string;
  readonly when?: Date;
  readonly correlationId?: string;
  readonly operationId?: string;
  readonly businessUnitId?: string;
  readonly stepId?: string;
}

export type KeyValue = { readonly key: string; readonly value: unknown };

/** Typed-value helpers (plain numbers/strings/booleans/GUIDs travel bare, as Dataverse sends them). */
export function money(value: number): { __type: string; Value: number } {
  return { __type: `Money:${CONTRACTS}`, Value: value };
}
export function optionSet(value: number): { __type: string; Value: number } {
  return { __type: `OptionSetValue:${CONTRACTS}`, Value: value };
}
export function entityReference(table: string, id: string, name: string | null = null): Record<string, unknown> {
  return {
    __type: `EntityReference:${CONTRACTS}`,
    Id: id,
    KeyAttributes: [],
    LogicalName: table,
    Name: name,
    RowVersion: null,
  };
}
export function wcfDate(when: Date): string {
  return `/Date(${when.getTime()})/`;
}

const OPTION_SET_COLUMNS = ['statecode', 'statuscode', 'producttypecode', 'customertypecode', 'paymenttermscode'];

/** Converts convenient values: Date → /Date()/, money columns → Money, choices → OptionSetValue, {table,id} → reference. */
function wireValue(table: string, column: string, value: unknown): unknown {
  if (value instanceof Date) return wcfDate(value);
  if (typeof value === 'number' && isTableName(table) && TABLES[table].money.includes(column)) return money(value);
  if (typeof value === 'number' && OPTION_SET_COLUMNS.includes(column)) return optionSet(value);
  if (typeof value === 'object' && value !== null && !('__type' in value)) {
    const ref = value as { table?: unknown; id?: unknown; name?: unknown };
    if (typeof ref.table === 'string' && typeof ref.id === 'string') {
      return entityReference(ref.table, ref.id, typeof ref.name === 'string' ? ref.name : null);
    }
  }
  return value;
}

function entity(table: string, id: string, attributes: KeyValue[], withType: boolean): Record<string, unknown> {
  return {
    ...(withType ? { __type: `Entity:${CONTRACTS}` } : {}),
    Attributes: attributes,
    EntityState: null,
    FormattedValues: [],
    Id: id,
    KeyAttributes: [],
    LogicalName: table,
    RelatedEntities: [],
    RowVersion: null,
  };
}

export function buildRemoteExecutionContext(input: RemoteExecutionContextInput): Record<string, unknown> {
  const when = input.when ?? new Date();
  const correlationId = input.correlationId ?? randomUUID();
  const businessUnitId = input.businessUnitId ?? randomUUID();
  const keyColumn = isTableName(input.table) ? TABLES[input.table].key : `${input.table}id`;
  const userRef = entityReference('systemuser', input.userId);
  const parentRef =
    input.table === 'salesorderdetail' && input.parentOrderId
      ? entityReference('salesorder', input.parentOrderId)
      : undefined;

  let target: unknown;
  const attributes: KeyValue[] = [];
  if (input.message === 'Delete') {
    target = entityReference(input.table, input.id);
  } else {
    for (const [column, value] of Object.entries(input.changed ?? {})) {
      attributes.push({ key: column, value: wireValue(input.table, column, value) });
    }
    if (parentRef && !attributes.some((a) => a.key === 'salesorderid'))
      attributes.push({ key: 'salesorderid', value: parentRef });
    attributes.push({ key: keyColumn, value: input.id });
    if (input.message === 'Create') {
      attributes.push({ key: 'createdon', value: wcfDate(when) }, { key: 'createdby', value: userRef });
    }
    attributes.push({ key: 'modifiedon', value: wcfDate(when) }, { key: 'modifiedby', value: userRef });
    attributes.push({ key: 'modifiedonbehalfby', value: null });
    target = entity(input.table, input.id, attributes, true);
  }

  const primaryName = isTableName(input.table) ? TABLES[input.table].primaryName : 'name';
  const nameValue = input.changed?.[primaryName];
  const postImages: KeyValue[] =
    input.message === 'Delete'
      ? []
      : [
          {
            key: 'AsynchronousStepPrimaryName',
            value: entity(
              input.table,
              input.id,
              typeof nameValue === 'string' ? [{ key: primaryName, value: nameValue }] : [],
              false
            ),
          },
        ];
  const preImages: KeyValue[] =
    input.message === 'Delete' && parentRef
      ? [{ key: 'PreImage', value: entity(input.table, input.id, [{ key: 'salesorderid', value: parentRef }], false) }]
      : [];
  const inputParameters: KeyValue[] = [{ key: 'Target', value: target }];
  const common = {
    BusinessUnitId: businessUnitId,
    CorrelationId: correlationId,
    Depth: 1,
    InitiatingUserAzureActiveDirectoryObjectId: '00000000-0000-0000-0000-000000000000',
    InitiatingUserId: input.userId,
    InputParameters: inputParameters,
    IsExecutingOffline: false,
    IsInTransaction: false,
    IsOfflinePlayback: false,
    IsolationMode: 1,
    MessageName: input.message,
    Mode: 1,
    OperationCreatedOn: wcfDate(when),
    OperationId: input.operationId ?? randomUUID(),
    OrganizationId: input.organizationId,
    OrganizationName: input.organizationName,
    OutputParameters: input.message === 'Create' ? [{ key: 'id', value: input.id }] : [],
    OwningExtension: {
      Id: input.stepId ?? randomUUID(),
      KeyAttributes: [],
      LogicalName: 'sdkmessageprocessingstep',
      Name: null,
      RowVersion: null,
    },
    PrimaryEntityId: input.id,
    PrimaryEntityName: input.table,
    RequestId: randomUUID(),
    SecondaryEntityName: 'none',
    SharedVariables: [{ key: 'IsAutoTransact', value: true }],
    UserAzureActiveDirectoryObjectId: '00000000-0000-0000-0000-000000000000',
    UserId: input.userId,
  };
  return {
    ...common,
    ParentContext: {
      ...common,
      OutputParameters: [],
      ParentContext: null,
      PostEntityImages: [],
      PreEntityImages: [],
      Stage: 30,
    },
    PostEntityImages: postImages,
    PreEntityImages: preImages,
    Stage: 40,
  };
}

export interface WebhookHeadersInput {
  readonly table: string;
  readonly message: WebhookMessage;
  /** Domain name of the environment, e.g. contoso.crm.dynamics.com (or 127.0.0.1:PORT for the sandbox). */
  readonly organization: string;
  readonly correlationId?: string;
}

/** The headers Dataverse adds to a webhook POST (auth headers/query are the caller's business). */
export function webhookHeaders(input: WebhookHeadersInput): Record<string, string> {
  return {
    'content-type': 'application/json',
    'x-ms-dynamics-organization': input.organization,
    'x-ms-dynamics-entity-name': input.table,
    'x-ms-dynamics-request-name': input.message,
    'x-ms-correlation-request-id': input.correlationId ?? randomUUID(),
  };
}

/** Body and headers of one delivery, with the correlation id shared between them. */
export function buildWebhookDelivery(input: RemoteExecutionContextInput & { readonly organization: string }): {
  body: Record<string, unknown>;
  headers: Record<string, string>;
} {
  const correlationId = input.correlationId ?? randomUUID();
  return {
    body: buildRemoteExecutionContext({ ...input, correlationId }),
    headers: webhookHeaders({
      table: input.table,
      message: input.message,
      organization: input.organization,
      correlationId,
    }),
  };
}
