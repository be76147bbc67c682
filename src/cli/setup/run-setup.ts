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
import { SetupInputError, SetupStepError } from './setup-errors';
import type { SetupTarget, StepReport } from './setup-target';
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

const TOTAL = 8;

export async function runSetup(run: SetupRun): Promise<SetupResult> {
  const { target, say } = run;
  /** A step that fails keeps what earlier steps did; the message says so (never a value). */
  const attempt = async <T>(n: number, title: string, step: () => Promise<T>): Promise<T> => {
    try {
      return await step();
    } catch (error) {
      if (error instanceof SetupInputError || error instanceof SetupStepError) throw error;
      const reason = error instanceof Error ? error.message : String(error);
      throw new SetupStepError(
        `${n}/${TOTAL} ${title} failed: ${reason}. What earlier steps did stays; run setup again to finish.`
      );
    }
  };
  const report = (n: number, title: string, r: StepReport) => {
    say(`${n}/${TOTAL} ${title}: ${r.state}\n`);
    for (const line of r.lines) say(`      ${line}\n`);
  };

  const stored = await target.store.read();
  report(1, 'Read the target', {
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
  report(2, 'Collect the values', {
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
  report(3, 'Check them', { state: 'done', lines: checked.lines });

  const { userId } = checked.dataverse;
  for (const [name, value] of Object.entries(target.derivedValues?.({ connectorUserId: userId }) ?? {}))
    plain.set(name, value);
  const settingsPlan = planSettings(target.groups, stored, plain);
  const settings = await attempt(4, 'Write the settings', () =>
    writeSettingsStep(target.store, settingsPlan, run.dryRun)
  );
  report(4, 'Write the settings', settings);

  const after = Object.assign({}, ...stored.values(), ...settingsPlan.changes.map((c) => c.value)) as Record<
    string,
    string
  >;
  const admin = checked.dataverse.admin;
  const base = target.webhookBase;
  const webhooks =
    'url' in base
      ? await attempt(5, 'Register the Dataverse webhook', () =>
          registerWebhooksStep({
            admin,
            baseUrl: base.url,
            webhookKey: after.DATAVERSE_WEBHOOK_KEY,
            mapping: target.mapping,
            dryRun: run.dryRun,
          })
        )
      : { state: 'skipped' as const, lines: [base.skipped] };
  report(5, 'Register the Dataverse webhook', {
    ...webhooks,
    lines: [...webhooks.lines, ...connectorUserHint(target, userId)],
  });

  const schema = await attempt(6, 'Create the Dataverse integration log and Xero columns', () =>
    dataverseSchemaStep(admin, run.dryRun)
  );
  report(6, 'Create the Dataverse integration log and Xero columns', schema);

  report(7, 'Set the Xero redirect URI', redirectUriStep(target.callbackUrl, target.xeroWebhookUrl));

  const consent =
    'url' in target.connect
      ? await consentLinkStep({
          connectUrl: target.connect.url,
          adminToken: after.CONNECTOR_ADMIN_TOKEN,
          dryRun: run.dryRun,
          ...(target.fetch ? { fetch: target.fetch } : {}),
        })
      : { state: 'skipped' as const, lines: [target.connect.skipped] };
  report(8, 'Connect Xero', consent);

  const changed = [settings, webhooks, schema].some((r) => r.state === 'done');
  if (run.dryRun) say('Dry run: nothing was changed.\n');
  else if (!changed) say('Nothing changed: everything was already set up.\n');
  return { changed, ...('link' in consent && consent.link ? { consentLink: consent.link } : {}) };
}

/** The connector must know its own application user, or its write-backs would come back as changes. */
function connectorUserHint(target: SetupTarget, userId: string): string[] {
  if (target.derivedValues) return [`the connector's own changes (user ${userId}) are ignored: set in the settings`];
  if (target.configuredConnectorUserId?.toLowerCase() === userId) return [];
  return [
    `set dataverseConnectorUserId: '${userId}' for this stage in lib/config/environments.ts and deploy again, so ` +
      'the connector ignores its own writes (loop prevention)',
  ];
}
