/**
 * The one image pipeline of the host: decode, resize (Lanczos 3), composite through the mask,
 * encode, measure. Built into dist/imagePipeline.js with sharp's WebAssembly build (see
 * esbuild.js) and loaded on first use by `pipeline.ts`; no `vscode` here, so it runs and tests in
 * plain Node too. It returns facts (sizes, counts, what was skipped); callers word them.
 */
import sharp from 'sharp';
import { editArea } from '../shared/maskConvention';
import { MAX_INPUT_PIXELS } from './imageSize';
import {
  canonicalMask,
  composite,
  countEdited,
  differenceOutside,
  featherWeights,
  isBlank,
  sameAspect,
  type OutsideDifference,
  type Rgba,
} from './maskGeometry';

// The extension host is long-lived: no cache of decoded inputs between edits.
sharp.cache(false);

/** The formats a result is saved in. */
export type SavedFormat = 'png' | 'jpeg' | 'webp';

export interface DecodedImage extends Rgba {
  /** sharp's name for the file's format ('png', 'jpeg', 'webp', 'gif', …). */
  format: string;
  hasAlpha: boolean;
  /** Frames in the file; only the first is used. */
  pages: number;
  /** The file was CMYK (converted to sRGB on decode). */
  cmyk: boolean;
  /** More than 8 bits a channel (reduced to 8 on decode). */
  highBitDepth: boolean;
}

/** Thrown for bytes no codec reads. */
export class UndecodableImageError extends Error {}

/** What a decode was of, for the counts below. */
export type DecodeRole = 'original' | 'mask' | 'output' | 'saved';

/** Decodes of each kind since the pipeline loaded: the testing API shows them (an edit decodes its original and mask once, not once per output). */
export const decodeCounts: Record<DecodeRole, number> = { original: 0, mask: 0, output: 0, saved: 0 };

export async function decode(bytes: Uint8Array, role: DecodeRole): Promise<DecodedImage> {
  decodeCounts[role]++;
  try {
    const image = sharp(bytes, { failOn: 'none', limitInputPixels: MAX_INPUT_PIXELS });
    const meta = await image.metadata();
    const { data, info } = await image.toColourspace('srgb').ensureAlpha().raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
    return {
      data,
      width: info.width,
      height: info.height,
      format: meta.format ?? 'unknown',
      hasAlpha: meta.hasAlpha === true,
      pages: meta.pages ?? 1,
      cmyk: meta.space === 'cmyk',
      highBitDepth: meta.depth !== undefined && meta.depth !== 'uchar' && meta.depth !== 'char',
    };
  } catch (e) {
    throw new UndecodableImageError(e instanceof Error ? e.message : String(e));
  }
}

/** An image's pixel size from its header, read by the codec without decoding the pixels. */
export async function measure(bytes: Uint8Array): Promise<{ width: number; height: number }> {
  try {
    const { width, height } = await sharp(bytes, { failOn: 'none', limitInputPixels: MAX_INPUT_PIXELS }).metadata();
    if (!width || !height) throw new Error('no size in the header');
    return { width, height };
  } catch (e) {
    throw new UndecodableImageError(e instanceof Error ? e.message : String(e));
  }
}

/** A mask made ready to send, from the panel's painting or a file in either convention. */
export interface PreparedMask {
  /** PNG: white with alpha 0 where to edit, opaque black where to keep. */
  png: Uint8Array;
  width: number;
  height: number;
  /** Pixels marked for editing. */
  edited: number;
  /** The edit area at the image's size, 1 where to edit: an edit finishes its outputs with it, decoding no mask again. */
  area: Uint8Array;
  /** The mask file's own size, when it was scaled to the image's. */
  scaledFrom?: { width: number; height: number };
}

/** The mask is not the image's size (and scaling was not asked for). */
export class MaskSizeError extends Error {
  constructor(
    readonly mask: { width: number; height: number },
    readonly image: { width: number; height: number },
  ) {
    super(`mask ${mask.width}×${mask.height}, image ${image.width}×${image.height}`);
  }
}

/** Normalizes `mask` for an image of `size`: decoded, read in its convention, scaled if asked, re-encoded canonically. */
export async function prepareMask(mask: Uint8Array, size: { width: number; height: number }, options: { scale: boolean }): Promise<PreparedMask> {
  const { edit, scaledFrom } = await readMask(mask, size, options);
  return {
    png: await encodeRgba(canonicalMask(edit, size.width, size.height), 'png', 100, true),
    width: size.width,
    height: size.height,
    edited: countEdited(edit),
    area: edit,
    ...(scaledFrom ? { scaledFrom } : {}),
  };
}

/** The canonical mask PNG for an edit area (1 = edit) of this size, e.g. shapes an agent gave. */
export async function encodeMask(edit: Uint8Array, width: number, height: number): Promise<Uint8Array> {
  return encodeRgba(canonicalMask(edit, width, height), 'png', 100, true);
}

/** The edit area of `mask` at `size` (1 = edit), and the mask's own size when it had to be scaled. */
async function readMask(mask: Uint8Array, size: { width: number; height: number }, options: { scale: boolean }) {
  let decoded: Rgba = await decode(mask, 'mask');
  const scaledFrom = decoded.width !== size.width || decoded.height !== size.height ? { width: decoded.width, height: decoded.height } : undefined;
  if (scaledFrom) {
    if (!options.scale) throw new MaskSizeError(scaledFrom, size);
    decoded = await resize(decoded, size.width, size.height);
  }
  return { edit: editArea(decoded.data), scaledFrom };
}

/** What the outputs of one edit are finished with. */
export interface FinishInputs {
  /** The original image's bytes, as when the edit was sent. */
  original: Uint8Array;
  /** The sent mask (any convention), or undefined for an unmasked edit. */
  mask?: Uint8Array;
  /** The sent mask's edit area, when the caller still has it from preparing the mask (then the mask is not decoded). */
  maskArea?: Uint8Array;
  keepUnmaskedExact: boolean;
  featherPx: number;
  matchOriginal: boolean;
  /** 1–100 for JPEG and WebP; 100 makes WebP lossless. */
  lossyQuality: number;
}

export interface FinishRequest extends FinishInputs {
  /** One output as the model returned it. */
  output: Uint8Array;
}

export interface FinishedImage {
  bytes: Uint8Array;
  format: SavedFormat;
  width: number;
  height: number;
  /** The output as the model returned it. */
  raw: { width: number; height: number; format: string };
  /** The output was composited over the original through the feathered mask. */
  composited: boolean;
  /** Compositing or matching the size was asked for but skipped: the output has another shape. */
  aspectDiffers: boolean;
  /** Outside the mask (and its band, when composited), measured on the decoded saved file. */
  outside?: OutsideDifference;
  /** Every pixel of the output is black or transparent. */
  blank: boolean;
  /** Facts about the original worth saying: CMYK converted, frames dropped, depth reduced. */
  original?: { cmyk: boolean; pages: number; highBitDepth: boolean; width: number; height: number; bytes: number };
}

/**
 * Turns the model's outputs of one edit into the files to save: each scaled to the original's
 * size when matching it or compositing (only if the shapes agree within 1 %, never distorted),
 * composited through the feathered mask, encoded in the original's format (matching) or the
 * output's own, and measured. An output that needs none of that is saved byte for byte as it
 * came. The original and the mask are decoded once, for every output.
 */
export class OutputFinisher {
  private original: Promise<DecodedImage> | undefined;
  private weights: Promise<Uint8Array> | undefined;

  constructor(private readonly inputs: FinishInputs) {}

  async finish(outputBytes: Uint8Array): Promise<FinishedImage> {
    const request = this.inputs;
    const output = await decode(outputBytes, 'output');
    const raw = { width: output.width, height: output.height, format: output.format };
    const blank = isBlank(output);
    const masked = request.mask !== undefined;
    const needsOriginal = request.matchOriginal || masked;
    const original = needsOriginal ? await (this.original ??= decode(request.original, 'original')) : undefined;
    const wantsOriginalSize = request.matchOriginal || (masked && request.keepUnmaskedExact);
    const aspectDiffers = original !== undefined && wantsOriginalSize && !sameAspect(output, original);
    const atOriginalSize = original !== undefined && wantsOriginalSize && !aspectDiffers;

    let result: Rgba = output;
    let changed = false;
    if (atOriginalSize && (output.width !== original.width || output.height !== original.height)) {
      result = await resize(output, original.width, original.height);
      changed = true;
    }
    let weights: Uint8Array | undefined;
    let composited = false;
    if (original && request.mask && result.width === original.width && result.height === original.height) {
      weights = await (this.weights ??= this.maskWeights(request.mask, original));
      if (request.keepUnmaskedExact && atOriginalSize) {
        result = composite(original, result, weights);
        composited = changed = true;
      }
    }
    const format = request.matchOriginal && original ? savedFormatOf(original.format) : savedFormatOf(output.format);
    const keepAlpha = format !== 'jpeg' && (original ? original.hasAlpha : output.hasAlpha);
    const reencode = changed || format !== output.format;
    const bytes = reencode ? await encodeRgba(result, format, request.lossyQuality, keepAlpha) : outputBytes;
    const saved = reencode ? await decode(bytes, 'saved') : output;
    const outside =
      original && weights && saved.width === original.width && saved.height === original.height ? differenceOutside(original, saved, weights) : undefined;
    return {
      bytes,
      format,
      width: saved.width,
      height: saved.height,
      raw,
      composited,
      aspectDiffers,
      ...(outside ? { outside } : {}),
      blank,
      ...(original
        ? {
            original: {
              cmyk: original.cmyk,
              pages: original.pages,
              highBitDepth: original.highBitDepth,
              width: original.width,
              height: original.height,
              bytes: request.original.length,
            },
          }
        : {}),
    };
  }

  private async maskWeights(mask: Uint8Array, original: Rgba): Promise<Uint8Array> {
    const known = this.inputs.maskArea;
    const edit = known?.length === original.width * original.height ? known : (await readMask(mask, original, { scale: true })).edit;
    return featherWeights(edit, original.width, original.height, this.inputs.keepUnmaskedExact ? this.inputs.featherPx : 0);
  }
}

/** The finisher of one edit's outputs (a factory, so callers of the lazily loaded pipeline need no class of it). */
export function outputFinisher(inputs: FinishInputs): OutputFinisher {
  return new OutputFinisher(inputs);
}

/** One output finished on its own (an edit of one output; tests and the bench). */
export function finishOutput(request: FinishRequest): Promise<FinishedImage> {
  return new OutputFinisher(request).finish(request.output);
}

/** The format a result of an image in `format` is saved in: its own where we can write it, else PNG. */
export function savedFormatOf(format: string): SavedFormat {
  return format === 'jpeg' || format === 'webp' ? format : 'png';
}

async function resize(image: Rgba, width: number, height: number): Promise<Rgba> {
  const data = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 4 } })
    .resize(width, height, { fit: 'fill', kernel: 'lanczos3' })
    .raw()
    .toBuffer();
  return { data, width, height };
}

async function encodeRgba(image: Rgba, format: SavedFormat, quality: number, keepAlpha: boolean): Promise<Uint8Array> {
  let encoder = sharp(image.data, { raw: { width: image.width, height: image.height, channels: 4 } });
  if (!keepAlpha) encoder = encoder.removeAlpha();
  if (format === 'jpeg') encoder = encoder.jpeg({ quality });
  else if (format === 'webp') encoder = encoder.webp(quality >= 100 ? { lossless: true } : { quality, alphaQuality: 100 });
  else encoder = encoder.png({ compressionLevel: 9 }); // assets are read more often than written: ~15 % smaller
  return encoder.toBuffer();
}

/** The codec's build, as sharp reports it (the WebAssembly build lists `emscripten`). */
export const codecVersions: Readonly<Record<string, string | undefined>> = sharp.versions;
