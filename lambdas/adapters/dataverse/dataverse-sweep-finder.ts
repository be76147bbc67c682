/**
 * The sweep's query over the Dataverse Web API: records of a table modified at or after an instant, id and
 * modifiedon only, oldest first, paged.
 *
 * Query options per Microsoft's "Query data using the Web API" pages (learn.microsoft.com/power-apps/developer/
 * data-platform/webapi/query/overview, …/filter-rows, …/page-results): `$select` the columns, `$filter` with the `ge`
 * comparison on a date-time column (an unquoted ISO 8601 literal), `$orderby`, and `Prefer: odata.maxpagesize=N`
 * for paging; the next page is the absolute `@odata.nextLink` URL, followed unchanged. The number of pages read in
 * one run is bounded; the caller resumes from the last change read.
 */
import { DynamicsWebApi } from 'dynamics-web-api';
import { PermanentError, ValidationError } from '../../core/errors';
import type { SyncedTable } from '../../core/model/change-event';
import type { Logger } from '../../core/ports';
import type { FoundChange, FoundChanges, ModifiedRecordFinder, RecordVersionReader } from '../../core/sweep/ports';
import {
  DATAVERSE_NOT_FOUND,
  normaliseDataverseUrl,
  retryDataverseCall,
  type DataverseRetrySettings,
} from './dataverse-error-policy';
import type { DataverseTokenSource } from './dataverse-token-source';

export interface DataverseSweepFinderOptions {
  readonly serverUrl: string;
  readonly tokenSource: DataverseTokenSource;
  /** Records per page (Prefer odata.maxpagesize; Dataverse allows up to 5,000). Default 500. */
  readonly pageSize?: number;
  /** Pages read per table and run. Default 10. */
  readonly maxPages?: number;
  readonly timeoutMs?: number;
  readonly maxAttempts?: number;
  readonly maxRetryDelayMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly logger?: Logger;
}

const COLLECTIONS: Record<SyncedTable, { readonly collection: string; readonly idColumn: string }> = {
  account: { collection: 'accounts', idColumn: 'accountid' },
  contact: { collection: 'contacts', idColumn: 'contactid' },
  product: { collection: 'products', idColumn: 'productid' },
  salesorder: { collection: 'salesorders', idColumn: 'salesorderid' },
};

type Row = Record<string, unknown>;

export class DataverseSweepFinder implements ModifiedRecordFinder, RecordVersionReader {
  private readonly api: DynamicsWebApi;
  private readonly apiBase: string;
  private readonly pageSize: number;
  private readonly maxPages: number;
  private readonly retry: DataverseRetrySettings;

  constructor(options: DataverseSweepFinderOptions) {
    const serverUrl = normaliseDataverseUrl(options.serverUrl);
    this.apiBase = new URL('api/data/v9.2/', `${serverUrl}/`).toString();
    this.pageSize = Math.min(5000, Math.max(1, options.pageSize ?? 500));
    this.maxPages = Math.max(1, options.maxPages ?? 10);
    this.retry = {
      maxAttempts: Math.max(1, options.maxAttempts ?? 3),
      maxRetryDelayMs: options.maxRetryDelayMs ?? 10_000,
      sleep: options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))),
      logger: options.logger,
    };
    this.api = new DynamicsWebApi({
      serverUrl,
      dataApi: { version: '9.2' },
      onTokenRefresh: () => options.tokenSource(),
      timeout: options.timeoutMs ?? 15_000,
      propagateErrors: true,
    });
  }

  /** GET <set>(<id>)?$select=modifiedon: the version a write of the connector's own produced. */
  async modifiedOn(table: SyncedTable, id: string): Promise<string | undefined> {
    const { collection } = COLLECTIONS[table];
    const row = await retryDataverseCall(
      `modifiedon of ${table}`,
      () => this.api.retrieve<Row>({ collection, key: id.toLowerCase(), select: ['modifiedon'] }),
      this.retry
    );
    return row === DATAVERSE_NOT_FOUND ? undefined : instantOf(row['modifiedon']);
  }

  async findModifiedSince(table: SyncedTable, since: string): Promise<FoundChanges> {
    const { collection, idColumn } = COLLECTIONS[table];
    const request = {
      collection,
      select: [idColumn, 'modifiedon'],
      filter: `modifiedon ge ${odataInstant(since)}`,
      orderBy: ['modifiedon asc'],
      maxPageSize: this.pageSize,
    };
    const changes: FoundChange[] = [];
    let nextLink: string | undefined;
    for (let pages = 0; pages < this.maxPages; pages += 1) {
      const link = nextLink;
      if (link !== undefined && !link.startsWith(this.apiBase)) {
        // The bearer token must never follow a link to another host.
        throw new PermanentError('Dataverse returned a nextLink outside the configured environment', 'DATAVERSE_SHAPE');
      }
      const page = await retryDataverseCall(
        `sweep ${collection}`,
        () => this.api.retrieveMultiple<Row>(request, link),
        this.retry
      );
      if (page === DATAVERSE_NOT_FOUND) return { changes, truncated: false };
      for (const row of page.value) {
        const id = row[idColumn];
        const modifiedon = instantOf(row['modifiedon']);
        if (typeof id === 'string' && modifiedon) changes.push({ id: id.toLowerCase(), modifiedon });
      }
      nextLink = page.oDataNextLink ?? (page['@odata.nextLink'] as string | undefined);
      if (!nextLink) return { changes, truncated: false };
    }
    return { changes, truncated: true };
  }
}

/** dynamics-web-api revives ISO date strings into Dates; either way, one ISO format (so versions compare). */
function instantOf(value: unknown): string | undefined {
  const date = value instanceof Date ? value : typeof value === 'string' ? new Date(value) : undefined;
  return date && !Number.isNaN(date.getTime()) ? date.toISOString() : undefined;
}

/** Dataverse date-time literals in $filter: ISO 8601 UTC, unquoted, whole seconds. */
function odataInstant(iso: string): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new ValidationError('sweep: `since` is not a date');
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
