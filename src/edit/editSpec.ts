import type * as vscode from 'vscode';
import type { EditInput } from '../runflow';
import type { EditOptions, ModelOptions } from '../shared/options';

/** One user action as the job receives it: which image, with what, and how. */
export interface EditSpec {
  image: vscode.Uri;
  references: readonly vscode.Uri[];
  prompt: string;
  options: EditOptions;
  /** PNG bytes, the image's size, in either convention (transparent, or white, where to edit). */
  mask?: Uint8Array;
}

/**
 * Each option's field in the API's input. Typed against both sides, so an option added to
 * EditOptions does not compile until it is given a field here, and that field exists in EditInput.
 */
const API_FIELDS = {
  numImages: 'num_images',
  outputFormat: 'output_format',
  imageSize: 'image_size',
  quality: 'quality',
  private: 'sync_mode',
} as const satisfies { [K in keyof ModelOptions]: keyof EditInput };

/**
 * What the model is asked for. Matching the original asks for the model's own size and a lossless
 * PNG: the host scales it to the original's size and encodes it in the original's format.
 */
export function modelOptions(options: EditOptions): ModelOptions {
  const asked = { ...options, ...(options.matchOriginal ? { imageSize: 'auto', outputFormat: 'png' } as const : {}) };
  return { numImages: asked.numImages, outputFormat: asked.outputFormat, imageSize: asked.imageSize, quality: asked.quality, private: asked.private };
}

/** The API's input for a spec whose images are already model inputs (`imageUrls[0]` is the edited one). */
export function toEditInput(spec: Pick<EditSpec, 'prompt' | 'options'>, imageUrls: string[], maskUrl?: string): EditInput {
  const input: EditInput = { prompt: spec.prompt, image_urls: imageUrls, ...(maskUrl ? { mask_url: maskUrl } : {}) };
  const asked = modelOptions(spec.options);
  for (const option of Object.keys(API_FIELDS) as (keyof ModelOptions)[]) {
    Object.assign(input, { [API_FIELDS[option]]: asked[option] });
  }
  return input;
}
