/**
 * Walks a paged Xero list endpoint and keeps one key per element, for the key index (core/sync/xero-key-index.ts).
 * It trusts Xero's `pagination.pageCount` when the answer carries it, and otherwise stops at the first empty page:
 * stopping at a short page would be wrong if Xero ever served fewer rows than the pageSize asked for.
 */
import { elementsOf, type Loose } from './xero-element-results';

/** Xero serves up to 1,000 rows a page when asked (100 by default). */
export const LISTING_PAGE_SIZE = 1000;

export async function collectKeys(options: {
  readonly fetchPage: (page: number) => Promise<unknown>;
  readonly collection: 'Contacts' | 'Items' | 'Invoices';
  readonly keyOf: (element: Loose) => unknown;
  readonly maxPages: number;
  /** GET /Items answers everything at once. */
  readonly paged: boolean;
}): Promise<Set<string> | undefined> {
  const keys = new Set<string>();
  for (let page = 1; page <= options.maxPages; page++) {
    const body = await options.fetchPage(page);
    const elements = elementsOf(body, options.collection);
    for (const element of elements) {
      const key = options.keyOf(element);
      if (typeof key === 'string' && key !== '') keys.add(key);
    }
    const pageCount = pageCountOf(body);
    // Xero says up front how many pages there are: a tenant too big to list costs one call, not maxPages.
    if (pageCount !== undefined && pageCount > options.maxPages) return undefined;
    if (!options.paged || elements.length === 0 || (pageCount !== undefined && page >= pageCount)) return keys;
  }
  return undefined;
}

function pageCountOf(body: unknown): number | undefined {
  if (!body || typeof body !== 'object') return undefined;
  const pagination = (body as { pagination?: unknown }).pagination;
  if (!pagination || typeof pagination !== 'object') return undefined;
  const count = (pagination as { pageCount?: unknown }).pageCount;
  return typeof count === 'number' && Number.isInteger(count) && count >= 0 ? count : undefined;
}
