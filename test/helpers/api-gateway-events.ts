import type { APIGatewayProxyEvent } from 'aws-lambda';

/** A REST API (v1) proxy event as API Gateway hands it to a Lambda. */
export function apiGatewayEvent(overrides: {
  resource: string;
  method?: string;
  headers?: Record<string, string>;
  query?: Record<string, string>;
  body?: string;
  base64?: boolean;
}): APIGatewayProxyEvent {
  return {
    resource: overrides.resource,
    path: overrides.resource,
    httpMethod: overrides.method ?? 'GET',
    headers: overrides.headers ?? {},
    multiValueHeaders: {},
    queryStringParameters: overrides.query ?? null,
    multiValueQueryStringParameters: null,
    pathParameters: null,
    stageVariables: null,
    body: overrides.body ?? null,
    isBase64Encoded: overrides.base64 ?? false,
    requestContext: {} as APIGatewayProxyEvent['requestContext'],
  };
}
