import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';

/** The parts of an API Gateway proxy event the use cases need: headers, query and the exact body bytes. */
export function requestOf(event: APIGatewayProxyEvent) {
  const headers: Record<string, string | undefined> = {};
  for (const [key, value] of Object.entries(event.headers ?? {})) headers[key.toLowerCase()] = value ?? undefined;
  const query: Record<string, string | undefined> = { ...(event.queryStringParameters ?? {}) };
  const rawBody = event.body ? Buffer.from(event.body, event.isBase64Encoded ? 'base64' : 'utf8') : Buffer.alloc(0);
  return { headers, query, rawBody };
}

export function response(status: number, body: string, headers: Record<string, string> = {}): APIGatewayProxyResult {
  return { statusCode: status, headers, body };
}

export const jsonResponse = (status: number, body: unknown): APIGatewayProxyResult =>
  response(status, JSON.stringify(body), {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
  });
