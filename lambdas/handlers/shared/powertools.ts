import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { Logger as LoggerPort } from '../../core/ports';

/** The single Logger and Metrics of every function; service name and namespace come from POWERTOOLS_* env. */
export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'd365-xero-connector' });
export const metrics = new Metrics({
  namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'D365Xero',
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'd365-xero-connector',
});

/** Keys Powertools keeps for the log line itself: a field of that name is dropped with a warning. */
export const POWERTOOLS_RESERVED_KEYS: readonly string[] = [
  'level',
  'message',
  'sampling_rate',
  'service',
  'timestamp',
];

/** A field that would be dropped is kept under `<key>_field` instead (core code should not use these names). */
function keepable(fields: Record<string, unknown> | undefined): Record<string, unknown> {
  if (!fields) return {};
  if (!POWERTOOLS_RESERVED_KEYS.some((key) => key in fields)) return fields;
  return Object.fromEntries(
    Object.entries(fields).map(([key, value]) => [POWERTOOLS_RESERVED_KEYS.includes(key) ? `${key}_field` : key, value])
  );
}

/** The core's Logger port over Powertools: a message plus stable ids, never payloads. */
export const loggerPort: LoggerPort = {
  debug: (message, fields) => logger.debug(message, keepable(fields)),
  info: (message, fields) => logger.info(message, keepable(fields)),
  warn: (message, fields) => logger.warn(message, keepable(fields)),
  error: (message, fields) => logger.error(message, keepable(fields)),
};
