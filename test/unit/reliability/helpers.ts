// Shared set-up for the reliability proofs: an in-process emulator, a client with tiny backoff,
// real small images, and the counters each file prints as one `reliability(...)` line.
import sharp from 'sharp';
import { startEmulator, type Emulator, type EmulatorOptions, type Fault } from '../../emulator';
import type { DurationModel, EditInput } from '../../../src/runflow';
import { fastDurations as fastDurationsOf } from '../runflow/helpers';

export const KEY = 'rf_live_emulator';
export { CREATE_PATH, FAST_KEY, clientFor, requestsTo } from '../runflow/helpers';

/** The emulator with 50 ms runs, so a soak of 200 edits stays short. */
export function emulator(opts: EmulatorOptions = {}): Promise<Emulator> {
  return startEmulator({ modelTimeMs: 50, ...opts });
}

/**
 * A duration model that has seen runs of about `ms`. 800 ms is the sweet spot for the emulator's
 * 50 ms runs: the planner budgets polls from the learned mean, and a mean far under a second
 * leaves it less than one poll, so it falls back to its 5 s maximum interval.
 */
export const fastDurations = (ms = 800): DurationModel => fastDurationsOf(ms);

export function png(width = 32, height = 32): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 4, background: { r: 30, g: 120, b: 200, alpha: 1 } } })
    .png()
    .toBuffer();
}

/** A real PNG over 1 MiB (noise does not compress), so it takes the three-step upload. */
export async function bigPng(): Promise<Buffer> {
  const side = 640;
  const raw = Buffer.alloc(side * side * 4);
  let x = 12345;
  for (let i = 0; i < raw.length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    raw[i] = x >>> 24;
  }
  const out = await sharp(raw, { raw: { width: side, height: side, channels: 4 } })
    .png({ compressionLevel: 0 })
    .toBuffer();
  if (out.length < 1_048_576) throw new Error(`bigPng is only ${out.length} bytes`);
  return out;
}

export async function editInput(prompt = 'make it blue'): Promise<EditInput> {
  return { prompt, image_urls: [`data:image/png;base64,${(await png()).toString('base64')}`], num_images: 1 };
}

/** Runs per client_ref beyond the first: a duplicated (double-billed) user action. */
export function duplicatedRuns(emu: Emulator): number {
  const perRef = new Map<string, number>();
  for (const run of emu.runs()) if (run.clientRef) perRef.set(run.clientRef, (perRef.get(run.clientRef) ?? 0) + 1);
  return [...perRef.values()].reduce((sum, n) => sum + Math.max(0, n - 1), 0);
}

/** Counts for the `reliability(...)` line a file prints when it ends. */
export class Tally {
  faults = 0;
  badInputs = 0;
  keysFound = 0;
  runsDuplicated = 0;

  constructor(private readonly name: string) {}

  inject(emu: Emulator, fault: Fault | Fault[]): void {
    this.faults += Array.isArray(fault) ? fault.length : 1;
    emu.inject(fault);
  }

  /** Counts occurrences of the key in any text the client produced for a user or a log. */
  scan(...texts: string[]): number {
    const found = texts.reduce((n, t) => n + (t.split(KEY).length - 1), 0);
    this.keysFound += found;
    return found;
  }

  line(): string {
    return `reliability(${this.name}): faults=${this.faults} bad_inputs=${this.badInputs} keys_found=${this.keysFound} runs_duplicated=${this.runsDuplicated}`;
  }
}
