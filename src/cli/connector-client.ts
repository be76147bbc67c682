/**
 * The CLI's HTTP client for a running local connector. Every call has a timeout; the admin token travels only in
 * the Authorization header and never appears in messages.
 */

export interface ConnectorResponse {
  readonly status: number;
  /** Parsed JSON when the server sent JSON, otherwise the text. */
  readonly body: unknown;
}

/** The connector could not be reached at all (refused, DNS, timeout): exit code 3. */
export class ConnectorUnreachableError extends Error {
  constructor(
    readonly baseUrl: string,
    readonly reason: string
  ) {
    super(`cannot reach the connector at ${baseUrl}: ${reason}`);
    this.name = 'ConnectorUnreachableError';
  }
}

export interface ConnectorClientOptions {
  readonly baseUrl: string;
  readonly token?: string;
  readonly timeoutMs: number;
  readonly fetch?: typeof fetch;
}

export class ConnectorClient {
  private readonly baseUrl: string;
  private readonly fetchImpl: typeof fetch;

  constructor(private readonly options: ConnectorClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.fetchImpl = options.fetch ?? fetch;
  }

  async request(method: 'GET' | 'POST', path: string, body?: unknown): Promise<ConnectorResponse> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.options.token) headers.authorization = `Bearer ${this.options.token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await this.fetchImpl(`${this.baseUrl}${path}`, {
        method,
        headers,
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        redirect: 'manual',
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
    } catch (error) {
      throw new ConnectorUnreachableError(this.baseUrl, reasonOf(error, this.options.timeoutMs));
    }
    let text: string;
    try {
      text = await response.text();
    } catch (error) {
      throw new ConnectorUnreachableError(this.baseUrl, reasonOf(error, this.options.timeoutMs));
    }
    return { status: response.status, body: parseBody(text, response.headers.get('content-type')) };
  }
}

function parseBody(text: string, contentType: string | null): unknown {
  if (text === '') return undefined;
  if (contentType?.includes('json')) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text;
    }
  }
  return text;
}

function reasonOf(error: unknown, timeoutMs: number): string {
  // Duck-typed: fetch's timeout is a DOMException, which is not always `instanceof Error` across realms.
  if (error === null || typeof error !== 'object') return 'unknown error';
  const { name, message, cause } = error as {
    name?: string;
    message?: string;
    cause?: { code?: string; message?: string };
  };
  if (name === 'TimeoutError' || name === 'AbortError') return `no answer within ${timeoutMs} ms`;
  if (cause?.code === 'ECONNREFUSED') return 'connection refused (is `npm start` running?)';
  if (cause?.code) return cause.code;
  if (cause?.message) return cause.message;
  return message ?? 'unknown error';
}
