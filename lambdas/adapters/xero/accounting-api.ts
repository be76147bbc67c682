/**
 * The one way this project builds xero-node's AccountingApi: deep-imported (the full XeroClient would double the
 * Lambda bundle), pointed at XERO_API_URL, with a timeout on every request (xero-node sets none).
 */
import { AccountingApi } from 'xero-node/dist/gen/api/accountingApi';
import type { Authentication } from 'xero-node/dist/gen/model/accounting/models';

export const DEFAULT_XERO_API_URL = 'https://api.xero.com';

/** Adds a timeout to every request xero-node makes through an AccountingApi instance. */
class RequestTimeout implements Authentication {
  constructor(private readonly timeoutMs: number) {}
  applyToRequest(requestOptions: { timeout?: number; signal?: unknown }): void {
    requestOptions.timeout = this.timeoutMs;
    // axios' `timeout` is a socket idle timer; the signal also bounds a response that trickles in slowly.
    requestOptions.signal = AbortSignal.timeout(this.timeoutMs);
  }
}

export function createAccountingApi(apiUrl: string | undefined, timeoutMs: number): AccountingApi {
  const base = (apiUrl ?? DEFAULT_XERO_API_URL).replace(/\/+$/, '');
  const api = new AccountingApi(`${base}/api.xro/2.0`);
  api.setDefaultAuthentication(new RequestTimeout(timeoutMs));
  return api;
}
