/**
 * OutcomeSink that keeps the Dataverse side informed: one integration-log row per sync attempt (all of them, or only
 * failures), and the Xero id, deep link and last status written back onto the synced record. It never throws and
 * never asks for a sync to be repeated: a failed write is logged with ids only and dropped.
 *
 * Loop safety: these writes are made by the connector's application user, whose changes the ingress ignores
 * (DATAVERSE_CONNECTOR_USER_ID), and they touch only columns left out of the webhook filtering attributes.
 */
import type { IntegrationLogNames } from '../../core/dataverse-admin';
import { entitySetOf, integrationLogNames, integrationLogRow, recordWriteBack } from '../../core/dataverse-admin';
import { ConnectorError, ValidationError } from '../../core/errors';
import type { SyncedTable } from '../../core/model/change-event';
import { SYNCED_TABLES } from '../../core/model/change-event';
import type { Logger, OutcomeSink, SyncOutcome } from '../../core/ports';
import { isMissingColumnError } from './dataverse-error-policy';
import type { DataverseWriter } from './dataverse-writer';

export type IntegrationLogMode = 'all' | 'failures';

export interface IntegrationLogSinkOptions {
  readonly writer: Pick<DataverseWriter, 'createRecord' | 'updateRecord'>;
  readonly logger: Logger;
  /** 'failures' writes log rows only for failed attempts (write-back still happens). Default 'all'. */
  readonly mode?: IntegrationLogMode;
  /** Publisher prefix of the integration columns (default d365x). */
  readonly prefix?: string;
  /** Entity set of the log table when it differs from `<prefix>_integrationlogs`. */
  readonly entitySet?: string;
  /** Navigation properties of the Regarding lookups, when they differ from the lookups' SchemaNames. */
  readonly regardingNavigation?: Readonly<Partial<Record<SyncedTable, string>>>;
  /** Tables that have the optional Xero columns (default: all synced tables; [] turns write-back off). */
  readonly writeBackTables?: readonly SyncedTable[];
}

export class IntegrationLogSink implements OutcomeSink {
  private readonly names: IntegrationLogNames;
  private readonly entitySet: string;
  private readonly mode: IntegrationLogMode;
  private readonly writeBack: Set<SyncedTable>;

  constructor(private readonly options: IntegrationLogSinkOptions) {
    this.names = integrationLogNames(options.prefix);
    this.entitySet = options.entitySet ?? this.names.entitySet;
    this.mode = options.mode ?? 'all';
    this.writeBack = new Set(options.writeBackTables ?? ['account', 'contact', 'product', 'salesorder']);
  }

  async record(outcome: SyncOutcome): Promise<void> {
    // Independent writes: a failed log row must not stop the write-back, nor the other way round.
    await Promise.all([this.writeLogRow(outcome), this.writeBackOnto(outcome)]);
  }

  private async writeLogRow(outcome: SyncOutcome): Promise<void> {
    if (this.mode === 'failures' && outcome.status !== 'failed') return;
    try {
      const row = integrationLogRow(outcome, {
        names: this.names,
        ...(this.options.regardingNavigation ? { navigation: this.options.regardingNavigation } : {}),
      });
      await this.options.writer.createRecord(this.entitySet, row);
    } catch (error) {
      this.options.logger.error('integration log row not written', failureFields(outcome, error));
    }
  }

  private async writeBackOnto(outcome: SyncOutcome): Promise<void> {
    if (!this.writeBack.has(outcome.table)) return;
    try {
      const fields = recordWriteBack(outcome, this.names);
      if (!fields) return;
      const found = await this.options.writer.updateRecord(entitySetOf(outcome.table), outcome.id, fields);
      if (!found) this.options.logger.info('sync status not written back: record no longer exists', ids(outcome));
    } catch (error) {
      if (isMissingColumnError(error)) {
        // The optional columns do not exist on this table: stop trying instead of failing every time.
        this.writeBack.delete(outcome.table);
        this.options.logger.warn('sync status write-back rejected; turned off for this table until restart', {
          ...failureFields(outcome, error),
          hint: 'run `connector setup-dataverse` to add the Xero columns',
        });
        return;
      }
      if (error instanceof ConnectorError && error.code === 'DATAVERSE_REJECTED') {
        // This record refused the change (e.g. a sales order that is no longer Active cannot be edited,
        // learn.microsoft.com/power-apps/developer/data-platform/reference/entities/salesorder StateCode); the
        // integration log row, written independently, still carries the outcome and the Xero id.
        this.options.logger.info('sync status not written back: Dataverse refused a change to this record', {
          ...failureFields(outcome, error),
        });
        return;
      }
      this.options.logger.error('sync status not written back', failureFields(outcome, error));
    }
  }
}

function ids(outcome: SyncOutcome): Record<string, unknown> {
  return {
    table: outcome.table,
    id: outcome.id,
    status: outcome.status,
    ...(outcome.correlationId ? { correlationId: outcome.correlationId } : {}),
  };
}

/** Ids and the error's class and code only: Dataverse error messages can quote the data that was sent. */
function failureFields(outcome: SyncOutcome, error: unknown): Record<string, unknown> {
  return {
    ...ids(outcome),
    error: error instanceof Error ? error.name : typeof error,
    ...(error instanceof ConnectorError ? { code: error.code } : {}),
  };
}

export interface IntegrationLogEnvironment {
  /** all (default) | failures | off */
  readonly DATAVERSE_LOG_MODE?: string;
  /** Publisher prefix used by `connector setup-dataverse --prefix` (default d365x). */
  readonly DATAVERSE_PUBLISHER_PREFIX?: string;
  /** Entity set of the log table if it is not `<prefix>_integrationlogs`. */
  readonly DATAVERSE_LOG_ENTITY_SET?: string;
  /** false turns off the Xero id/link/status write-back onto synced records (default true). */
  readonly DATAVERSE_WRITE_BACK?: string;
  /**
   * Navigation properties of the Regarding lookups when the log table was made by hand, e.g.
   * `account=new_AccountId,contact=new_ContactId` (case sensitive, as in $metadata). Default: the lookups' SchemaNames.
   */
  readonly DATAVERSE_LOG_REGARDING_NAVIGATION?: string;
}

const NAVIGATION_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Parses `table=NavigationProperty,…`; throws ValidationError naming what is wrong (never guessing). */
export function parseRegardingNavigation(text: string): Partial<Record<SyncedTable, string>> {
  const navigation: Partial<Record<SyncedTable, string>> = {};
  const issues: string[] = [];
  for (const part of text
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean)) {
    const [table = '', name = ''] = part.split('=').map((item) => item.trim());
    if (!(SYNCED_TABLES as readonly string[]).includes(table)) issues.push(`unknown table "${table.slice(0, 40)}"`);
    else if (!NAVIGATION_NAME.test(name)) issues.push(`"${name.slice(0, 60)}" is not a navigation property name`);
    else navigation[table as SyncedTable] = name;
  }
  if (issues.length > 0) {
    throw new ValidationError('DATAVERSE_LOG_REGARDING_NAVIGATION must look like account=Name,contact=Name', issues);
  }
  return navigation;
}

/**
 * The sink configured from environment variables, or null when the integration log is turned off. Throws
 * ValidationError for a value it does not understand (a configuration mistake should stop startup, not be guessed).
 */
export function createIntegrationLogSinkFromEnv(
  env: IntegrationLogEnvironment,
  deps: Pick<IntegrationLogSinkOptions, 'writer' | 'logger'>
): IntegrationLogSink | null {
  const mode = (env.DATAVERSE_LOG_MODE?.trim().toLowerCase() || 'all') as IntegrationLogMode | 'off';
  if (!['all', 'failures', 'off'].includes(mode)) {
    throw new ValidationError('DATAVERSE_LOG_MODE must be all, failures or off', ['DATAVERSE_LOG_MODE']);
  }
  if (mode === 'off') return null;
  const writeBack = env.DATAVERSE_WRITE_BACK?.trim().toLowerCase() || 'true';
  if (!['true', 'false'].includes(writeBack)) {
    throw new ValidationError('DATAVERSE_WRITE_BACK must be true or false', ['DATAVERSE_WRITE_BACK']);
  }
  const prefix = env.DATAVERSE_PUBLISHER_PREFIX?.trim();
  const entitySet = env.DATAVERSE_LOG_ENTITY_SET?.trim();
  const navigation = env.DATAVERSE_LOG_REGARDING_NAVIGATION?.trim();
  return new IntegrationLogSink({
    ...deps,
    mode,
    ...(navigation ? { regardingNavigation: parseRegardingNavigation(navigation) } : {}),
    ...(prefix ? { prefix } : {}),
    ...(entitySet ? { entitySet } : {}),
    ...(writeBack === 'false' ? { writeBackTables: [] } : {}),
  });
}
