/**
 * The deployment's side of the shared Xero budget, kept free of SDK imports so the CDK app can use it:
 * the key prefix its IAM grant is scoped to (the table arrives as XERO_BUDGET_TABLE, lambdas/contract).
 */
/** Partition-key prefix of budget items: `xero-budget#<tenantId>`. */
export const XERO_BUDGET_KEY_PREFIX = 'xero-budget#';
