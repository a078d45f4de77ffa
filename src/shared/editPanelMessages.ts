/**
 * The edit panel's messages, both ways, as zod schemas; both sides validate what they receive.
 * Types are derived with z.infer, so a reader finds the edit panel's whole protocol here.
 */
import * as z from 'zod/mini';
import { MaskTools } from './maskTools';
import {
  EditOptions,
  ErrorAction,
  ErrorMessage,
  ImageInfo,
  MAX_PROMPT_LENGTH,
  PngDataUri,
  ResultInfo,
  RunPhase,
  SharedAnswers,
  SharedNotices,
  SharedRequests,
  answerMessage,
  parseWith,
  requestId,
} from './messageParts';

/** Why a request waits before it is tried again. */
export const RetryReason = z.enum(['rateLimited', 'server', 'network']);
export type RetryReason = z.infer<typeof RetryReason>;

/** A run the panel is showing as in progress. `resuming`: after a reload, the history is finishing it. */
export const RunView = z.object({
  phase: RunPhase,
  elapsedMs: z.number().check(z.nonnegative()),
  runId: z.optional(z.string()),
  resuming: z.boolean(),
});
export type RunView = z.infer<typeof RunView>;

/** The results the panel shows. */
export const ResultsView = z.object({
  runId: z.optional(z.string()),
  results: z.array(ResultInfo),
  cost: z.optional(z.string()),
  missing: z.int().check(z.nonnegative()),
  notes: z.optional(z.array(z.string())),
});
export type ResultsView = z.infer<typeof ResultsView>;

/** How the last action ended, when it did not end in results. */
export const OutcomeView = z.object({
  kind: z.enum(['error', 'canceled']),
  message: z.string(),
  action: z.optional(ErrorAction),
  fields: z.array(z.string()),
  runId: z.optional(z.string()),
});
export type OutcomeView = z.infer<typeof OutcomeView>;

/**
 * Everything the edit panel shows, owned by the host: every (re)load of the webview (a tab
 * switch, a move, a window reload) is drawn from it, so nothing the user did is lost.
 */
export const EditPanelView = z.object({
  prompt: z.string().check(z.maxLength(MAX_PROMPT_LENGTH)),
  options: EditOptions,
  /** The mask's paint layer as the user left it (opaque where painted), a PNG data: URI. */
  paint: z.optional(PngDataUri),
  /** The mask editor's tool and settings as the user left them. */
  maskTools: z.optional(MaskTools),
  results: z.optional(ResultsView),
  run: z.optional(RunView),
  outcome: z.optional(OutcomeView),
  /** Something the user should know about what was (not) restored, e.g. a mask dropped because the image changed. */
  note: z.optional(z.string()),
});
export type EditPanelView = z.infer<typeof EditPanelView>;

/**
 * What the host answers to each request the edit page awaits. What a request changes in the panel
 * (results, references, a new input image) comes as the panel's own messages before its answer,
 * since a reloaded page must see it too.
 */
export const EditAnswers = {
  ...SharedAnswers,
  /** The edit ended: its results or its stop were shown (an error rejects it instead). */
  run: z.object({}),
  addReference: z.object({}),
  removeReference: z.object({}),
  /**
   * The mask file the user picked, as a data: URI (a webview resource would taint the canvas the
   * webview reads the mask's alpha from); none when the dialog was closed.
   */
  pickMaskFile: z.object({ mask: z.optional(z.object({ dataUri: z.string().check(z.startsWith('data:image/')), name: z.string() })) }),
  /** The file beside the image the mask was exported to. */
  exportMask: z.object({ name: z.string() }),
  editResult: z.object({}),
};

// ---- host → webview ----------------------------------------------------------------------

export const ToEditWebview = z.discriminatedUnion('type', [
  /** Sent once after `ready`, and again when the input image changes ("Edit this result"). */
  z.object({
    type: z.literal('init'),
    image: ImageInfo,
    references: z.array(ImageInfo),
    pricePerImage: z.number().check(z.nonnegative()),
    /** The webview's strings, localized by the host with vscode.l10n (keys from webviewStrings.ts). */
    strings: z.record(z.string(), z.string()),
    view: EditPanelView,
  }),
  z.object({ type: z.literal('references'), references: z.array(ImageInfo) }),
  z.object({
    type: z.literal('progress'),
    phase: RunPhase,
    elapsedMs: z.number().check(z.nonnegative()),
    runId: z.optional(z.string()),
  }),
  z.extend(ResultsView, { type: z.literal('results') }),
  /** A request is waiting before it is tried again, and why: Runflow asked to wait (429), failed on its side (5xx), or could not be reached. */
  z.object({ type: z.literal('retryWait'), delayMs: z.number().check(z.nonnegative()), reason: RetryReason }),
  ErrorMessage,
  z.object({ type: z.literal('canceled'), message: z.string(), runId: z.optional(z.string()) }),
  answerMessage(EditAnswers),
]);
export type ToEditWebview = z.infer<typeof ToEditWebview>;

// ---- webview → host ----------------------------------------------------------------------

/** Every request listed here is answered (EditAnswers); the rest are notices the page does not await. */
export const ToEditHost = z.discriminatedUnion('type', [
  ...SharedNotices,
  ...SharedRequests,
  z.object({
    type: z.literal('run'),
    requestId,
    prompt: z.string().check(z.maxLength(MAX_PROMPT_LENGTH)),
    options: EditOptions,
    /** data:image/png;base64 PNG, the input's exact size, transparent where the user painted. */
    mask: z.optional(PngDataUri),
  }),
  z.object({ type: z.literal('addReference'), requestId }),
  z.object({ type: z.literal('removeReference'), requestId, uri: z.string() }),
  z.object({ type: z.literal('pickMaskFile'), requestId }),
  /** Saves the mask (as it would be sent) beside the image as `<name>.mask.png`, never over a file. */
  z.object({ type: z.literal('exportMask'), requestId, mask: PngDataUri }),
  /** Makes a result the panel's new input image, to iterate on it. */
  z.object({ type: z.literal('editResult'), requestId, uri: z.string() }),
  /** What the user changed, for the host to keep: the prompt, the options, the mask's paint layer (null: cleared). */
  z.object({
    type: z.literal('viewChanged'),
    prompt: z.optional(z.string().check(z.maxLength(MAX_PROMPT_LENGTH))),
    options: z.optional(EditOptions),
    paint: z.optional(z.nullable(PngDataUri)),
    maskTools: z.optional(MaskTools),
  }),
]);
export type ToEditHost = z.infer<typeof ToEditHost>;

/**
 * What the webview keeps with setState: which image the panel is for, so the serializer can revive
 * it after a window reload. Everything else the panel shows is the host's (EditPanelView).
 */
export const PanelState = z.object({
  imageUri: z.string(),
});
export type PanelState = z.infer<typeof PanelState>;

export const parseToEditHost = (message: unknown): ToEditHost | undefined => parseWith(ToEditHost, message);
