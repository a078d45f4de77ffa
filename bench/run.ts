// `npm run bench`: measures the client against the Runflow emulator and the built extension's
// activation, prints a table and writes bench/results.json (a flat object of numbers). Every
// figure is a ratio against a baseline measured in this same run, or an absolute that does not
// depend on machine speed. How to read it: docs/benchmarks.md.
import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { measureActivation } from './activation';
import { measureBatch } from './batchThroughput';
import { measureBatchScale } from './batchScale';
import { startBenchEmulator } from './benchRuns';
import { DETECTION_SEED, DETECTION_WORKLOAD, measureDetection } from './detectionLatency';
import { measureOverhead } from './overhead';
import { measurePanelOpen } from './panelOpen';
import { measurePipeline } from './pipeline';
import { simulateSeeds } from './pollSimulation';

const RESULTS = join(resolve(__dirname, '..', '..'), 'bench', 'results.json');

/** The most (or, for `exactly`, the only) value each figure may have; figures without one are context. */
const TARGETS: Record<string, { max: number } | { exactly: number }> = {
  detection_latency_ratio: { max: 0.3 },
  requests_per_run_ratio: { max: 1.5 },
  requests_per_run_ratio_30_seeds_p95: { max: 1.5 },
  cold_start_latency_ratio: { max: 0.6 },
  overhead_ms_2mib: { max: 200 },
  batch_ratio: { max: 1.05 },
  batch_lost: { exactly: 0 },
  batch_duplicated: { exactly: 0 },
  activation_ms: { max: 15 },
  activation_ratio: { max: 0.2 },
  activation_bundle_kb: { max: 60 },
  pipeline_ratio: { max: 3 },
  first_use_kb: { max: 400 },
  batch_1000_ratio: { max: 1.1 },
  batch_1000_lost: { exactly: 0 },
  batch_1000_duplicated: { exactly: 0 },
  batch_1000_rss_mb: { max: 150 },
  batch_1000_route_ratio: { max: 1.1 },
  batch_1000_route_lost: { exactly: 0 },
  batch_1000_route_duplicated: { exactly: 0 },
  batch_1000_route_rss_mb: { max: 150 },
  panel_open_ratio: { max: 1.5 },
  panel_reshow_ms_ratio: { max: 0.5 },
};

function row(name: string, value: number): string[] {
  const target = TARGETS[name];
  const shown = Number.isInteger(value) ? String(value) : value.toFixed(value < 10 ? 3 : 1);
  if (!target) return [name, shown, '', ''];
  const ok = 'max' in target ? value <= target.max : value === target.exactly;
  return [name, shown, 'max' in target ? `<= ${target.max}` : `= ${target.exactly}`, ok ? 'ok' : 'MISSED'];
}

function table(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows
    .map((r) =>
      r
        .map((cell, c) => cell.padEnd(widths[c]))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

async function main(): Promise<void> {
  const started = Date.now();
  const step = (what: string): void => console.log(`[${((Date.now() - started) / 1000).toFixed(0)} s] ${what}`);
  step('activation and first use: 20 fresh processes each for the built bundle, the eager one and a first command');
  const activation = await measureActivation();
  step('detection on 30 more seeds: the real poll loop on a simulated clock');
  const seeds = await simulateSeeds(DETECTION_SEED, DETECTION_WORKLOAD);
  step('image pipeline: finishing a 2048×2048 exact edit, shipped WebAssembly build vs native sharp, median of 5 each');
  const pipeline = await measurePipeline();
  step('panel open: the real editor, the panel against the built-in image preview, median of 5 each');
  const panelOpen = await measurePanelOpen();
  const emu = await startBenchEmulator();
  let figures: Record<string, number>;
  try {
    step('detection latency and polls: 30 cold warm-up runs, then 40 runs, each for ours and the 2 s baseline');
    const detection = await measureDetection(emu);
    step('overhead: 5 edits of a 2 MiB PNG, one at a time');
    const overhead = await measureOverhead(emu);
    step('batch: 100 edits at concurrency 4, T = 2 s');
    const batch = await measureBatch(emu);
    step("batch scale: 1,000 images at concurrency 8, T = 0.5 s, in a child process, with Runflow's batch route refused (422), then accepted");
    const batchScale = await measureBatchScale(emu);
    figures = { ...detection, ...seeds, ...overhead, ...batch, ...batchScale, ...activation, ...pipeline, ...panelOpen };
  } finally {
    await emu.close();
  }
  step('done');
  const named = [...Object.keys(TARGETS), ...Object.keys(figures).filter((k) => !(k in TARGETS))];
  console.log(`\n${table([['figure', 'value', 'target', 'ok?'], ...named.map((k) => row(k, figures[k]))])}\n`);
  await writeFile(RESULTS, `${JSON.stringify(figures, null, 2)}\n`);
  console.log(`wrote ${RESULTS}`);
}

main().then(
  // The shared HTTP agent keeps idle sockets open; nothing else is left to wait for.
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
