// What the emulator-backed figures share: an emulator whose model time is read from the prompt
// (so each run's duration is fixed by the bench, whatever order runs are created in), clients,
// inputs, seeded draws and small statistics. Defines functions only: as an esbuild entry of its
// own it does nothing.
import sharp from 'sharp';
import { startEmulator, type Emulator, type EmulatorRunView } from '../test/emulator';
import { RunflowClient, type EditInput } from '../src/runflow';

const MODEL_TIME_IN_PROMPT = /model time (\d+) ms/;
const FALLBACK_MODEL_TIME_MS = 1000;
/** Runflow's SDK polls a run every 2 s: the baseline of the detection figures. */
export const SDK_POLL_INTERVAL_MS = 2000;

/** A prompt that tells the bench emulator how long this run takes. */
export function promptFor(label: string, modelTimeMs: number): string {
  return `${label}, model time ${Math.round(modelTimeMs)} ms`;
}

function modelTimeFromPrompt(input: unknown): number {
  const prompt = (input as { prompt?: unknown } | undefined)?.prompt;
  const match = typeof prompt === 'string' ? MODEL_TIME_IN_PROMPT.exec(prompt) : null;
  return match ? Number(match[1]) : FALLBACK_MODEL_TIME_MS;
}

export function startBenchEmulator(): Promise<Emulator> {
  return startEmulator({ modelTimeMs: modelTimeFromPrompt });
}

/** A client as the extension builds one: default transport, retries and timeouts. */
export function benchClient(emu: Emulator): RunflowClient {
  return new RunflowClient({ baseUrl: emu.baseUrl, apiKey: emu.apiKey });
}

/** The one input shape every emulator figure uses. */
export function editInput(prompt: string, imageUrl: string): EditInput {
  return { prompt, image_urls: [imageUrl], num_images: 1, output_format: 'png', image_size: 'auto', quality: 'high' };
}

/** A small real PNG. */
export function tinyPng(): Promise<Buffer> {
  return sharp({ create: { width: 32, height: 32, channels: 3, background: { r: 90, g: 140, b: 200 } } })
    .png()
    .toBuffer();
}

/** A small real PNG as a data: URI (inline input, no upload). */
export async function tinyPngUri(): Promise<string> {
  return `data:image/png;base64,${(await tinyPng()).toString('base64')}`;
}

/** The emulator's view of the run created with `clientRef`; throws if there is none. */
export function serverRun(emu: Emulator, clientRef: string): EmulatorRunView {
  const run = emu.runs().find((r) => r.clientRef === clientRef);
  if (!run) throw new Error(`the emulator has no run for ${clientRef}`);
  return run;
}

/** Draws from a log-normal with the given median and sigma (of ln), by Box-Muller. */
export function logNormalDraws(medianMs: number, sigma: number, random: () => number): () => number {
  return () => {
    const u = 1 - random(); // (0, 1]: log(0) would be -Infinity
    const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
    return medianMs * Math.exp(sigma * z);
  };
}

export const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

export function median(xs: readonly number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
