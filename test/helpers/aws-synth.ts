/**
 * The AWS tier runs what `cdk deploy -c stage=<stage>` would upload: `cdk synth` WITH bundling, once, into a cache
 * folder keyed by a hash of everything that feeds the synth (bin, lib, lambdas, the lock file, cdk.json, tsconfig).
 * A changed source means a new key and a fresh synth; an unchanged tree reuses the previous cloud assembly.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';

export const REPO_ROOT = resolve(__dirname, '..', '..');
const HASHED_DIRS = ['bin', 'lib', 'lambdas'];
const HASHED_FILES = ['package-lock.json', 'cdk.json', 'tsconfig.json'];
/** One cache per checkout, so two checkouts on one machine never prune each other's assemblies. */
const CACHE_ROOT = join(
  tmpdir(),
  'd365-xero-aws-tier',
  createHash('sha256').update(REPO_ROOT).digest('hex').slice(0, 12)
);
/** A cloud assembly is complete once this file exists; a synth killed half-way is never reused. */
const COMPLETE_MARKER = '.aws-tier-complete';

export interface SynthesizedStage {
  readonly outdir: string;
  readonly stackName: string;
  readonly templatePath: string;
}

/** Synthesizes `stage` (bundling included) or reuses the cached assembly for an identical source tree. */
export function synthStage(stage = 'dev'): SynthesizedStage {
  const key = sourceHash(stage);
  const outdir = join(CACHE_ROOT, `${stage}-${key.slice(0, 16)}`);
  if (!existsSync(join(outdir, COMPLETE_MARKER))) {
    mkdirSync(CACHE_ROOT, { recursive: true });
    const building = `${outdir}.building-${process.pid}`;
    rmSync(building, { recursive: true, force: true });
    const result = spawnSync(
      process.execPath,
      [
        join(REPO_ROOT, 'node_modules', 'aws-cdk', 'bin', 'cdk'),
        'synth',
        '-c',
        `stage=${stage}`,
        '-o',
        building,
        '--quiet',
      ],
      { cwd: REPO_ROOT, encoding: 'utf8', timeout: 300_000, env: { ...process.env, CDK_DISABLE_VERSION_CHECK: '1' } }
    );
    if (result.status !== 0)
      throw new Error(`cdk synth -c stage=${stage} failed (${result.status}): ${result.stderr || result.error}`);
    writeFileSync(join(building, COMPLETE_MARKER), key);
    if (existsSync(join(outdir, COMPLETE_MARKER))) {
      // Another run finished the same assembly meanwhile: keep theirs (it may be in use).
      rmSync(building, { recursive: true, force: true });
    } else {
      rmSync(outdir, { recursive: true, force: true });
      renameSync(building, outdir);
    }
    pruneOtherAssemblies(stage, outdir);
  }
  return { outdir, ...stackOf(outdir) };
}

function stackOf(outdir: string): { stackName: string; templatePath: string } {
  const manifest = JSON.parse(readFileSync(join(outdir, 'manifest.json'), 'utf8')) as {
    artifacts: Record<string, { type: string; properties?: { templateFile?: string } }>;
  };
  const stacks = Object.entries(manifest.artifacts).filter(([, a]) => a.type === 'aws:cloudformation:stack');
  if (stacks.length !== 1) throw new Error(`expected one stack in the assembly, found ${stacks.length}`);
  const [stackName, artifact] = stacks[0]!;
  return { stackName, templatePath: join(outdir, artifact.properties?.templateFile ?? `${stackName}.template.json`) };
}

function sourceHash(stage: string): string {
  const hash = createHash('sha256').update(`stage=${stage}\n`);
  const files = [
    ...HASHED_DIRS.flatMap((dir) => listFiles(join(REPO_ROOT, dir))),
    ...HASHED_FILES.map((f) => join(REPO_ROOT, f)),
  ];
  for (const file of files.sort()) {
    if (!existsSync(file)) continue;
    hash.update(relative(REPO_ROOT, file)).update('\0').update(readFileSync(file)).update('\0');
  }
  return hash.digest('hex');
}

function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? listFiles(path) : [path];
  });
}

/** Keeps the cache to one assembly per stage: older trees are never reused once the sources moved on. */
function pruneOtherAssemblies(stage: string, keep: string): void {
  for (const name of readdirSync(CACHE_ROOT)) {
    const path = join(CACHE_ROOT, name);
    if (name.startsWith(`${stage}-`) && path !== keep && !name.includes('.building-')) {
      rmSync(path, { recursive: true, force: true });
    }
  }
}
