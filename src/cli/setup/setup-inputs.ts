/**
 * What only a person knows, by the contract's names (lambdas/contract/secrets.ts, the local runtime's environment
 * names), and where each value comes from: `--from-file`, then the environment, then what an earlier run stored,
 * then a prompt (a terminal only). A value is never printed; the sources are.
 */
export interface SetupInput {
  readonly name: string;
  readonly label: string;
  /** Typed without echo, never printed. */
  readonly secret: boolean;
}

export const XERO_INPUTS: readonly SetupInput[] = [
  {
    name: 'XERO_CLIENT_ID',
    label: 'Xero app client id (developer.xero.com → your app → Configuration)',
    secret: false,
  },
  { name: 'XERO_CLIENT_SECRET', label: 'Xero app client secret', secret: true },
  {
    name: 'XERO_WEBHOOK_KEY',
    label: 'Xero webhook signing key (your app → Webhooks, shown once the delivery URL XeroWebhookUrl is saved)',
    secret: true,
  },
];

export const DATAVERSE_URL_INPUT: SetupInput = {
  name: 'DATAVERSE_URL',
  label: 'Dataverse environment URL (https://<org>.crm.dynamics.com)',
  secret: false,
};

/** The Entra app registration of the connector's application user. */
export const DATAVERSE_CREDENTIAL_INPUTS: readonly SetupInput[] = [
  { name: 'DATAVERSE_TENANT_ID', label: 'Entra tenant id (directory id)', secret: false },
  { name: 'DATAVERSE_CLIENT_ID', label: 'Entra app (client) id of the Dataverse application user', secret: false },
  { name: 'DATAVERSE_CLIENT_SECRET', label: 'Entra app client secret', secret: true },
];

/** Replaces the three credentials (sandbox, tests); taken from the environment or the file only, never asked. */
export const DATAVERSE_ACCESS_TOKEN = 'DATAVERSE_ACCESS_TOKEN';

export type ValueSource = 'file' | 'environment' | 'stored' | 'stage config' | 'typed';

export interface CollectedValue {
  readonly value: string;
  readonly source: ValueSource;
}

export interface InputSources {
  readonly file: Readonly<Record<string, string>>;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly stored: Readonly<Record<string, string>>;
  /** Defaults that are not secrets, e.g. the stage config's Dataverse URL. */
  readonly defaults?: Readonly<Record<string, string>>;
  /** Asks a person; undefined when nobody can be asked (stdin is not a terminal). */
  readonly ask?: (input: SetupInput) => Promise<string>;
}

/** The inputs this run needs: the Dataverse credentials only when no static access token is given. */
export function requiredInputs(sources: Pick<InputSources, 'file' | 'env' | 'stored'>): SetupInput[] {
  const token = staticToken(sources);
  return [...XERO_INPUTS, DATAVERSE_URL_INPUT, ...(token ? [] : DATAVERSE_CREDENTIAL_INPUTS)];
}

/**
 * Every needed value, or the list of those nobody supplied (nothing is asked once the first is missing without a
 * terminal: the caller reports all of them at once).
 */
export async function collectInputs(
  sources: InputSources
): Promise<{ values: Map<string, CollectedValue>; missing: string[] }> {
  const values = new Map<string, CollectedValue>();
  const missing: string[] = [];
  const token = staticToken(sources);
  if (token) values.set(DATAVERSE_ACCESS_TOKEN, token);
  for (const input of requiredInputs(sources)) {
    const found = pick(input.name, sources);
    if (found) {
      values.set(input.name, found);
      continue;
    }
    const typed = sources.ask ? (await sources.ask(input)).trim() : '';
    if (typed) values.set(input.name, { value: typed, source: 'typed' });
    else missing.push(input.name);
  }
  return { values, missing };
}

/**
 * The static Dataverse token, unless it is only a stored one and the operator now gives client credentials: what is
 * given on this run wins over what an earlier run stored (the token is then blanked in the settings).
 */
function staticToken(sources: Omit<InputSources, 'ask'>): CollectedValue | undefined {
  const token = pick(DATAVERSE_ACCESS_TOKEN, sources);
  const given = (name: string) => !!(sources.file[name]?.trim() || sources.env[name]?.trim());
  if (token?.source === 'stored' && DATAVERSE_CREDENTIAL_INPUTS.some((input) => given(input.name))) return undefined;
  return token;
}

function pick(name: string, sources: Omit<InputSources, 'ask'>): CollectedValue | undefined {
  const candidates: [string | undefined, ValueSource][] = [
    [sources.file[name], 'file'],
    [sources.env[name], 'environment'],
    [sources.stored[name], 'stored'],
    [sources.defaults?.[name], 'stage config'],
  ];
  for (const [raw, source] of candidates) {
    const value = raw?.trim();
    if (value) return { value, source };
  }
  return undefined;
}
