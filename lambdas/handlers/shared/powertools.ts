import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { Logger as LoggerPort } from '../../core/ports';

/** The single Logger and Metrics of every function; service name and namespace come from POWERTOOLS_* env. */
export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'd365-xero-connector' });
export const metrics = new Metrics({
  namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'D365Xero',
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'd365-xero-connector',
});

/** The core's Logger port over Powertools: a message plus stable ids, never payloads. */
export const loggerPort: LoggerPort = {
  debug: (message, fields) => logger.debug(message, fields ?? {}),
  info: (message, fields) => logger.info(message, fields ?? {}),
  warn: (message, fields) => logger.warn(message, fields ?? {}),
  error: (message, fields) => logger.error(message, fields ?? {}),
};
