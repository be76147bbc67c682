/**
 * `connector setup`: from a deployed stack (or a `.env`) to a consent link, in the order an operator would do it.
 *  1. Read the target: the stack's outputs (DescribeStacks) and the settings it stores.
 *  2. Collect what only a person knows: `--from-file`, the environment, what an earlier run stored, a prompt.
 *  3. Check everything before writing anything: every value present (else exit 2 naming each missing one), Xero's
 *     client credentials at its token endpoint, Dataverse by a token and WhoAmI.
 *  4. Write the settings that differ (the generated Dataverse webhook key and admin token are kept).
 *  5. Register the Dataverse service endpoint and steps against the connector's URL.
 *  6. Create the integration-log table and the Xero columns (setup-dataverse).
 *  7. Print the exact redirect URI for the Xero app.
 *  8. Print a signed single-use consent link.
 * Each step reports done / already done / would do (`--dry-run`: steps 1-3 read, nothing is written). A failure in
 * steps 1-3 changes nothing; one later keeps what earlier steps did, and running setup again resumes.
 */
import { collectInputs, type InputSources } from './setup-inputs';
import { SetupInputError } from './setup-errors';
import { setupProgress, type SetupProgress } from './setup-progress';
import type { SetupTarget } from './setup-target';
import type { CheckedDataverse } from './dataverse-credentials-check';
import { checkValuesStep } from './steps/check-values';
import { consentLinkStep } from './steps/consent-link';
import { dataverseSchemaStep } from './steps/dataverse-schema';
import { redirectUriStep } from './steps/redirect-uri';
import { registerWebhooksStep } from './steps/register-webhooks';
import { planSettings, writeSettingsStep } from './steps/write-settings';

export interface SetupRun {
  readonly target: SetupTarget;
  readonly sources: Omit<InputSources, 'stored' | 'defaults'>;
  readonly dryRun: boolean;
  readonly say: (text: string) => void;
  /** Tests point Entra elsewhere; the CLI uses the public cloud. */
  readonly entraAuthorityHost?: string;
}

export interface SetupResult {
  readonly changed: boolean;
  readonly consentLink?: string;
}

export async function runSetup(run: SetupRun): Promise<SetupResult> {
  const progress = setupProgress(run.say);
  const { stored, values, dataverse } = await readCollectCheck(run, progress);
  const { changed, after } = await writeAndRegister(run, progress, { stored, values, dataverse });
  const consentLink = await connectXero(run, progress, after);
  if (run.dryRun) run.say('Dry run: nothing was changed.\n');
  else if (!changed) run.say('Nothing changed: everything was already set up.\n');
  return { changed, ...(consentLink ? { consentLink } : {}) };
}

type Stored = Map<string, Record<string, string>>;

/** Steps 1-3: nothing is written here, so any failure leaves everything as it was. */
async function readCollectCheck(
  run: SetupRun,
  progress: SetupProgress
): Promise<{ stored: Stored; values: Map<string, string>; dataverse: CheckedDataverse }> {
  const { target } = run;
  const stored = await target.store.read();
  progress.report(1, 'Read the target', {
    state: 'done',
    lines: [
      `settings read from ${[...stored.keys()].join(', ')}`,
      `connector URL: ${target.callbackUrl.replace(/\/oauth\/xero\/callback$/, '')}`,
    ],
  });

  const flat = Object.assign({}, ...stored.values()) as Record<string, string>;
  const { values, missing } = await collectInputs({ ...run.sources, stored: flat, defaults: target.defaults });
  if (missing.length > 0) {
    throw new SetupInputError(
      `missing ${missing.join(', ')}: set them in the environment, pass --from-file <file>, or run setup in a ` +
        'terminal to be asked. Nothing was changed.',
      missing
    );
  }
  progress.report(2, 'Collect the values', {
    state: 'done',
    lines: [[...values].map(([name, v]) => `${name} (${v.source})`).join(', ')],
  });

  const plain = new Map([...values].map(([name, v]) => [name, v.value]));
  const checked = await checkValuesStep({
    values: plain,
    xeroIdentityUrl: target.xeroIdentityUrl,
    ...(target.fetch ? { fetch: target.fetch } : {}),
    ...(run.entraAuthorityHost ? { entraAuthorityHost: run.entraAuthorityHost } : {}),
  });
  progress.report(3, 'Check them', { state: 'done', lines: checked.lines });
  return { stored, values: plain, dataverse: checked.dataverse };
}

/** Steps 4-6: each writes only differences, so a re-run after a failure here picks up where it stopped. */
async function writeAndRegister(
  run: SetupRun,
  progress: SetupProgress,
  input: { stored: Stored; values: Map<string, string>; dataverse: CheckedDataverse }
): Promise<{ changed: boolean; after: Record<string, string> }> {
  const { target, dryRun } = run;
  const { userId, admin } = input.dataverse;
  for (const [name, value] of Object.entries(target.derivedValues?.({ connectorUserId: userId }) ?? {}))
    input.values.set(name, value);
  const plan = planSettings(target.groups, input.stored, input.values);
  const settings = await progress.attempt(4, 'Write the settings', () => writeSettingsStep(target.store, plan, dryRun));
  progress.report(4, 'Write the settings', settings);
  const after = Object.assign({}, ...input.stored.values(), ...plan.changes.map((c) => c.value)) as Record<
    string,
    string
  >;

  const base = target.webhookBase;
  const webhooks =
    'url' in base
      ? await progress.attempt(5, 'Register the Dataverse webhook', () =>
          registerWebhooksStep({
            admin,
            baseUrl: base.url,
            webhookKey: after.DATAVERSE_WEBHOOK_KEY,
            mapping: target.mapping,
            dryRun,
          })
        )
      : { state: 'skipped' as const, lines: [base.skipped] };
  progress.report(5, 'Register the Dataverse webhook', {
    ...webhooks,
    lines: [...webhooks.lines, ...connectorUserHint(target, userId)],
  });

  const title = 'Create the Dataverse integration log and Xero columns';
  const schema = await progress.attempt(6, title, () => dataverseSchemaStep(admin, dryRun));
  progress.report(6, title, schema);
  return { changed: [settings, webhooks, schema].some((r) => r.state === 'done'), after };
}

/** Steps 7-8: what the operator does next, in the Xero app and in the browser. */
async function connectXero(
  run: SetupRun,
  progress: SetupProgress,
  after: Record<string, string>
): Promise<string | undefined> {
  const { target } = run;
  progress.report(7, 'Set the Xero redirect URI', redirectUriStep(target.callbackUrl, target.xeroWebhookUrl));
  const consent =
    'url' in target.connect
      ? await consentLinkStep({
          connectUrl: target.connect.url,
          adminToken: after.CONNECTOR_ADMIN_TOKEN,
          dryRun: run.dryRun,
          ...(target.fetch ? { fetch: target.fetch } : {}),
        })
      : { state: 'skipped' as const, lines: [target.connect.skipped] };
  progress.report(8, 'Connect Xero', consent);
  return 'link' in consent ? consent.link : undefined;
}

/** The connector must know its own application user, or its write-backs would come back as changes. */
function connectorUserHint(target: SetupTarget, userId: string): string[] {
  if (target.derivedValues) {
    return [`DATAVERSE_CONNECTOR_USER_ID=${userId} is in the settings: the connector ignores its own changes`];
  }
  if (target.configuredConnectorUserId?.toLowerCase() === userId) return [];
  return [
    `set dataverseConnectorUserId: '${userId}' for this stage in lib/config/environments.ts and deploy again, so ` +
      'the connector ignores its own writes (loop prevention)',
  ];
}
