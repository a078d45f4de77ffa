// Fault injection: the schema of a fault and the book that hands each one out `times` times.
import { z } from 'zod';

const originSchema = z.enum(['api', 'storage']);
const matchSchema = z.object({
  method: z.string().optional(),
  /** Exact path, or a prefix when it ends in '*'. */
  path: z.string().optional(),
  origin: originSchema.optional(),
});
const times = z.number().int().positive().optional();
const httpStatus = z.number().int().min(100).max(599);

export const faultSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('status'),
    match: matchSchema,
    status: httpStatus,
    code: z.string().optional(),
    message: z.string().optional(),
    retryAfterSec: z.number().nonnegative().optional(),
    /** Run the handler first (a create really creates and bills), then answer with this error. */
    afterHandling: z.boolean().optional(),
    /**
     * With afterHandling: the Idempotency-Key keeps no answer, so a repeat is handled as new (as a
     * middleware that caches only 2xx answers does after a 5xx from behind it).
     */
    forgetsKey: z.boolean().optional(),
    times,
  }),
  z.object({ kind: z.literal('reset'), match: matchSchema, when: z.enum(['before', 'after']), times }),
  z.object({ kind: z.literal('delay'), match: matchSchema, ms: z.number().nonnegative(), times }),
  z.object({ kind: z.literal('malformed_json'), match: matchSchema, afterHandling: z.boolean().optional(), times }),
  z.object({ kind: z.literal('non_json_error'), match: matchSchema, status: httpStatus, body: z.string(), times }),
  z.object({
    kind: z.literal('run_outcome'),
    outcome: z.enum(['failed', 'partial_succeeded', 'cancelled', 'canceled']),
    failureCode: z.string().optional(),
    failureMessage: z.string().optional(),
    /** Where it failed (`failure_stage_code`), e.g. `dispatch`: before the model ran, so nothing is billed. */
    failureStage: z.string().optional(),
    times,
  }),
  z.object({ kind: z.literal('expire_outputs') }),
  /**
   * How the model reads masks from now on (until cleared): by alpha (OpenAI's convention,
   * transparent = edit; the default) or by colour, ignoring alpha (white = edit), as some hosts do.
   */
  z.object({ kind: z.literal('mask_convention'), convention: z.enum(['alpha', 'luminance']) }),
  /**
   * Until reset: the API's errors come in this shape: `flat` `{code, message, errors}` (its docs,
   * the default), `nested` `{error: {code, message, errors}}` (the shape its SDK reads), or
   * `detail` (a list of `{loc, msg, type}` for field errors, else the message as a string).
   */
  z.object({ kind: z.literal('error_shape'), shape: z.enum(['flat', 'nested', 'detail']) }),
  /**
   * Until reset: a model input given as `runflow://assets/{id}` is refused, in one of the ways
   * Runflow's backend contract describes: `fields` a 422 naming each input field (the default),
   * `message` a 422 whose message names the reference with no field list, `dispatch` a run
   * accepted and then failed at dispatch (`failure_stage_code` dispatch, cost 0).
   */
  z.object({ kind: z.literal('refuse_asset_refs'), how: z.enum(['fields', 'message', 'dispatch']).optional() }),
  /**
   * Until reset: `POST /v1/models/{model}/batches` accepts this model (by default it answers 422,
   * as for a model that is not template-backed). `concurrency`: a batch runs at most this many of
   * its runs at once, the others stay queued (default: all at once).
   */
  z.object({ kind: z.literal('accept_batches'), concurrency: z.number().int().positive().optional() }),
  /** The next created run(s) report these literals instead of `running` / their terminal status. */
  z.object({ kind: z.literal('run_statuses'), inFlight: z.string().optional(), terminal: z.string().optional(), times }),
  /**
   * The next run search(es) (`GET /v1/runs`) answer as a search index that lags (`lag`: no items,
   * as before it indexed the newest runs) or ignores the filter (`unfiltered`: the newest runs,
   * whatever `q` asks).
   */
  z.object({ kind: z.literal('search'), answers: z.enum(['lag', 'unfiltered']), times }),
  /** The next created run(s) list their first output without a URL, and one null entry. */
  z.object({ kind: z.literal('unusable_outputs'), times }),
  /** The next created run(s) report `nsfw_detected: true`. */
  z.object({ kind: z.literal('flag_nsfw'), times }),
  z.object({ kind: z.literal('output_body'), body: z.enum(['not_image', 'oversize']), times }),
  z.object({ kind: z.literal('upload_put_status'), status: httpStatus, times }),
]);

export type Fault = z.input<typeof faultSchema>;
export type MaskConvention = FaultOf<'mask_convention'>['convention'];
export type ErrorShape = FaultOf<'error_shape'>['shape'];
export type AssetRefRefusal = NonNullable<FaultOf<'refuse_asset_refs'>['how']>;
export type FaultMatch = z.input<typeof matchSchema>;
type ParsedFault = z.output<typeof faultSchema>;
type FaultOf<K extends ParsedFault['kind']> = Extract<ParsedFault, { kind: K }>;

/** Faults that take over the handling of a matching request. */
export type RequestFault = FaultOf<'status' | 'reset' | 'delay' | 'malformed_json' | 'non_json_error'>;
export type RunOutcomeFault = FaultOf<'run_outcome'>;
export type RunStatusesFault = FaultOf<'run_statuses'>;

interface Armed {
  fault: ParsedFault;
  remaining: number;
}

const REQUEST_FAULT_KINDS = new Set<string>(['status', 'reset', 'delay', 'malformed_json', 'non_json_error']);

function matches(fault: RequestFault, origin: string, method: string, path: string): boolean {
  const m = fault.match;
  if (m.origin && m.origin !== origin) return false;
  if (m.method && m.method.toUpperCase() !== method.toUpperCase()) return false;
  if (m.path === undefined) return true;
  return m.path.endsWith('*') ? path.startsWith(m.path.slice(0, -1)) : path === m.path;
}

export class FaultBook {
  private armed: Armed[] = [];
  private outputsExpired = false;
  private maskConvention: MaskConvention = 'alpha';
  private assetRefsRefused: AssetRefRefusal | undefined;
  private errorShape: ErrorShape = 'flat';
  private batchesAccepted: { concurrency: number } | undefined;

  /** Validates (throws a ZodError on a bad fault) and arms the faults in order. */
  inject(faults: Fault | Fault[]): number {
    const parsed = z.array(faultSchema).parse(Array.isArray(faults) ? faults : [faults]);
    for (const fault of parsed) {
      if (fault.kind === 'expire_outputs') this.outputsExpired = true;
      else if (fault.kind === 'mask_convention') this.maskConvention = fault.convention;
      else if (fault.kind === 'refuse_asset_refs') this.assetRefsRefused = fault.how ?? 'fields';
      else if (fault.kind === 'error_shape') this.errorShape = fault.shape;
      else if (fault.kind === 'accept_batches') this.batchesAccepted = { concurrency: fault.concurrency ?? Infinity };
      else this.armed.push({ fault, remaining: fault.times ?? 1 });
    }
    return parsed.length;
  }

  clear(): void {
    this.armed = [];
    this.outputsExpired = false;
    this.maskConvention = 'alpha';
    this.assetRefsRefused = undefined;
    this.errorShape = 'flat';
    this.batchesAccepted = undefined;
  }

  /** The shape the API's error answers come in. */
  get errorsShaped(): ErrorShape {
    return this.errorShape;
  }

  get masksReadAs(): MaskConvention {
    return this.maskConvention;
  }

  /** How a `runflow://assets/` input is refused; undefined when it is taken. */
  get refusesAssetRefs(): AssetRefRefusal | undefined {
    return this.assetRefsRefused;
  }

  /** How batches are taken: undefined when refused. */
  get acceptsBatches(): { concurrency: number } | undefined {
    return this.batchesAccepted;
  }

  /** The first armed request fault matching this request, consumed once. */
  takeRequestFault(origin: string, method: string, path: string): RequestFault | undefined {
    return this.take((f): f is RequestFault => REQUEST_FAULT_KINDS.has(f.kind) && matches(f as RequestFault, origin, method, path));
  }

  takeRunOutcome(): RunOutcomeFault | undefined {
    return this.take((f): f is RunOutcomeFault => f.kind === 'run_outcome');
  }

  takeRunStatuses(): RunStatusesFault | undefined {
    return this.take((f): f is RunStatusesFault => f.kind === 'run_statuses');
  }

  /** How the next run search answers, if a fault says. */
  takeSearch(): FaultOf<'search'>['answers'] | undefined {
    return this.take((f): f is FaultOf<'search'> => f.kind === 'search')?.answers;
  }

  takeFlagNsfw(): boolean {
    return this.take((f): f is FaultOf<'flag_nsfw'> => f.kind === 'flag_nsfw') !== undefined;
  }

  takeUnusableOutputs(): boolean {
    return this.take((f): f is FaultOf<'unusable_outputs'> => f.kind === 'unusable_outputs') !== undefined;
  }

  takeOutputBody(): FaultOf<'output_body'> | undefined {
    return this.take((f): f is FaultOf<'output_body'> => f.kind === 'output_body');
  }

  takeUploadPutStatus(): FaultOf<'upload_put_status'> | undefined {
    return this.take((f): f is FaultOf<'upload_put_status'> => f.kind === 'upload_put_status');
  }

  areOutputsExpired(): boolean {
    return this.outputsExpired;
  }

  private take<F extends ParsedFault>(pick: (f: ParsedFault) => f is F): F | undefined {
    const index = this.armed.findIndex((a) => pick(a.fault));
    if (index < 0) return undefined;
    const armed = this.armed[index];
    armed.remaining -= 1;
    if (armed.remaining <= 0) this.armed.splice(index, 1);
    return armed.fault as F;
  }
}
