import * as z from 'zod/mini';
import { EditOptions } from '../shared/protocol';

/**
 * Where a recorded edit stands:
 * - creating: recorded before its create was sent; whether Runflow made the run is not known yet
 *   (a look-up by its client_ref tells);
 * - inFlight: the run exists and is not settled; resumed on activation;
 * - saved: its outputs are on disk;
 * - stoppedWaiting: the user stopped waiting; the run went on and its results stay fetchable;
 * - notSaved: it finished but fetching or saving its outputs failed; fetchable;
 * - failed: Runflow failed or canceled it;
 * - interrupted: the results could not be had any more (Runflow no longer has them).
 */
export const RUN_RECORD_STATUSES = ['creating', 'inFlight', 'saved', 'stoppedWaiting', 'notSaved', 'failed', 'interrupted'] as const;
export type RunRecordStatus = (typeof RUN_RECORD_STATUSES)[number];

const SavedVariantSchema = z.object({ variant: z.int().check(z.positive()), uri: z.string() });
/** One saved output: `variant` is 1-based, as in the output's sidecar. */
export type SavedVariant = z.infer<typeof SavedVariantSchema>;

export const RECORD_VERSION = 2;

const RunRecordSchema = z.object({
  version: z.literal(RECORD_VERSION),
  /** This edit's own id, also its client_ref on Runflow and its file name in the history. */
  id: z.string().check(z.regex(/^[A-Za-z0-9_-]{1,100}$/)),
  /** Sent with every attempt of the create, so a repeat replays instead of billing again. */
  idempotencyKey: z.string(),
  /** Runflow's id for the run, once known. */
  runId: z.optional(z.string()),
  /** The edited image first, then the reference images (URIs). */
  inputs: z.array(z.string()).check(z.minLength(1)),
  masked: z.boolean(),
  prompt: z.string(),
  options: EditOptions,
  outputFolder: z.string(),
  status: z.enum(RUN_RECORD_STATUSES),
  /** Why it failed or was not saved, in the user's words. */
  message: z.optional(z.string()),
  /** ms since the epoch, local clock. */
  createdAt: z.number(),
  /** US dollars as Runflow reported them. */
  cost: z.optional(z.string()),
  outputs: z.array(SavedVariantSchema),
});

/** One edit as the history keeps it: URIs and metadata only, never the key or image bytes. */
export type RunRecord = z.infer<typeof RunRecordSchema>;

/**
 * Whether "Fetch Results" is offered: a known run whose results were not saved. How long Runflow
 * keeps results is not known (its sources say 24 h and 7 days), so no age rules it out: a fetch
 * reads the run again and says plainly when Runflow no longer has them.
 */
export function isFetchable(record: RunRecord): boolean {
  return record.runId !== undefined && (record.status === 'stoppedWaiting' || record.status === 'notSaved' || record.status === 'interrupted');
}

/** Whether the record still needs settling (and so must never be dropped from the history). */
export function isUnsettled(record: RunRecord): boolean {
  return record.status === 'creating' || record.status === 'inFlight';
}

// The shape version 1 kept in globalState, keyed by the run id, with a lease inside.
const RecordV1Schema = z.object({
  runId: z.string(),
  clientRef: z.optional(z.string()),
  inputs: z.array(z.string()).check(z.minLength(1)),
  masked: z._default(z.boolean(), false),
  prompt: z.string(),
  options: EditOptions,
  outputFolder: z.string(),
  status: z.enum(['inFlight', 'saved', 'stoppedWaiting', 'notSaved', 'failed', 'interrupted']),
  message: z.optional(z.string()),
  createdAt: z.number(),
  cost: z.optional(z.string()),
  outputs: z.array(SavedVariantSchema),
});

/**
 * A stored value as a current record: validated, and migrated when an older version wrote it.
 * Undefined for anything else (a damaged file, a future version this one cannot read).
 */
export function readRecord(value: unknown): RunRecord | undefined {
  const current = RunRecordSchema.safeParse(value);
  if (current.success) return current.data;
  if (typeof value === 'object' && value !== null && 'version' in value) return undefined;
  const v1 = RecordV1Schema.safeParse(value);
  if (!v1.success) return undefined;
  const { clientRef, ...old } = v1.data;
  const id = clientRef && /^[A-Za-z0-9_-]{1,100}$/.test(clientRef) ? clientRef : old.runId.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 100);
  // A version-1 run was always created already, so its idempotency key is never sent again.
  return { version: RECORD_VERSION, id, idempotencyKey: id, ...old };
}
