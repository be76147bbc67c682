/**
 * The consent routes' view of Xero's identity server on AWS. The consent function is internet-facing and holds no
 * Xero client secret: the code exchange is done by the token function (which does), and /connections needs only
 * the user's new access token. Refresh, client credentials and revocation are the token function's alone.
 */
import type { LambdaTokenServiceClient } from '../../adapters/aws/lambda-token-service-client';
import { XeroIdentityClient } from '../../adapters/xero/identity-client';
import type { IdentityClient } from '../../core/connection/ports';
import { PermanentError } from '../../core/errors';

export function consentIdentity(
  tokens: Pick<LambdaTokenServiceClient, 'exchangeCode'>,
  urls: { readonly identityUrl: string; readonly apiUrl: string }
): IdentityClient {
  // Client credentials are never sent by listConnections, so none are given.
  const connections = new XeroIdentityClient({ clientId: '', clientSecret: '', ...urls });
  const notHere = async (): Promise<never> => {
    throw new PermanentError('only the token function talks to Xero with the app credentials', 'FORBIDDEN');
  };
  return {
    exchangeCode: (code, redirectUri, codeVerifier) => tokens.exchangeCode(code, redirectUri, codeVerifier),
    listConnections: (accessToken, authEventId) => connections.listConnections(accessToken, authEventId),
    refresh: notHere,
    clientCredentials: notHere,
    revoke: notHere,
  };
}
