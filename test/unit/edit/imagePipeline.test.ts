// The image pipeline as it ships: dist/imagePipeline.js, sharp's WebAssembly build, on real
// encoded images. Inputs are made with native sharp (the emulator's), outputs read back with it.
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import sharp from 'sharp';
import type { ImagePipeline } from '../../../src/image/pipeline';
import { featherWeights } from '../../../src/image/maskGeometry';
import { MAX_INPUT_PIXELS } from '../../../src/image/imageSize';

const pipeline: ImagePipeline = require(path.join(__dirname, '..', '..', '..', '..', 'dist', 'imagePipeline.js'));

const W = 96;
const H = 64;
const RECT = { x: 30, y: 20, w: 24, h: 16 };
const FEATHER = 4;

/** A smooth RGB(A) test picture. */
async function original(format: 'png' | 'jpeg' | 'webp', alpha = false): Promise<Buffer> {
  const channels = alpha ? 4 : 3;
  const raw = Buffer.alloc(W * H * channels);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const o = (y * W + x) * channels;
      raw[o] = 30 + x * 2;
      raw[o + 1] = 40 + y * 3;
      raw[o + 2] = 128;
      if (alpha) raw[o + 3] = x < 10 ? 0 : 255 - y;
    }
  }
  const image = sharp(raw, { raw: { width: W, height: H, channels } });
  return (format === 'png' ? image.png() : format === 'jpeg' ? image.jpeg({ quality: 92 }) : image.webp({ quality: 92 })).toBuffer();
}

/** What the model does: its own size, every pixel drifted, the masked area repainted. */
async function modelOutput(from: Buffer, width: number, height: number): Promise<Buffer> {
  const data = await sharp(from).ensureAlpha().resize(width, height).raw().toBuffer();
  for (let p = 0; p < width * height; p++) {
    const x = p % width;
    const y = Math.floor(p / width);
    const inside = x >= (RECT.x * width) / W && x < ((RECT.x + RECT.w) * width) / W && y >= (RECT.y * height) / H && y < ((RECT.y + RECT.h) * height) / H;
    for (let c = 0; c < 3; c++) data[p * 4 + c] = inside ? (data[p * 4 + c] + 100) & 255 : Math.min(255, data[p * 4 + c] + 2);
    data[p * 4 + 3] = 255;
  }
  return sharp(data, { raw: { width, height, channels: 4 } })
    .png()
    .toBuffer();
}

/** The mask in OpenAI's convention (black, alpha 0 = edit) or the other (opaque, white = edit). */
async function mask(convention: 'alpha' | 'luminance', width = W, height = H): Promise<Buffer> {
  const raw = Buffer.alloc(width * height * 4);
  for (let p = 0; p < width * height; p++) {
    const x = p % width;
    const y = Math.floor(p / width);
    const edit = x >= RECT.x && x < RECT.x + RECT.w && y >= RECT.y && y < RECT.y + RECT.h;
    if (convention === 'alpha') raw[p * 4 + 3] = edit ? 0 : 255;
    else {
      raw.fill(edit ? 255 : 0, p * 4, p * 4 + 3);
      raw[p * 4 + 3] = 255;
    }
  }
  return sharp(raw, { raw: { width, height, channels: 4 } })
    .png()
    .toBuffer();
}

async function rgba(bytes: Uint8Array) {
  const { data, info } = await sharp(bytes).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

/** Pixels farther than the band from the rectangle, and those inside it. */
function regions() {
  const far: number[] = [];
  const inside: number[] = [];
  for (let p = 0; p < W * H; p++) {
    const x = p % W;
    const y = Math.floor(p / W);
    if (x >= RECT.x && x < RECT.x + RECT.w && y >= RECT.y && y < RECT.y + RECT.h) inside.push(p);
    else if (x < RECT.x - FEATHER - 1 || x > RECT.x + RECT.w + FEATHER || y < RECT.y - FEATHER - 1 || y > RECT.y + RECT.h + FEATHER) far.push(p);
  }
  return { far, inside };
}

const finish = (o: Buffer, out: Buffer, m: Buffer | undefined, extra: Partial<Parameters<ImagePipeline['finishOutput']>[0]> = {}) =>
  pipeline.finishOutput({ original: o, output: out, mask: m, keepUnmaskedExact: true, featherPx: FEATHER, matchOriginal: true, lossyQuality: 90, ...extra });

describe('image pipeline (dist/imagePipeline.js)', () => {
  it("runs sharp's WebAssembly build, the one the .vsix ships", () => {
    assert.ok(pipeline.codecVersions.emscripten, `codec versions: ${JSON.stringify(pipeline.codecVersions)}`);
  });

  it('a PNG comes back at its size and format, every pixel outside the band exactly the original, the mask area edited', async () => {
    const o = await original('png');
    const out = await modelOutput(o, 1024, 683); // the model's own size for a 3:2 image
    const result = await finish(o, out, await mask('alpha'));
    assert.deepEqual([result.format, result.width, result.height, result.composited], ['png', W, H, true]);
    assert.deepEqual(result.raw, { width: 1024, height: 683, format: 'png' });
    assert.equal(result.outside?.changed, 0);
    const [a, b] = [await rgba(o), await rgba(result.bytes)];
    const { far, inside } = regions();
    for (const p of far)
      assert.deepEqual([...b.data.subarray(p * 4, p * 4 + 4)], [...a.data.subarray(p * 4, p * 4 + 4)], `pixel ${p % W},${Math.floor(p / W)}`);
    const changed = inside.filter((p) => Math.abs(a.data[p * 4] - b.data[p * 4]) > 20).length;
    assert.ok(changed > inside.length * 0.9, `${changed} of ${inside.length} masked pixels changed`);
  });

  it('without compositing the drift outside the mask is measured, not hidden', async () => {
    const o = await original('png');
    const result = await finish(o, await modelOutput(o, 1024, 683), await mask('alpha'), { keepUnmaskedExact: false });
    assert.equal(result.composited, false);
    assert.ok(result.outside && result.outside.changed > result.outside.pixels * 0.5, JSON.stringify(result.outside));
    assert.ok(result.outside.maxDelta >= 2);
  });

  it('a JPEG stays a JPEG at its size; outside the band only the re-encoding differs (PSNR measured)', async () => {
    const o = await original('jpeg');
    const result = await finish(o, await modelOutput(o, 1024, 683), await mask('alpha'));
    assert.deepEqual([result.format, result.width, result.height], ['jpeg', W, H]);
    assert.equal((await sharp(result.bytes).metadata()).format, 'jpeg');
    assert.ok(result.outside && result.outside.psnr > 38, `PSNR outside the band ${result.outside?.psnr} dB`);
  });

  it('a PNG with transparency keeps its alpha outside the edited area', async () => {
    const o = await original('png', true);
    const result = await finish(o, await modelOutput(o, 1024, 683), await mask('alpha'));
    const [a, b] = [await rgba(o), await rgba(result.bytes)];
    assert.equal((await sharp(result.bytes).metadata()).hasAlpha, true);
    for (const p of regions().far) assert.equal(b.data[p * 4 + 3], a.data[p * 4 + 3]);
    assert.equal(b.data[3], 0, 'a transparent corner stays transparent');
  });

  it('a mask in either convention gives the same sent mask and the same result', async () => {
    const byAlpha = await pipeline.prepareMask(await mask('alpha'), { width: W, height: H }, { scale: false });
    const byColour = await pipeline.prepareMask(await mask('luminance'), { width: W, height: H }, { scale: false });
    assert.deepEqual(Buffer.from(byAlpha.png), Buffer.from(byColour.png));
    assert.equal(byAlpha.edited, RECT.w * RECT.h);
    const sent = await rgba(byAlpha.png);
    const inside = (RECT.y + 1) * W + RECT.x + 1;
    assert.deepEqual([...sent.data.subarray(inside * 4, inside * 4 + 4)], [255, 255, 255, 0], 'edit: white, alpha 0');
    assert.deepEqual([...sent.data.subarray(0, 4)], [0, 0, 0, 255], 'keep: opaque black');
    const o = await original('png');
    const out = await modelOutput(o, 1024, 683);
    assert.deepEqual(Buffer.from((await finish(o, out, await mask('alpha'))).bytes), Buffer.from((await finish(o, out, await mask('luminance'))).bytes));
  });

  it('a mask of another size is refused unless scaling is asked for', async () => {
    await assert.rejects(pipeline.prepareMask(await mask('alpha', 48, 32), { width: W, height: H }, { scale: false }), pipeline.MaskSizeError);
    const scaled = await pipeline.prepareMask(await mask('alpha', 48, 32), { width: W, height: H }, { scale: true });
    assert.deepEqual([scaled.width, scaled.height, scaled.scaledFrom], [W, H, { width: 48, height: 32 }]);
  });

  it('an output of another shape is neither stretched nor composited', async () => {
    const o = await original('png');
    const result = await finish(o, await modelOutput(o, 512, 512), await mask('alpha'));
    assert.deepEqual([result.aspectDiffers, result.composited, result.width, result.height], [true, false, 512, 512]);
  });

  it('an unmasked edit that needs nothing done is saved byte for byte; a blank one is flagged', async () => {
    const o = await original('png');
    const out = await modelOutput(o, 1024, 683);
    const asIs = await finish(o, out, undefined, { matchOriginal: false });
    assert.deepEqual(Buffer.from(asIs.bytes), out);
    const black = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#000' } })
      .png()
      .toBuffer();
    assert.equal((await finish(o, black, undefined, { matchOriginal: false })).blank, true);
    assert.equal(asIs.blank, false);
  });

  it('reads a 16-bit PNG, a palette PNG, a CMYK JPEG and an animated WebP (first frame), saying which', async () => {
    const base = await original('png');
    const sixteen = await sharp(base).toColourspace('rgb16').png().toBuffer();
    const palette = await sharp(base).png({ palette: true, colours: 16 }).toBuffer();
    const cmyk = await sharp(base).toColourspace('cmyk').jpeg().toBuffer();
    const frames = await sharp(Buffer.concat([await sharp(base).raw().toBuffer(), await sharp(base).negate().raw().toBuffer()]), {
      raw: { width: W, height: H * 2, channels: 3, pageHeight: H } as never,
    })
      .webp({ loop: 0 })
      .toBuffer();
    const decoded = await Promise.all([sixteen, palette, cmyk, frames].map((b) => pipeline.decode(b, 'original')));
    assert.deepEqual(
      decoded.map((d) => [d.width, d.height]),
      [
        [W, H],
        [W, H],
        [W, H],
        [W, H],
      ],
    );
    assert.equal(decoded[0].highBitDepth, true);
    assert.equal(decoded[2].cmyk, true);
    assert.equal(decoded[3].pages, 2);
  });
});

describe('feathered band', () => {
  it('is 255 on the edit area, 0 from featherPx away, and falls off in between', () => {
    const width = 40;
    const edit = new Uint8Array(width * 1);
    for (let x = 10; x < 20; x++) edit[x] = 1;
    const w = featherWeights(edit, width, 1, 5);
    assert.deepEqual([...w.subarray(10, 20)], Array(10).fill(255));
    assert.deepEqual([...w.subarray(25, 40)], Array(15).fill(0), 'past the band: exactly the original');
    assert.deepEqual([...w.subarray(0, 5)], Array(5).fill(0));
    for (let x = 20; x < 24; x++) assert.ok(w[x] > w[x + 1] && w[x] < 255, `falls off at ${x}: ${w[x]}`);
    assert.deepEqual(
      [...featherWeights(edit, width, 1, 0)],
      [...edit].map((e) => (e ? 255 : 0)),
      'no band',
    );
  });
});

describe('the codec limit', () => {
  it('decodes no image above MAX_INPUT_PIXELS (64 MP), and one at the limit', async () => {
    const over = await sharp({ create: { width: 8001, height: 8000, channels: 3, background: '#336699' } })
      .png()
      .toBuffer();
    await assert.rejects(pipeline.decode(over, 'original'), /pixel limit/i);
    const at = await sharp({ create: { width: 8000, height: MAX_INPUT_PIXELS / 8000, channels: 3, background: '#336699' } })
      .png()
      .toBuffer();
    assert.equal((await pipeline.decode(at, 'original')).height, 8000);
  });
});
