import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { startEmulator, type Emulator } from '../../emulator';
import { call, dataUri, fetchBytes, maskImage, rawPixels, testImage, waitTerminal } from './helpers';

const CREATE = '/v1/models/openai/gpt-image-2/edit/runs';

describe('emulator mask', () => {
  let emu: Emulator;
  before(async () => {
    emu = await startEmulator({ modelTimeMs: 0 });
  });
  after(() => emu.close());

  for (const alpha of [false, true]) {
    it(`treats the mask as a hint: the edit lands inside, every other pixel drifts a little (${alpha ? 'RGBA' : 'RGB'} input)`, async () => {
      const width = 80;
      const height = 60;
      const rect = { x: 10, y: 20, w: 30, h: 25 };
      // A smooth image, so that scaling the output back adds no ringing of its own.
      const channels = alpha ? 4 : 3;
      const smooth = Buffer.alloc(width * height * channels, 200);
      for (let p = 0; p < width * height; p++) {
        smooth[p * channels] = 40 + (p % width) * 2;
        smooth[p * channels + 1] = 40 + Math.floor(p / width) * 3;
      }
      const source = await sharp(smooth, { raw: { width, height, channels } }).png().toBuffer();
      const mask = await maskImage(width, height, rect);
      const created = await call(emu, 'POST', CREATE, {
        input: { prompt: 'masked', image_urls: [dataUri(source)], mask_url: dataUri(mask), num_images: 2, image_size: 'auto' },
      });
      const run = await waitTerminal(emu, created.json.id);
      const input = await rawPixels(source);
      for (const out of run.output.outputs) {
        const bytes = (await fetchBytes(out.url)).bytes;
        const meta = await sharp(bytes).metadata();
        assert.deepEqual([meta.width, meta.height], [1024, 768], 'auto: the model picks its own size');
        // Back at the input's size (nearest neighbour: a 1024/80 upscale keeps each input pixel's block intact).
        const output = await rawPixels(await sharp(bytes).resize(width, height, { kernel: 'nearest' }).toBuffer());
        let changedInside = 0;
        let driftedOutside = 0;
        let maxOutside = 0;
        for (let y = 0; y < height; y++) {
          for (let x = 0; x < width; x++) {
            const inside = x >= rect.x && x < rect.x + rect.w && y >= rect.y && y < rect.y + rect.h;
            // Scaling spreads the edit's stripes a pixel or two past the mask's edge.
            const nearEdge = x >= rect.x - 2 && x < rect.x + rect.w + 2 && y >= rect.y - 2 && y < rect.y + rect.h + 2;
            const o = (y * width + x) * input.channels;
            let delta = 0;
            for (let c = 0; c < 3; c++) delta = Math.max(delta, Math.abs(input.data[o + c] - output.data[o + c]));
            if (inside) changedInside += delta > 0 ? 1 : 0;
            else if (!nearEdge) {
              driftedOutside += delta > 0 ? 1 : 0;
              maxOutside = Math.max(maxOutside, delta);
            }
          }
        }
        assert.ok(changedInside > rect.w * rect.h * 0.9, `only ${changedInside} pixels changed inside the mask`);
        const outside = width * height - (rect.w + 4) * (rect.h + 4);
        assert.ok(driftedOutside > outside * 0.9, `only ${driftedOutside} of ${outside} pixels drifted outside the mask`);
        assert.ok(maxOutside <= 8, `pixels outside the mask drifted by ${maxOutside}, more than a regeneration's few levels`);
      }
    });
  }

  it('reads an opaque black-and-white mask as white = edit when told to, ignoring alpha', async () => {
    const width = 64;
    const height = 64;
    const source = await testImage(width, height);
    // Canonical: white with alpha 0 on the left half, opaque black on the right.
    const raw = Buffer.alloc(width * height * 4);
    for (let p = 0; p < width * height; p++) {
      const edit = p % width < width / 2;
      raw.fill(edit ? 255 : 0, p * 4, p * 4 + 3);
      raw[p * 4 + 3] = edit ? 0 : 255;
    }
    const mask = await sharp(raw, { raw: { width, height, channels: 4 } })
      .png()
      .toBuffer();
    const changedHalves = async (): Promise<[number, number]> => {
      const created = await call(emu, 'POST', CREATE, {
        input: { prompt: 'halves', image_urls: [dataUri(source)], mask_url: dataUri(mask), image_size: 'square' },
      });
      const run = await waitTerminal(emu, created.json.id);
      const output = await rawPixels(
        await sharp((await fetchBytes(run.output.outputs[0].url)).bytes)
          .resize(width, height, { kernel: 'nearest' })
          .toBuffer(),
      );
      const input = await rawPixels(source);
      const halves: [number, number] = [0, 0];
      for (let p = 0; p < width * height; p++) {
        const o = p * input.channels;
        let delta = 0;
        for (let c = 0; c < 3; c++) delta = Math.max(delta, Math.abs(input.data[o + c] - output.data[o + c]));
        if (delta > 3) halves[p % width < width / 2 ? 0 : 1]++;
      }
      return halves;
    };
    const byAlpha = await changedHalves();
    emu.inject({ kind: 'mask_convention', convention: 'luminance' });
    const byColour = await changedHalves();
    emu.reset();
    for (const [left, right] of [byAlpha, byColour]) {
      assert.ok(left > ((width * height) / 2) * 0.9, `left half (edit) changed in ${left} px`);
      assert.equal(right, 0, 'the kept half only drifts');
    }
    // And a plain alpha-convention mask (black, alpha 0 = edit) reads as all-keep by colour: the trap.
    const blackHole = Buffer.alloc(width * height * 4);
    for (let p = 0; p < width * height; p++) blackHole[p * 4 + 3] = p % width < width / 2 ? 0 : 255;
    const oldStyle = await sharp(blackHole, { raw: { width, height, channels: 4 } })
      .png()
      .toBuffer();
    emu.inject({ kind: 'mask_convention', convention: 'luminance' });
    const created = await call(emu, 'POST', CREATE, {
      input: { prompt: 'halves', image_urls: [dataUri(source)], mask_url: dataUri(oldStyle), image_size: 'square' },
    });
    const run = await waitTerminal(emu, created.json.id);
    const output = await rawPixels(
      await sharp((await fetchBytes(run.output.outputs[0].url)).bytes)
        .resize(width, height, { kernel: 'nearest' })
        .toBuffer(),
    );
    emu.reset();
    const input = await rawPixels(source);
    let changed = 0;
    for (let i = 0; i < input.data.length; i++) if (Math.abs(input.data[i] - output.data[i]) > 3) changed++;
    assert.equal(changed, 0, 'black with alpha 0 reads as "keep" to a white = edit backend');
  });

  it('rejects a mask whose size differs from the first image', async () => {
    const res = await call(emu, 'POST', CREATE, {
      input: { prompt: 'masked', image_urls: [dataUri(await testImage(40, 40))], mask_url: dataUri(await maskImage(40, 30, { x: 0, y: 0, w: 5, h: 5 })) },
    });
    assert.equal(res.status, 422);
    assert.ok(res.json.errors.some((e: { field?: string }) => e.field === 'input.mask_url'));
  });
});
