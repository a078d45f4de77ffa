/** Largest local file accepted as an input: Runflow's asset-upload limit (50 MiB). */
export const MAX_INPUT_BYTES = 52_428_800;

/** Inputs smaller than this travel inline as `data:` URIs; larger ones go through an asset upload. */
export const INLINE_INPUT_LIMIT = 1_048_576;

/** Default cap on one downloaded output image (60 MiB): a generated image is far smaller. */
export const DEFAULT_MAX_OUTPUT_BYTES = 62_914_560;

/** Bytes expressed in MB with one decimal, for messages a user reads. */
export function formatMb(bytes: number): string {
  return `${(bytes / 1_048_576).toFixed(1)} MB`;
}
