// Figures 9–10: 1,000 images at concurrency 8, model time 0.5 s, through `runBatch` and the real
// client in a child process (bench/batchScaleProbe.ts): total time against the ideal
// 1000 / 8 · 0.5 s, items lost or run twice (from the emulator's runs, by client_ref), and how
// much the child's RSS grew while the batch ran.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Emulator } from '../test/emulator';

const ITEMS = 1000;
const CONCURRENCY = 8;
const MODEL_TIME_MS = 500;
const PROBE = join(__dirname, 'batchScaleProbe.js');
const ITEM_REF = /^scale-item-(\d+)$/;

export interface BatchScaleFigures {
  batch_1000_ratio: number;
  batch_1000_lost: number;
  batch_1000_duplicated: number;
  batch_1000_rss_mb: number;
}

export async function measureBatchScale(emu: Emulator): Promise<BatchScaleFigures> {
  const args = ['--expose-gc', PROBE, emu.baseUrl, emu.apiKey, String(ITEMS), String(CONCURRENCY), String(MODEL_TIME_MS)];
  const { stdout } = await promisify(execFile)(process.execPath, args, { maxBuffer: 16 * 1024 * 1024 });
  const probe = JSON.parse(stdout) as { totalMs: number; rssGrowthMb: number; outputs: number[] };
  const runsPerItem = new Array<number>(ITEMS).fill(0);
  for (const run of emu.runs()) {
    const match = ITEM_REF.exec(run.clientRef ?? '');
    if (match) runsPerItem[Number(match[1])]++;
  }
  return {
    batch_1000_ratio: probe.totalMs / ((ITEMS / CONCURRENCY) * MODEL_TIME_MS),
    // Lost: no run on the server, or the image did not end with its one output saved.
    batch_1000_lost: runsPerItem.filter((runs, i) => runs === 0 || probe.outputs[i] !== 1).length,
    batch_1000_duplicated: runsPerItem.reduce((extra, runs) => extra + Math.max(0, runs - 1), 0),
    batch_1000_rss_mb: probe.rssGrowthMb,
  };
}
