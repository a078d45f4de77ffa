import { randomUUID } from 'node:crypto';
import { MAX_BATCH_ITEMS, type BatchItemRequest } from './batches';
import type { RunflowClient } from './client';

/**
 * The answer to one queued create. `made: false`: nothing was made for it (Runflow does not take
 * this model in batches, or the batch was canceled before it went out), so the edit creates its
 * run alone. `made: true`: its run exists; `runId` is missing when Runflow did not name it in time
 * (look it up by client_ref, never create it again).
 */
export type QueuedCreate = { made: false } | { made: true; runId?: string };

export interface BatchCreatorOptions {
  client: Pick<RunflowClient, 'createEditBatch'>;
  /** The batch's: once aborted, nothing more is sent. */
  signal: AbortSignal;
  metadata?: Record<string, unknown>;
  /** Most creates in one batch (Runflow's limit is 100). */
  maxItems?: number;
  /**
   * The first batch goes out once this many creates are queued (default `maxItems`): the batch's
   * lanes' worth, so the first runs start, or Runflow's refusal is known, after that many uploads, not a hundred.
   */
  firstBatchItems?: number;
  /** Most characters of item inputs in one batch body: inline data: URIs make items large. */
  maxBodyChars?: number;
  /** A batch goes out once no create has joined it for this long… */
  lingerMs?: number;
  /** …or once its first create has waited this long. */
  maxWaitMs?: number;
}

interface Queued {
  request: BatchItemRequest;
  onSent: () => void;
  answer: (value: QueuedCreate) => void;
  fail: (error: unknown) => void;
}

const DEFAULT_MAX_BODY_CHARS = 16 * 1024 * 1024;
const DEFAULT_LINGER_MS = 1_000;
const DEFAULT_MAX_WAIT_MS = 10_000;

/**
 * Gathers the creates of many edits into Runflow batches (one POST for up to 100 runs) and answers
 * each with its run. A batch goes out when it is full (the first at `firstBatchItems`), when no
 * create joined it for `lingerMs` (the edits ahead are slow to upload: do not hold back those
 * ready), when its first create has waited `maxWaitMs`, or on flush(). After Runflow refuses
 * batches for this model (its 422), every create is answered `made: false` at once and the edits
 * create their runs alone.
 */
export class BatchCreator {
  private queue: Queued[] = [];
  private chars = 0;
  private timer: NodeJS.Timeout | undefined;
  private firstQueuedAt = 0;
  private refused = false;
  private readonly maxItems: number;
  private readonly firstBatchItems: number;
  private readonly maxBodyChars: number;
  private readonly lingerMs: number;
  private readonly maxWaitMs: number;
  /** Batch POSTs sent, and how many of them Runflow refused (for logs and the bench). */
  readonly sent = { batches: 0, refused: 0 };

  constructor(private readonly options: BatchCreatorOptions) {
    this.maxItems = Math.min(MAX_BATCH_ITEMS, options.maxItems ?? MAX_BATCH_ITEMS);
    this.firstBatchItems = Math.max(1, Math.min(this.maxItems, options.firstBatchItems ?? this.maxItems));
    this.maxBodyChars = options.maxBodyChars ?? DEFAULT_MAX_BODY_CHARS;
    this.lingerMs = options.lingerMs ?? DEFAULT_LINGER_MS;
    this.maxWaitMs = options.maxWaitMs ?? DEFAULT_MAX_WAIT_MS;
    options.signal.addEventListener('abort', () => this.takeQueued().forEach((q) => q.answer({ made: false })), { once: true });
  }

  /** Whether creates are still worth queueing: Runflow has not refused batches, nor the batch been canceled. */
  get accepting(): boolean {
    return !this.refused && !this.options.signal.aborted;
  }

  /** Queues one create; `onSent` is called just before the batch that holds it goes out. */
  create(request: BatchItemRequest, onSent: () => void): Promise<QueuedCreate> {
    if (!this.accepting) return Promise.resolve({ made: false });
    const chars = JSON.stringify(request.input).length;
    if (this.queue.length > 0 && this.chars + chars > this.maxBodyChars) this.flush();
    return new Promise((answer, fail) => {
      if (this.queue.length === 0) this.firstQueuedAt = Date.now();
      this.queue.push({ request, onSent, answer, fail });
      this.chars += chars;
      clearTimeout(this.timer);
      if (this.queue.length >= (this.sent.batches === 0 ? this.firstBatchItems : this.maxItems)) return this.flush();
      const untilMaxWait = this.firstQueuedAt + this.maxWaitMs - Date.now();
      this.timer = setTimeout(() => this.flush(), Math.max(0, Math.min(this.lingerMs, untilMaxWait)));
    });
  }

  /** Sends what is queued now (no more creates are coming soon). */
  flush(): void {
    const batch = this.takeQueued();
    if (batch.length > 0) void this.send(batch);
  }

  private async send(batch: Queued[]): Promise<void> {
    if (!this.accepting) return batch.forEach((q) => q.answer({ made: false }));
    for (const q of batch) q.onSent();
    this.sent.batches++;
    const waiting = new Map(batch.map((q) => [q.request.clientRef, q]));
    try {
      const created = await this.options.client.createEditBatch(
        batch.map((q) => q.request),
        {
          idempotencyKey: randomUUID(),
          metadata: this.options.metadata,
          signal: this.options.signal,
          // Each edit goes on as soon as its run is named, not when the whole batch is.
          onNamed: (clientRef, runId) => {
            waiting.get(clientRef)?.answer({ made: true, runId });
            waiting.delete(clientRef);
          },
        },
      );
      if (!created.accepted) {
        this.refused = true;
        this.sent.refused++;
        for (const q of this.takeQueued()) q.answer({ made: false });
        return batch.forEach((q) => q.answer({ made: false }));
      }
      for (const q of waiting.values()) q.answer({ made: true, runId: created.runIds.get(q.request.clientRef) });
    } catch (error) {
      for (const q of waiting.values()) q.fail(error);
    }
  }

  /** Empties the queue (and its timer) for sending or answering. */
  private takeQueued(): Queued[] {
    clearTimeout(this.timer);
    this.timer = undefined;
    const queued = this.queue;
    this.queue = [];
    this.chars = 0;
    return queued;
  }
}

/** Whether a batch of `count` images is worth Runflow's batch route: more images than run at once. */
export const worthBatching = (count: number, concurrency: number): boolean => count > concurrency;
