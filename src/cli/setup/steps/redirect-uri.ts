/** Step 7: the redirect URI the Xero app must list, exactly (Xero compares it character for character). */
import type { StepReport } from '../setup-target';

export function redirectUriStep(callbackUrl: string): StepReport {
  return {
    state: 'done',
    lines: [
      'paste this into developer.xero.com → My Apps → your app → Configuration → Redirect URIs, then Save:',
      callbackUrl,
    ],
  };
}
