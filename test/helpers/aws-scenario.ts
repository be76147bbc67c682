/**
 * Shared set-up of the AWS tier's scenarios: the sandbox Xero and Dataverse, the synthesized stack against them
 * with the operator's settings filled in, consent as a browser does it, and waits on queues and outcomes.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { DEMO_IDS } from '../../sandbox/demo-data';
import { findFreePort, startSandboxSystems, type SandboxSystems } from '../../src/local/sandbox-mode';
import { AwsStack, sandboxEndpoints } from './aws-stack';
import { Browser } from './browser';
import { REPO_ROOT } from './aws-synth';
import { waitFor } from './e2e-harness';
import type { MappingSettings } from '../../lambdas/core/settings';

export { DEMO_IDS };

/** The signing key the operator copies from the Xero app's webhook settings (Xero signs deliveries with it). */
export const XERO_WEBHOOK_KEY = 'aws-tier-xero-webhook-signing-key-0123456789';

export interface Scenario {
  readonly stack: AwsStack;
  readonly sandbox: SandboxSystems;
  readonly adminToken: string;
  readonly webhookKey: string;
  close(): Promise<void>;
}

export async function startScenario(
  options: {
    timeScale?: number;
    limits?: { perMinute?: number; concurrent?: number; perDay?: number };
    /** Mapping settings over the stage's, as the functions' MAPPING_SETTINGS (e.g. routing to two organisations). */
    mapping?: Partial<MappingSettings>;
    /** Xero organisations the sandbox lists at consent (default 1; with 2 the consent asks which to choose). */
    organisations?: 1 | 2;
  } = {}
): Promise<Scenario> {
  // The port only feeds the sandbox's local-runtime redirect URI, which the AWS stack does not use.
  const sandbox = await startSandboxSystems({
    port: await findFreePort(),
    seed: true,
    limits: options.limits,
    organisations: options.organisations ?? 1,
  });
  let stack: AwsStack | undefined;
  try {
    stack = await AwsStack.start({
      endpoints: { ...(await sandboxEndpoints('dev', sandbox)), ...(await mappingOverride('dev', options.mapping)) },
      operatorSettings: {
        XERO_CLIENT_ID: sandbox.xero.clientId,
        XERO_CLIENT_SECRET: sandbox.xero.clientSecret,
        XERO_WEBHOOK_KEY: XERO_WEBHOOK_KEY,
        DATAVERSE_ACCESS_TOKEN: sandbox.dataverse.accessToken ?? '',
      },
      timeScale: options.timeScale ?? 0.05,
    });
  } catch (error) {
    await sandbox.close();
    throw error;
  }
  const generated = await stack.generatedValues();
  const adminToken = generated.CONNECTOR_ADMIN_TOKEN;
  if (!adminToken) throw new Error(`the template generates no admin token (generated: ${Object.keys(generated)})`);
  // The deployment generates the Dataverse webhook key; the operator enters it in the service endpoint.
  const webhookKey = generated.DATAVERSE_WEBHOOK_KEY;
  if (!webhookKey) throw new Error('the template generates no Dataverse webhook key');
  const running = stack;
  return {
    stack: running,
    sandbox,
    adminToken,
    webhookKey,
    async close() {
      await running.close();
      await sandbox.close();
    },
  };
}

/** The stage's MAPPING_SETTINGS value → the same with `mapping` over it (the stack swaps variables by value). */
async function mappingOverride(stage: 'dev', mapping: Partial<MappingSettings> | undefined) {
  if (!mapping) return {};
  const { environments } = await import('../../lib/config/environments');
  const deployed = environments[stage].mapping;
  return { [JSON.stringify(deployed)]: JSON.stringify({ ...deployed, ...mapping }) };
}

/**
 * Consent as the operator's browser does it: the hosted connect route with the admin bearer, every redirect
 * followed (the sandbox Xero approves at once) with the browser's cookie jar (consent is bound to the browser by a
 * cookie); a redirect back to the API's public URL is resolved to the loopback server, as DNS would resolve it to
 * API Gateway. Returns the final page.
 */
export async function consentInBrowser(
  s: Scenario,
  browser: Browser = new Browser()
): Promise<{ status: number; body: string; hops: string[]; setCookies: string[] }> {
  const init = { signal: AbortSignal.timeout(30_000) };
  const first = await browser.fetch(`${s.stack.api.url}/oauth/xero/connect`, {
    ...init,
    headers: { authorization: `Bearer ${s.adminToken}` },
  });
  const setCookies = first.headers.getSetCookie();
  const { response, hops } = await browser.followRedirects(
    first,
    new URL(`${s.stack.api.publicUrl}/oauth/xero/connect`),
    init,
    (hop) => s.stack.api.localize(hop)
  );
  return { status: response.status, body: await response.text(), hops, setCookies };
}

/** Waits until no source queue holds work and no mapping holds a batch, three checks in a row. */
export async function waitForIdle(stack: AwsStack, timeoutMs = 60_000): Promise<void> {
  let streak = 0;
  await waitFor(
    'the stack to go idle',
    async () => {
      streak = (await stack.idle()) ? streak + 1 : 0;
      return streak >= 3;
    },
    { timeoutMs, everyMs: 100 }
  );
}

/** Runs the operator CLI (`connector …`) in its own process, its SDK pointed at the stack's AWS endpoint. */
export function runConnectorCli(
  stack: AwsStack,
  args: readonly string[]
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [join(REPO_ROOT, 'bin', 'connector-cli.js'), ...args], {
    cwd: REPO_ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      ...stack.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  return new Promise((resolve) =>
    child.on('close', (code) => {
      clearTimeout(timer);
      // This machine's Node 20 makes the SDK print a support warning; Lambda and operators run Node 22.
      resolve({
        code,
        stdout,
        stderr: stderr.replace(/\(node:\d+\) Warning: NodeVersionSupportWarning[\s\S]*?created\)\n/, ''),
      });
    })
  );
}
