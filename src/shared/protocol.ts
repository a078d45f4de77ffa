/**
 * Every message between the edit panel's host side and its webview, defined once as zod schemas.
 * Both sides validate what they receive (`parseToHost` / `parseToWebview`); a message that fails
 * is logged and dropped. Types are derived with z.infer, so a reader finds the whole protocol here.
 */
// zod/mini: the same schemas at a fraction of the webview bundle's size (full zod is ~440 KB minified).
import * as z from 'zod/mini';

import { IMAGE_SIZES, MAX_NUM_IMAGES, OUTPUT_FORMATS, QUALITIES, type EditOptions as EditOptionValues } from './options';

export { IMAGE_SIZES, OUTPUT_FORMATS, QUALITIES };
/** GPT Image 2 takes up to 32,000 characters of prompt upstream. */
export const MAX_PROMPT_LENGTH = 32000;
/** A data: URI of a PNG mask; generous for a 4096×4096 mask, bounded so a bad message cannot flood the host. */
const MAX_MASK_DATA_URI = 64 * 1024 * 1024;

// Typed against options.ts, so an option added there must be added here too.
export const EditOptions: z.ZodMiniType<EditOptionValues> = z.object({
  numImages: z.int().check(z.minimum(1), z.maximum(MAX_NUM_IMAGES)),
  outputFormat: z.enum(OUTPUT_FORMATS),
  imageSize: z.enum(IMAGE_SIZES),
  quality: z.enum(QUALITIES),
  private: z.boolean(),
});
export type EditOptions = EditOptionValues;

/** An image the webview shows: `src` is a webview resource URI, `uri` identifies the file to the host. */
export const ImageInfo = z.object({
  uri: z.string(),
  name: z.string(),
  src: z.string(),
  width: z.int().check(z.nonnegative()),
  height: z.int().check(z.nonnegative()),
});
export type ImageInfo = z.infer<typeof ImageInfo>;

export const ResultInfo = z.extend(ImageInfo, { index: z.int().check(z.nonnegative()) });
export type ResultInfo = z.infer<typeof ResultInfo>;

export const RunPhase = z.enum(['uploading', 'queued', 'dispatching', 'running', 'downloading', 'saving']);
export type RunPhase = z.infer<typeof RunPhase>;

/** The action that fixes an error, offered as a button in the panel. */
export const ErrorAction = z.enum(['setApiKey', 'openBilling', 'showLog', 'retry']);
export type ErrorAction = z.infer<typeof ErrorAction>;

/**
 * One image's state in a batch ("Edit Each Image…"): waiting its turn, one of the run's phases,
 * or how it ended. The host owns these states and re-sends them all when the webview reloads.
 */
export const BatchItemStatus = z.enum(['queued', 'uploading', 'running', 'saving', 'done', 'failed', 'canceled']);
export type BatchItemStatus = z.infer<typeof BatchItemStatus>;

export const BatchItem = z.object({
  /** The image's position in the batch's `images`. */
  index: z.int().check(z.nonnegative()),
  status: BatchItemStatus,
  /** The files saved for this image (when done). */
  outputs: z.array(z.object({ uri: z.string(), name: z.string() })),
  /** Why it failed or stopped, or a note on a partial result. */
  message: z.optional(z.string()),
  runId: z.optional(z.string()),
});
export type BatchItem = z.infer<typeof BatchItem>;

// ---- host → webview ----------------------------------------------------------------------

export const ToWebview = z.discriminatedUnion('type', [
  /** Sent once after `ready`, and again when the input image changes ("Edit this result"). */
  z.object({
    type: z.literal('init'),
    image: ImageInfo,
    references: z.array(ImageInfo),
    options: EditOptions,
    pricePerImage: z.number().check(z.nonnegative()),
    /** The webview's strings, localized by the host with vscode.l10n (keys from webviewStrings.ts). */
    strings: z.record(z.string(), z.string()),
    /** Restored form values (after a reload), if any. */
    prompt: z.optional(z.string()),
  }),
  z.object({ type: z.literal('references'), references: z.array(ImageInfo) }),
  /**
   * A mask file the user picked, as a data: URI (a webview resource would taint the canvas the
   * webview reads the mask's alpha from). The webview loads it into the mask layer.
   */
  z.object({ type: z.literal('maskFile'), dataUri: z.string().check(z.startsWith('data:image/')), name: z.string() }),
  z.object({
    type: z.literal('progress'),
    phase: RunPhase,
    elapsedMs: z.number().check(z.nonnegative()),
    runId: z.optional(z.string()),
  }),
  z.object({
    type: z.literal('results'),
    runId: z.optional(z.string()),
    results: z.array(ResultInfo),
    /** The run's actual cost in US dollars, as Runflow reported it. */
    cost: z.optional(z.string()),
    /** Outputs the model did not return (partial success). */
    missing: z.int().check(z.nonnegative()),
    /** What else the user should know (a missing output, a sidecar that could not be written). */
    notes: z.optional(z.array(z.string())),
  }),
  /** A request is waiting before it is tried again (a 429's Retry-After, a 5xx backoff). */
  z.object({ type: z.literal('retryWait'), delayMs: z.number().check(z.nonnegative()), reason: z.string() }),
  z.object({
    type: z.literal('error'),
    message: z.string(),
    action: z.optional(ErrorAction),
    /** Form fields a 422 named, so the panel can mark them. */
    fields: z.array(z.string()),
  }),
  z.object({ type: z.literal('canceled'), message: z.string(), runId: z.optional(z.string()) }),
  /** Batch mode: sent after `ready` instead of `init`, with every image's current state. */
  z.object({
    type: z.literal('batchInit'),
    images: z.array(ImageInfo),
    items: z.array(BatchItem),
    running: z.boolean(),
    options: EditOptions,
    pricePerImage: z.number().check(z.nonnegative()),
    strings: z.record(z.string(), z.string()),
    prompt: z.optional(z.string()),
  }),
  z.object({ type: z.literal('batchItem'), item: BatchItem }),
  /** A batch (or a retry) started or ended; `message` says why one did not start, if so. */
  z.object({ type: z.literal('batchState'), running: z.boolean(), message: z.optional(z.string()) }),
]);
export type ToWebview = z.infer<typeof ToWebview>;

// ---- webview → host ----------------------------------------------------------------------

export const ToHost = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready') }),
  z.object({
    type: z.literal('run'),
    prompt: z.string().check(z.maxLength(MAX_PROMPT_LENGTH)),
    options: EditOptions,
    /** data:image/png;base64 PNG, the input's exact size, transparent where the user painted. */
    mask: z.optional(z.string().check(z.startsWith('data:image/png;base64,'), z.maxLength(MAX_MASK_DATA_URI))),
  }),
  z.object({ type: z.literal('cancel') }),
  z.object({ type: z.literal('addReference') }),
  z.object({ type: z.literal('removeReference'), uri: z.string() }),
  z.object({ type: z.literal('pickMaskFile') }),
  z.object({ type: z.literal('openResult'), uri: z.string() }),
  z.object({ type: z.literal('revealResult'), uri: z.string() }),
  /** Makes a result the panel's new input image, to iterate on it. */
  z.object({ type: z.literal('editResult'), uri: z.string() }),
  z.object({ type: z.literal('action'), action: ErrorAction }),
  /** Batch mode: edit each image separately with this prompt and these options (no mask). */
  z.object({ type: z.literal('runBatch'), prompt: z.string().check(z.maxLength(MAX_PROMPT_LENGTH)), options: EditOptions }),
  /** Batch mode: run one failed image again, with the batch's prompt and options. */
  z.object({ type: z.literal('retryItem'), index: z.int().check(z.nonnegative()) }),
]);
export type ToHost = z.infer<typeof ToHost>;

/** State the webview keeps with setState; the panel serializer revives the panel from it. */
export const PanelState = z.object({
  imageUri: z.string(),
  referenceUris: z._default(z.array(z.string()), []),
  prompt: z._default(z.string(), ''),
  options: z.optional(EditOptions),
  lastRunId: z.optional(z.string()),
});
export type PanelState = z.infer<typeof PanelState>;

export function parseToHost(message: unknown): ToHost | undefined {
  const r = ToHost.safeParse(message);
  return r.success ? r.data : undefined;
}

export function parseToWebview(message: unknown): ToWebview | undefined {
  const r = ToWebview.safeParse(message);
  return r.success ? r.data : undefined;
}
