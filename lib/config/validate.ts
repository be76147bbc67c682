import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { z } from 'zod';
import { ValidationError } from '../../lambdas/core/errors';
import { mappingSettingsSchema } from '../../lambdas/core/settings-schema';
import { writebackColumnsFromJson } from '../../lambdas/core/writeback/columns';
import { environments as defaultEnvironments } from './environments';
import { STAGES, type EnvironmentConfig, type Stage } from './types';

/** Synth stops with this error; the message names the stage and the offending field. */
export class ConfigError extends Error {
  readonly retryable = false;
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

const httpsUrl = z.url({ protocol: /^https$/, error: 'must be an https URL' });
const RETENTION_DAYS = new Set(Object.values(RetentionDays).filter((v): v is number => typeof v === 'number'));
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// EventBridge Scheduler rate(): a positive whole number and a unit, singular only for 1.
const RATE = /^(1 (minute|hour|day)|([2-9]|[1-9]\d+) (minutes|hours|days))$/;
const environmentSchema = z.strictObject({
  stage: z.enum(STAGES),
  dataverseUrl: httpsUrl,
  dataverseOrganization: z.string().trim().min(1).max(200).optional(),
  dataverseConnectorUserId: z.string().regex(GUID, 'must be a systemuserid (GUID)').optional(),
  writebackColumns: z.record(z.string(), z.string()).optional(),
  // One tenant id, or several separated by commas (several organisations, issue #16): the first is the default.
  xeroTenantId: z
    .string()
    .refine((value) => value.split(',').every((pin) => GUID.test(pin.trim())), {
      message: 'must be a Xero tenant id (GUID), or several separated by commas',
    })
    .optional(),
  xero: z.strictObject({ apiUrl: httpsUrl, identityUrl: httpsUrl, loginUrl: httpsUrl }),
  alarmEmails: z.array(z.email({ error: 'must be an e-mail address' })).min(1, 'needs at least one address'),
  // The schema every function validates MAPPING_SETTINGS with at cold start: a green synth cannot fail there.
  mapping: mappingSettingsSchema,
  schedules: z.strictObject({
    tokenRefreshRate: z.string().regex(RATE, 'must be a rate such as "20 minutes" or "1 hour"'),
    invoicePollRate: z.string().regex(RATE, 'must be a rate such as "15 minutes"').optional(),
    dataverseSweepRate: z.string().regex(RATE, 'must be a rate such as "5 minutes"').optional(),
  }),
  logRetentionDays: z.int().refine((days) => RETENTION_DAYS.has(days), 'must be a CloudWatch retention (e.g. 14, 365)'),
  retainData: z.boolean(),
  pointInTimeRecovery: z.boolean(),
  // Xero allows 5 concurrent calls per tenant; the token function needs one of them now and then.
  postConcurrency: z.int().min(1).max(4),
  apiThrottle: z.strictObject({ rateLimit: z.number().positive(), burstLimit: z.int().positive() }),
  // AWS WAF rate-based rules accept 10 to 2,000,000,000 requests per evaluation window.
  ingressProtection: z
    .strictObject({
      perIpLimit: z.int().min(10).max(2_000_000_000).optional(),
      webhookPerIpLimit: z.int().min(10).max(2_000_000_000).optional(),
      allowedSourceCidrs: z.array(z.union([z.cidrv4(), z.cidrv6()], { error: 'must be a CIDR range' })).optional(),
    })
    .optional(),
  alarmThresholds: z.strictObject({
    refreshTokenAgeHours: z
      .number()
      .positive()
      .max(24 * 60),
    xeroDayLimitRemaining: z.int().min(0).max(5000),
  }),
  xeroDayBudget: z.int().min(1).max(5000, "must be at most 5000 (Xero's day limit)"),
});

function isStage(value: string): value is Stage {
  return (STAGES as readonly string[]).includes(value);
}

function fieldPath(path: readonly PropertyKey[]): string {
  return path
    .map((part, i) => (typeof part === 'number' ? `[${part}]` : `${i === 0 ? '' : '.'}${String(part)}`))
    .join('');
}

/**
 * Validate one stage's configuration. Throws ConfigError naming every offending field, e.g.
 * `Invalid configuration for stage "prod": alarmEmails[1] must be an e-mail address`.
 */
export function validateEnvironmentConfig(stage: Stage, config: unknown): EnvironmentConfig {
  const result = environmentSchema.safeParse(config);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${fieldPath(issue.path) || '(root)'} ${issue.message}`);
    throw new ConfigError(`Invalid configuration for stage "${stage}": ${problems.join('; ')}`);
  }
  if (result.data.stage !== stage) {
    throw new ConfigError(`Invalid configuration for stage "${stage}": stage is "${result.data.stage}"`);
  }
  try {
    // The write-back function resolves the same columns at cold start.
    writebackColumnsFromJson(JSON.stringify(result.data.writebackColumns ?? {}));
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    const issues = error.issues.length > 0 ? error.issues : [error.message];
    throw new ConfigError(
      `Invalid configuration for stage "${stage}": ${issues.map((issue) => `writebackColumns.${issue}`).join('; ')}`
    );
  }
  return result.data as EnvironmentConfig;
}

/** Resolve `-c stage=NAME` to a validated configuration. Unknown or missing stage → ConfigError listing the choices. */
export function resolveEnvironmentConfig(
  stageName: unknown,
  environments: Readonly<Record<Stage, unknown>> = defaultEnvironments
): EnvironmentConfig {
  if (typeof stageName !== 'string' || !isStage(stageName)) {
    throw new ConfigError(
      `Invalid configuration: stage must be one of ${STAGES.join(', ')} (got ${JSON.stringify(stageName ?? null)}); ` +
        'pass it with -c stage=NAME'
    );
  }
  return validateEnvironmentConfig(stageName, environments[stageName]);
}
