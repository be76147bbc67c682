/**
 * Step 8: a signed, single-use consent link. The consent must be finished by the browser that starts it (it is bound
 * by a cookie), so the terminal asks `GET <ConnectUrl>?format=link` with the admin bearer for a link to open there
 * (docs/deploy.md, "Connect Xero"). The admin token travels only in the Authorization header.
 */
import { SetupStepError } from '../setup-errors';
import type { StepReport } from '../setup-target';

export async function consentLinkStep(options: {
  readonly connectUrl: string;
  readonly adminToken: string | undefined;
  readonly dryRun: boolean;
  readonly fetch?: typeof fetch;
  readonly timeoutMs?: number;
}): Promise<StepReport & { readonly link?: string }> {
  if (options.dryRun || !options.adminToken) {
    return { state: 'would do', lines: [`ask ${options.connectUrl} for a signed consent link`] };
  }
  let response: Response;
  try {
    response = await (options.fetch ?? fetch)(`${options.connectUrl}?format=link`, {
      headers: { authorization: `Bearer ${options.adminToken}`, accept: 'application/json' },
      redirect: 'manual',
      signal: AbortSignal.timeout(options.timeoutMs ?? 15_000),
    });
  } catch {
    throw new SetupStepError(`the connector at ${options.connectUrl} cannot be reached: run setup again later`);
  }
  const body = (await response.json().catch(() => undefined)) as { url?: unknown; expiresAt?: unknown } | undefined;
  if (response.status !== 200 || typeof body?.url !== 'string') {
    throw new SetupStepError(`the connector answered ${response.status} instead of a consent link: run setup again`);
  }
  const until = typeof body.expiresAt === 'string' ? ` before ${body.expiresAt}` : '';
  return {
    state: 'done',
    link: body.url,
    lines: [`open this link in your browser${until}, sign in to Xero and allow access:`, body.url],
  };
}
