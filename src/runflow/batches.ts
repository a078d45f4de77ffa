import * as z from 'zod/mini';
import { RunflowError, outcomeUnknown } from './errors';
import type { HttpTransport } from './http';
import { retrying, retryTransient, retryUnaccepted, type RetryContext } from './retry';
import { lenient, parseRun, parseRunListItems, type EditInput, type Run } from './schemas';
import { sleep } from './sleep';

/** Most items Runflow takes in one batch. */
export const MAX_BATCH_ITEMS = 100;
/** How long the runs of an accepted batch may take to be named (they appear as Runflow dispatches them). */
const NAME_RUNS_WITHIN_MS = 120_000;
const FIRST_ITEMS_READ_MS = 100;
const ITEMS_READ_CAP_MS = 2_000;
/** Runs read at once to learn their client_ref, when the batch's items do not say it. */
const RUN_READS_AT_ONCE = 8;

/** One run of a batch: its input, and the client_ref that finds it later. */
export interface BatchItemRequest {
  clientRef: string;
  input: EditInput;
}

/**
 * What a batch create did. Refused: the route does not take this model (Runflow answers 422 for
 * models that are not template-backed), so nothing was made and single runs are the way. Accepted:
 * one run per item; `runIds` names them by client_ref, except those still unnamed when the wait
 * for them ran out (they exist, or soon will: look them up by client_ref, never create them again).
 */
export type BatchCreate = { accepted: false; refusal: RunflowError } | { accepted: true; batchId: string; runIds: Map<string, string> };

export interface BatchDeps {
  http: HttpTransport;
  retryContext: (signal?: AbortSignal) => RetryContext;
  getRun: (id: string, signal?: AbortSignal) => Promise<Run>;
}

/** Answers after which the batch route made nothing: it does not take this model, or does not exist. */
const batchRefused = (e: RunflowError): boolean => e.status === 404 || e.status === 405 || e.status === 422;

// An item names its run as `run_id` (the reference) or inside `run`; its client_ref, when given,
// as `client_ref` of the item, of its run or of its input. Lists come as {items}, {data} or bare.
const ItemWire = z.looseObject({
  run_id: lenient(z.string()),
  client_ref: lenient(z.string()),
  run: lenient(z.looseObject({ id: lenient(z.string()), client_ref: lenient(z.string()) })),
  input: lenient(z.looseObject({ client_ref: lenient(z.string()) })),
});
const ItemListWire = z.union([z.looseObject({ items: z.array(z.unknown()) }), z.looseObject({ data: z.array(z.unknown()) }), z.array(z.unknown())]);
const BatchWire = z.looseObject({
  id: lenient(z.string()),
  batch_id: lenient(z.string()),
  items: lenient(z.array(z.unknown())),
  runs: lenient(z.array(z.unknown())),
});

interface NamedItem {
  runId?: string;
  clientRef?: string;
}

function readItems(raw: readonly unknown[]): NamedItem[] {
  return raw.map((entry) => {
    const parsed = ItemWire.safeParse(entry);
    if (!parsed.success) return {};
    const w = parsed.data;
    return { runId: w.run_id ?? w.run?.id ?? undefined, clientRef: w.client_ref ?? w.run?.client_ref ?? w.input?.client_ref ?? undefined };
  });
}

function parseItemList(json: unknown): NamedItem[] | undefined {
  const parsed = ItemListWire.safeParse(json);
  if (!parsed.success) return undefined;
  const list = parsed.data as unknown[] | { items?: unknown[]; data?: unknown[] };
  return readItems(Array.isArray(list) ? list : (list.items ?? list.data ?? []));
}

/**
 * Creates one batch of edit runs at `path`, and names each item's run (telling `onNamed` of each
 * as soon as it is known: the batch's items, then one list of the newest runs, then reads). The body is the
 * reference's (`input: [{…item input…, client_ref}]`); every attempt carries the same
 * Idempotency-Key, so a repeat after an unknown outcome replays the first answer instead of
 * making the runs again. Rejects with the last error when the outcome stays unknown: the runs may
 * exist, and each is found later by its client_ref.
 */
export async function createBatch(
  deps: BatchDeps,
  path: string,
  items: readonly BatchItemRequest[],
  opts: { idempotencyKey: string; metadata?: Record<string, unknown>; signal?: AbortSignal; onNamed?: (clientRef: string, runId: string) => void },
): Promise<BatchCreate> {
  if (items.length === 0 || items.length > MAX_BATCH_ITEMS) throw new RangeError(`A batch holds 1 to ${MAX_BATCH_ITEMS} items, not ${items.length}.`);
  const body = { input: items.map((item) => ({ ...item.input, client_ref: item.clientRef })), metadata: opts.metadata ?? {} };
  let answer: z.infer<typeof BatchWire>;
  try {
    answer = await retrying(
      () =>
        deps.http.apiOnce({
          method: 'POST',
          path,
          json: body,
          headers: { 'idempotency-key': opts.idempotencyKey },
          signal: opts.signal,
          shouldRetry: () => false,
          parse: (json) => {
            const parsed = BatchWire.safeParse(json);
            return parsed.success && (parsed.data.id ?? parsed.data.batch_id) ? parsed.data : undefined;
          },
          what: 'the new batch',
        }),
      (e) => retryUnaccepted(e) || outcomeUnknown(e),
      deps.retryContext(opts.signal),
    );
  } catch (err) {
    if (err instanceof RunflowError && batchRefused(err)) return { accepted: false, refusal: err };
    throw err;
  }
  const batchId = (answer.id ?? answer.batch_id)!;
  const wanted = new Set(items.map((item) => item.clientRef));
  const runIds = new Map<string, string>();
  const name = (clientRef: string | undefined, runId: string): void => {
    if (!clientRef || !wanted.has(clientRef) || runIds.has(clientRef)) return;
    runIds.set(clientRef, runId);
    opts.onNamed?.(clientRef, runId);
  };
  /** Runs the items named without a client_ref: matched from the newest runs, then by reading each. */
  const unmatched = new Set<string>();
  const absorb = async (named: NamedItem[]): Promise<void> => {
    const known = new Set(runIds.values());
    for (const { runId, clientRef } of named) {
      if (!runId || known.has(runId)) continue;
      if (clientRef) name(clientRef, runId);
      else unmatched.add(runId);
    }
    if (unmatched.size === 0) return;
    // One list of the newest runs usually holds the whole batch, with each run's client_ref.
    for (const run of await newestRuns()) {
      if (!unmatched.delete(run.id)) continue;
      name(run.clientRef, run.id);
    }
    const rest = [...unmatched];
    for (let i = 0; i < rest.length; i += RUN_READS_AT_ONCE) {
      const runs = await Promise.all(rest.slice(i, i + RUN_READS_AT_ONCE).map((id) => deps.getRun(id, opts.signal)));
      for (const run of runs) {
        unmatched.delete(run.id);
        name(run.clientRef, run.id);
      }
    }
  };
  const newestRuns = async (): Promise<Run[]> => {
    const listed = await deps.http
      .api({
        method: 'GET',
        path: `v1/runs?${new URLSearchParams({ limit: String(MAX_BATCH_ITEMS), sort_by: 'created_at:desc' })}`,
        signal: opts.signal,
        shouldRetry: retryTransient,
        parse: parseRunListItems,
        what: 'the list of new runs',
      })
      .catch((err: unknown) => {
        if (err instanceof RunflowError && err.kind === 'aborted') throw err;
        return [] as unknown[]; // Each run is then read by its id.
      });
    return listed.flatMap((item) => {
      const parsed = parseRun(item);
      return parsed.ok ? [parsed.run] : [];
    });
  };
  await absorb(readItems([...(answer.items ?? []), ...(answer.runs ?? [])]));
  const giveUpAt = Date.now() + NAME_RUNS_WITHIN_MS;
  for (let wait = FIRST_ITEMS_READ_MS; runIds.size < wanted.size && Date.now() < giveUpAt; wait = Math.min(wait * 2, ITEMS_READ_CAP_MS)) {
    const listed = await deps.http.api({
      method: 'GET',
      path: `v1/batches/${encodeURIComponent(batchId)}/items?${new URLSearchParams({ limit: String(MAX_BATCH_ITEMS) })}`,
      signal: opts.signal,
      shouldRetry: retryTransient,
      parse: parseItemList,
      what: 'the batch item list',
    });
    await absorb(listed);
    if (runIds.size < wanted.size) await sleep(wait, opts.signal);
  }
  return { accepted: true, batchId, runIds };
}
