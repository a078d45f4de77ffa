// Child process of the 1,000-image batch figures, so the memory measured is the batch's alone
// (the emulator runs in the parent). Makes the images, runs 30 warm-up edits of the same model
// time (the duration history the extension persists), then edits every image as the batch panel
// does (src/batch/batchEdit.ts): `runStaged` with a `BatchCreator`, so a first stage reads each
// file and queues its create for Runflow's batch route, and each item then waits for its run,
// fetches the output and saves it beside the image (temp file, then rename). When Runflow refuses
// batches (422) each item creates its run alone. Prints {"totalMs", "rssGrowthMb", "outputs":
// [outputs saved per image], "batchRequests", "batchesRefused"} as JSON.
// Usage: node --expose-gc dist-test/bench/batchScaleProbe.js <baseUrl> <apiKey> <items> <concurrency> <modelTimeMs> <refPrefix>
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { DurationModel, MAX_BATCH_ITEMS, RunflowClient, type EditInput } from '../src/runflow';
import { runStaged } from '../src/batch/batchQueue';
import { BatchCreator, type QueuedCreate } from '../src/runflow/batchCreator';
import { editInput, promptFor } from './benchRuns';

const [baseUrl, apiKey, itemsArg, concurrencyArg, modelTimeArg, refPrefix] = process.argv.slice(2);
const ITEMS = Number(itemsArg);
const CONCURRENCY = Number(concurrencyArg);
const MODEL_TIME_MS = Number(modelTimeArg);
const WARM_UP_RUNS = 30;
const DURATION_KEY = 'bench|batch-scale';
const RSS_SAMPLE_MS = 50;

async function main(): Promise<void> {
  const client = new RunflowClient({ baseUrl, apiKey });
  const durations = new DurationModel();
  const folder = await mkdtemp(join(tmpdir(), 'gpt-image-edit-batch-'));
  try {
    const images: string[] = [];
    for (let i = 0; i < ITEMS; i++) {
      const png = await sharp({ create: { width: 64, height: 64, channels: 3, background: { r: i % 256, g: 120, b: 200 } } }).png().toBuffer();
      images.push(join(folder, `image-${i}.png`));
      await writeFile(images[i], png);
    }
    const inputOf = async (image: string, clientRef: string, signal?: AbortSignal): Promise<EditInput> =>
      editInput(promptFor(clientRef, MODEL_TIME_MS), (await client.toInputUrl(await readFile(image), 'image.png', signal)).url);
    const finish = async (image: string, runId: string, signal?: AbortSignal): Promise<number> => {
      const done = await client.waitForRun(runId, { durations, durationKey: DURATION_KEY, signal });
      const outputs = done.output?.outputs ?? [];
      for (const [n, output] of outputs.entries()) {
        const { bytes } = await client.fetchOutput(output, { signal });
        const temp = join(folder, `.${randomBytes(6).toString('hex')}.tmp`);
        await writeFile(temp, bytes);
        await rename(temp, image.replace(/\.png$/, `.edited-${n + 1}.png`));
      }
      return outputs.length;
    };
    await Promise.all(
      Array.from({ length: WARM_UP_RUNS }, async (_, i) => {
        const clientRef = `${refPrefix}-warm-up-${i}`;
        const run = await client.createEditRun(await inputOf(images[i % ITEMS], clientRef), { clientRef });
        return finish(images[i % ITEMS], run.id);
      }),
    );

    (globalThis as { gc?: () => void }).gc?.();
    const before = process.memoryUsage().rss;
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), RSS_SAMPLE_MS);
    const started = Date.now();
    const signal = new AbortController().signal;
    const creator = new BatchCreator({ client, signal, firstBatchItems: CONCURRENCY });
    // What the first stage leaves each item: its input (for a create alone) and the batch's answer.
    const queued: { input: EditInput; answer: Promise<QueuedCreate> }[] = [];
    const outcomes = await runStaged(images, {
      concurrency: CONCURRENCY,
      signal,
      ahead: 2 * MAX_BATCH_ITEMS,
      prepare: async (image, i, s) => {
        if (!creator.accepting) return;
        const clientRef = `${refPrefix}-item-${i}`;
        const input = await inputOf(image, clientRef, s);
        queued[i] = { input, answer: creator.create({ clientRef, input }, () => undefined) };
      },
      onPrepared: () => creator.flush(),
      work: async (image, i, s) => {
        const clientRef = `${refPrefix}-item-${i}`;
        const answer = (await queued[i]?.answer) ?? { made: false };
        const item = queued[i];
        delete queued[i];
        if (answer.made && !answer.runId) throw new Error(`the batch did not name the run of ${clientRef}`);
        const runId = answer.made ? answer.runId! : (await client.createEditRun(item?.input ?? (await inputOf(image, clientRef, s)), { clientRef, signal: s })).id;
        return finish(image, runId, s);
      },
    });
    const totalMs = Date.now() - started;
    clearInterval(sampler);
    peak = Math.max(peak, process.memoryUsage().rss);
    const outputs = outcomes.map((o) => (o.status === 'succeeded' ? (o.result ?? 0) : 0));
    const failures = outcomes.filter((o) => o.status !== 'succeeded').slice(0, 3).map((o) => String(o.error));
    process.stdout.write(
      JSON.stringify({ totalMs, rssGrowthMb: (peak - before) / (1024 * 1024), outputs, batchRequests: creator.sent.batches, batchesRefused: creator.sent.refused, failures }),
    );
  } finally {
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
