// Figure 4: a batch of 100 edits at concurrency 4 through `runBatch` and the real client, each
// run taking a fixed model time T: total time against the ideal 25·T, and whether every item got
// exactly one run and its output. 30 warm-up runs of T (not counted) stand for the duration
// history the extension persists (a DurationModel keeps 30 per key), as after earlier edits.
import type { Emulator } from '../test/emulator';
import { DurationModel } from '../src/runflow';
import { runBatch } from '../src/batch/batchQueue';
import { benchClient, editInput, promptFor, tinyPngUri } from './benchRuns';

const ITEMS = 100;
const CONCURRENCY = 4;
const MODEL_TIME_MS = 2000;
const WARM_UP_RUNS = 30;
const DURATION_KEY = 'bench|batch';

export interface BatchFigures {
  batch_ratio: number;
  batch_lost: number;
  batch_duplicated: number;
}

export async function measureBatch(emu: Emulator): Promise<BatchFigures> {
  const client = benchClient(emu);
  const image = await tinyPngUri();
  const durations = new DurationModel();
  const edit = async (clientRef: string, signal?: AbortSignal): Promise<number> => {
    const run = await client.createEditRun(editInput(promptFor(clientRef, MODEL_TIME_MS), image), { clientRef, signal });
    const done = await client.waitForRun(run.id, { durations, durationKey: DURATION_KEY, signal });
    const outputs = done.output?.outputs ?? [];
    for (const output of outputs) await client.fetchOutput(output, { signal });
    return outputs.length;
  };

  await Promise.all(Array.from({ length: WARM_UP_RUNS }, (_, i) => edit(`batch-warm-up-${i}`)));

  const refs = Array.from({ length: ITEMS }, (_, i) => `batch-item-${i}`);
  const started = Date.now();
  const outcomes = await runBatch(refs, {
    concurrency: CONCURRENCY,
    signal: new AbortController().signal,
    work: (ref, _, signal) => edit(ref, signal),
  });
  const total = Date.now() - started;

  const runsPerRef = new Map<string, number>();
  for (const run of emu.runs()) if (run.clientRef) runsPerRef.set(run.clientRef, (runsPerRef.get(run.clientRef) ?? 0) + 1);
  // Lost: no run on the server, or the item did not end with its one output fetched.
  const lost = (i: number): boolean => !runsPerRef.has(refs[i]) || outcomes[i].status !== 'succeeded' || outcomes[i].result !== 1;
  return {
    batch_ratio: total / ((ITEMS / CONCURRENCY) * MODEL_TIME_MS),
    batch_lost: refs.filter((_, i) => lost(i)).length,
    batch_duplicated: refs.reduce((extra, ref) => extra + Math.max(0, (runsPerRef.get(ref) ?? 0) - 1), 0),
  };
}
