/**
 * The deployment's side of the shared Xero budget, kept free of SDK imports so the CDK app can use it: where the
 * budget lives (the environment variable naming its table) and the key prefix its IAM grant is scoped to.
 */
export const XERO_BUDGET_TABLE_ENV = 'XERO_BUDGET_TABLE';
/** Partition-key prefix of budget items: `xero-budget#<tenantId>`. */
export const XERO_BUDGET_KEY_PREFIX = 'xero-budget#';
