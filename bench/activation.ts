// Figure 5: activation cost of the built extension (dist/extension.js, which leaves dist/main.js
// for first use) against an "eager" build of the same sources that loads everything at
// activation, each the median of fresh child processes alternating between the two.
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { median } from './benchRuns';

const ROOT = resolve(__dirname, '..', '..');
const LAZY_BUNDLE = join(ROOT, 'dist', 'extension.js');
const PROBE = join(__dirname, 'activationProbe.js');
const SAMPLES = 20;

export interface ActivationFigures {
  activation_ms: number;
  activation_ratio: number;
  activation_bundle_kb: number;
  eager_activation_ms: number;
  first_use_kb: number;
  first_use_require_ms: number;
}

/** The same sources bundled as one file that loads the heavy part (src/main.ts and the undici parts it requires at its first request) at load. */
async function buildEager(folder: string): Promise<string> {
  const entry = join(folder, 'eager.ts');
  const imports = [join(ROOT, 'src', 'main'), join(ROOT, 'src', 'runflow', 'undici')].map((m) => `import ${JSON.stringify(m)};\n`).join('');
  await writeFile(entry, `${imports}export { activate, deactivate } from ${JSON.stringify(join(ROOT, 'src', 'extension'))};\n`);
  const outfile = join(folder, 'extension.js');
  // As esbuild.js builds dist/extension.js for production.
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode', './main.js'],
    minify: true,
    logLevel: 'warning',
  });
  return outfile;
}

interface Probe {
  ms: number;
  loaded: string[];
  firstUseMs?: number;
}

function probe(bundle: string, ...flags: string[]): Probe {
  const child = spawnSync(process.execPath, [PROBE, bundle, ...flags], { encoding: 'utf8' });
  if (child.status !== 0) throw new Error(`activation probe failed for ${bundle}: ${child.stderr}`);
  return JSON.parse(child.stdout) as Probe;
}

const kilobytes = async (files: readonly string[]): Promise<number> =>
  (await Promise.all(files.map(async (f) => (await stat(f)).size))).reduce((a, b) => a + b, 0) / 1024;

export async function measureActivation(): Promise<ActivationFigures> {
  const folder = await mkdtemp(join(tmpdir(), 'gpt-image-edit-eager-'));
  try {
    const eagerBundle = await buildEager(folder);
    const lazy: number[] = [];
    const eager: number[] = [];
    const firstUse: number[] = [];
    let loaded: string[] = [];
    let firstUseLoaded: string[] = [];
    for (let i = 0; i < SAMPLES; i++) {
      const sample = probe(LAZY_BUNDLE);
      lazy.push(sample.ms);
      loaded = sample.loaded;
      eager.push(probe(eagerBundle).ms);
      const first = probe(LAZY_BUNDLE, '--first-use');
      firstUse.push(first.firstUseMs ?? NaN);
      firstUseLoaded = first.loaded;
    }
    const lazyMs = median(lazy);
    const eagerMs = median(eager);
    return {
      activation_ms: lazyMs,
      activation_ratio: lazyMs / eagerMs,
      activation_bundle_kb: await kilobytes(loaded),
      eager_activation_ms: eagerMs,
      first_use_kb: await kilobytes(firstUseLoaded),
      first_use_require_ms: median(firstUse),
    };
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}
