// The image pipeline's cost: one exact edit's finishing of a 2048×2048 result (decode the
// original and a 1024² model output, Lanczos-3 upscale, composite through a feathered mask, PNG
// encode, decode again to measure) with the shipped build (sharp's WebAssembly, dist/) against
// the very same source compiled here against native sharp (the emulator's). Same job, same run.
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import sharp from 'sharp';
import * as nativePipeline from '../src/image/imagePipeline';
import type { ImagePipeline } from '../src/image/pipeline';

const SIDE = 2048;
const RUNS = 5;

async function job(): Promise<Parameters<ImagePipeline['finishOutput']>[0]> {
  const noise = Buffer.alloc(SIDE * SIDE * 3);
  for (let i = 0; i < noise.length; i++) noise[i] = (Math.imul(i, 2654435761) >>> 24) & 255;
  const original = await sharp(noise, { raw: { width: SIDE, height: SIDE, channels: 3 } })
    .blur(3)
    .png()
    .toBuffer();
  const output = await sharp(original).resize(1024, 1024).modulate({ hue: 90 }).png().toBuffer();
  const mask = Buffer.alloc(SIDE * SIDE * 4);
  for (let p = 0; p < SIDE * SIDE; p++) {
    const x = p % SIDE;
    const y = Math.floor(p / SIDE);
    const edit = x > 500 && x < 1500 && y > 500 && y < 1500;
    mask[p * 4 + 3] = edit ? 0 : 255;
  }
  return {
    original,
    output,
    mask: await sharp(mask, { raw: { width: SIDE, height: SIDE, channels: 4 } })
      .png()
      .toBuffer(),
    keepUnmaskedExact: true,
    featherPx: 6,
    matchOriginal: true,
    lossyQuality: 90,
  };
}

async function medianMs(pipeline: ImagePipeline, request: Awaited<ReturnType<typeof job>>): Promise<number> {
  await pipeline.finishOutput(request); // warm-up: codec start, JIT
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    const result = await pipeline.finishOutput(request);
    times.push(performance.now() - t);
    if (result.outside?.changed !== 0) throw new Error('the bench job must composite exactly');
  }
  return times.sort((a, b) => a - b)[Math.floor(RUNS / 2)];
}

export async function measurePipeline(): Promise<Record<string, number>> {
  const shipped: ImagePipeline = require(path.join(__dirname, '..', '..', 'dist', 'imagePipeline.js'));
  if (!shipped.codecVersions.emscripten) throw new Error('dist/imagePipeline.js is not the WebAssembly build');
  const request = await job();
  const native = await medianMs(nativePipeline, request);
  const wasm = await medianMs(shipped, request);
  return { pipeline_ratio: wasm / native, pipeline_native_ms: Math.round(native), pipeline_wasm_ms: Math.round(wasm) };
}
