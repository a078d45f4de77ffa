// Figures of the 1,000-image batch: concurrency 8, model time 0.5 s, through the batch panel's
// code (`editEach` on an edit runner's session) in a child process (bench/batchScaleProbe.ts),
// on both of Runflow's answers to its batch route: refused (422, this model's answer by the
// reference, the emulator's default: every image then creates its run alone) and accepted
// (`accept_batches`: 100 runs per request, run 8 at a time by the server). Each gives its total time against the ideal
// 1000 / 8 · 0.5 s, items lost or run twice (from the emulator's runs, by client_ref), the child's
// RSS growth while the batch ran, and how many create requests it took.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Emulator } from '../test/emulator';

const ITEMS = 1000;
const CONCURRENCY = 8;
const MODEL_TIME_MS = 500;
const PROBE = join(__dirname, 'batchScaleProbe.js');
/** Single creates the probe makes before the batch (bench/batchScaleProbe.ts). */
const WARM_UP_RUNS = 30;
const CREATE_PATHS = /^\/v1\/models\/openai\/gpt-image-2\/edit\/(runs|batches)$/;

type Mode = 'refused' | 'accepted';
/** The figures' names: `batch_1000_*` for the refused route (as Runflow answers today), `batch_1000_route_*` for the accepted one. */
const PREFIX: Record<Mode, string> = { refused: 'batch_1000', accepted: 'batch_1000_route' };

export async function measureBatchScale(emu: Emulator): Promise<Record<string, number>> {
  return { ...(await measureMode(emu, 'refused')), ...(await measureMode(emu, 'accepted')) };
}

async function measureMode(emu: Emulator, mode: Mode): Promise<Record<string, number>> {
  // Runflow runs a batch at its own pace; at the same 8 at once as the single runs, both paths share the ideal.
  if (mode === 'accepted') emu.inject({ kind: 'accept_batches', concurrency: CONCURRENCY });
  const firstRequest = emu.requests.length;
  try {
    const args = ['--expose-gc', PROBE, emu.baseUrl, emu.apiKey, String(ITEMS), String(CONCURRENCY), String(MODEL_TIME_MS)];
    const { stdout } = await promisify(execFile)(process.execPath, args, { maxBuffer: 16 * 1024 * 1024 });
    const probe = JSON.parse(stdout) as {
      totalMs: number;
      rssGrowthMb: number;
      clientRefs: string[];
      outputs: number[];
      batchRequests: number;
      failures: string[];
    };
    if (probe.failures.length) console.log(`  ${mode}: first failures: ${probe.failures.join(' | ')}`);
    const itemOfRef = new Map(probe.clientRefs.map((ref, i) => [ref, i]));
    const runsPerItem = new Array<number>(ITEMS).fill(0);
    for (const run of emu.runs()) {
      const item = itemOfRef.get(run.clientRef ?? '');
      if (item !== undefined) runsPerItem[item]++;
    }
    const creates = emu.requests.slice(firstRequest).filter((r) => r.method === 'POST' && CREATE_PATHS.test(r.path)).length;
    const p = PREFIX[mode];
    return {
      [`${p}_ratio`]: probe.totalMs / ((ITEMS / CONCURRENCY) * MODEL_TIME_MS),
      // Lost: no run on the server, or the image did not end with its one output saved.
      [`${p}_lost`]: runsPerItem.filter((runs, i) => runs === 0 || probe.outputs[i] !== 1).length,
      [`${p}_duplicated`]: runsPerItem.reduce((extra, runs) => extra + Math.max(0, runs - 1), 0),
      [`${p}_rss_mb`]: probe.rssGrowthMb,
      // Batch POSTs (the refused one included) and single creates, the warm-up's excepted.
      [`${p}_create_requests`]: creates - WARM_UP_RUNS,
    };
  } finally {
    if (mode === 'accepted') emu.reset(); // Its fault must not reach the figures measured after.
  }
}
