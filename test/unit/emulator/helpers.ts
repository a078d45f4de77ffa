// Shared helpers for the emulator's own tests: real HTTP against a real started emulator.
import assert from 'node:assert/strict';
import sharp from 'sharp';
import type { Emulator } from '../../emulator';

export interface ApiAnswer {
  status: number;
  headers: Headers;
  text: string;
  // Tests read fields freely; the assertions check the shapes.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  json: any;
}

export async function call(emu: Emulator, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<ApiAnswer> {
  const res = await fetch(emu.baseUrl + path, {
    method,
    headers: {
      authorization: `Bearer ${emu.apiKey}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

/** A varied RGB(A) test image, so any change to a pixel is detectable. */
export async function testImage(width: number, height: number, opts: { alpha?: boolean; format?: 'png' | 'jpeg' | 'webp' } = {}): Promise<Buffer> {
  const channels = opts.alpha ? 4 : 3;
  const raw = Buffer.alloc(width * height * channels);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * channels;
      raw[o] = (x * 7) & 255;
      raw[o + 1] = (y * 5) & 255;
      raw[o + 2] = ((x + y) * 3) & 255;
      if (opts.alpha) raw[o + 3] = 255 - ((x + y) & 63);
    }
  }
  const image = sharp(raw, { raw: { width, height, channels } });
  const format = opts.format ?? 'png';
  return (format === 'png' ? image.png() : format === 'jpeg' ? image.jpeg() : image.webp()).toBuffer();
}

/** A mask that is fully transparent (editable) inside `rect`, opaque elsewhere. */
export async function maskImage(width: number, height: number, rect: { x: number; y: number; w: number; h: number }): Promise<Buffer> {
  const raw = Buffer.alloc(width * height * 4, 255);
  for (let y = rect.y; y < rect.y + rect.h; y++) {
    for (let x = rect.x; x < rect.x + rect.w; x++) raw[(y * width + x) * 4 + 3] = 0;
  }
  return sharp(raw, { raw: { width, height, channels: 4 } })
    .png()
    .toBuffer();
}

export const dataUri = (bytes: Buffer, mime = 'image/png'): string => `data:${mime};base64,${bytes.toString('base64')}`;

/** Polls `check` until it returns a value, failing after `timeoutMs`. */
export async function waitFor<T>(check: () => Promise<T | undefined> | T | undefined, timeoutMs = 5000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const TERMINAL = new Set(['succeeded', 'failed', 'partial_succeeded', 'canceled', 'cancelled']);

/** Polls GET /v1/runs/{id} until the run is terminal; returns the final run object. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a run's JSON, read field by field
export async function waitTerminal(emu: Emulator, id: string, timeoutMs = 5000): Promise<any> {
  return waitFor(
    async () => {
      const res = await call(emu, 'GET', `/v1/runs/${id}`);
      assert.equal(res.status, 200);
      return TERMINAL.has(res.json.status_code) ? res.json : undefined;
    },
    timeoutMs,
    `run ${id} to finish`,
  );
}

export async function fetchBytes(url: string): Promise<{ status: number; bytes: Buffer; contentType: string | null }> {
  if (url.startsWith('data:')) {
    const [head, data] = url.split(',', 2);
    return { status: 200, bytes: Buffer.from(data, 'base64'), contentType: head.slice(5, head.indexOf(';')) };
  }
  const res = await fetch(url);
  return { status: res.status, bytes: Buffer.from(await res.arrayBuffer()), contentType: res.headers.get('content-type') };
}

export async function rawPixels(bytes: Buffer): Promise<{ data: Buffer; width: number; height: number; channels: number }> {
  const { data, info } = await sharp(bytes).raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height, channels: info.channels };
}
