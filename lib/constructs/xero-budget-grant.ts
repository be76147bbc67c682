import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { XERO_BUDGET_KEY_PREFIX, XERO_BUDGET_TABLE_ENV } from '../../lambdas/adapters/aws/xero-budget-keys';

/**
 * Lets a function that calls Xero spend the tenant's shared Xero budget: the table's name in XERO_BUDGET_TABLE,
 * and read/compare-and-set rights on the budget's items only (`xero-budget#…`), whatever else it may touch.
 */
export function bindXeroBudget(fn: LambdaFunction, table: ITable): void {
  fn.addEnvironment(XERO_BUDGET_TABLE_ENV, table.tableName);
  fn.addToRolePolicy(
    new PolicyStatement({
      effect: Effect.ALLOW,
      actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
      resources: [table.tableArn],
      conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`${XERO_BUDGET_KEY_PREFIX}*`] } },
    })
  );
}
