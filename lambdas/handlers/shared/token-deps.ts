/**
 * The token function as seen by other functions: kept apart so the consent function bundles no Xero SDK.
 * TOKEN_FUNCTION_NAME is the ARN of the alias for the caller's role (lambdas/contract/token-roles.ts).
 */
import { LambdaTokenServiceClient } from '../../adapters/aws/lambda-token-service-client';
import { lambda, once } from './aws-clients';
import type { EnvReader } from './env';

export const tokenServiceClient = once(
  (env: EnvReader<'TOKEN_FUNCTION_NAME'>) => new LambdaTokenServiceClient(lambda(), env.require('TOKEN_FUNCTION_NAME'))
);
