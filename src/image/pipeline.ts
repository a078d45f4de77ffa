import * as path from 'path';
import type * as PipelineModule from './imagePipeline';

export type { FinishedImage, OutputFinisher, PreparedMask, SavedFormat } from './imagePipeline';
export type ImagePipeline = typeof PipelineModule;

let loaded: ImagePipeline | undefined;

/**
 * The image pipeline, loaded on first use: dist/imagePipeline.js (sharp's WebAssembly build) sits
 * beside this bundle, and is only required when an edit first needs a codec, so activation and
 * the first command do not pay for it.
 */
export function imagePipeline(): ImagePipeline {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (loaded ??= require(path.join(__dirname, 'imagePipeline.js')) as ImagePipeline);
}
