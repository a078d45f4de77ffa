// Shape checks of a create-run body, as the real API answers them (422 with per-field errors).
// Whether the image URLs can be fetched and decoded is checked separately (imageSources.ts).
import { validationError, type FieldError } from './http';

export const OUTPUT_FORMATS = ['jpeg', 'png', 'webp'] as const;
export const QUALITIES = ['low', 'medium', 'high'] as const;
/** Preset sizes as served for this model; `auto` keeps the input's size. */
export const IMAGE_SIZES = {
  square_hd: { width: 1024, height: 1024 },
  square: { width: 512, height: 512 },
  landscape_4_3: { width: 1024, height: 768 },
  landscape_16_9: { width: 1024, height: 576 },
  portrait_4_3: { width: 768, height: 1024 },
  portrait_16_9: { width: 576, height: 1024 },
  auto: null,
} as const;

export type OutputFormat = (typeof OUTPUT_FORMATS)[number];
export type ImageSize = keyof typeof IMAGE_SIZES;

export interface EditInput {
  prompt: string;
  image_urls: string[];
  num_images: number;
  output_format: OutputFormat;
  image_size: ImageSize;
  mask_url?: string;
  quality: (typeof QUALITIES)[number];
  sync_mode: boolean;
}

export interface RunRequest {
  input: EditInput;
  /** The input as the run echoes it: what was sent, with defaults filled in. */
  echoedInput: Record<string, unknown>;
  metadata: Record<string, unknown>;
  clientRef: string | null;
  callbackUrl: string | null;
}

const MAX_CLIENT_REF_LENGTH = 255;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Collects every problem of the body at once, like the real API, then throws one 422. */
export function parseRunRequest(body: unknown): RunRequest {
  const errors: FieldError[] = [];
  const fail = (field: string, code: string, message: string) => errors.push({ field, code, message });

  if (!isRecord(body)) throw validationError([{ code: 'invalid_type', message: 'The request body must be a JSON object.' }]);
  const raw = body.input;
  if (!isRecord(raw)) throw validationError([{ field: 'input', code: 'required', message: 'input is required and must be an object.' }]);

  const enumField = <T extends string>(name: string, allowed: readonly T[], fallback: T): T => {
    const value = raw[name] ?? fallback;
    if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
    fail(`input.${name}`, 'invalid_enum_value', `${name} must be one of ${allowed.join(', ')}.`);
    return fallback;
  };

  const prompt = raw.prompt;
  if (typeof prompt !== 'string' || prompt.trim() === '') fail('input.prompt', 'required', 'prompt is required and must be a non-empty string.');

  const imageUrls = raw.image_urls;
  if (!Array.isArray(imageUrls) || imageUrls.length === 0) {
    fail('input.image_urls', 'required', 'image_urls must be a non-empty list of image URLs.');
  } else {
    imageUrls.forEach((url, i) => {
      if (typeof url !== 'string' || url === '') fail(`input.image_urls[${i}]`, 'invalid_type', 'Each image URL must be a non-empty string.');
    });
  }

  const numImages = raw.num_images ?? 1;
  if (typeof numImages !== 'number' || !Number.isInteger(numImages) || numImages < 1 || numImages > 4) {
    fail('input.num_images', 'out_of_range', 'num_images must be an integer from 1 to 4.');
  }

  const outputFormat = enumField('output_format', OUTPUT_FORMATS, 'png');
  const imageSize = enumField('image_size', Object.keys(IMAGE_SIZES) as ImageSize[], 'auto');
  const quality = enumField('quality', QUALITIES, 'high');

  const maskUrl = raw.mask_url ?? undefined;
  if (maskUrl !== undefined && (typeof maskUrl !== 'string' || maskUrl === '')) fail('input.mask_url', 'invalid_type', 'mask_url must be a non-empty string.');

  const syncMode = raw.sync_mode ?? false;
  if (typeof syncMode !== 'boolean') fail('input.sync_mode', 'invalid_type', 'sync_mode must be a boolean.');

  const metadata = body.metadata ?? {};
  if (!isRecord(metadata)) fail('metadata', 'invalid_type', 'metadata must be an object.');

  const clientRef = body.client_ref ?? null;
  if (clientRef !== null && (typeof clientRef !== 'string' || clientRef.length > MAX_CLIENT_REF_LENGTH)) {
    fail('client_ref', 'invalid_type', `client_ref must be a string of at most ${MAX_CLIENT_REF_LENGTH} characters.`);
  }

  const callbackUrl = body.callback_url ?? null;
  if (callbackUrl !== null && typeof callbackUrl !== 'string') fail('callback_url', 'invalid_type', 'callback_url must be a URL string.');

  if (errors.length > 0) throw validationError(errors);

  const input: EditInput = {
    prompt: prompt as string,
    image_urls: imageUrls as string[],
    num_images: numImages as number,
    output_format: outputFormat,
    image_size: imageSize,
    quality,
    sync_mode: syncMode as boolean,
    ...(maskUrl === undefined ? {} : { mask_url: maskUrl as string }),
  };
  return {
    input,
    echoedInput: { ...raw, ...input },
    metadata: metadata as Record<string, unknown>,
    clientRef: clientRef as string | null,
    callbackUrl: callbackUrl as string | null,
  };
}
