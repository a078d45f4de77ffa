// Figure 3: what the client adds to one 2 MiB edit beyond the model's time and the poll delay:
// reading the file, the three-step asset upload, the create, fetching the output and saving it
// into a temp folder with the extension's temp-then-rename approach (node:fs here, because the
// extension's saver needs `vscode`).
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import type { Emulator } from '../test/emulator';
import { DurationModel } from '../src/runflow';
import { benchClient, editInput, median, promptFor, serverRun } from './benchRuns';

const TARGET_BYTES = 2 * 1024 * 1024;
const WIDTH = 1024;
const MODEL_TIME_MS = 1000;
const REPEATS = 5;
const DURATION_KEY = 'bench|overhead';

export interface OverheadFigures {
  overhead_ms_2mib: number;
  overhead_input_bytes: number;
}

/** A real PNG of just under 2 MiB: random pixels do not compress, so the size is set by the height. */
async function twoMibPng(): Promise<Buffer> {
  const height = Math.floor(TARGET_BYTES / (WIDTH * 3 + 1)) - 1; // +1: PNG's filter byte per row
  const png = await sharp(randomBytes(WIDTH * height * 3), { raw: { width: WIDTH, height, channels: 3 } }).png({ compressionLevel: 0 }).toBuffer();
  if (png.length > TARGET_BYTES || png.length < TARGET_BYTES * 0.98) throw new Error(`the bench PNG is ${png.length} bytes, not about 2 MiB`);
  return png;
}

export async function measureOverhead(emu: Emulator): Promise<OverheadFigures> {
  const client = benchClient(emu);
  const durations = new DurationModel();
  const folder = await mkdtemp(join(tmpdir(), 'gpt-image-edit-bench-'));
  try {
    const inputPath = join(folder, 'input.png');
    const input = await twoMibPng();
    await writeFile(inputPath, input);
    const overheads: number[] = [];
    for (let i = 0; i < REPEATS; i++) {
      const clientRef = `overhead-${i}`;
      const started = Date.now();
      const { url: imageUrl } = await client.toInputUrl(await readFile(inputPath), 'input.png');
      const run = await client.createEditRun(editInput(promptFor(clientRef, MODEL_TIME_MS), imageUrl), { clientRef });
      const done = await client.waitForRun(run.id, { durations, durationKey: DURATION_KEY });
      const knownAt = Date.now();
      for (const [n, output] of (done.output?.outputs ?? []).entries()) {
        const { bytes } = await client.fetchOutput(output);
        const temp = join(folder, `.input.${randomBytes(6).toString('hex')}.tmp`);
        await writeFile(temp, bytes);
        await rename(temp, join(folder, `input.edited-${i + 1}-${n + 1}.png`));
      }
      const finished = Date.now();
      // Server-side time from creation to the client knowing: the model's own time plus the poll delay.
      const server = serverRun(emu, clientRef);
      overheads.push(finished - started - (knownAt - server.createdAt));
    }
    return { overhead_ms_2mib: median(overheads), overhead_input_bytes: input.length };
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}
