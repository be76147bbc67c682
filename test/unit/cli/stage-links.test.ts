import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { SECRET_NAME_OUTPUTS, STACK_OUTPUT } from '../../../lambdas/contract/stack-outputs';
import { runCli } from '../../../src/cli/main';

const API = 'https://abc123.execute-api.eu-west-2.amazonaws.com/dev';
const TOKEN = 'stack-admin-token-0123456789';

describe('connector login-link / connect-link --stage', () => {
  const cloudFormation = mockClient(CloudFormationClient);
  const secrets = mockClient(SecretsManagerClient);
  let requests: { url: string; method: string; authorization: string | null }[];

  beforeEach(() => {
    cloudFormation.reset();
    secrets.reset();
    requests = [];
    const outputs: Record<string, string> = {};
    for (const name of [...Object.values(STACK_OUTPUT), ...SECRET_NAME_OUTPUTS]) outputs[name] = `value-of-${name}`;
    outputs.CallbackUrl = `${API}/oauth/xero/callback`;
    outputs.ConnectUrl = `${API}/oauth/xero/connect`;
    outputs.AdminSecretName = 'd365-xero/dev/admin-token';
    cloudFormation.on(DescribeStacksCommand, { StackName: 'D365Xero-dev' }).resolves({
      Stacks: [
        {
          StackName: 'D365Xero-dev',
          StackStatus: 'UPDATE_COMPLETE',
          CreationTime: new Date(0),
          Outputs: Object.entries(outputs).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue })),
        },
      ],
    });
    secrets
      .on(GetSecretValueCommand, { SecretId: 'd365-xero/dev/admin-token' })
      .resolves({ SecretString: JSON.stringify({ CONNECTOR_ADMIN_TOKEN: TOKEN }) });
  });

  function io() {
    const out: string[] = [];
    const err: string[] = [];
    const fakeFetch = (async (url: string | URL, init: RequestInit = {}) => {
      const headers = new Headers(init.headers);
      requests.push({ url: String(url), method: init.method ?? 'GET', authorization: headers.get('authorization') });
      const link = String(url).includes('/admin/login-link')
        ? `${API}/login?link=L`
        : `${API}/oauth/xero/connect?link=C`;
      return new Response(JSON.stringify({ url: link, expiresAt: '2026-12-08T10:10:00.000Z' }), {
        status: 200,
        headers: { 'content-type': 'application/json' },
      });
    }) as typeof fetch;
    return {
      out,
      err,
      io: {
        stdout: (t: string) => void out.push(t),
        stderr: (t: string) => void err.push(t),
        env: { AWS_REGION: 'eu-west-2' },
        fetch: fakeFetch,
      },
    };
  }

  it("should ask the stage's own API for a login link with the admin token from its secret", async () => {
    const t = io();
    expect(await runCli(['login-link', '--stage', 'dev'], t.io)).toBe(0);
    expect(requests).toEqual([{ url: `${API}/admin/login-link`, method: 'POST', authorization: `Bearer ${TOKEN}` }]);
    expect(t.out.join('')).toBe(`${API}/login?link=L\n`);
    expect(t.out.join('') + t.err.join('')).not.toContain(TOKEN);
  });

  it('should ask the ConnectUrl for a signed consent link', async () => {
    const t = io();
    expect(await runCli(['connect-link', '--stage', 'dev'], t.io)).toBe(0);
    expect(requests).toEqual([
      { url: `${API}/oauth/xero/connect?format=link`, method: 'GET', authorization: `Bearer ${TOKEN}` },
    ]);
    expect(t.out.join('')).toBe(`${API}/oauth/xero/connect?link=C\n`);
  });

  it('should say clearly when the stage has no stack, and call nothing', async () => {
    const t = io();
    expect(await runCli(['login-link', '--stage', 'prod'], t.io)).toBe(1);
    expect(t.err.join('')).toMatch(/D365Xero-prod/);
    expect(requests).toEqual([]);
  });

  it('should say clearly when the admin secret holds no token', async () => {
    secrets.on(GetSecretValueCommand).resolves({ SecretString: '{}' });
    const t = io();
    expect(await runCli(['connect-link', '--stage', 'dev'], t.io)).toBe(1);
    expect(t.err.join('')).toContain('holds no CONNECTOR_ADMIN_TOKEN');
  });
});
