import type * as vscode from 'vscode';
import type { EditInput } from '../runflow';
import { OPTION_TABLE, optionEntries, type EditOptions, type OptionTable } from '../shared/options';

/** One user action as the job receives it: which image, with what, and how. */
export interface EditSpec {
  image: vscode.Uri;
  references: readonly vscode.Uri[];
  prompt: string;
  options: EditOptions;
  /** PNG bytes, the image's size, in either convention (transparent, or white, where to edit). */
  mask?: Uint8Array;
}

/** Each option with an API field names one EditInput has (the compiler holds it). */
type WireFields = { [K in keyof typeof OPTION_TABLE]: (typeof OPTION_TABLE)[K]['wire'] }[keyof typeof OPTION_TABLE];
const wireFieldsExist: Exclude<WireFields, null> extends keyof EditInput ? true : never = true;
void wireFieldsExist;

/**
 * What the model is asked for. Matching the original asks for the model's own size and a lossless
 * PNG: the host scales it to the original's size and encodes it in the original's format.
 */
function modelOptions(options: EditOptions): EditOptions {
  return options.matchOriginal ? { ...options, imageSize: 'auto', outputFormat: 'png' } : options;
}

/**
 * The API's input for a spec whose images are already model inputs (`imageUrls[0]` is the edited
 * one): each option of `table` with an API field is sent in it.
 */
export function toEditInput(spec: Pick<EditSpec, 'prompt' | 'options'>, imageUrls: string[], maskUrl?: string, table: OptionTable = OPTION_TABLE): EditInput {
  const input: EditInput = { prompt: spec.prompt, image_urls: imageUrls, ...(maskUrl ? { mask_url: maskUrl } : {}) };
  const asked: Record<string, unknown> = modelOptions(spec.options);
  for (const [name, d] of optionEntries(table)) {
    if (d.wire !== null) Object.assign(input, { [d.wire]: asked[name] });
  }
  return input;
}
