// Figure 3: what the extension adds to one 2 MiB edit beyond the model's time and the poll delay,
// through the edit runner as the edit panel runs an edit (on test/support/nodeHost.ts): recording
// it, reading and hashing the file, the three-step asset upload, the create, fetching the output
// and saving it beside the image with its sidecar. `overhead_ms_2mib` saves the output as the
// model returned it (what this figure has always measured); `overhead_ms_2mib_matched` with the
// default Match the original, which decodes the output and encodes it at the original's size.
import '../test/support/vscodeStub';
import * as vscode from 'vscode';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import type { Emulator } from '../test/emulator';
import { nodeHost } from '../test/support/nodeHost';
import { EditRunner, type EditSession } from '../src/edit/editRunner';
import { DEFAULT_OPTIONS } from '../src/shared/options';
import { median, promptFor, serverRun } from './benchRuns';

const TARGET_BYTES = 2 * 1024 * 1024;
const WIDTH = 1024;
const MODEL_TIME_MS = 1000;
const REPEATS = 5;

export interface OverheadFigures {
  overhead_ms_2mib: number;
  overhead_ms_2mib_matched: number;
  overhead_input_bytes: number;
}

/** A real PNG of just under 2 MiB: random pixels do not compress, so the size is set by the height. */
async function twoMibPng(): Promise<Buffer> {
  const height = Math.floor(TARGET_BYTES / (WIDTH * 3 + 1)) - 1; // +1: PNG's filter byte per row
  const png = await sharp(randomBytes(WIDTH * height * 3), { raw: { width: WIDTH, height, channels: 3 } })
    .png({ compressionLevel: 0 })
    .toBuffer();
  if (png.length > TARGET_BYTES || png.length < TARGET_BYTES * 0.98) throw new Error(`the bench PNG is ${png.length} bytes, not about 2 MiB`);
  return png;
}

export async function measureOverhead(emu: Emulator): Promise<OverheadFigures> {
  const host = await nodeHost({ baseUrl: emu.baseUrl, apiKey: emu.apiKey });
  const folder = await mkdtemp(join(tmpdir(), 'gpt-image-edit-bench-'));
  try {
    const image = vscode.Uri.file(join(folder, 'input.png'));
    const input = await twoMibPng();
    await writeFile(image.fsPath, input);
    const session = (await EditRunner.of(host).session({ askForKey: false }))!;
    const asReturned = await overheads(emu, session, image, false);
    const matched = await overheads(emu, session, image, true);
    return { overhead_ms_2mib: median(asReturned), overhead_ms_2mib_matched: median(matched), overhead_input_bytes: input.length };
  } finally {
    host.close();
    await rm(folder, { recursive: true, force: true });
  }
}

/** REPEATS edits of `image` one at a time: each one's time beyond the server's run and the poll delay. */
async function overheads(emu: Emulator, session: EditSession, image: vscode.Uri, matchOriginal: boolean): Promise<number[]> {
  const overheads: number[] = [];
  for (let i = 0; i < REPEATS; i++) {
    const started = Date.now();
    const job = await session.start({ image, references: [], prompt: promptFor('overhead', MODEL_TIME_MS), options: { ...DEFAULT_OPTIONS, matchOriginal } });
    let knownAt: number | undefined;
    const listening = job.onEvent((e) => void (e.type === 'phase' && e.phase === 'downloading' && (knownAt ??= Date.now())));
    await session.run(job, new AbortController());
    listening.dispose();
    const finished = Date.now();
    // Server-side time from creation to the extension knowing: the model's own time plus the poll delay.
    const server = serverRun(emu, job.id);
    overheads.push(finished - started - ((knownAt ?? finished) - server.createdAt));
  }
  return overheads;
}
