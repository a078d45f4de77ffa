import type { EditOptions } from '../shared/protocol';

/**
 * Where a recorded run stands:
 * - inFlight: created and not settled; resumed on activation (unless private);
 * - saved: its outputs are on disk;
 * - stoppedWaiting: the user stopped waiting; the run went on and its results stay fetchable;
 * - notSaved: it finished but fetching or saving its outputs failed; fetchable;
 * - failed: Runflow failed or canceled it;
 * - interrupted: a private run whose wait was lost; Runflow does not keep private outputs.
 */
export type RunRecordStatus = 'inFlight' | 'saved' | 'stoppedWaiting' | 'notSaved' | 'failed' | 'interrupted';

/** One saved output: `variant` is 1-based, as in the output's sidecar. */
export interface SavedVariant {
  variant: number;
  uri: string;
}

/** Which window (extension host) is settling the run, and when it last said so. */
export interface RunLease {
  owner: string;
  at: number;
}

/** One run as the history keeps it: URIs and metadata only, never the key or image bytes. */
export interface RunRecord {
  runId: string;
  clientRef?: string;
  /** The edited image first, then the reference images. */
  inputs: string[];
  masked: boolean;
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
  lease?: RunLease;
}

/** Runflow keeps a run's output links for 7 days. */
export const OUTPUT_LIFETIME_MS = 7 * 24 * 60 * 60 * 1000;

/** Whether "Fetch Results" can still bring this run's outputs: not private, not saved, not expired. */
export function isFetchable(record: RunRecord, now = Date.now()): boolean {
  return (
    !record.options.private &&
    (record.status === 'stoppedWaiting' || record.status === 'notSaved') &&
    now - record.createdAt < OUTPUT_LIFETIME_MS
  );
}

/** A stored value is only used when it has this shape (it may come from an older version). */
export function isRunRecord(value: unknown): value is RunRecord {
  const r = value as Partial<RunRecord> | null;
  return (
    typeof r === 'object' &&
    r !== null &&
    typeof r.runId === 'string' &&
    Array.isArray(r.inputs) &&
    r.inputs.every((i) => typeof i === 'string') &&
    typeof r.prompt === 'string' &&
    typeof r.options === 'object' &&
    r.options !== null &&
    typeof r.outputFolder === 'string' &&
    typeof r.status === 'string' &&
    typeof r.createdAt === 'number' &&
    Array.isArray(r.outputs)
  );
}
