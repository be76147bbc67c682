/**
 * `connector setup --stage dev` against the emulated stack: DescribeStacks (a moto CloudFormation stack whose
 * outputs are the synthesized template's, resolved against the emulated resources), Secrets Manager in moto, the
 * sandbox Dataverse and the sandbox Xero identity server. Run as an operator would: a missing value, a wrong Xero
 * secret, a dry run, the real run ending in a consent link that leads to Xero's authorize page, and a second run.
 */
import { createDataverseSessionFromEnv } from '../../lambdas/adapters/dataverse/dataverse-writer';
import { DataverseAdminClient } from '../../lambdas/adapters/dataverse/dataverse-admin-client';
import { DEFAULT_ENDPOINT_NAME } from '../../lambdas/core/dataverse-admin';
import { runCli } from '../../src/cli/main';
import { findFreePort, startSandboxSystems, type SandboxSystems } from '../../src/local/sandbox-mode';
import { AwsStack, sandboxEndpoints } from '../helpers/aws-stack';
import { apiResolvingFetch, publishStackOutputs } from '../helpers/aws-stack-outputs';
import { Browser } from '../helpers/browser';
import { DEMO_IDS } from '../helpers/aws-scenario';
import { deliverWebhook, invoicesByReference, waitFor } from '../helpers/e2e-harness';

jest.setTimeout(90_000);

const XERO_WEBHOOK_KEY = 'setup-test-xero-webhook-signing-key-0123456789';

let sandbox: SandboxSystems;
let stack: AwsStack;
let outputs: Record<string, string>;
let consentLink: string | undefined;
const savedEnv = { ...process.env };

beforeAll(async () => {
  sandbox = await startSandboxSystems({ port: await findFreePort(), seed: true });
  // Nothing filled in: the operator's secrets stay as the deploy created them until setup runs.
  stack = await AwsStack.start({
    endpoints: await sandboxEndpoints('dev', sandbox),
    operatorSettings: {},
    timeScale: 0.05,
  });
  outputs = await publishStackOutputs(stack);
  // The CLI runs in this process: its SDK clients find the emulated AWS endpoint as a shell's would.
  Object.assign(process.env, stack.env);
}, 240_000);

afterAll(async () => {
  process.env = savedEnv;
  await stack?.close();
  await sandbox?.close();
});

function operatorValues(): Record<string, string> {
  return {
    XERO_CLIENT_ID: sandbox.xero.clientId,
    XERO_CLIENT_SECRET: sandbox.xero.clientSecret,
    XERO_WEBHOOK_KEY,
    // The stage config names the real Dataverse; the operator's machine reaches the sandbox's.
    DATAVERSE_URL: sandbox.dataverse.url,
    DATAVERSE_ACCESS_TOKEN: sandbox.dataverse.accessToken ?? '',
  };
}

async function setup(env: Record<string, string>, ...args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(['setup', '--stage', 'dev', ...args], {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    env: { ...stack.env, XERO_IDENTITY_URL: sandbox.xero.identityUrl, ...env },
    fetch: apiResolvingFetch(stack),
  });
  return { code, stdout, stderr };
}

async function allSecrets(): Promise<Record<string, Record<string, unknown>>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const secret of stack.secrets) out[secret.arn] = await stack.secretJson(secret);
  return out;
}

const secretNamed = async (output: string) => {
  const name = outputs[output]!;
  const secret = stack.secrets.find((s) => s.arn.includes(`:secret:${name}`));
  if (!secret) throw new Error(`no emulated secret named ${name}`);
  return stack.secretJson(secret);
};

const webhookState = () =>
  new DataverseAdminClient(
    createDataverseSessionFromEnv({
      DATAVERSE_URL: sandbox.dataverse.url,
      DATAVERSE_ACCESS_TOKEN: sandbox.dataverse.accessToken ?? '',
    })
  ).readWebhookState(DEFAULT_ENDPOINT_NAME);

const puts = () => stack.endpoint.calls.get('secretsmanager.PutSecretValue') ?? 0;

function expectNoSecretIn(text: string): void {
  for (const value of [sandbox.xero.clientSecret, XERO_WEBHOOK_KEY, sandbox.dataverse.accessToken ?? '-']) {
    expect(text).not.toContain(value);
  }
}

describe('connector setup --stage dev', () => {
  it('should exit 2 naming every missing value, and change nothing', async () => {
    const before = await allSecrets();
    const { XERO_CLIENT_SECRET: _s, XERO_WEBHOOK_KEY: _k, ...partial } = operatorValues();
    const run = await setup(partial);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/missing XERO_CLIENT_SECRET, XERO_WEBHOOK_KEY/);
    expect(run.stderr).toMatch(/Nothing was changed/);
    expect(await allSecrets()).toEqual(before);
    expect(puts()).toBe(0);
    expect((await webhookState()).endpoint).toBeNull();
  });

  it('should refuse a wrong Xero client secret with a clear message (invalid_client) and change nothing', async () => {
    const before = await allSecrets();
    const wrong = 'not-the-xero-client-secret-0123456789';
    const run = await setup({ ...operatorValues(), XERO_CLIENT_SECRET: wrong });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/Xero refused the app credentials \(invalid_client\).*XERO_CLIENT_SECRET/);
    expect(run.stdout + run.stderr).not.toContain(wrong);
    expect(await allSecrets()).toEqual(before);
    expect(puts()).toBe(0);
    expect((await webhookState()).endpoint).toBeNull();
  });

  it('should print the plan on --dry-run and write nothing', async () => {
    const before = await allSecrets();
    const run = await setup(operatorValues(), '--dry-run');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/4\/8 Write the settings: would do/);
    expect(run.stdout).toMatch(/5\/8 Register the Dataverse webhook: would do/);
    expect(run.stdout).toMatch(/Dry run: nothing was changed/);
    expectNoSecretIn(run.stdout + run.stderr);
    expect(await allSecrets()).toEqual(before);
    expect((await webhookState()).endpoint).toBeNull();
  });

  it('should fill the secrets, register the webhook, print the redirect URI and a consent link that opens Xero', async () => {
    const generated = await stack.generatedValues();
    const run = await setup(operatorValues());
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expectNoSecretIn(run.stdout);
    expect(generated.CONNECTOR_ADMIN_TOKEN).toBeTruthy();
    expect(run.stdout).not.toContain(generated.CONNECTOR_ADMIN_TOKEN);
    expect(run.stdout).not.toContain(generated.DATAVERSE_WEBHOOK_KEY);

    expect(await secretNamed('XeroAppSecretName')).toEqual({
      XERO_CLIENT_ID: sandbox.xero.clientId,
      XERO_CLIENT_SECRET: sandbox.xero.clientSecret,
    });
    expect(await secretNamed('XeroWebhookSecretName')).toEqual({ XERO_WEBHOOK_KEY });
    expect(await secretNamed('DataverseAppSecretName')).toMatchObject({
      DATAVERSE_ACCESS_TOKEN: sandbox.dataverse.accessToken,
    });
    // The deploy-generated keys are kept.
    expect(await stack.generatedValues()).toEqual(generated);

    const state = await webhookState();
    expect(state.endpoint?.url).toBe(outputs.DataverseWebhookUrl);
    expect(state.steps.length).toBeGreaterThan(0);

    expect(run.stdout).toContain(outputs.CallbackUrl);
    const link = /https:\/\/\S+\/oauth\/xero\/connect\?link=\S+/.exec(run.stdout)?.[0];
    expect(link).toBeDefined();
    consentLink = link;
    const opened = await new Browser().fetch(stack.api.localize(link!));
    expect(opened.status).toBe(302);
    const authorize = new URL(opened.headers.get('location') ?? '');
    expect(`${authorize.origin}${authorize.pathname}`).toBe(`${sandbox.xero.loginUrl}/identity/connect/authorize`);
    expect(authorize.searchParams.get('redirect_uri')).toBe(outputs.CallbackUrl);
    expect(authorize.searchParams.get('client_id')).toBe(sandbox.xero.clientId);
  });

  it('should change nothing on a second run, and say so', async () => {
    const before = await allSecrets();
    const putsBefore = puts();
    const steps = (await webhookState()).steps.length;
    const run = await setup(operatorValues());
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/4\/8 Write the settings: already done/);
    expect(run.stdout).toMatch(/5\/8 Register the Dataverse webhook: already done/);
    expect(run.stdout).toMatch(/6\/8 Create the Dataverse integration log and Xero columns: already done/);
    expect(run.stdout).toMatch(/Nothing changed: everything was already set up/);
    expect(puts()).toBe(putsBefore);
    expect(await allSecrets()).toEqual(before);
    expect((await webhookState()).steps).toHaveLength(steps);
  });

  it('should take its values from what the first run stored when none are given again', async () => {
    const run = await setup({ DATAVERSE_URL: sandbox.dataverse.url });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/XERO_CLIENT_SECRET \(stored\)/);
    expect(run.stdout).toMatch(/Nothing changed/);
  });

  it('should sync a first invoice once a fresh consent link is opened and allowed (the settings it wrote work)', async () => {
    const run = await setup(operatorValues());
    const link = /https:\/\/\S+\/oauth\/xero\/connect\?link=\S+/.exec(run.stdout)?.[0];
    expect(link).toBeDefined();
    expect(link).not.toBe(consentLink);
    // The operator's browser: the link, Xero's consent (the sandbox approves at once), the stack's callback.
    const browser = new Browser();
    let response = await browser.fetch(stack.api.localize(link!));
    let current = new URL(link!);
    for (let hop = 0; hop < 6 && response.status >= 300 && response.status < 400; hop++) {
      current = new URL(response.headers.get('location')!, current);
      await response.arrayBuffer();
      response = await browser.fetch(stack.api.localize(current.toString()));
    }
    expect(response.status).toBe(200);
    expect(current.toString()).toContain(`${outputs.CallbackUrl}?`);

    const webhookKey = String((await secretNamed('DataverseWebhookSecretName')).DATAVERSE_WEBHOOK_KEY);
    const answer = await deliverWebhook(stack.api.url, webhookKey, {
      table: 'salesorder',
      id: DEMO_IDS.orders.harbourview,
      message: 'Update',
    });
    expect(answer.status).toBeLessThan(300);
    await waitFor('the first invoice', () => invoicesByReference(sandbox, 'ORD-01001-HVP').length === 1, {
      timeoutMs: 60_000,
    });
  });
});
