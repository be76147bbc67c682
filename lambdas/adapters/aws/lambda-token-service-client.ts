import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import type { TokenCommand, TokenCommandResult } from '../../core/connection/token-commands';
import type { UsableOrganisations } from '../../core/connection/organisations';
import type { TokenServiceClient } from '../../core/connection/ports';
import type { AccessGrant, ConnectionStatus, StoredConnection, TokenSet } from '../../core/connection/types';
import { PermanentError, ReconnectRequiredError, TransientError, type ConnectorError } from '../../core/errors';

/**
 * Workers and the consent routes reach the token Lambda (reserved concurrency 1, the only writer of the token
 * secret) through a synchronous invoke. Throttling — another caller is being served — is retried briefly; typed
 * errors come back as data and are rebuilt here, so a reconnect-required connection pauses the caller's work.
 */
export class LambdaTokenServiceClient implements TokenServiceClient {
  constructor(
    private readonly lambda: LambdaClient,
    private readonly functionName: string,
    private readonly options: { attempts?: number; sleep?: (ms: number) => Promise<void> } = {}
  ) {}

  getAccess(tenantId?: string): Promise<AccessGrant> {
    return this.call({ action: 'get-access', ...(tenantId !== undefined ? { tenantId } : {}) }) as Promise<AccessGrant>;
  }
  async reportRejected(reason: string, tenantId?: string): Promise<void> {
    await this.call({ action: 'report-rejected', reason, ...(tenantId !== undefined ? { tenantId } : {}) });
  }
  async adopt(record: StoredConnection): Promise<void> {
    await this.call({ action: 'adopt', record });
  }
  /** Consent on AWS: the token function holds the client secret, so it exchanges the code. */
  exchangeCode(code: string, redirectUri: string, codeVerifier?: string): Promise<TokenSet> {
    return this.call({
      action: 'exchange-code',
      code,
      redirectUri,
      ...(codeVerifier ? { codeVerifier } : {}),
    }) as Promise<TokenSet>;
  }
  consentConfig(): Promise<{ clientId: string }> {
    return this.call({ action: 'consent-config' }) as Promise<{ clientId: string }>;
  }
  /** Which organisations may work now (the worker role may ask this; the full status is the consent role's). */
  organisations(): Promise<UsableOrganisations> {
    return this.call({ action: 'organisations' }) as Promise<UsableOrganisations>;
  }
  status(): Promise<ConnectionStatus> {
    return this.call({ action: 'status' }) as Promise<ConnectionStatus>;
  }
  disconnect(): Promise<{ revoked: boolean }> {
    return this.call({ action: 'disconnect' }) as Promise<{ revoked: boolean }>;
  }

  private async call(command: TokenCommand): Promise<unknown> {
    const attempts = this.options.attempts ?? 4;
    const sleep = this.options.sleep ?? ((ms: number) => new Promise((resolve) => setTimeout(resolve, ms)));
    for (let attempt = 1; ; attempt++) {
      let output;
      try {
        output = await this.lambda.send(
          new InvokeCommand({ FunctionName: this.functionName, Payload: Buffer.from(JSON.stringify(command)) }),
          { abortSignal: AbortSignal.timeout(30_000) }
        );
      } catch (error) {
        const name = error instanceof Error ? error.name : 'unknown';
        if (name === 'TooManyRequestsException' && attempt < attempts) {
          await sleep(200 * 2 ** attempt);
          continue;
        }
        throw new TransientError(`the token service could not be reached (${name})`, 'TOKEN_SERVICE');
      }
      if (output.FunctionError)
        throw new TransientError(`the token service failed (${output.FunctionError})`, 'TOKEN_SERVICE');
      const result = JSON.parse(
        Buffer.from(output.Payload ?? new Uint8Array()).toString('utf8') || 'null'
      ) as TokenCommandResult | null;
      if (!result) throw new TransientError('the token service returned nothing', 'TOKEN_SERVICE');
      if (result.ok) return result.value;
      throw rebuildError(result.error);
    }
  }
}

/**
 * The token function's typed error, rebuilt from its stable `code` and `disposition` — never from `name`: both
 * sides are minified bundles whose class names need not match. Anything unrecognised counts as transient.
 */
export function rebuildError(error: Extract<TokenCommandResult, { ok: false }>['error']): ConnectorError {
  if (error.code === 'RECONNECT_REQUIRED' || error.disposition === 'reconnect')
    return new ReconnectRequiredError(error.message, error.reason, error.tenantId);
  if (error.disposition === 'permanent' || error.code === 'VALIDATION' || error.code === 'FORBIDDEN')
    return new PermanentError(error.message, error.code);
  return new TransientError(error.message, error.code);
}
