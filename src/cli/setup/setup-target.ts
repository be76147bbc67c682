/**
 * Where `connector setup` writes and what it calls: a deployed stack (setup-aws-target.ts) or the one-machine
 * runtime's `.env` (setup-local-target.ts). The use case (run-setup.ts) sees only this shape.
 */
import type { MappingSettings } from '../../../lambdas/core/settings';

/** One place settings are stored together: a Secrets Manager secret, or the `.env` file. */
export interface SettingsGroup {
  /** Shown to the operator: the secret's name or the file's path. */
  readonly name: string;
  /** Keys the operator's values go to; a key without a value is written as an empty string. */
  readonly keys: readonly string[];
  /** Keys generated once (at deploy, or by the first setup) and kept from then on. */
  readonly generatedKeys: readonly string[];
}

export interface SettingsStore {
  /** The stored JSON of each group, by group name ({} for a group that holds nothing yet). */
  read(): Promise<Map<string, Record<string, string>>>;
  write(group: string, value: Readonly<Record<string, string>>): Promise<void>;
}

export interface SetupTarget {
  /** e.g. `stack D365Xero-dev (CREATE_COMPLETE)` or `.env at /srv/connector/.env`. */
  readonly description: string;
  readonly groups: readonly SettingsGroup[];
  readonly store: SettingsStore;
  /** Non-secret defaults, e.g. the stage config's Dataverse URL. */
  readonly defaults: Readonly<Record<string, string>>;
  /** Xero's identity server (XERO_IDENTITY_URL, else the stage's). */
  readonly xeroIdentityUrl: string;
  /** The exact redirect URI for the Xero app. */
  readonly callbackUrl: string;
  /** The Xero app's webhook delivery URL, when the connector has a public one. */
  readonly xeroWebhookUrl?: string;
  /** The connector's public https base Dataverse calls, or why there is none yet. */
  readonly webhookBase: { readonly url: string } | { readonly skipped: string };
  /** GET `?format=link` with the admin bearer returns a signed consent link; or why it cannot be asked now. */
  readonly connect: { readonly url: string } | { readonly skipped: string };
  readonly mapping: MappingSettings;
  /** Values the target derives from the checked ones (local: the redirect URI, the connector's user id). */
  readonly derivedValues?: (checked: { readonly connectorUserId: string }) => Record<string, string>;
  /** The connector user id the deployment is configured with (AWS: the stage's dataverseConnectorUserId). */
  readonly configuredConnectorUserId?: string;
  readonly fetch?: typeof fetch;
}

export type StepState = 'done' | 'already done' | 'would do' | 'skipped';

export interface StepReport {
  readonly state: StepState;
  /** What was (or would be) done, one line each; never a secret value. */
  readonly lines: readonly string[];
}
