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
}

/** The same sources bundled as one file that requires the heavy part (src/main.ts) at load. */
async function buildEager(folder: string): Promise<string> {
  const entry = join(folder, 'eager.ts');
  await writeFile(
    entry,
    `import ${JSON.stringify(join(ROOT, 'src', 'main'))};\nexport { activate, deactivate } from ${JSON.stringify(join(ROOT, 'src', 'extension'))};\n`,
  );
  const outfile = join(folder, 'extension.js');
  // As esbuild.js builds dist/extension.js for production.
  await build({ entryPoints: [entry], outfile, bundle: true, platform: 'node', format: 'cjs', target: 'node20', external: ['vscode', './main.js'], minify: true, logLevel: 'warning' });
  return outfile;
}

function probe(bundle: string): { ms: number; loaded: string[] } {
  const child = spawnSync(process.execPath, [PROBE, bundle], { encoding: 'utf8' });
  if (child.status !== 0) throw new Error(`activation probe failed for ${bundle}: ${child.stderr}`);
  return JSON.parse(child.stdout) as { ms: number; loaded: string[] };
}

export async function measureActivation(): Promise<ActivationFigures> {
  const folder = await mkdtemp(join(tmpdir(), 'gpt-image-edit-eager-'));
  try {
    const eagerBundle = await buildEager(folder);
    const lazy: number[] = [];
    const eager: number[] = [];
    let loaded: string[] = [];
    for (let i = 0; i < SAMPLES; i++) {
      const sample = probe(LAZY_BUNDLE);
      lazy.push(sample.ms);
      loaded = sample.loaded;
      eager.push(probe(eagerBundle).ms);
    }
    const sizes = await Promise.all(loaded.map(async (f) => (await stat(f)).size));
    const lazyMs = median(lazy);
    const eagerMs = median(eager);
    return {
      activation_ms: lazyMs,
      activation_ratio: lazyMs / eagerMs,
      activation_bundle_kb: sizes.reduce((a, b) => a + b, 0) / 1024,
      eager_activation_ms: eagerMs,
    };
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}
