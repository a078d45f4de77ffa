import type * as vscode from 'vscode';
import type { EditInput } from '../runflow';
import type { EditOptions } from '../shared/options';

/** One user action as the job receives it: which image, with what, and how. */
export interface EditSpec {
  image: vscode.Uri;
  references: readonly vscode.Uri[];
  prompt: string;
  options: EditOptions;
  /** PNG bytes, the image's size, transparent where to edit. */
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
} as const satisfies { [K in keyof EditOptions]: keyof EditInput };

/** The API's input for a spec whose images are already model inputs (`imageUrls[0]` is the edited one). */
export function toEditInput(spec: Pick<EditSpec, 'prompt' | 'options'>, imageUrls: string[], maskUrl?: string): EditInput {
  const input: EditInput = { prompt: spec.prompt, image_urls: imageUrls, ...(maskUrl ? { mask_url: maskUrl } : {}) };
  for (const option of Object.keys(API_FIELDS) as (keyof EditOptions)[]) {
    Object.assign(input, { [API_FIELDS[option]]: spec.options[option] });
  }
  return input;
}
