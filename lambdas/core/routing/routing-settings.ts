/**
 * Routing: which Xero organisation (tenant) each Dataverse record is written to, when one deployment serves several
 * legal entities. Optional: without it every record goes to the one connected organisation, exactly as before.
 *
 *   - `by: 'businessUnit'`: the record's owning business unit, matched by name or by id;
 *   - `by: 'column'`: a column of the order (a choice, text or lookup column: match its value, or for a choice or
 *     lookup its label); give a lookup as its Web API column, e.g. `_new_legalentity_value`;
 *   - `by: 'currency'`: the ISO 4217 code of the record's transaction currency.
 * `routes` maps those values to Xero tenant ids; anything unmatched goes to `defaultTenantId`.
 */
import * as z from 'zod';

/** A Xero tenant id as /connections lists it (a GUID). */
const tenantId = z
  .string()
  .trim()
  .regex(
    /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i,
    'a Xero tenant id (a GUID from /connections)'
  );

export const routingSettingsSchema = z
  .strictObject({
    by: z.enum(['businessUnit', 'column', 'currency']),
    column: z
      .string()
      .regex(/^_?[a-z][a-z0-9_]{1,99}$/, 'a column logical name such as new_legalentity or _new_entity_value')
      .optional(),
    routes: z.record(z.string().trim().min(1, 'a route needs a value to match'), tenantId),
    defaultTenantId: tenantId,
  })
  .superRefine((routing, issues) => {
    if (routing.by === 'column' && routing.column === undefined) {
      issues.addIssue({ code: 'custom', path: ['column'], message: "routing by 'column' needs the column's name" });
    }
    if (routing.by !== 'column' && routing.column !== undefined) {
      issues.addIssue({ code: 'custom', path: ['column'], message: `a column is only read when routing by 'column'` });
    }
    if (routing.by === 'currency') {
      for (const code of Object.keys(routing.routes)) {
        if (!/^[A-Za-z]{3}$/.test(code)) {
          issues.addIssue({ code: 'custom', path: ['routes', code], message: 'an ISO 4217 currency code such as EUR' });
        }
      }
    }
  });

export type RoutingSettings = Readonly<z.infer<typeof routingSettingsSchema>>;

/** Every organisation routing can send a record to: the default first. */
export function routedTenants(routing: RoutingSettings): string[] {
  const all = [routing.defaultTenantId, ...Object.values(routing.routes)].map((id) => id.toLowerCase());
  return [...new Set(all)];
}

/** The column the reader must $select on orders for `by: 'column'` (none otherwise). */
export function routingColumns(routing: RoutingSettings | undefined): string[] {
  return routing?.by === 'column' && routing.column ? [routing.column] : [];
}
