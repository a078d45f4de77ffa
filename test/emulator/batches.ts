// Batches of the edit model, for a test that asks for them (`accept_batches`): one run per item,
// made at the create. The answers are the least convenient the reference allows: the create names
// no runs, and an item shows its run_id only once the run has left `queued`, without its
// client_ref (the client reads each run to match it).
import { randomUUID } from 'node:crypto';
import { ApiError, validationError, type FieldError } from './http';
import { phaseOf, type Run } from './runs';
import { parseRunRequest, type RunRequest } from './validation';

export const MAX_BATCH_ITEMS = 100;

export interface Batch {
  id: string;
  createdAt: number;
  runs: Run[];
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The items of a batch create as run requests. The reference's form is `input: [{…item input…,
 * client_ref?}]`; a guide page writes `items: [{input, client_ref?}]`: both are read. Every item's
 * problems are collected, prefixed with its position, into one 422.
 */
export function parseBatchRequest(body: unknown): RunRequest[] {
  if (!isRecord(body)) throw validationError([{ code: 'invalid_type', message: 'The request body must be a JSON object.' }]);
  const items: unknown[] | undefined = Array.isArray(body.input)
    ? body.input.map((item) => (isRecord(item) ? (({ client_ref, ...input }) => ({ input, client_ref }))(item) : item))
    : Array.isArray(body.items)
      ? body.items
      : undefined;
  if (!items || items.length === 0 || items.length > MAX_BATCH_ITEMS) {
    throw validationError([{ field: 'input', code: 'out_of_range', message: `input must be a list of 1 to ${MAX_BATCH_ITEMS} items.` }]);
  }
  const errors: FieldError[] = [];
  const requests = items.flatMap((item, i) => {
    try {
      return [parseRunRequest(isRecord(item) ? { ...item, metadata: body.metadata } : item)];
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      errors.push(...(err.errors ?? []).map((e) => ({ ...e, field: `input.${i}.${(e.field ?? '').replace(/^input\.?/, '')}`.replace(/\.$/, '') })));
      return [];
    }
  });
  if (errors.length > 0) throw validationError(errors);
  return requests;
}

export class BatchStore {
  private readonly batches = new Map<string, Batch>();

  add(runs: Run[]): Batch {
    const batch: Batch = { id: randomUUID(), createdAt: Date.now(), runs };
    this.batches.set(batch.id, batch);
    return batch;
  }

  get(id: string): Batch | undefined {
    return this.batches.get(id);
  }

  clear(): void {
    this.batches.clear();
  }
}

/** The batch object: its status and counts, from its runs' phases now. */
export function batchJson(batch: Batch, now = Date.now()): Record<string, unknown> {
  const statuses = batch.runs.map((run) => phaseOf(run, now).status);
  const count = (...names: string[]) => statuses.filter((s) => names.includes(s)).length;
  const succeeded = count('succeeded');
  const failed = count('failed');
  const cancelled = count('cancelled', 'canceled');
  const settled = succeeded + failed + cancelled + count('partial_succeeded');
  const status_code =
    settled < statuses.length
      ? statuses.every((s) => s === 'queued')
        ? 'queued'
        : 'running'
      : succeeded === statuses.length
        ? 'succeeded'
        : succeeded > 0
          ? 'partial_succeeded'
          : 'failed';
  return {
    id: batch.id,
    status_code,
    items_total: statuses.length,
    items_succeeded: succeeded,
    items_failed: failed,
    items_cancelled: cancelled,
    created_at: new Date(batch.createdAt).toISOString(),
  };
}

/** One item per run, in the order given: its run_id once the run is dispatched. */
export function batchItemsJson(batch: Batch, now = Date.now()): Record<string, unknown>[] {
  return batch.runs.map((run, index) => {
    const { status } = phaseOf(run, now);
    return { id: `${batch.id}:${index}`, run_id: status === 'queued' ? null : run.id, status_code: status };
  });
}
