// Figure 4: a batch of 100 edits at concurrency 4 through the batch panel's code (`editEach` with
// an edit runner's session and its jobs, on test/support/nodeHost.ts), each run taking a fixed
// model time T: total time against the ideal 25·T, and whether every image got exactly one run and
// its one output saved beside it. 30 warm-up edits of T (not counted) stand for the duration
// history the extension persists, as after earlier edits. The emulator refuses the batch route
// (as Runflow answers for this model), so each image creates its run alone.
import '../test/support/vscodeStub';
import * as vscode from 'vscode';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Emulator } from '../test/emulator';
import { nodeHost } from '../test/support/nodeHost';
import { EditRunner } from '../src/edit/editRunner';
import { tinyPng } from './benchRuns';
import { editEachThroughRunner, startEdit } from './runnerBatch';

const ITEMS = 100;
const CONCURRENCY = 4;
const MODEL_TIME_MS = 2000;
const WARM_UP_RUNS = 30;

export interface BatchFigures {
  batch_ratio: number;
  batch_lost: number;
  batch_duplicated: number;
}

/** `count` small PNGs written into `folder`. */
async function images(folder: string, label: string, count: number): Promise<vscode.Uri[]> {
  const png = await tinyPng();
  const uris = Array.from({ length: count }, (_, i) => vscode.Uri.file(join(folder, `${label}-${i}.png`)));
  for (const uri of uris) await writeFile(uri.fsPath, png);
  return uris;
}

export async function measureBatch(emu: Emulator): Promise<BatchFigures> {
  const host = await nodeHost({ baseUrl: emu.baseUrl, apiKey: emu.apiKey });
  const folder = await mkdtemp(join(tmpdir(), 'gpt-image-edit-batch-'));
  try {
    const session = (await EditRunner.of(host).session({ askForKey: false }))!;
    const warmUp = await images(folder, 'warm-up', WARM_UP_RUNS);
    await Promise.all(warmUp.map(async (image) => session.run(await startEdit(session, image, MODEL_TIME_MS), new AbortController())));

    const items = await images(folder, 'item', ITEMS);
    const { outcomes, clientRefs, totalMs } = await editEachThroughRunner(session, items, MODEL_TIME_MS, CONCURRENCY);

    const runsPerRef = new Map<string, number>();
    for (const run of emu.runs()) if (run.clientRef) runsPerRef.set(run.clientRef, (runsPerRef.get(run.clientRef) ?? 0) + 1);
    // Lost: no run on the server, or the image did not end with its one output saved.
    const lost = (i: number): boolean => !runsPerRef.has(clientRefs[i]) || outcomes[i].status !== 'succeeded' || outcomes[i].result?.saved.length !== 1;
    return {
      batch_ratio: totalMs / ((ITEMS / CONCURRENCY) * MODEL_TIME_MS),
      batch_lost: items.filter((_, i) => lost(i)).length,
      batch_duplicated: clientRefs.reduce((extra, ref) => extra + Math.max(0, (runsPerRef.get(ref) ?? 0) - 1), 0),
    };
  } finally {
    host.close();
    await rm(folder, { recursive: true, force: true });
  }
}
