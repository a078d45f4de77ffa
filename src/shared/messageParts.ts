/**
 * What both panels' messages are made of: the options, the images a webview shows, a run's
 * phases, an error's fix, and the requests and answers every panel shares. Each panel's own
 * messages are in its module (editPanelMessages.ts, batchPanelMessages.ts).
 */
// zod/mini: the same schemas at a fraction of the webview bundle's size (full zod is ~440 KB minified).
import * as z from 'zod/mini';

import { OPTION_TABLE, optionEntries, type EditOptions as EditOptionValues, type OptionDomain, type OptionTable, type OptionValues } from './options';

/** GPT Image 2 takes up to 32,000 characters of prompt upstream. */
export const MAX_PROMPT_LENGTH = 32000;
/** A data: URI of a PNG mask; generous for a 4096×4096 mask, bounded so a bad message cannot flood the host. */
const MAX_MASK_DATA_URI = 64 * 1024 * 1024;

/** The schema of one option's values. */
export function domainSchema(domain: OptionDomain): z.ZodMiniType<string | number | boolean> {
  switch (domain.kind) {
    case 'choice':
      return z.enum(domain.values as [string, ...string[]]);
    case 'int':
      return z.int().check(z.minimum(domain.min), z.maximum(domain.max));
    case 'flag':
      return z.boolean();
  }
}

/** The schema of a full set of options: every option of `table`, each within its domain. */
export function optionsSchema<T extends OptionTable>(table: T): z.ZodMiniType<OptionValues<T>> {
  return z.object(Object.fromEntries(optionEntries(table).map(([name, d]) => [name, domainSchema(d.domain)]))) as unknown as z.ZodMiniType<OptionValues<T>>;
}

export const EditOptions = optionsSchema(OPTION_TABLE);
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

/** A PNG data: URI (a mask or the mask's paint layer), bounded so a bad message cannot flood the host. */
export const PngDataUri = z.string().check(z.startsWith('data:image/png;base64,'), z.maxLength(MAX_MASK_DATA_URI));

/** A request carries an id; the host answers it with one `answer` or one `error` naming that id. */
export const requestId = z.int().check(z.nonnegative());

/** An error: the answer to the request that caused it (its `requestId`), or the panel's own when none did. */
export const ErrorMessage = z.object({
  type: z.literal('error'),
  message: z.string(),
  action: z.optional(ErrorAction),
  /** Form fields a 422 named, so the panel can mark them. */
  fields: z.array(z.string()),
  requestId: z.optional(z.int()),
});
export type ErrorMessage = z.infer<typeof ErrorMessage>;

/** What the host answers to each request a page awaits, by the request's type (an error rejects it instead). */
export type AnswerFields = Record<string, z.ZodMiniObject>;

/** An answer to one of `A`'s requests: `{ type: 'answer', request, requestId, ...its fields }`. */
export type AnswerMessage<A extends AnswerFields> = {
  [K in keyof A & string]: { type: 'answer'; request: K; requestId: number } & z.infer<A[K]>;
}[keyof A & string];

/** The schema of `answers`' answer messages, told apart by `request`. */
export function answerMessage<A extends AnswerFields>(answers: A): z.ZodMiniType<AnswerMessage<A>> & z.core.$ZodTypeDiscriminable {
  const [first, ...rest] = Object.entries(answers).map(([request, fields]) =>
    z.extend(fields, { type: z.literal('answer'), request: z.literal(request), requestId }),
  );
  return z.discriminatedUnion('request', [first, ...rest]) as unknown as z.ZodMiniType<AnswerMessage<A>> & z.core.$ZodTypeDiscriminable;
}

/** Requests every panel takes alike (PanelHost handles them): open or reveal a result, an error's fix. */
export const SharedRequests = [
  z.object({ type: z.literal('openResult'), requestId, uri: z.string() }),
  z.object({ type: z.literal('revealResult'), requestId, uri: z.string() }),
  z.object({ type: z.literal('action'), requestId, action: ErrorAction }),
] as const;
export type SharedRequest = z.infer<(typeof SharedRequests)[number]>;

/** What the host answers to the shared requests: that each was done. */
export const SharedAnswers = { openResult: z.object({}), revealResult: z.object({}), action: z.object({}) };

/** Messages every page sends without awaiting an answer: it is up, and stop what runs. */
export const SharedNotices = [z.object({ type: z.literal('ready') }), z.object({ type: z.literal('cancel') })] as const;

/** Parses with `schema`; undefined for anything that does not match (it is logged and dropped by the caller). */
export function parseWith<T>(schema: z.ZodMiniType<T>, message: unknown): T | undefined {
  const r = schema.safeParse(message);
  return r.success ? r.data : undefined;
}
