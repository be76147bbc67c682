/**
 * Who may ask what of the token function. Each role is a Lambda alias of the one token function (same code,
 * same reserved concurrency of 1); a caller is granted lambda:InvokeFunction on its role's alias ARN only, and
 * the handler reads the alias from the ARN Lambda says it was invoked through (context.invokedFunctionArn), which
 * a caller cannot choose beyond what IAM let it invoke. A payload field would prove nothing. Plain constants.
 */
export const TOKEN_ROLES = {
  /** Post, write-back and reconcile: a fresh access token, "Xero refused it", and which organisations to work for. */
  worker: ['get-access', 'report-rejected', 'organisations'],
  /** The consent/status function: exchange a consent code, store the connection, read status, learn the client id. */
  consent: ['exchange-code', 'adopt', 'status', 'consent-config'],
  /** EventBridge Scheduler: the periodic refresh. */
  schedule: ['refresh'],
} as const;

export type TokenRole = keyof typeof TOKEN_ROLES;
export type TokenAction = (typeof TOKEN_ROLES)[TokenRole][number];

/** The role of an invocation from its invoked ARN (`…:function:<name>:<alias>`); undefined when unqualified. */
export function tokenRoleOf(invokedFunctionArn: string | undefined): TokenRole | undefined {
  const parts = (invokedFunctionArn ?? '').split(':');
  // arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>]
  const qualifier = parts.length === 8 ? parts[7] : undefined;
  return qualifier && Object.hasOwn(TOKEN_ROLES, qualifier) ? (qualifier as TokenRole) : undefined;
}

export function roleMayRun(role: TokenRole | undefined, action: string): boolean {
  return role !== undefined && (TOKEN_ROLES[role] as readonly string[]).includes(action);
}
