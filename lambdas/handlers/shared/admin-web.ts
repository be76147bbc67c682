/**
 * The operator's browser side of the AWS API: who is asking (admin bearer or a session cookie from a login link),
 * whether a cookie-authenticated POST comes from our own page, and the HTML answers with a per-response CSP nonce.
 */
import { statusPageCsp } from '../../core/status/status-page';
import { randomBytes } from 'node:crypto';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { ADMIN_SESSION_COOKIE, cookieValue, isAdminSession } from '../../core/connection/admin-session';
import { isAdminBearer, type TokenSigner } from '../../core/connection/signed-token';
import { response } from './api-gateway';

export type Headers = Readonly<Record<string, string | undefined>>;

export interface Caller {
  readonly bearer: boolean;
  readonly session: boolean;
}

export function callerOf(headers: Headers, adminToken: string, signer: TokenSigner, now: Date): Caller {
  return {
    bearer: isAdminBearer(headers.authorization, adminToken),
    session: isAdminSession(signer, cookieValue(headers.cookie, ADMIN_SESSION_COOKIE), now),
  };
}

/**
 * A cookie rides along with any cross-site POST (SameSite=Strict aside, for older browsers), so a cookie-authenticated
 * POST must come from our own pages: Sec-Fetch-Site says so, or (older browsers) the Origin's host is this Host.
 */
export function isSameOrigin(headers: Headers): boolean {
  const site = headers['sec-fetch-site'];
  if (site !== undefined) return site === 'same-origin';
  const origin = headers.origin;
  if (!origin || origin === 'null') return false;
  try {
    return new URL(origin).host === headers.host;
  } catch {
    return false;
  }
}

/** Nothing loads from elsewhere; inline style and script only with this response's nonce; forms post only here. */
export function pageSecurityHeaders(nonce: string): Record<string, string> {
  return {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    'referrer-policy': 'no-referrer',
    'x-content-type-options': 'nosniff',
    'content-security-policy': statusPageCsp(nonce),
  };
}

export function newNonce(): string {
  return randomBytes(16).toString('base64');
}

/** A plain page for a browser that is not signed in or used a spent link. */
export function signInPage(status: number, message: string, stage: string): APIGatewayProxyResult {
  const nonce = newNonce();
  const body =
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Sign in</title></head><body>' +
    `<p>${escapeHtml(message)}</p><p>Print a sign-in link with <code>npx connector login-link --stage ` +
    `${escapeHtml(stage)}</code> and open it in this browser.</p></body></html>`;
  return response(status, body, pageSecurityHeaders(nonce));
}

export function escapeHtml(value: string): string {
  return value.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c
  );
}

/** Fields of a form post or a JSON object body (strings only); anything else reads as no fields. */
export function fieldsOf(headers: Headers, body: string): Record<string, string> {
  const type = headers['content-type'] ?? '';
  if (/^application\/x-www-form-urlencoded/i.test(type)) return Object.fromEntries(new URLSearchParams(body));
  try {
    const parsed: unknown = body ? JSON.parse(body) : {};
    if (!parsed || typeof parsed !== 'object') return {};
    return Object.fromEntries(Object.entries(parsed).filter((e): e is [string, string] => typeof e[1] === 'string'));
  } catch {
    return {};
  }
}

export function isFormPost(headers: Headers): boolean {
  return /^application\/x-www-form-urlencoded/i.test(headers['content-type'] ?? '');
}
