/**
 * Runflow API client for OpenAI's gpt-image-2 edit model. Plain Node (no `vscode`).
 *
 * Construct:
 *   const client = new RunflowClient({ baseUrl: 'https://api.runflow.io', apiKey, log });
 *   baseUrl must be https (http only to 127.0.0.0/8, ::1, localhost) or it throws 'insecure_url'.
 *   Options: fetch / dispatcher (transport), retry {maxAttempts 5, baseDelayMs 1000, maxDelayMs 32000},
 *   requestTimeoutMs (30 s per API call), log(level, message) (never sees the key), random (jitter),
 *   rateLimitGate (a RateLimitGate shared by the clients/workers of one key: every API request
 *   first awaits gate.ready(); a 429 calls gate.backoff(Retry-After or the retry delay), so one
 *   rate-limit answer pauses them all).
 *   The key is sent only as `Authorization: Bearer` to the baseUrl origin, never to storage hosts.
 *
 * Operations (all take an optional AbortSignal; all failures are RunflowError with a `kind`):
 *   checkKey()            GET /v1/auth/me → Account; 'unauthorized' when the key is rejected.
 *   getBalance()          → { balanceCents, currency }.
 *   toInputUrl(bytes, fileName)  → input for `image_urls`/`mask_url`: data: URI under 1 MiB
 *                         (INLINE_INPUT_LIMIT), asset upload up to 50 MiB (MAX_INPUT_BYTES, sent as
 *                         runflow://assets/{id}, its signed link kept as `signedUrl`), else
 *                         'too_large'; bytes that are not PNG/JPEG/WebP → 'not_an_image'.
 *   createEditRun(input, {clientRef?, idempotencyKey?, metadata?, signal?}) → Run (queued).
 *                         Bills at most once per call: retries reuse the Idempotency-Key and an
 *                         unknown outcome is resolved by looking the run up by client_ref.
 *                         Pass your own clientRef to find the run later (findRunByClientRef).
 *   createEditBatch([{clientRef, input}] (1–100), {idempotencyKey?, metadata?, signal?})
 *                         → {accepted: false, refusal} when Runflow does not batch this model (422:
 *                         nothing made, create single runs), or {accepted: true, batchId, runIds}
 *                         with each item's run id by client_ref (an item missing there exists but
 *                         was not named in time: find it by client_ref, never create it again).
 *   getRun(id), findRunByClientRef(ref) → Run | undefined.
 *   waitForRun(id, {signal?, timeoutMs? (10 min), onUpdate?(run, elapsedMs), durations?, durationKey?})
 *                         → the succeeded or partial_succeeded Run; rejects 'run_failed' (code =
 *                         failure code), 'run_canceled', 'timeout', 'aborted' (the run goes on and
 *                         still bills; keep its id). Polls are planned from `durations`
 *                         (a DurationModel; persist it with toJSON()/DurationModel.fromJSON()),
 *                         keyed e.g. `gpt-image-2|${quality}|${image_size}`; it learns from each success.
 *   fetchOutput(run.output.outputs[i], {signal?, maxBytes? (60 MiB), timeoutMs? (2 min)})
 *                         → { bytes, type }; 'expired_output' once the signed link stopped working, 'insecure_url' for
 *                         non-https links, 'too_large', 'not_an_image'.
 *
 * Run fields are camelCase: id, status ('canceled' also for 'cancelled'), output?.outputs[] {url,
 * contentType?, fileName?, width?, height?}, failure? {code?, message?}, createdAt/startedAt/
 * completedAt (ISO), cost, progress?, clientRef, metadata.
 * RunflowError: kind, message (plain words, says what to do), status?, code?, fieldErrors? (422),
 * runId?, retryable.
 */
export { RunflowClient, EDIT_MODEL_ID } from './client';
export type { RunflowClientOptions } from './client';
export { assetIdOf, type ModelInput } from './uploads';
export { RunflowError, outcomeUnknown } from './errors';
export { MAX_BATCH_ITEMS } from './batches';
export type { BatchCreate, BatchItemRequest } from './batches';
export { BatchCreator, worthBatching } from './batchCreator';
export type { QueuedCreate } from './batchCreator';
export type { RunflowErrorKind, FieldError } from './errors';
export type { Run, RunStatus, RunOutput, RunResult, EditInput, OutputFormat, ImageSize, Quality, Account, Balance } from './schemas';
export { sniffImageType } from './imageType';
export { isFlagged } from './schemas';
export type { ImageType } from './imageType';
export { DurationModel } from './durationModel';
export { RateLimitGate } from './rateLimitGate';
export { MAX_INPUT_BYTES, INLINE_INPUT_LIMIT } from './limits';
export { API_KEYS_URL, BILLING_URL, NEEDED_SCOPES } from './accountLinks';
