/**
 * The batch panel's messages ("Edit Each Image…"), both ways, as zod schemas; both sides validate
 * what they receive. Types are derived with z.infer.
 */
import * as z from 'zod/mini';
import {
  EditOptions,
  ErrorMessage,
  ImageInfo,
  MAX_PROMPT_LENGTH,
  SharedAnswers,
  SharedNotices,
  SharedRequests,
  answerMessage,
  parseWith,
} from './messageParts';

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

export const ToBatchWebview = z.discriminatedUnion('type', [
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
  ErrorMessage,
  answerMessage(SharedAnswers),
]);
export type ToBatchWebview = z.infer<typeof ToBatchWebview>;

// ---- webview → host ----------------------------------------------------------------------

/** The batch page awaits only the shared requests; a batch's progress comes as batchItem and batchState. */
export const ToBatchHost = z.discriminatedUnion('type', [
  ...SharedNotices,
  ...SharedRequests,
  /** The prompt and options as the user left them, for the host to keep. */
  z.object({ type: z.literal('viewChanged'), prompt: z.optional(z.string().check(z.maxLength(MAX_PROMPT_LENGTH))), options: z.optional(EditOptions) }),
  /** Batch mode: edit each image separately with this prompt and these options (no mask). */
  z.object({ type: z.literal('runBatch'), prompt: z.string().check(z.maxLength(MAX_PROMPT_LENGTH)), options: EditOptions }),
  /** Batch mode: run one failed image again, with the batch's prompt and options. */
  z.object({ type: z.literal('retryItem'), index: z.int().check(z.nonnegative()) }),
]);
export type ToBatchHost = z.infer<typeof ToBatchHost>;

/** What a batch panel's webview keeps with setState: the images it edits, for its serializer. */
export const BatchPanelState = z.object({ batchImages: z.array(z.string()) });
export type BatchPanelState = z.infer<typeof BatchPanelState>;

export const parseToBatchHost = (message: unknown): ToBatchHost | undefined => parseWith(ToBatchHost, message);
