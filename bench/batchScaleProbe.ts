// Child process of the 1,000-image batch figures, so the memory measured is the batch's alone
// (the emulator runs in the parent). Makes the images, runs 30 warm-up edits of the same model
// time (the duration history the extension persists), then edits every image as the batch panel
// does: `editEach` with an edit runner's session (on test/support/nodeHost.ts), so each image's
// job is recorded, its create goes out through Runflow's batch route (or alone when Runflow
// refuses batches, 422), and its output is saved beside it with its sidecar. Prints {"totalMs",
// "rssGrowthMb", "clientRefs": [each image's], "outputs": [outputs saved per image],
// "batchRequests", "batchesRefused", "failures"} as JSON.
// Usage: node --expose-gc dist-test/bench/batchScaleProbe.js <baseUrl> <apiKey> <items> <concurrency> <modelTimeMs>
import '../test/support/vscodeStub';
import * as vscode from 'vscode';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { nodeHost } from '../test/support/nodeHost';
import { EditRunner } from '../src/edit/editRunner';
import { editEachThroughRunner, startEdit } from './runnerBatch';

const [baseUrl, apiKey, itemsArg, concurrencyArg, modelTimeArg] = process.argv.slice(2);
const ITEMS = Number(itemsArg);
const CONCURRENCY = Number(concurrencyArg);
const MODEL_TIME_MS = Number(modelTimeArg);
const WARM_UP_RUNS = 30;
const RSS_SAMPLE_MS = 50;

async function main(): Promise<void> {
  const host = await nodeHost({ baseUrl, apiKey });
  const folder = await mkdtemp(join(tmpdir(), 'gpt-image-edit-batch-'));
  try {
    const images: vscode.Uri[] = [];
    for (let i = 0; i < ITEMS; i++) {
      const png = await sharp({ create: { width: 64, height: 64, channels: 3, background: { r: i % 256, g: 120, b: 200 } } })
        .png()
        .toBuffer();
      images.push(vscode.Uri.file(join(folder, `image-${i}.png`)));
      await writeFile(images[i].fsPath, png);
    }
    const session = (await EditRunner.of(host).session({ askForKey: false }))!;
    await Promise.all(images.slice(0, WARM_UP_RUNS).map(async (image) => session.run(await startEdit(session, image, MODEL_TIME_MS), new AbortController())));

    (globalThis as { gc?: () => void }).gc?.();
    const before = process.memoryUsage().rss;
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), RSS_SAMPLE_MS);
    const { outcomes, batchRoute, totalMs, clientRefs } = await editEachThroughRunner(session, images, MODEL_TIME_MS, CONCURRENCY);
    clearInterval(sampler);
    peak = Math.max(peak, process.memoryUsage().rss);
    const outputs = outcomes.map((o) => (o.status === 'succeeded' ? (o.result?.saved.length ?? 0) : 0));
    const failures = outcomes
      .filter((o) => o.status !== 'succeeded')
      .slice(0, 3)
      .map((o) => String(o.error));
    process.stdout.write(
      JSON.stringify({
        totalMs,
        rssGrowthMb: (peak - before) / (1024 * 1024),
        clientRefs,
        outputs,
        batchRequests: batchRoute?.batches ?? 0,
        batchesRefused: batchRoute?.refused ?? 0,
        failures,
      }),
    );
  } finally {
    host.close();
    await rm(folder, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
