import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
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
    it(`edits only the mask's transparent area, pixel-exact elsewhere (${alpha ? 'RGBA' : 'RGB'} input)`, async () => {
      const width = 80;
      const height = 60;
      const rect = { x: 10, y: 20, w: 30, h: 25 };
      const source = await testImage(width, height, { alpha });
      const mask = await maskImage(width, height, rect);
      const created = await call(emu, 'POST', CREATE, {
        input: { prompt: 'masked', image_urls: [dataUri(source)], mask_url: dataUri(mask), num_images: 2 },
      });
      assert.equal(created.status, 201);
      const run = await waitTerminal(emu, created.json.id);
      const input = await rawPixels(source);
      for (const out of run.output.outputs) {
        const output = await rawPixels((await fetchBytes(out.url)).bytes);
        assert.deepEqual([output.width, output.height, output.channels], [width, height, input.channels]);
        let changedInside = 0;
        for (let y = 0; y < height; y++) {
          for (let x = 0; x < width; x++) {
            const inside = x >= rect.x && x < rect.x + rect.w && y >= rect.y && y < rect.y + rect.h;
            const o = (y * width + x) * input.channels;
            const a = input.data.subarray(o, o + input.channels);
            const b = output.data.subarray(o, o + input.channels);
            if (!inside) assert.ok(a.equals(b), `pixel ${x},${y} outside the mask changed`);
            else if (!a.equals(b)) changedInside++;
          }
        }
        assert.ok(changedInside > rect.w * rect.h * 0.9, `only ${changedInside} pixels changed inside the mask`);
      }
    });
  }

  it('rejects a mask whose size differs from the first image', async () => {
    const res = await call(emu, 'POST', CREATE, {
      input: { prompt: 'masked', image_urls: [dataUri(await testImage(40, 40))], mask_url: dataUri(await maskImage(40, 30, { x: 0, y: 0, w: 5, h: 5 })) },
    });
    assert.equal(res.status, 422);
    assert.ok(res.json.errors.some((e: { field?: string }) => e.field === 'input.mask_url'));
  });
});
