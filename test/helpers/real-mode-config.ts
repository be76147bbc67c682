/**
 * What real mode still needs when only XERO_CLIENT_ID is set: written out once for the tests that expect the
 * configuration error to name every one (the unit test of the loader and the end-to-end start of the process).
 */
export const MISSING_WITH_ONLY_CLIENT_ID = [
  'CONNECTOR_ADMIN_TOKEN',
  'XERO_CLIENT_SECRET',
  'XERO_REDIRECT_URI',
  'DATAVERSE_URL',
  'DATAVERSE_WEBHOOK_KEY',
  'DATAVERSE_ACCESS_TOKEN',
] as const;
