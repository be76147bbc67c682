/**
 * The ISO codes of Dataverse's active transaction currencies: the currencies an order can be in, for the preflight's
 * check against the currencies enabled in Xero. `GET transactioncurrencies?$select=isocurrencycode&$filter=statecode
 * eq 0` (transactioncurrency statecode 0 = Active; Microsoft's transactioncurrency table reference).
 */
import { DynamicsWebApi } from 'dynamics-web-api';
import type { Logger } from '../../core/ports';
import { DATAVERSE_NOT_FOUND, normaliseDataverseUrl, retryDataverseCall } from './dataverse-error-policy';
import type { DataverseTokenSource } from './dataverse-token-source';

export interface DataverseCurrencyCodesOptions {
  readonly serverUrl: string;
  readonly tokenSource: DataverseTokenSource;
  readonly timeoutMs?: number;
  readonly logger?: Logger;
}

export function dataverseCurrencyCodes(options: DataverseCurrencyCodesOptions): () => Promise<string[]> {
  const api = new DynamicsWebApi({
    serverUrl: normaliseDataverseUrl(options.serverUrl),
    dataApi: { version: '9.2' },
    onTokenRefresh: () => options.tokenSource(),
    timeout: options.timeoutMs ?? 15_000,
    propagateErrors: true,
  });
  return async () => {
    const page = await retryDataverseCall(
      'list active currencies',
      () =>
        api.retrieveMultiple<Record<string, unknown>>({
          collection: 'transactioncurrencies',
          select: ['isocurrencycode'],
          filter: 'statecode eq 0',
        }),
      {
        maxAttempts: 3,
        maxRetryDelayMs: 10_000,
        sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
        logger: options.logger,
      }
    );
    if (page === DATAVERSE_NOT_FOUND) return [];
    return page.value
      .map((row) => row['isocurrencycode'])
      .filter((code): code is string => typeof code === 'string' && code !== '')
      .map((code) => code.toUpperCase());
  };
}
