/** A tiny fetch wrapper for talking to the sandbox Xero in tests. */
import type { SandboxXero } from '../../../sandbox/xero-accounting/server';

export interface XeroCall {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Record<string, unknown>;
}

export function xeroClient(sandbox: SandboxXero, token = 'test-access-token') {
  return async function call(
    method: string,
    path: string,
    body?: unknown,
    extraHeaders: Record<string, string> = {}
  ): Promise<XeroCall> {
    const response = await fetch(`${sandbox.apiUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        'xero-tenant-id': sandbox.tenantId,
        accept: 'application/json',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...extraHeaders,
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return {
      status: response.status,
      headers: response.headers,
      body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
    };
  };
}

export function elements(call: XeroCall, kind: string): Array<Record<string, unknown>> {
  return (call.body[kind] ?? []) as Array<Record<string, unknown>>;
}

export function validationMessages(call: XeroCall): string[] {
  const els = (call.body.Elements ?? []) as Array<{ ValidationErrors?: Array<{ Message: string }> }>;
  return els.flatMap((e) => (e.ValidationErrors ?? []).map((v) => v.Message));
}
