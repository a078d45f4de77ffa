// Child process of the 1,000-image batch figures, so the memory measured is the batch's alone
// (the emulator runs in the parent). Makes the images, runs 30 warm-up edits of the same model
// time (the duration history the extension persists), then edits every image through `runBatch`
// and the real client as the batch panel does: read the file, create the run, wait, fetch the
// output, save it beside the image (temp file, then rename). Prints {"totalMs", "rssGrowthMb",
// "outputs": [outputs saved per image]} as JSON.
// Usage: node --expose-gc dist-test/bench/batchScaleProbe.js <baseUrl> <apiKey> <items> <concurrency> <modelTimeMs>
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { DurationModel, RunflowClient } from '../src/runflow';
import { runBatch } from '../src/batch/batchQueue';
import { editInput, promptFor } from './benchRuns';

const [baseUrl, apiKey, itemsArg, concurrencyArg, modelTimeArg] = process.argv.slice(2);
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
    const edit = async (image: string, clientRef: string, signal?: AbortSignal): Promise<number> => {
      const { url } = await client.toInputUrl(await readFile(image), 'image.png', signal);
      const run = await client.createEditRun(editInput(promptFor(clientRef, MODEL_TIME_MS), url), { clientRef, signal });
      const done = await client.waitForRun(run.id, { durations, durationKey: DURATION_KEY, signal });
      const outputs = done.output?.outputs ?? [];
      for (const [n, output] of outputs.entries()) {
        const { bytes } = await client.fetchOutput(output, { signal });
        const temp = join(folder, `.${randomBytes(6).toString('hex')}.tmp`);
        await writeFile(temp, bytes);
        await rename(temp, image.replace(/\.png$/, `.edited-${n + 1}.png`));
      }
      return outputs.length;
    };
    await Promise.all(Array.from({ length: WARM_UP_RUNS }, (_, i) => edit(images[i % ITEMS], `scale-warm-up-${i}`)));

    (globalThis as { gc?: () => void }).gc?.();
    const before = process.memoryUsage().rss;
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), RSS_SAMPLE_MS);
    const started = Date.now();
    const outcomes = await runBatch(images, {
      concurrency: CONCURRENCY,
      signal: new AbortController().signal,
      work: (image, i, signal) => edit(image, `scale-item-${i}`, signal),
    });
    const totalMs = Date.now() - started;
    clearInterval(sampler);
    peak = Math.max(peak, process.memoryUsage().rss);
    const outputs = outcomes.map((o) => (o.status === 'succeeded' ? (o.result ?? 0) : 0));
    process.stdout.write(JSON.stringify({ totalMs, rssGrowthMb: (peak - before) / (1024 * 1024), outputs }));
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
