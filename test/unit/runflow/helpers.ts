// Shared set-up for the Runflow client tests: an emulator per suite, a client with tiny retry
// delays, small real images, and a duration model that makes polling fast.
import sharp from 'sharp';
import { startEmulator, type Emulator, type EmulatorOptions } from '../../emulator';
import { DurationModel, RunflowClient, type RunflowClientOptions } from '../../../src/runflow';

export const FAST_KEY = 'test|fast';

/** A started emulator; the caller closes it in `after`. */
export function emulator(opts: EmulatorOptions = {}): Promise<Emulator> {
  return startEmulator({ modelTimeMs: 300, ...opts });
}

/** Log lines a client wrote, for checking what it never says. */
export interface LoggedClient {
  client: RunflowClient;
  logs: string[];
}

/** A client for the emulator with millisecond backoff and deterministic jitter. */
export function clientFor(emu: Emulator, opts: Partial<RunflowClientOptions> = {}): LoggedClient {
  const logs: string[] = [];
  const client = new RunflowClient({
    baseUrl: emu.baseUrl,
    apiKey: emu.apiKey,
    retry: { baseDelayMs: 5, maxDelayMs: 20 },
    random: () => 0.5,
    log: (level, message) => logs.push(`${level}: ${message}`),
    ...opts,
  });
  return { client, logs };
}

/** A duration model that has seen runs of about `ms`, so polls come every few hundred ms. */
export function fastDurations(ms = 240): DurationModel {
  const model = new DurationModel();
  for (let i = 0; i < 8; i++) model.record(FAST_KEY, ms * (0.9 + i * 0.03));
  return model;
}

/** A small real PNG. */
export function tinyPng(width = 16, height = 16): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 4, background: { r: 200, g: 40, b: 40, alpha: 1 } } })
    .png()
    .toBuffer();
}

/** Bytes of exactly `size` that start like a PNG (enough for the client's type check). */
export function pngShapedBytes(size: number): Uint8Array {
  const bytes = new Uint8Array(size);
  bytes.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return bytes;
}

/** A data: URI of a tiny PNG, a valid model input. */
export async function tinyPngUri(): Promise<string> {
  return `data:image/png;base64,${(await tinyPng()).toString('base64')}`;
}

/** Requests to a path prefix (query excluded) with the given method, on one origin if named. */
export function requestsTo(emu: Emulator, method: string, pathPrefix: string, origin?: 'api' | 'storage'): Emulator['requests'] {
  return emu.requests.filter((r) => (!origin || r.origin === origin) && r.method === method && r.path.startsWith(pathPrefix));
}

export const CREATE_PATH = '/v1/models/openai/gpt-image-2/edit/runs';
