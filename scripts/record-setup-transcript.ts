/**
 * Records docs/setup-transcript.txt from a real `connector setup --stage dev` run: the synthesized stack in moto
 * (outputs published by a moto CloudFormation stack, so setup finds them by DescribeStacks), the sandbox Dataverse
 * and the sandbox Xero identity server, exactly as the AWS tier runs them (test/aws/setup.test.ts). The operator's
 * values come from a 0600 file passed with --from-file. Generated hosts, ids and the link's signature differ per
 * run; everything else is the CLI's own output, unedited. The first run also replaces the README's block between the
 * `setup-transcript:start` and `setup-transcript:end` markers.
 *
 *   npx tsx scripts/record-setup-transcript.ts     (needs moto: pip install 'moto[server]')
 */
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../src/cli/main';
import { findFreePort, startSandboxSystems } from '../src/local/sandbox-mode';
import { AwsStack, sandboxEndpoints } from '../test/helpers/aws-stack';
import { apiResolvingFetch, publishStackOutputs } from '../test/helpers/aws-stack-outputs';
import { REPO_ROOT } from '../test/helpers/aws-synth';
import { tempDir } from '../test/helpers/temp-dir';

async function main(): Promise<void> {
  const sandbox = await startSandboxSystems({ port: await findFreePort(), seed: true });
  const stack = await AwsStack.start({ endpoints: await sandboxEndpoints('dev', sandbox), operatorSettings: {} });
  const folder = tempDir('setup-transcript');
  try {
    await publishStackOutputs(stack);
    Object.assign(process.env, stack.env);
    const valuesFile = join(folder.dir, 'connector-values.json');
    writeFileSync(
      valuesFile,
      JSON.stringify({
        XERO_CLIENT_ID: sandbox.xero.clientId,
        XERO_CLIENT_SECRET: sandbox.xero.clientSecret,
        XERO_WEBHOOK_KEY: 'transcript-xero-webhook-signing-key',
        DATAVERSE_URL: sandbox.dataverse.url,
        DATAVERSE_ACCESS_TOKEN: sandbox.dataverse.accessToken ?? '',
      }),
      { mode: 0o600 }
    );
    chmodSync(valuesFile, 0o600);
    let transcript = '';
    const session = async (argv: string[], shown: string) => {
      transcript += `$ ${shown}\n`;
      const code = await runCli(argv, {
        stdout: (t) => (transcript += t),
        stderr: (t) => (transcript += t),
        env: { ...stack.env, XERO_IDENTITY_URL: sandbox.xero.identityUrl },
        fetch: apiResolvingFetch(stack),
      });
      transcript += `(exit ${code})\n\n`;
    };
    await session(
      ['setup', '--stage', 'dev', '--from-file', valuesFile],
      'npx connector setup --stage dev --from-file connector-values.json'
    );
    await session(
      ['setup', '--stage', 'dev', '--from-file', valuesFile],
      'npx connector setup --stage dev --from-file connector-values.json   # again'
    );
    const header =
      '# Recorded by scripts/record-setup-transcript.ts: the emulated dev stack (moto), the sandbox Dataverse and\n' +
      '# the sandbox Xero identity server. Its Dataverse URL is the sandbox on 127.0.0.1; on AWS it is your org.\n\n';
    const out = join(REPO_ROOT, 'docs', 'setup-transcript.txt');
    writeFileSync(out, header + transcript.replaceAll(folder.dir, '.'));
    process.stdout.write(`wrote ${out}\n`);
    updateReadme(transcript.slice(0, transcript.indexOf('(exit ') + '(exit 0)'.length));
  } finally {
    folder.remove();
    await stack.close();
    await sandbox.close();
  }
}

/** The README shows the first run between its markers, as recorded. */
function updateReadme(firstRun: string): void {
  const path = join(REPO_ROOT, 'README.md');
  const readme = readFileSync(path, 'utf8');
  const block = /(<!-- setup-transcript:start[^>]*-->\n)[\s\S]*?(<!-- setup-transcript:end -->)/;
  if (!block.test(readme)) throw new Error('README.md has no setup-transcript markers');
  writeFileSync(
    path,
    readme.replace(block, (_m, start: string, end: string) => `${start}\n\`\`\`text\n${firstRun}\n\`\`\`\n\n${end}`)
  );
  process.stdout.write(`updated ${path}\n`);
}

void main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
