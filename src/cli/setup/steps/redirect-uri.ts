/**
 * Step 7: what the Xero app must list, exactly (Xero compares the redirect URI character for character,
 * https://developer.xero.com/documentation/guides/oauth2/auth-flow), and the webhook delivery URL whose signing key
 * setup stored as XERO_WEBHOOK_KEY (https://developer.xero.com/documentation/guides/webhooks/creating-webhooks).
 */
import type { StepReport } from '../setup-target';

export function redirectUriStep(callbackUrl: string, xeroWebhookUrl?: string): StepReport {
  return {
    state: 'done',
    lines: [
      'paste this into developer.xero.com → My Apps → your app → Configuration → Redirect URIs, then Save:',
      callbackUrl,
      ...(xeroWebhookUrl
        ? [
            "the app's Webhooks delivery URL (its signing key is the XERO_WEBHOOK_KEY you gave); Send 'Intent to receive':",
            xeroWebhookUrl,
          ]
        : []),
    ],
  };
}
