/**
 * Writes to the Dataverse Web API (dynamics-web-api 2.5.0) for the connector's own needs: integration-log rows, the
 * Xero write-back onto synced records, and lookups the Xero → Dynamics write-back needs. Also home of the session
 * (client + bounded retries honouring Retry-After, same policy as the reader) that the admin client shares.
 */
import { DynamicsWebApi } from 'dynamics-web-api';
import { PermanentError, RateLimitedError, ValidationError } from '../../core/errors';
import type { Logger } from '../../core/ports';
import { DATAVERSE_NOT_FOUND, normaliseDataverseUrl, retryDataverseCall } from './dataverse-error-policy';
import type { DataverseEnvironment, DataverseTokenSource } from './dataverse-token-source';
import { dataverseConnectionFromEnv } from './dataverse-token-source';

export interface DataverseSessionOptions {
  /** Environment URL, e.g. https://contoso.crm.dynamics.com (DATAVERSE_URL). */
  readonly serverUrl: string;
  readonly tokenSource: DataverseTokenSource;
  /** Per-request timeout. */
  readonly timeoutMs?: number;
  /** Attempts per call, first included. */
  readonly maxAttempts?: number;
  /** The longest Retry-After waited in-process; longer waits surface as RateLimitedError. */
  readonly maxRetryDelayMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly logger?: Logger;
}

const SESSION_DEFAULTS = { timeoutMs: 15_000, maxAttempts: 3, maxRetryDelayMs: 10_000 };
/** Failures where the request certainly never reached Dataverse's business logic: safe to repeat a create. */
const NOT_PROCESSED_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

export interface CallOptions {
  /**
   * false for a POST that creates: a timeout or 5xx may have created the row already, so only a 429 or a refused
   * connection is retried.
   */
  readonly idempotent?: boolean;
  /** What a 404 means: 'null' (the default) resolves null; 'fail' throws — for writes whose target must exist. */
  readonly notFound?: 'null' | 'fail';
}

/** One Web API client and the retry policy around every call. */
export class DataverseSession {
  readonly api: DynamicsWebApi;
  /** <server>/api/data/v9.2/ — where every nextLink must point (the bearer token never follows one elsewhere). */
  readonly apiBase: string;
  readonly timeoutMs: number;
  private readonly maxAttempts: number;
  private readonly maxRetryDelayMs: number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly options: DataverseSessionOptions) {
    const serverUrl = normaliseDataverseUrl(options.serverUrl);
    this.timeoutMs = options.timeoutMs ?? SESSION_DEFAULTS.timeoutMs;
    this.maxAttempts = Math.max(1, options.maxAttempts ?? SESSION_DEFAULTS.maxAttempts);
    this.maxRetryDelayMs = options.maxRetryDelayMs ?? SESSION_DEFAULTS.maxRetryDelayMs;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.apiBase = new URL('api/data/v9.2/', `${serverUrl}/`).toString();
    this.api = new DynamicsWebApi({
      serverUrl,
      dataApi: { version: '9.2' },
      onTokenRefresh: () => options.tokenSource(),
      timeout: this.timeoutMs,
      propagateErrors: true,
    });
  }

  /** Runs one call with bounded retries; resolves null when Dataverse answers 404. */
  async call<T>(what: string, run: () => Promise<T>, callOptions: CallOptions = {}): Promise<T | null> {
    const idempotent = callOptions.idempotent ?? true;
    const result = await retryDataverseCall(what, run, {
      maxAttempts: this.maxAttempts,
      maxRetryDelayMs: this.maxRetryDelayMs,
      sleep: this.sleep,
      logger: this.options.logger,
      // A create that may have happened must not be repeated: only when Dataverse surely never processed it.
      safeToRepeat: (error, outcome) =>
        idempotent || outcome.error instanceof RateLimitedError || neverProcessed(error),
    });
    if (result !== DATAVERSE_NOT_FOUND) return result;
    if (callOptions.notFound !== 'fail') return null;
    throw new PermanentError(`Dataverse ${what}: not found (404)`, 'DATAVERSE_NOT_FOUND');
  }
}

/** Throws unless a nextLink stays inside the configured environment's Web API. */
export function assertOwnLink(session: Pick<DataverseSession, 'apiBase'>, link: string): void {
  if (!link.startsWith(session.apiBase)) {
    throw new PermanentError('Dataverse returned a nextLink outside the configured environment', 'DATAVERSE_SHAPE');
  }
}

function neverProcessed(error: unknown): boolean {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' && NOT_PROCESSED_CODES.has(code);
}

/** Entity sets of the tables the connector writes by logical name; anything else is taken as an entity set. */
const ENTITY_SETS: Readonly<Record<string, string>> = {
  account: 'accounts',
  contact: 'contacts',
  product: 'products',
  salesorder: 'salesorders',
  salesorderdetail: 'salesorderdetails',
  invoice: 'invoices',
};

export class DataverseWriter {
  constructor(private readonly session: DataverseSession) {}

  /**
   * Updates columns of an existing record: PATCH with `If-Match: *`, so a record deleted meanwhile is never
   * re-created. Resolves false when the record does not exist.
   */
  async updateRecord(table: string, id: string, fields: Readonly<Record<string, unknown>>): Promise<boolean> {
    const collection = entitySetFor(table);
    const key = guidKey(id);
    const result = await this.session.call(`update ${collection} ${key}`, () =>
      this.session.api
        .update({ collection, key, data: { ...fields }, ifmatch: '*' })
        .then(() => true as const)
        // 412: If-Match * matched no row — the record is gone, like a 404.
        .catch((error: unknown) => {
          if ((error as { status?: unknown } | null)?.status === 412) return null;
          throw error;
        })
    );
    return result !== null;
  }

  /** Creates a row and returns its id. Not retried after an uncertain outcome (it could create a duplicate). */
  async createRecord(collection: string, data: Readonly<Record<string, unknown>>): Promise<string> {
    const id = await this.session.call(
      `create ${collection}`,
      () => this.session.api.create<Record<string, unknown>, unknown>({ collection, data: { ...data } }),
      { idempotent: false, notFound: 'fail' }
    );
    if (typeof id !== 'string' || !id) {
      throw new PermanentError(`Dataverse create ${collection}: no id returned`, 'DATAVERSE_SHAPE');
    }
    return id.toLowerCase();
  }

  /** The salesorderid of the order with this number, or null. Two orders with one number is an error. */
  async findSalesOrderIdByNumber(ordernumber: string): Promise<string | null> {
    const number = ordernumber.trim();
    if (!number) throw new ValidationError('findSalesOrderIdByNumber: the order number is empty');
    const page = await this.session.call(`find salesorder by number`, () =>
      this.session.api.retrieveMultiple<{ salesorderid?: unknown }>({
        collection: 'salesorders',
        select: ['salesorderid'],
        filter: `ordernumber eq ${odataString(number)}`,
        top: 2,
      })
    );
    const ids = (page?.value ?? []).map((row) => row.salesorderid).filter((id): id is string => typeof id === 'string');
    if (ids.length > 1) {
      throw new PermanentError(`more than one Dataverse order has number ${number.slice(0, 100)}`, 'AMBIGUOUS_ORDER');
    }
    return ids[0]?.toLowerCase() ?? null;
  }
}

export type { DataverseEnvironment };

/**
 * A session from the contract's environment variables, with the same rules as the reader: DATAVERSE_ACCESS_TOKEN
 * wins over client credentials; a ValidationError names every missing variable (never a value).
 */
export function createDataverseSessionFromEnv(
  env: DataverseEnvironment,
  options: Omit<DataverseSessionOptions, 'serverUrl' | 'tokenSource'> = {}
): DataverseSession {
  return new DataverseSession({ ...options, ...dataverseConnectionFromEnv(env) });
}

/** https only, except a loopback address (local sandbox and tests); the origin, without path. */
export { normaliseDataverseUrl };

export function entitySetFor(table: string): string {
  const name = table.trim();
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new ValidationError(`not a Dataverse table: ${name.slice(0, 60)}`);
  return ENTITY_SETS[name] ?? name;
}

export function guidKey(id: string): string {
  const key = id
    .trim()
    .toLowerCase()
    .replace(/^\{|\}$/g, '');
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(key)) {
    throw new ValidationError(`not a Dataverse record id: ${id.slice(0, 60)}`);
  }
  return key;
}

/** An OData string literal: single quotes doubled. */
export function odataString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}
