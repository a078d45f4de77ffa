// The "model": a real, visible, deterministic edit of the first input image. Each variant gets a
// hue rotation, a tint and diagonal stripes whose parameters come from a hash of (prompt, index),
// so variants differ and the same request always gives the same pixels. Like GPT Image, it treats
// the mask as a hint: the edit lands on the masked area, but the whole image is regenerated, so
// every other pixel drifts a little; and `auto` answers at the model's own size (1024 on the long
// side, 1536 when the input already is 1024), not the input's.
import { createHash } from 'node:crypto';
import sharp from 'sharp';
import type { MaskConvention } from './faults';
import type { SourceImage } from './imageSources';
import { IMAGE_SIZES, type EditInput } from './validation';

export interface RenderedImage {
  data: Buffer;
  width: number;
  height: number;
  contentType: string;
  extension: string;
}

const ENCODINGS = {
  png: { contentType: 'image/png', extension: 'png' },
  jpeg: { contentType: 'image/jpeg', extension: 'jpg' },
  webp: { contentType: 'image/webp', extension: 'webp' },
} as const;
const LOSSY_QUALITY = { low: 60, medium: 75, high: 90 } as const;

interface VariantLook {
  hueMatrix: number[];
  tint: [number, number, number];
  stripePeriod: number;
  stripeCos: number;
  stripeSin: number;
}

/** Standard luminance-preserving hue rotation matrix (row-major 3x3). */
function hueRotation(degrees: number): number[] {
  const c = Math.cos((degrees * Math.PI) / 180);
  const s = Math.sin((degrees * Math.PI) / 180);
  return [
    0.213 + c * 0.787 - s * 0.213,
    0.715 - c * 0.715 - s * 0.715,
    0.072 - c * 0.072 + s * 0.928,
    0.213 - c * 0.213 + s * 0.143,
    0.715 + c * 0.285 + s * 0.14,
    0.072 - c * 0.072 - s * 0.283,
    0.213 - c * 0.213 - s * 0.787,
    0.715 - c * 0.715 + s * 0.715,
    0.072 + c * 0.928 + s * 0.072,
  ];
}

/** A fully saturated colour, so even grey pixels visibly change. */
function saturatedColour(hue: number): [number, number, number] {
  const f = (n: number) => {
    const k = (n + hue / 30) % 12;
    return Math.round(255 * (0.5 - 0.5 * Math.max(-1, Math.min(k - 3, 9 - k, 1))));
  };
  return [f(0), f(8), f(4)];
}

function lookFor(prompt: string, index: number): VariantLook {
  const h = createHash('sha256').update(`${prompt}\u0000${index}`).digest();
  const stripeAngle = (h[3] / 255) * Math.PI;
  return {
    hueMatrix: hueRotation(60 + (h[0] / 255) * 240),
    tint: saturatedColour((h[1] / 255) * 360),
    stripePeriod: 6 + (h[2] % 28),
    stripeCos: Math.cos(stripeAngle),
    stripeSin: Math.sin(stripeAngle),
  };
}

/** The seed reported on the run's output: stable for the same prompt. */
export function seedFor(prompt: string): number {
  return createHash('sha256').update(prompt).digest().readUInt32BE(0);
}

/** How far an unmasked pixel drifts, per channel: what a regenerated image does to "kept" pixels. */
const DRIFT = 3;

/** A small deterministic change of every channel (never 0 on all three), as a regeneration makes. */
function drift(rgba: Buffer, p: number): void {
  const o = p * 4;
  for (let c = 0; c < 3; c++) {
    const h = Math.imul(p * 4 + c + 1, 2654435761) >>> 29; // 0..7
    const d = (h % DRIFT) + 1;
    rgba[o + c] = rgba[o + c] >= 128 ? rgba[o + c] - d : rgba[o + c] + d;
  }
}

function editPixels(rgba: Buffer, width: number, editable: Uint8Array | undefined, look: VariantLook): void {
  const m = look.hueMatrix;
  const [tr, tg, tb] = look.tint;
  const pixels = rgba.length / 4;
  const clamp = (v: number) => Math.max(0, Math.min(255, Math.round(v)));
  for (let p = 0; p < pixels; p++) {
    if (editable && !editable[p]) {
      drift(rgba, p);
      continue;
    }
    const x = p % width;
    const y = (p - x) / width;
    const o = p * 4;
    const r = rgba[o],
      g = rgba[o + 1],
      b = rgba[o + 2];
    const onStripe = Math.floor((x * look.stripeCos + y * look.stripeSin) / look.stripePeriod) % 2 === 0;
    // Off the stripes: mostly the hue-rotated pixel; on them: mostly the tint's complement.
    const w = onStripe ? 0.35 : 0.65;
    const cr = onStripe ? 255 - tr : tr;
    const cg = onStripe ? 255 - tg : tg;
    const cb = onStripe ? 255 - tb : tb;
    rgba[o] = clamp(w * (m[0] * r + m[1] * g + m[2] * b) + (1 - w) * cr);
    rgba[o + 1] = clamp(w * (m[3] * r + m[4] * g + m[5] * b) + (1 - w) * cg);
    rgba[o + 2] = clamp(w * (m[6] * r + m[7] * g + m[8] * b) + (1 - w) * cb);
  }
}

/**
 * Where the mask asks for the edit (1): fully transparent pixels (alpha), or white ones read
 * without their alpha (luminance), as a backend of that convention reads them.
 */
async function editableArea(mask: SourceImage, convention: MaskConvention, size: { width: number; height: number }): Promise<Uint8Array> {
  // A mask of another size is stretched over the image, as image models do.
  const decoded = sharp(mask.data).resize(size.width, size.height, { fit: 'fill' }).toColourspace('srgb');
  if (convention === 'alpha') {
    const alpha = await decoded.ensureAlpha().extractChannel(3).raw().toBuffer();
    return Uint8Array.from(alpha, (a) => (a === 0 ? 1 : 0));
  }
  const grey = await decoded.removeAlpha().greyscale().raw().toBuffer();
  return Uint8Array.from(grey, (v) => (v >= 128 ? 1 : 0));
}

/** The model's own answer to `auto`: 1024 on the long side (1536 if the input already is 1024), same shape. */
export function autoSize(width: number, height: number): { width: number; height: number } {
  const long = Math.max(width, height) === 1024 ? 1536 : 1024;
  const scale = long / Math.max(width, height);
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

/** Renders `count` variants of the first input image; the input is decoded once for all. */
export async function renderOutputs(
  source: SourceImage,
  mask: SourceImage | undefined,
  input: EditInput,
  count: number,
  maskConvention: MaskConvention = 'alpha',
): Promise<RenderedImage[]> {
  if (count === 0) return [];
  const decoded = sharp(source.data);
  const { hasAlpha } = await decoded.metadata();
  const { data: original, info } = await decoded.toColourspace('srgb').ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  const editable = mask && (await editableArea(mask, maskConvention, info));
  const size = IMAGE_SIZES[input.image_size] ?? autoSize(info.width, info.height);
  const quality = LOSSY_QUALITY[input.quality];

  return Promise.all(
    Array.from({ length: count }, async (_, index) => {
      const rgba = Buffer.from(original);
      editPixels(rgba, info.width, editable, lookFor(input.prompt, index));
      let image = sharp(rgba, { raw: { width: info.width, height: info.height, channels: 4 } });
      if (!hasAlpha || input.output_format === 'jpeg') image = image.removeAlpha();
      image = image.resize(size.width, size.height, { fit: 'cover' });
      if (input.output_format === 'png') image = image.png();
      else if (input.output_format === 'jpeg') image = image.jpeg({ quality });
      else image = image.webp({ quality });
      const { data, info: out } = await image.toBuffer({ resolveWithObject: true });
      return { data, width: out.width, height: out.height, ...ENCODINGS[input.output_format] };
    }),
  );
}
