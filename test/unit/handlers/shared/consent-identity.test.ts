import { consentIdentity } from '../../../../lambdas/handlers/shared/consent-identity';
import type { TokenSet } from '../../../../lambdas/core/connection/types';
import { PermanentError } from '../../../../lambdas/core/errors';

const tokens: TokenSet = { accessToken: 'a', refreshToken: 'r', expiresAt: '2026-11-26T10:30:00Z', scope: 's' };

describe('consentIdentity', () => {
  it('should hand the code exchange to the token function, which holds the client secret', async () => {
    const calls: [string, string][] = [];
    const identity = consentIdentity(
      { exchangeCode: async (code, redirectUri) => (calls.push([code, redirectUri]), tokens) },
      { identityUrl: 'https://identity.example', apiUrl: 'https://api.example' }
    );

    await expect(identity.exchangeCode('code-1', 'https://cb.example')).resolves.toEqual(tokens);
    expect(calls).toEqual([['code-1', 'https://cb.example']]);
  });

  it('should refuse the calls that need the app credentials', async () => {
    const identity = consentIdentity(
      { exchangeCode: async () => tokens },
      { identityUrl: 'https://identity.example', apiUrl: 'https://api.example' }
    );

    await expect(identity.refresh('r')).rejects.toBeInstanceOf(PermanentError);
    await expect(identity.revoke('r')).rejects.toBeInstanceOf(PermanentError);
    await expect(identity.clientCredentials([])).rejects.toBeInstanceOf(PermanentError);
  });
});
