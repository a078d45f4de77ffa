import { readOptions, type EditOptions } from '../shared/options';

/**
 * Where a recorded edit stands:
 * - creating: recorded before its create was sent; whether Runflow made the run is not known yet
 *   (a look-up by its client_ref tells);
 * - unknown: the create went out and its outcome was never learned (an answer lost, a stop whose
 *   look-up found nothing yet); looked up again later, on the next start, or by Look Up Run;
 * - inFlight: the run exists and is not settled; resumed on activation;
 * - saved: its outputs are on disk;
 * - stoppedWaiting: the user stopped waiting; the run went on and its results stay fetchable;
 * - notSaved: it finished but fetching or saving its outputs failed; fetchable;
 * - failed: Runflow failed or canceled it;
 * - interrupted: the results could not be had any more (Runflow no longer has them).
 */
export const RUN_RECORD_STATUSES = ['creating', 'unknown', 'inFlight', 'saved', 'stoppedWaiting', 'notSaved', 'failed', 'interrupted'] as const;
export type RunRecordStatus = (typeof RUN_RECORD_STATUSES)[number];

/** One saved output: `variant` is 1-based, as in the output's sidecar. */
export interface SavedVariant {
  variant: number;
  uri: string;
}

export const RECORD_VERSION = 2;

/**
 * One edit as the history keeps it: URIs and metadata, never the key or the images; only the
 * mask that was sent (a small two-colour PNG), so that an edit resumed after a reload is
 * composited exactly like one saved at once.
 */
export interface RunRecord {
  version: typeof RECORD_VERSION;
  /** This edit's own id, also its client_ref on Runflow and its file name in the history. */
  id: string;
  /** Sent with every attempt of the create, so a repeat replays instead of billing again. */
  idempotencyKey: string;
  /** Runflow's id for the run, once known. */
  runId?: string;
  /** The edited image first, then the reference images (URIs). */
  inputs: string[];
  masked: boolean;
  /** The mask as sent (canonical PNG, base64), for compositing each output over the original. */
  sentMask?: string;
  /** SHA-256 (hex) of the original's bytes as sent: compositing is only done over that very image. */
  originalSha256?: string;
  prompt: string;
  options: EditOptions;
  outputFolder: string;
  status: RunRecordStatus;
  /** Why it failed or was not saved, in the user's words. */
  message?: string;
  /** ms since the epoch, local clock. */
  createdAt: number;
  /** US dollars as Runflow reported them. */
  cost?: string;
  outputs: SavedVariant[];
}

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
  return record.status === 'creating' || record.status === 'unknown' || record.status === 'inFlight';
}

// Checked by hand rather than with zod: the history is read at activation, which stays light.
const ID = /^[A-Za-z0-9_-]{1,100}$/;
type Loose = Record<string, unknown>;
const isObject = (v: unknown): v is Loose => typeof v === 'object' && v !== null && !Array.isArray(v);
const isString = (v: unknown): v is string => typeof v === 'string';
const optional = (v: unknown, check: (v: unknown) => boolean): boolean => v === undefined || check(v);
const oneOf =
  <T extends string>(values: readonly T[]) =>
  (v: unknown): v is T =>
    isString(v) && (values as readonly string[]).includes(v);

const isVariants = (v: unknown): v is SavedVariant[] =>
  Array.isArray(v) && v.every((o) => isObject(o) && Number.isInteger(o.variant) && (o.variant as number) >= 1 && isString(o.uri));

/** The fields both versions share, checked. */
function hasCommonFields(v: Loose): boolean {
  return (
    Array.isArray(v.inputs) &&
    v.inputs.length >= 1 &&
    v.inputs.every(isString) &&
    isString(v.prompt) &&
    readOptions(v.options) !== undefined &&
    isString(v.outputFolder) &&
    typeof v.createdAt === 'number' &&
    optional(v.message, isString) &&
    optional(v.cost, isString) &&
    isVariants(v.outputs)
  );
}

function pick(v: Loose): Omit<RunRecord, 'version' | 'id' | 'idempotencyKey' | 'runId' | 'status' | 'masked'> {
  const { inputs, prompt, outputFolder, message, createdAt, cost, outputs, sentMask, originalSha256 } = v as unknown as RunRecord;
  return {
    inputs,
    prompt,
    options: readOptions(v.options)!,
    outputFolder,
    createdAt,
    outputs,
    ...(message !== undefined ? { message } : {}),
    ...(cost !== undefined ? { cost } : {}),
    ...(isString(sentMask) ? { sentMask } : {}),
    ...(isString(originalSha256) ? { originalSha256 } : {}),
  };
}

/**
 * A stored value as a current record: validated, and migrated when version 1 (kept in
 * globalState, keyed by the run id, with a lease inside) wrote it. Undefined for anything else
 * (a damaged file, a future version this one cannot read).
 */
export function readRecord(value: unknown): RunRecord | undefined {
  if (!isObject(value) || !hasCommonFields(value)) return undefined;
  if ('version' in value) {
    const ok =
      value.version === RECORD_VERSION &&
      isString(value.id) &&
      ID.test(value.id) &&
      isString(value.idempotencyKey) &&
      optional(value.runId, isString) &&
      typeof value.masked === 'boolean' &&
      oneOf(RUN_RECORD_STATUSES)(value.status);
    if (!ok) return undefined;
    const { id, idempotencyKey, runId, masked, status } = value as unknown as RunRecord;
    return { version: RECORD_VERSION, id, idempotencyKey, ...(runId !== undefined ? { runId } : {}), masked, status, ...pick(value) };
  }
  const v1Statuses = RUN_RECORD_STATUSES.filter((s) => s !== 'creating' && s !== 'unknown');
  if (!isString(value.runId) || !oneOf(v1Statuses)(value.status) || !optional(value.clientRef, isString)) return undefined;
  const clientRef = value.clientRef as string | undefined;
  const id = clientRef && ID.test(clientRef) ? clientRef : value.runId.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 100);
  // A version-1 run was always created already, so its idempotency key is never sent again.
  return { version: RECORD_VERSION, id, idempotencyKey: id, runId: value.runId, masked: value.masked === true, status: value.status, ...pick(value) };
}
