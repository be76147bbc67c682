/** Signed, short-lived, single-use links that let an operator start consent without pasting the admin token. */
import type { Clock } from '../ports';
import type { TokenSigner } from './signed-token';

export const DEFAULT_CONNECT_LINK_TTL_SECONDS = 900;

export function createConnectLink(
  deps: { signer: TokenSigner; clock: Clock },
  connectUrl: string,
  ttlSeconds = DEFAULT_CONNECT_LINK_TTL_SECONDS
): { url: string; expiresAt: string } {
  const now = deps.clock.now();
  const token = deps.signer.sign('connect-link', now, ttlSeconds);
  const separator = connectUrl.includes('?') ? '&' : '?';
  return {
    url: `${connectUrl}${separator}link=${encodeURIComponent(token)}`,
    expiresAt: new Date(now.getTime() + ttlSeconds * 1000).toISOString(),
  };
}

/** True once per valid link; false when forged, expired or already used. */
export async function verifyConnectLink(
  deps: { signer: TokenSigner; clock: Clock },
  token: string | undefined
): Promise<boolean> {
  return (await deps.signer.verify(token, 'connect-link', deps.clock.now())).ok;
}
