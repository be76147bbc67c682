/**
 * API Gateway (REST, Lambda proxy integration) for the AWS tier, built from the template's Resource/Method tree:
 * a loopback HTTP server serving `/<stage>/<path>`, refusing what a method's request validator refuses (required
 * query strings and headers → 400), answering unknown routes with 403 "Missing Authentication Token" like API
 * Gateway, and turning each request into a v1 proxy event for the integration's function.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LambdaHost } from './aws-lambda-host';
import { resolveString, resourcesOfType, type CfnTemplate, type ResolveContext } from './aws-template';

export interface ApiRoute {
  readonly method: string;
  /** Resource path, e.g. `/webhooks/dataverse`. */
  readonly path: string;
  readonly functionName: string;
  /** Required request parameters the validator enforces, e.g. `method.request.querystring.code`. */
  readonly required: readonly string[];
}

export interface LocalRestApi {
  readonly routes: readonly ApiRoute[];
  readonly stageName: string;
  /** e.g. http://127.0.0.1:4321/dev — what a browser or CLI on this machine calls. */
  readonly url: string;
  /** The deployed invoke URL the functions believe they are behind, e.g. https://abc.execute-api.eu-west-2.amazonaws.com/dev */
  readonly publicUrl: string;
  /** Maps a public URL (a redirect back to the API) to the loopback server; other URLs are returned unchanged. */
  localize(url: string): string;
  close(): Promise<void>;
}

/** API Gateway's own integration limit: a function answering later gets 504. */
const INTEGRATION_TIMEOUT_MS = 29_000;

export function readApiRoutes(
  template: CfnTemplate,
  context: ResolveContext
): { routes: ApiRoute[]; stageName: string; apiId: string } {
  const resources = new Map(resourcesOfType(template, 'AWS::ApiGateway::Resource'));
  const pathOf = (ref: unknown): string => {
    const id = (ref as { Ref?: string }).Ref;
    const resource = id ? resources.get(id) : undefined;
    if (!resource) return '';
    return `${pathOf(resource.Properties!.ParentId)}/${String(resource.Properties!.PathPart)}`;
  };
  const validators = new Map(resourcesOfType(template, 'AWS::ApiGateway::RequestValidator'));
  const routes = resourcesOfType(template, 'AWS::ApiGateway::Method').map(([, r]) => {
    const p = r.Properties!;
    const uri = resolveString((p.Integration as { Uri: unknown }).Uri, context);
    const functionArn = /functions\/(arn:[^/]+)\/invocations/.exec(uri)?.[1];
    if (!functionArn) throw new Error(`unsupported integration ${uri}`);
    const validatorId = (p.RequestValidatorId as { Ref?: string } | undefined)?.Ref;
    const validates = validatorId ? validators.get(validatorId)?.Properties?.ValidateRequestParameters === true : false;
    const required = validates
      ? Object.entries((p.RequestParameters ?? {}) as Record<string, boolean>)
          .filter(([, isRequired]) => isRequired)
          .map(([name]) => name)
      : [];
    return { method: String(p.HttpMethod), path: pathOf(p.ResourceId) || '/', functionName: functionArn, required };
  });
  const stage = resourcesOfType(template, 'AWS::ApiGateway::Stage')[0];
  const api = resourcesOfType(template, 'AWS::ApiGateway::RestApi')[0];
  if (!stage || !api) throw new Error('the template has no REST API stage');
  return {
    routes,
    stageName: String(stage[1].Properties!.StageName),
    apiId: context.physical.get(api[0])!.ref,
  };
}

export async function startLocalRestApi(options: {
  template: CfnTemplate;
  context: ResolveContext;
  lambda: LambdaHost;
}): Promise<LocalRestApi> {
  const { routes, stageName, apiId } = readApiRoutes(options.template, options.context);
  const publicUrl = `https://${apiId}.execute-api.${options.context.region}.amazonaws.com/${stageName}`;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      serve(req, Buffer.concat(chunks), res).catch((error: unknown) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ message: String(error) }));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}/${stageName}`;

  async function serve(req: IncomingMessage, body: Buffer, res: ServerResponse): Promise<void> {
    const target = new URL(req.url ?? '/', 'http://localhost');
    const prefix = `/${stageName}`;
    const path = target.pathname.startsWith(`${prefix}/`) ? target.pathname.slice(prefix.length) : undefined;
    const route = routes.find((r) => r.method === req.method && r.path === path);
    if (!route || path === undefined) return json(res, 403, { message: 'Missing Authentication Token' });
    const missing = route.required.filter((name) => !present(name, req, target));
    if (missing.length > 0) {
      const names = missing.map((n) => n.split('.').pop()).join(', ');
      return json(res, 400, { message: `Missing required request parameters: [${names}]` });
    }
    const event = proxyEvent(req, target, body, route, { apiId, stageName, accountId: options.context.accountId });
    const timeout = new Promise<'timeout'>((resolve) =>
      setTimeout(() => resolve('timeout'), INTEGRATION_TIMEOUT_MS).unref()
    );
    const result = await Promise.race([options.lambda.invoke(route.functionName, event, 'queued'), timeout]);
    if (result === 'timeout') return json(res, 504, { message: 'Endpoint request timed out' });
    if (result.functionError) return json(res, 502, { message: 'Internal server error' });
    let answer: ProxyResult;
    try {
      answer = JSON.parse(result.payload) as ProxyResult;
      if (!answer || typeof answer.statusCode !== 'number') throw new Error('no statusCode');
    } catch {
      return json(res, 502, { message: 'Internal server error' });
    }
    const headers: Record<string, string | string[]> = { ...(answer.headers ?? {}) };
    for (const [name, values] of Object.entries(answer.multiValueHeaders ?? {})) headers[name] = values;
    res.writeHead(answer.statusCode, headers);
    res.end(answer.body === undefined ? '' : Buffer.from(answer.body, answer.isBase64Encoded ? 'base64' : 'utf8'));
  }

  return {
    routes,
    stageName,
    url,
    publicUrl,
    localize: (value) => (value.startsWith(`${publicUrl}/`) ? `${url}${value.slice(publicUrl.length)}` : value),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

interface ProxyResult {
  statusCode: number;
  headers?: Record<string, string>;
  multiValueHeaders?: Record<string, string[]>;
  body?: string;
  isBase64Encoded?: boolean;
}

function present(name: string, req: IncomingMessage, url: URL): boolean {
  const [, , where, key] = name.split('.');
  if (!key) return true;
  if (where === 'querystring') return url.searchParams.has(key);
  if (where === 'header') return req.headers[key.toLowerCase()] !== undefined;
  return true;
}

function json(res: ServerResponse, status: number, body: object): void {
  res.writeHead(status, {
    'content-type': 'application/json',
    'x-amzn-errortype': status === 403 ? 'MissingAuthenticationTokenException' : 'BadRequestException',
  });
  res.end(JSON.stringify(body));
}

function proxyEvent(
  req: IncomingMessage,
  url: URL,
  body: Buffer,
  route: ApiRoute,
  api: { apiId: string; stageName: string; accountId: string }
) {
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i]!;
    const value = req.rawHeaders[i + 1]!;
    headers[name] = value;
    (multiValueHeaders[name] ??= []).push(value);
  }
  const query: Record<string, string> = {};
  const multiQuery: Record<string, string[]> = {};
  for (const [key, value] of url.searchParams) {
    query[key] = value;
    (multiQuery[key] ??= []).push(value);
  }
  const hasQuery = Object.keys(query).length > 0;
  const now = new Date();
  return {
    resource: route.path,
    path: route.path,
    httpMethod: route.method,
    headers,
    multiValueHeaders,
    queryStringParameters: hasQuery ? query : null,
    multiValueQueryStringParameters: hasQuery ? multiQuery : null,
    pathParameters: null,
    stageVariables: null,
    requestContext: {
      accountId: api.accountId,
      apiId: api.apiId,
      resourceId: 'emulated',
      resourcePath: route.path,
      httpMethod: route.method,
      path: `/${api.stageName}${route.path}`,
      stage: api.stageName,
      protocol: `HTTP/${req.httpVersion}`,
      requestId: randomUUID(),
      requestTime: now.toUTCString(),
      requestTimeEpoch: now.getTime(),
      domainName: `${api.apiId}.execute-api.amazonaws.com`,
      domainPrefix: api.apiId,
      identity: { sourceIp: req.socket.remoteAddress ?? '127.0.0.1', userAgent: req.headers['user-agent'] ?? null },
    },
    // A REST API without binary media types passes text bodies through as they are.
    body: body.length > 0 ? body.toString('utf8') : null,
    isBase64Encoded: false,
  };
}
