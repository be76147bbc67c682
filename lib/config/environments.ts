import { DEFAULT_MAPPING_SETTINGS } from '../../lambdas/core/settings';
import type { EnvironmentConfig, Stage, XeroEndpoints } from './types';

const XERO_PRODUCTION: XeroEndpoints = {
  apiUrl: 'https://api.xero.com',
  identityUrl: 'https://identity.xero.com',
  loginUrl: 'https://login.xero.com',
};

/**
 * The only place stages differ. Replace the example Dataverse URLs and e-mail addresses with your own before
 * deploying; validation (validate.ts) stops synth with the offending field if a value is malformed.
 */
export const environments: Record<Stage, EnvironmentConfig> = {
  dev: {
    stage: 'dev',
    dataverseUrl: 'https://contoso-dev.crm.dynamics.com',
    xero: XERO_PRODUCTION,
    alarmEmails: ['dev-alerts@example.com'],
    mapping: { ...DEFAULT_MAPPING_SETTINGS },
    schedules: { tokenRefreshRate: '20 minutes' },
    logRetentionDays: 14,
    retainData: false,
    pointInTimeRecovery: false,
    postConcurrency: 4,
    apiThrottle: { rateLimit: 20, burstLimit: 40 },
    alarmThresholds: { refreshTokenAgeHours: 24 * 14, xeroDayLimitRemaining: 500 },
    xeroDayBudget: 5000,
  },
  prod: {
    stage: 'prod',
    dataverseUrl: 'https://contoso.crm.dynamics.com',
    xero: XERO_PRODUCTION,
    alarmEmails: ['finance-ops@example.com', 'integration-oncall@example.com'],
    mapping: { ...DEFAULT_MAPPING_SETTINGS, invoiceStatus: 'DRAFT', dueDays: 30 },
    schedules: { tokenRefreshRate: '20 minutes' },
    logRetentionDays: 365,
    retainData: true,
    pointInTimeRecovery: true,
    postConcurrency: 4,
    apiThrottle: { rateLimit: 50, burstLimit: 100 },
    alarmThresholds: { refreshTokenAgeHours: 24 * 14, xeroDayLimitRemaining: 500 },
    xeroDayBudget: 5000,
  },
};
