/**
 * Webhook registration as data: the desired serviceendpoint, steps and images, diffed against what the org already
 * has, give a plan of create / update / delete / unchanged actions. The adapter only reads the current state and
 * sends the bodies built here, so re-running is idempotent and `--dry-run` can show exactly what would change.
 */
import { ValidationError } from '../errors';
import type { ChangeMessage } from '../model/change-event';
import type { WebhookTable } from './webhook-tables';
import { filteringAttributesOf, ORDER_IMAGE, WEBHOOK_MESSAGES, WEBHOOK_TABLES } from './webhook-tables';

export const DEFAULT_ENDPOINT_NAME = 'D365 to Xero connector';
export const WEBHOOK_PATH = '/webhooks/dataverse';
/** What a plan shows instead of the secret. */
export const REDACTED_KEY = '<webhook key>';

export const SERVICE_ENDPOINT = {
  contract: 8,
  authtypeWebhookKey: 4,
  authtypeHttpHeader: 5,
  messageformatJson: 2,
} as const;
/** The header an HttpHeader registration sends the key in (the connector's CONNECTOR_KEY_HEADER). */
export const WEBHOOK_KEY_HEADER = 'x-connector-key';

/**
 * The serviceendpoint `authvalue` of HttpHeader authentication (authtype 5): the headers to send, as the Plugin
 * Registration Tool writes them (`<settings><setting name=".." value=".." /></settings>`). Microsoft's reference
 * (https://learn.microsoft.com/power-apps/developer/data-platform/reference/entities/serviceendpoint) documents the
 * field but not this format; it is what the tool stores, so verify it once in a development org.
 */
export function httpHeaderAuthValue(key: string): string {
  const escape = (value: string) =>
    value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return `<settings><setting name="${WEBHOOK_KEY_HEADER}" value="${escape(key)}" /></settings>`;
}
export const STEP = { stagePostOperation: 40, modeAsynchronous: 1, rank: 1, serverOnly: 0 } as const;
export const IMAGE_TYPE = { pre: 0, post: 1 } as const;

export interface WebhookRegistrationSettings {
  /** Public base URL of the connector (https); the webhook is `<base>/webhooks/dataverse`. */
  readonly baseUrl: string;
  readonly webhookKey: string;
  readonly endpointName?: string;
  readonly tables?: readonly WebhookTable[];
  /** The key cannot be read back from Dataverse: set this to write it even when nothing else changed. */
  readonly rewriteKey?: boolean;
  /** Columns the sync conditions read, added to the Update steps' filtering attributes (core/sync/sync-condition). */
  readonly conditionColumns?: Partial<Record<WebhookTable, readonly string[]>>;
}

export interface ExistingEndpoint {
  readonly id: string;
  readonly name: string;
  readonly url?: string | null;
  readonly contract?: number | null;
  readonly authtype?: number | null;
  readonly messageformat?: number | null;
}

export interface ExistingStep {
  readonly id: string;
  readonly name: string;
  readonly stage?: number | null;
  readonly mode?: number | null;
  readonly rank?: number | null;
  readonly supporteddeployment?: number | null;
  readonly asyncautodelete?: boolean | null;
  readonly filteringattributes?: string | null;
  readonly sdkmessageid?: string | null;
  readonly sdkmessagefilterid?: string | null;
  /** 0 Enabled, 1 Disabled. */
  readonly statecode?: number | null;
}

export interface ExistingImage {
  readonly id: string;
  readonly stepId: string;
  readonly name?: string | null;
  readonly entityalias?: string | null;
  readonly imagetype?: number | null;
  readonly messagepropertyname?: string | null;
  readonly attributes?: string | null;
}

/** What the adapter found in the org. */
export interface WebhookRegistrationState {
  readonly endpoint: ExistingEndpoint | null;
  /** Steps whose event handler is the endpoint above. */
  readonly steps: readonly ExistingStep[];
  /** Images of those steps. */
  readonly images: readonly ExistingImage[];
  /** sdkmessage ids by message name. */
  readonly messageIds: Readonly<Partial<Record<ChangeMessage, string>>>;
  /** sdkmessagefilter ids keyed by `filterKey(table, message)`. */
  readonly filterIds: Readonly<Partial<Record<string, string>>>;
}

export type PlanOp = 'create' | 'update' | 'delete' | 'unchanged';
export type PlanRef = { readonly kind: 'endpoint' } | { readonly kind: 'step'; readonly key: string };

/** A lookup written as `<property>@odata.bind: /<collection>(<id>)`; the id may only be known once `ref` exists. */
export interface PlanBind {
  readonly property: string;
  readonly collection: string;
  readonly id?: string;
  readonly ref?: PlanRef;
}

export type WebhookCollection = 'serviceendpoints' | 'sdkmessageprocessingsteps' | 'sdkmessageprocessingstepimages';

export interface WebhookAction {
  readonly op: PlanOp;
  readonly collection: WebhookCollection;
  /** Stable key inside a plan: `endpoint`, `step:<table>:<message>`, `image:<table>:<message>`, or the id. */
  readonly key: string;
  readonly label: string;
  readonly id?: string;
  readonly body?: Readonly<Record<string, unknown>>;
  readonly binds?: readonly PlanBind[];
  /** For updates: the fields that differ. */
  readonly changes?: readonly string[];
}

export interface WebhookPlan {
  readonly actions: readonly WebhookAction[];
  /** Reasons the plan cannot be applied (e.g. an SDK message filter the org does not have). */
  readonly problems: readonly string[];
}

export function filterKey(table: string, message: ChangeMessage): string {
  return `${table}:${message}`;
}

export function webhookUrl(baseUrl: string): string {
  let url: URL;
  try {
    url = new URL(baseUrl.trim());
  } catch {
    throw new ValidationError(`--url is not a URL: ${baseUrl.slice(0, 200)}`, ['url']);
  }
  if (url.protocol !== 'https:') {
    // Dataverse only calls ports 80/443 and a webhook key in a plain-http query string would travel in clear.
    throw new ValidationError('--url must be the public https base URL of the connector', ['url']);
  }
  if (url.search || url.hash) throw new ValidationError('--url must not carry a query string or fragment', ['url']);
  if (url.port && url.port !== '443') {
    throw new ValidationError('--url must use the default https port: Dataverse only calls ports 80 and 443', ['url']);
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}${WEBHOOK_PATH}`;
}

export function stepName(endpointName: string, table: string, message: ChangeMessage): string {
  return `${endpointName}: ${message} of ${table}`;
}

export function planWebhookRegistration(
  settings: WebhookRegistrationSettings,
  state: WebhookRegistrationState
): WebhookPlan {
  if (!settings.webhookKey.trim()) {
    throw new ValidationError('DATAVERSE_WEBHOOK_KEY is not set', ['DATAVERSE_WEBHOOK_KEY']);
  }
  const endpointName = settings.endpointName ?? DEFAULT_ENDPOINT_NAME;
  const tables = settings.tables ?? WEBHOOK_TABLES;
  assertNamesFit(endpointName, tables);
  const actions: WebhookAction[] = [planEndpoint(settings, endpointName, state.endpoint)];
  const problems: string[] = [];
  const endpointBind: PlanBind = state.endpoint
    ? { property: 'eventhandler_serviceendpoint', collection: 'serviceendpoints', id: state.endpoint.id }
    : { property: 'eventhandler_serviceendpoint', collection: 'serviceendpoints', ref: { kind: 'endpoint' } };

  const wantedStepIds = new Set<string>();
  for (const table of tables) {
    for (const message of WEBHOOK_MESSAGES) {
      const messageId = state.messageIds[message];
      const filterId = state.filterIds[filterKey(table, message)];
      if (!messageId) problems.push(`Dataverse has no SDK message "${message}"`);
      if (!filterId) problems.push(`Dataverse has no SDK message filter for ${message} of ${table}`);
      const name = stepName(endpointName, table, message);
      const existing = state.steps.find((step) => step.name === name);
      if (existing) wantedStepIds.add(existing.id);
      // Filtering attributes name a lookup by its logical name, not its Web API column (`_x_value`).
      const extra = (settings.conditionColumns?.[table] ?? []).map((c) => c.replace(/^_(.+)_value$/, '$1'));
      const step = planStep({ table, message, name, extra }, existing, endpointBind, messageId, filterId);
      actions.push(step);
      if (table === ORDER_IMAGE.table) actions.push(...planImages(table, message, step, existing, state.images));
    }
  }
  for (const step of state.steps) {
    if (wantedStepIds.has(step.id)) continue;
    actions.push({
      op: 'delete',
      collection: 'sdkmessageprocessingsteps',
      key: step.id,
      id: step.id,
      label: `step "${step.name}" (no longer wanted)`,
    });
  }
  return { actions, problems: [...new Set(problems)] };
}

/** serviceendpoint.name and sdkmessageprocessingstep.name are both at most 256 characters in Dataverse. */
export const MAX_NAME_LENGTH = 256;

function assertNamesFit(endpointName: string, tables: readonly WebhookTable[]): void {
  if (!endpointName.trim()) throw new ValidationError('--name must not be empty', ['name']);
  const longest = Math.max(
    endpointName.length,
    ...tables.flatMap((table) => WEBHOOK_MESSAGES.map((message) => stepName(endpointName, table, message).length))
  );
  if (longest > MAX_NAME_LENGTH) {
    throw new ValidationError(
      `--name is too long: the webhook and step names must stay within ${MAX_NAME_LENGTH} characters`,
      ['name']
    );
  }
}

/** Deleting a step deletes its images; the endpoint goes last so no step is left pointing at nothing. */
export function planWebhookRemoval(state: Pick<WebhookRegistrationState, 'endpoint' | 'steps'>): WebhookPlan {
  const actions: WebhookAction[] = state.steps.map((step) => ({
    op: 'delete',
    collection: 'sdkmessageprocessingsteps',
    key: step.id,
    id: step.id,
    label: `step "${step.name}"`,
  }));
  if (state.endpoint) {
    actions.push({
      op: 'delete',
      collection: 'serviceendpoints',
      key: 'endpoint',
      id: state.endpoint.id,
      label: `webhook "${state.endpoint.name}"`,
    });
  }
  return { actions, problems: [] };
}

function planEndpoint(
  settings: WebhookRegistrationSettings,
  name: string,
  existing: ExistingEndpoint | null
): WebhookAction {
  const desired = {
    name,
    url: webhookUrl(settings.baseUrl),
    contract: SERVICE_ENDPOINT.contract,
    // HttpHeader, not WebhookKey: a key in `?code=` ends up in URL-recording logs and traces on the way. An
    // existing WebhookKey endpoint is switched over on the next run (the connector accepts both meanwhile).
    authtype: SERVICE_ENDPOINT.authtypeHttpHeader,
    messageformat: SERVICE_ENDPOINT.messageformatJson,
  };
  const body = { ...desired, authvalue: httpHeaderAuthValue(settings.webhookKey) };
  const label = `webhook "${name}" → ${desired.url}`;
  const base = { collection: 'serviceendpoints', key: 'endpoint', label } as const;
  if (!existing) return { ...base, op: 'create', body };
  const changes = differences(desired, existing);
  if (settings.rewriteKey) changes.push('authvalue');
  // authvalue cannot be read back: it is rewritten with any update so the endpoint never keeps a stale key.
  return changes.length > 0
    ? { ...base, op: 'update', id: existing.id, body, changes }
    : { ...base, op: 'unchanged', id: existing.id };
}

function planStep(
  {
    table,
    message,
    name,
    extra,
  }: { table: WebhookTable; message: ChangeMessage; name: string; extra: readonly string[] },
  existing: ExistingStep | undefined,
  endpointBind: PlanBind,
  messageId: string | undefined,
  filterId: string | undefined
): WebhookAction {
  const desired = {
    name,
    description: `Sends ${message} of ${table} to the Dynamics 365 → Xero connector (asynchronous).`,
    stage: STEP.stagePostOperation,
    mode: STEP.modeAsynchronous,
    rank: STEP.rank,
    supporteddeployment: STEP.serverOnly,
    asyncautodelete: true,
    // Only Update has changed columns to filter on; Dataverse ignores the field for Create and Delete.
    filteringattributes: message === 'Update' ? filteringAttributesOf(table, extra) : null,
  };
  const binds: PlanBind[] = [
    endpointBind,
    { property: 'sdkmessageid', collection: 'sdkmessages', ...(messageId ? { id: messageId } : {}) },
    { property: 'sdkmessagefilterid', collection: 'sdkmessagefilters', ...(filterId ? { id: filterId } : {}) },
  ];
  const base = {
    collection: 'sdkmessageprocessingsteps',
    key: `step:${table}:${message}`,
    label: `step "${name}"`,
  } as const;
  if (!existing) return { ...base, op: 'create', body: desired, binds };
  const { description: _description, ...compared } = desired;
  const changes = differences(compared, existing);
  if (messageId && !sameId(existing.sdkmessageid, messageId)) changes.push('sdkmessageid');
  if (filterId && !sameId(existing.sdkmessagefilterid, filterId)) changes.push('sdkmessagefilterid');
  const disabled = existing.statecode === 1;
  if (disabled) changes.push('statecode');
  if (changes.length === 0) return { ...base, op: 'unchanged', id: existing.id };
  return {
    ...base,
    op: 'update',
    id: existing.id,
    body: { ...desired, ...(disabled ? { statecode: 0, statuscode: 1 } : {}) },
    binds: binds.slice(1),
    changes,
  };
}

function planImages(
  table: WebhookTable,
  message: ChangeMessage,
  step: WebhookAction,
  existingStep: ExistingStep | undefined,
  images: readonly ExistingImage[]
): WebhookAction[] {
  const desired = {
    name: ORDER_IMAGE.alias,
    entityalias: ORDER_IMAGE.alias,
    // A deleted line only has its state from before the operation; Create and Update have the state after it.
    imagetype: message === 'Delete' ? IMAGE_TYPE.pre : IMAGE_TYPE.post,
    // The message parameter holding the record: Create's is its new Id, Update's and Delete's the Target.
    messagepropertyname: message === 'Create' ? 'Id' : 'Target',
    attributes: ORDER_IMAGE.attributes,
  };
  const stepBind: PlanBind = existingStep
    ? { property: 'sdkmessageprocessingstepid', collection: 'sdkmessageprocessingsteps', id: existingStep.id }
    : {
        property: 'sdkmessageprocessingstepid',
        collection: 'sdkmessageprocessingsteps',
        ref: { kind: 'step', key: step.key },
      };
  const base = {
    collection: 'sdkmessageprocessingstepimages',
    key: `image:${table}:${message}`,
    label: `${desired.imagetype === IMAGE_TYPE.pre ? 'pre' : 'post'}-image "${desired.entityalias}" (${desired.attributes}) on ${message} of ${table}`,
  } as const;
  const ours = existingStep ? images.filter((image) => image.stepId === existingStep.id) : [];
  const match = ours.find((image) => image.entityalias === desired.entityalias);
  const actions: WebhookAction[] = ours
    .filter((image) => image !== match)
    .map((image) => ({
      op: 'delete' as const,
      collection: 'sdkmessageprocessingstepimages' as const,
      key: image.id,
      id: image.id,
      label: `image "${image.entityalias ?? image.name ?? image.id}" on ${message} of ${table} (not ours)`,
    }));
  if (!match) return [{ ...base, op: 'create', body: desired, binds: [stepBind] }, ...actions];
  const changes = differences(desired, match);
  return [
    changes.length === 0
      ? { ...base, op: 'unchanged', id: match.id }
      : { ...base, op: 'update', id: match.id, body: desired, changes },
    ...actions,
  ];
}

/** Fields of `desired` whose value differs in `existing` (null and absent are the same; lists compare as sets). */
function differences(desired: Readonly<Record<string, unknown>>, existing: object): string[] {
  const actual = existing as Readonly<Record<string, unknown>>;
  return Object.keys(desired).filter((field) => !sameValue(field, desired[field], actual[field]));
}

function sameValue(field: string, wanted: unknown, actual: unknown): boolean {
  if (field === 'filteringattributes' || field === 'attributes') return columnSet(wanted) === columnSet(actual);
  if (field === 'url' && typeof wanted === 'string' && typeof actual === 'string') {
    return wanted.replace(/\/+$/, '').toLowerCase() === actual.replace(/\/+$/, '').toLowerCase();
  }
  return (wanted ?? null) === (actual ?? null);
}

function columnSet(value: unknown): string {
  if (typeof value !== 'string') return '';
  return value
    .split(',')
    .map((column) => column.trim().toLowerCase())
    .filter(Boolean)
    .sort()
    .join(',');
}

function sameId(a: string | null | undefined, b: string): boolean {
  return (a ?? '').toLowerCase() === b.toLowerCase();
}

export interface ResolvedIds {
  readonly endpointId?: string;
  readonly stepIds: ReadonlyMap<string, string>;
}

/** The body to send for an action, with its lookups bound to ids (created earlier in the same apply, if need be). */
export function bodyToSend(action: WebhookAction, resolved: ResolvedIds): Record<string, unknown> {
  const body: Record<string, unknown> = { ...(action.body ?? {}) };
  for (const bind of action.binds ?? []) {
    const id =
      bind.id ??
      (bind.ref?.kind === 'endpoint'
        ? resolved.endpointId
        : bind.ref?.kind === 'step'
          ? resolved.stepIds.get(bind.ref.key)
          : undefined);
    if (!id) throw new ValidationError(`cannot send ${action.label}: ${bind.property} is not known yet`);
    body[`${bind.property}@odata.bind`] = `/${bind.collection}(${id})`;
  }
  return body;
}

/** Human-readable plan lines; the webhook key is never shown. */
export function describeWebhookPlan(plan: WebhookPlan): string[] {
  const lines = plan.actions.map((action) => {
    const changes = action.changes?.length ? ` [${action.changes.join(', ')}]` : '';
    return `${action.op.padEnd(9)} ${action.label}${changes}`;
  });
  for (const problem of plan.problems) lines.push(`problem   ${problem}`);
  return lines;
}

/** A body safe to print: the secret replaced by a placeholder. */
export function redactBody(body: Readonly<Record<string, unknown>> | undefined): Record<string, unknown> | undefined {
  if (!body) return undefined;
  return 'authvalue' in body ? { ...body, authvalue: REDACTED_KEY } : { ...body };
}

export function countByOp(
  plan: WebhookPlan | { readonly actions: readonly { readonly op: PlanOp }[] }
): Record<PlanOp, number> {
  const counts: Record<PlanOp, number> = { create: 0, update: 0, delete: 0, unchanged: 0 };
  for (const action of plan.actions) counts[action.op] += 1;
  return counts;
}
