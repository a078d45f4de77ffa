// The "model": a real, visible, deterministic edit of the first input image. Each variant gets a
// hue rotation, a tint and diagonal stripes whose parameters come from a hash of (prompt, index),
// so variants differ and the same request always gives the same pixels. With a mask, only fully
// transparent mask pixels change; the rest stay the input's exact pixels.
import { createHash } from 'node:crypto';
import sharp from 'sharp';
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
    0.213 + c * 0.787 - s * 0.213, 0.715 - c * 0.715 - s * 0.715, 0.072 - c * 0.072 + s * 0.928,
    0.213 - c * 0.213 + s * 0.143, 0.715 + c * 0.285 + s * 0.14, 0.072 - c * 0.072 - s * 0.283,
    0.213 - c * 0.213 - s * 0.787, 0.715 - c * 0.715 + s * 0.715, 0.072 + c * 0.928 + s * 0.072,
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

function editPixels(rgba: Buffer, width: number, editable: Uint8Array | undefined, look: VariantLook): void {
  const m = look.hueMatrix;
  const [tr, tg, tb] = look.tint;
  const pixels = rgba.length / 4;
  const clamp = (v: number) => Math.max(0, Math.min(255, Math.round(v)));
  for (let p = 0; p < pixels; p++) {
    if (editable && !editable[p]) continue;
    const x = p % width;
    const y = (p - x) / width;
    const o = p * 4;
    const r = rgba[o], g = rgba[o + 1], b = rgba[o + 2];
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

/** Where the mask is fully transparent (1) — the only pixels the edit may touch. */
async function editableArea(mask: SourceImage): Promise<Uint8Array> {
  const alpha = await sharp(mask.data).toColourspace('srgb').ensureAlpha().extractChannel(3).raw().toBuffer();
  return Uint8Array.from(alpha, (a) => (a === 0 ? 1 : 0));
}

/** Renders `count` variants of the first input image; the input is decoded once for all. */
export async function renderOutputs(source: SourceImage, mask: SourceImage | undefined, input: EditInput, count: number): Promise<RenderedImage[]> {
  if (count === 0) return [];
  const decoded = sharp(source.data);
  const { hasAlpha } = await decoded.metadata();
  const { data: original, info } = await decoded.toColourspace('srgb').ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  const editable = mask && (await editableArea(mask));
  const preset = IMAGE_SIZES[input.image_size];
  const quality = LOSSY_QUALITY[input.quality];

  return Promise.all(
    Array.from({ length: count }, async (_, index) => {
      const rgba = Buffer.from(original);
      editPixels(rgba, info.width, editable, lookFor(input.prompt, index));
      let image = sharp(rgba, { raw: { width: info.width, height: info.height, channels: 4 } });
      // Keep the input's channel layout so unedited pixels compare equal to the input's.
      if (!hasAlpha || input.output_format === 'jpeg') image = image.removeAlpha();
      if (preset) image = image.resize(preset.width, preset.height, { fit: 'cover' });
      if (input.output_format === 'png') image = image.png();
      else if (input.output_format === 'jpeg') image = image.jpeg({ quality });
      else image = image.webp({ quality });
      const { data, info: out } = await image.toBuffer({ resolveWithObject: true });
      return { data, width: out.width, height: out.height, ...ENCODINGS[input.output_format] };
    }),
  );
}
