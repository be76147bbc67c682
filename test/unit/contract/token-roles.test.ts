import { roleMayRun, tokenRoleOf, TOKEN_ROLES } from '../../../lambdas/contract/token-roles';

const arn = 'arn:aws:lambda:eu-west-1:123456789012:function:D365Xero-prod-TokenFunction';

describe('token roles', () => {
  it('should read the role from the alias the function was invoked through', () => {
    expect(tokenRoleOf(`${arn}:worker`)).toBe('worker');
    expect(tokenRoleOf(`${arn}:consent`)).toBe('consent');
    expect(tokenRoleOf(`${arn}:schedule`)).toBe('schedule');
  });

  it('should give no role to an unqualified, $LATEST, numbered or unknown invocation', () => {
    for (const invoked of [arn, `${arn}:$LATEST`, `${arn}:7`, `${arn}:admin`, `${arn}:toString`, undefined, ''])
      expect(tokenRoleOf(invoked)).toBeUndefined();
  });

  it('should let workers only get access, report a rejection and learn which organisations may work', () => {
    expect(TOKEN_ROLES.worker).toEqual(['get-access', 'report-rejected', 'organisations']);
    for (const action of ['adopt', 'status', 'refresh', 'disconnect', 'exchange-code', 'consent-config'])
      expect(roleMayRun('worker', action)).toBe(false);
    expect(roleMayRun(undefined, 'status')).toBe(false);
    expect(roleMayRun('schedule', 'refresh')).toBe(true);
  });

  it('should give no role the disconnect command (nothing on AWS calls it)', () => {
    for (const actions of Object.values(TOKEN_ROLES)) expect(actions).not.toContain('disconnect');
  });
});
