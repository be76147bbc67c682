import * as z from 'zod';
import { ValidationError } from './errors';
import { brandingThemesSchema } from './mapping/branding';
import { isIanaTimeZone } from './mapping/time-zones';
import { trackingSettingsSchema } from './mapping/tracking';
import { SYNCED_TABLES } from './model/change-event';
import { DEFAULT_MAPPING_SETTINGS, type MappingSettings } from './settings';
import { routingSettingsSchema } from './routing/routing-settings';

const accountCode = z.string().trim().min(1).max(10);
const optionValues = z.array(z.int().min(0)).min(1);

/** A table's sync condition (core/sync/sync-condition.ts). */
export const syncConditionSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('all') }),
  z.strictObject({
    kind: z.literal('column'),
    column: z.string().regex(/^[a-z][a-z0-9_]{1,99}$/, 'a Yes/No column logical name such as new_synctoxero'),
  }),
  z
    .strictObject({
      kind: z.literal('states'),
      statecodes: optionValues.optional(),
      statuscodes: optionValues.optional(),
    })
    .refine((c) => c.statecodes || c.statuscodes, 'list statecodes, statuscodes or both'),
]);
export const syncConditionsSchema = z.partialRecord(z.enum(SYNCED_TABLES), syncConditionSchema);

/** Mapping settings as configuration (stage config on AWS, MAPPING_SETTINGS JSON locally): every field optional. */
export const mappingSettingsSchema = z
  .object({
    salesAccountCode: accountCode,
    salesTaxType: z.string().trim().min(1).max(50),
    freightAccountCode: accountCode,
    freightTaxType: z.string().trim().min(1).max(50),
    discountAccountCode: accountCode,
    roundingAccountCode: accountCode,
    roundingTolerance: z.string().regex(/^\d+(\.\d{1,4})?$/, 'a non-negative decimal such as "0.05"'),
    invoiceStatus: z.enum(['DRAFT', 'AUTHORISED']),
    invoiceNumbering: z.enum(['xero', 'ordernumber']),
    dueDays: z.number().int().min(0).max(365),
    lineAmountTypes: z.enum(['Exclusive', 'Inclusive', 'NoTax']),
    syncedTables: z.array(z.enum(SYNCED_TABLES)).min(1),
    disambiguateDuplicateNames: z.boolean(),
    restoreArchivedCustomers: z.boolean(),
    timeZone: z.string().trim().refine(isIanaTimeZone, 'an IANA time zone such as "Australia/Sydney"'),
    syncConditions: syncConditionsSchema,
    tracking: trackingSettingsSchema,
    brandingThemes: brandingThemesSchema,
    routing: routingSettingsSchema,
  })
  .partial()
  .strict();

/** Defaults overlaid with the given settings; an invalid field is a ValidationError naming it. */
export function resolveMappingSettings(input: unknown): MappingSettings {
  const parsed = mappingSettingsSchema.safeParse(input ?? {});
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => `mapping.${issue.path.join('.') || '(root)'}: ${issue.message}`);
    throw new ValidationError(`invalid mapping settings: ${issues.join('; ')}`, issues);
  }
  return { ...DEFAULT_MAPPING_SETTINGS, ...parsed.data };
}

/** MAPPING_SETTINGS environment variable (JSON) → settings. */
export function mappingSettingsFromJson(json: string | undefined): MappingSettings {
  if (!json) return DEFAULT_MAPPING_SETTINGS;
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw new ValidationError('MAPPING_SETTINGS is not valid JSON');
  }
  return resolveMappingSettings(value);
}
