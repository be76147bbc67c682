/** The token function as seen by other functions: kept apart so the consent function bundles no Xero SDK. */
import { LambdaTokenServiceClient } from '../../adapters/aws/lambda-token-service-client';
import { lambda, once, requireEnv } from './aws-clients';

export const tokenServiceClient = once(() => new LambdaTokenServiceClient(lambda(), requireEnv('TOKEN_FUNCTION_NAME')));
