/**
 * Step 3: every value checked before anything is written — Xero's app credentials at its token endpoint, the
 * Dataverse credentials by a token and WhoAmI. Both run even when the first fails, so one run names every problem.
 */
import { checkDataverseCredentials, type CheckedDataverse } from '../dataverse-credentials-check';
import { SetupInputError } from '../setup-errors';
import { checkXeroClientCredentials } from '../xero-credentials-check';

export interface CheckOptions {
  readonly values: ReadonlyMap<string, string>;
  readonly xeroIdentityUrl: string;
  readonly fetch?: typeof fetch;
  readonly entraAuthorityHost?: string;
}

export async function checkValuesStep(
  options: CheckOptions
): Promise<{ dataverse: CheckedDataverse; lines: string[] }> {
  const [xero, dataverse] = await Promise.allSettled([
    checkXeroClientCredentials({
      identityUrl: options.xeroIdentityUrl,
      clientId: options.values.get('XERO_CLIENT_ID') ?? '',
      clientSecret: options.values.get('XERO_CLIENT_SECRET') ?? '',
      ...(options.fetch ? { fetch: options.fetch } : {}),
    }),
    checkDataverseCredentials({
      values: options.values,
      ...(options.entraAuthorityHost ? { authorityHost: options.entraAuthorityHost } : {}),
    }),
  ]);
  const failures = [xero, dataverse].flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
  if (failures.length > 0) {
    // An input error outranks an unreachable service: the operator can fix it now.
    const first = failures.find((f) => f instanceof SetupInputError) ?? failures[0];
    if (failures.length > 1 && first instanceof Error) {
      const others = failures.filter((f) => f !== first).map((f) => (f instanceof Error ? f.message : String(f)));
      first.message = `${first.message}\nAlso: ${others.join('\nAlso: ')}`;
    }
    throw first;
  }
  const checked = (dataverse as PromiseFulfilledResult<CheckedDataverse>).value;
  return {
    dataverse: checked,
    lines: [
      `Xero accepted the app credentials (${options.xeroIdentityUrl})`,
      `Dataverse ${checked.url}: token obtained, WhoAmI answered (application user ${checked.userId})`,
    ],
  };
}
