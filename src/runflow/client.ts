import { randomUUID } from 'node:crypto';
import type { Dispatcher } from 'undici';
import { RunflowError, makeRedactor, outcomeUnknown } from './errors';
import { createBatch, type BatchCreate, type BatchItemRequest } from './batches';
import { HttpTransport, type FetchLike, type LogFn } from './http';
import { fetchOutput, type FetchOutputOptions } from './outputs';
import { pollRun, type WaitOptions } from './polling';
import { DEFAULT_RETRY, retrying, retryTransient, retryUnaccepted, type RetryContext, type RetryOptions, type RetryWait } from './retry';
import {
  parseAccount,
  parseAsset,
  parseBalance,
  parseRun,
  parseRunListItems,
  type Account,
  type Balance,
  type EditInput,
  type Run,
  type RunOutput,
} from './schemas';
import { toInputUrl, type ModelInput } from './uploads';
import type { RateLimitGate } from './rateLimitGate';
import { requireSecureUrl, type HostResolver } from './urls';
import type { ImageType } from './imageType';

/** Settings of a RunflowClient. */
export interface RunflowClientOptions {
  /** API origin, e.g. `https://api.runflow.io`; plain http only to loopback. */
  baseUrl: string;
  apiKey: string;
  /** Replaces undici's fetch (tests, proxies). */
  fetch?: FetchLike;
  /** undici dispatcher for the requests (proxy, custom timeouts). */
  dispatcher?: Dispatcher;
  retry?: RetryOptions;
  /** Per-request limit for API calls in ms (default 30 s). */
  requestTimeoutMs?: number;
  log?: LogFn;
  /** Source of jitter, injectable for deterministic tests. */
  random?: () => number;
  /** Shared by every client of one key: API requests wait while any of them is rate-limited. */
  rateLimitGate?: RateLimitGate;
  /** Told before each wait between two attempts of a request (a 429, a 5xx, a dropped connection). */
  onRetryWait?: (wait: RetryWait) => void;
  /** Resolves storage hosts for the private-network check (default: the system's resolver). */
  resolveHost?: HostResolver;
}

/** The model this client runs. */
export const EDIT_MODEL_ID = 'openai/gpt-image-2/edit';
const EDIT_MODEL_PATH = `v1/models/${EDIT_MODEL_ID}/runs`;
const EDIT_BATCH_PATH = `v1/models/${EDIT_MODEL_ID}/batches`;
const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
// Enough to remember the runs of a session for clock alignment, bounded so it cannot grow.
const MAX_REMEMBERED_CREATES = 200;

/** 4xx answers to the exact-match filter after which the older `field:value` form is worth a try. */
const filterRefused = (e: RunflowError): boolean =>
  e.status !== undefined && e.status >= 400 && e.status < 500 && e.status !== 401 && e.status !== 402 && e.status !== 429;

/** A refusal after an attempt whose outcome is unknown: its words, and that the first attempt may have made the run. */
function stillUnknown(err: RunflowError): RunflowError {
  return new RunflowError(
    err.kind,
    `${err.message} An earlier attempt's answer was lost, so Runflow may have made the run: the history keeps this edit and looks it up.`,
    { status: err.status, code: err.code, fieldErrors: err.fieldErrors, retryable: false, afterUnknown: true, cause: err },
  );
}

function runParser(what: string): (json: unknown) => Run {
  return (json) => {
    const parsed = parseRun(json);
    if (!parsed.ok) throw new RunflowError('bad_response', `Runflow's answer to ${what} was not understood: ${parsed.problem}.`, { retryable: false });
    return parsed.run;
  };
}

/** A look-up by client_ref: the run, or none and whether that answer can be believed. */
export type RunLookUp = { run: Run; conclusive: true } | { run: undefined; conclusive: boolean };

/** Client for Runflow's hosted gpt-image-2 edit model: keys, inputs, runs, polling and results. */
export class RunflowClient {
  private readonly http: HttpTransport;
  private readonly retry: Required<RetryOptions>;
  private readonly random: () => number;
  private readonly rateLimitGate?: RateLimitGate;
  private readonly onRetryWait?: (wait: RetryWait) => void;
  /** Runs this client created: when the answer arrived, and whether alone (not in a batch). */
  private readonly createdHere = new Map<string, { at: number; alone: boolean }>();

  constructor(opts: RunflowClientOptions) {
    const baseUrl = requireSecureUrl(opts.baseUrl, 'Runflow API URL');
    if (!opts.apiKey) throw new RunflowError('unauthorized', 'No Runflow API key is set. Set your Runflow API key.');
    this.retry = { ...DEFAULT_RETRY, ...opts.retry };
    this.random = opts.random ?? Math.random;
    this.rateLimitGate = opts.rateLimitGate;
    this.onRetryWait = opts.onRetryWait;
    this.http = new HttpTransport({
      baseUrl: new URL(baseUrl.origin + baseUrl.pathname.replace(/\/+$/, '') + '/'),
      apiKey: opts.apiKey,
      fetch: opts.fetch,
      dispatcher: opts.dispatcher,
      requestTimeoutMs: opts.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
      retry: { retry: this.retry, random: this.random, rateLimitGate: this.rateLimitGate, onRetryWait: opts.onRetryWait },
      log: opts.log ?? (() => undefined),
      redact: makeRedactor(opts.apiKey),
      resolveHost: opts.resolveHost,
    });
  }

  private retryContext = (signal?: AbortSignal, deadline?: number): RetryContext => ({
    retry: this.retry,
    random: this.random,
    rateLimitGate: this.rateLimitGate,
    onRetryWait: this.onRetryWait,
    signal,
    deadline,
    log: (m) => this.http.log('info', m),
  });

  /** Checks the key: resolves with its account, or rejects with kind 'unauthorized'. */
  checkKey(signal?: AbortSignal): Promise<Account> {
    return this.http.api({ method: 'GET', path: 'v1/auth/me', signal, shouldRetry: retryTransient, parse: parseAccount, what: 'the key check' });
  }

  /** The account's remaining credit. */
  getBalance(signal?: AbortSignal): Promise<Balance> {
    return this.http.api({ method: 'GET', path: 'v1/billing/balance', signal, shouldRetry: retryTransient, parse: parseBalance, what: 'the balance request' });
  }

  /** A model input URL for local image bytes: a data: URI under 1 MiB, an uploaded asset up to 50 MiB. */
  toInputUrl(bytes: Uint8Array, fileName: string, signal?: AbortSignal): Promise<ModelInput> {
    return toInputUrl({ http: this.http, retryContext: this.retryContext }, bytes, fileName, signal);
  }

  /**
   * Starts an edit run. One call bills at most once: every attempt carries the same
   * Idempotency-Key and client_ref, and after an unknown outcome the run is first looked up by
   * its client_ref; only when it is not found, or the look-up cannot tell, is the create sent again
   * (the Idempotency-Key makes a repeat replay the first answer rather than create).
   */
  async createEditRun(
    input: EditInput,
    opts: { clientRef?: string; idempotencyKey?: string; metadata?: Record<string, unknown>; signal?: AbortSignal } = {},
  ): Promise<Run> {
    const clientRef = opts.clientRef ?? randomUUID();
    const idempotencyKey = opts.idempotencyKey ?? randomUUID();
    const body = { input, metadata: opts.metadata ?? {}, client_ref: clientRef };
    const unresolved = new WeakSet<RunflowError>();
    let unknownBefore = false;
    const run = await retrying(
      async () => {
        try {
          return await this.http.apiOnce({
            method: 'POST',
            path: EDIT_MODEL_PATH,
            json: body,
            headers: { 'idempotency-key': idempotencyKey },
            signal: opts.signal,
            shouldRetry: () => false,
            parse: runParser('the new run'),
            what: 'the new run',
          });
        } catch (err) {
          if (!(err instanceof RunflowError)) throw err;
          if (!outcomeUnknown(err)) throw unknownBefore ? stillUnknown(err) : err;
          unknownBefore = true;
          const existing = await this.findAfterUnknownOutcome(clientRef, err, opts.signal);
          if (existing) return existing;
          unresolved.add(err);
          throw err;
        }
      },
      (e) => retryUnaccepted(e) || unresolved.has(e),
      this.retryContext(opts.signal),
    );
    this.rememberCreate(run.id, true);
    return run;
  }

  /**
   * Creates up to 100 edit runs in one Runflow batch, each with its own client_ref, and names each
   * one's run. `{accepted: false}` when Runflow does not take this model in batches (nothing was
   * made: create single runs). One call bills each item at most once: every attempt carries the
   * same Idempotency-Key. Rejects when the outcome stays unknown; the runs are then found by
   * their client_refs.
   */
  createEditBatch(
    items: readonly BatchItemRequest[],
    opts: { idempotencyKey?: string; metadata?: Record<string, unknown>; signal?: AbortSignal; onNamed?: (clientRef: string, runId: string) => void } = {},
  ): Promise<BatchCreate> {
    return createBatch({ http: this.http, retryContext: this.retryContext, getRun: (id, signal) => this.getRun(id, signal) }, EDIT_BATCH_PATH, items, {
      ...opts,
      idempotencyKey: opts.idempotencyKey ?? randomUUID(),
      onNamed: (clientRef, runId) => {
        this.rememberCreate(runId, false);
        opts.onNamed?.(clientRef, runId);
      },
    });
  }

  /** The run an unknown outcome may have made; undefined when it was not found or the look-up failed. */
  private async findAfterUnknownOutcome(clientRef: string, cause: RunflowError, signal?: AbortSignal): Promise<Run | undefined> {
    this.http.log(
      'info',
      `Creating the run had an unknown outcome (${cause.kind}${cause.status ? `, HTTP ${cause.status}` : ''}); looking it up by client_ref before trying again.`,
    );
    try {
      return await this.findRunByClientRef(clientRef, signal);
    } catch (err) {
      if (err instanceof RunflowError && err.kind === 'aborted') throw err;
      this.http.log('warn', `The look-up by client_ref failed (${(err as Error)?.message ?? err}); sending the create again with the same Idempotency-Key.`);
      return undefined;
    }
  }

  private rememberCreate(id: string, alone: boolean): void {
    this.createdHere.set(id, { at: Date.now(), alone });
    if (this.createdHere.size > MAX_REMEMBERED_CREATES) this.createdHere.delete(this.createdHere.keys().next().value as string);
  }

  /** An uploaded asset, with a link signed anew on every call (the confirmation's link is short-lived). */
  getAsset(id: string, signal?: AbortSignal): Promise<{ id: string; url?: string }> {
    return this.http.api({
      method: 'GET',
      path: `v1/assets/${encodeURIComponent(id)}`,
      signal,
      shouldRetry: retryTransient,
      parse: parseAsset,
      what: 'the asset link request',
    });
  }

  /** One run by id. */
  getRun(id: string, signal?: AbortSignal): Promise<Run> {
    return this.getRunUntil(id, signal);
  }

  private getRunUntil(id: string, signal?: AbortSignal, deadline?: number): Promise<Run> {
    return this.http.api({
      method: 'GET',
      path: `v1/runs/${encodeURIComponent(id)}`,
      signal,
      deadline,
      shouldRetry: retryTransient,
      parse: runParser('the run status request'),
      what: 'the run status request',
      runId: id,
    });
  }

  /**
   * The run created with this client_ref, if any. Sends the exact-match filter of Runflow's
   * grammar (`client_ref.EQ:'<ref>'`, as Runflow's own templates do) and falls back to the
   * documented `client_ref:<ref>` form when the API refuses it with a 4xx.
   */
  async findRunByClientRef(clientRef: string, signal?: AbortSignal): Promise<Run | undefined> {
    return (await this.lookUpRun(clientRef, signal)).run;
  }

  /**
   * The run created with this client_ref, or whether its absence can be believed: only an answer
   * that is empty, or whose every item carries this client_ref, says no such run exists; a list
   * that holds other runs (a filter the API ignored) cannot tell.
   */
  async lookUpRun(clientRef: string, signal?: AbortSignal): Promise<RunLookUp> {
    const search = (q: string): Promise<unknown[]> =>
      this.http.api({
        method: 'GET',
        path: `v1/runs?${new URLSearchParams({ q, limit: '10', sort_by: 'created_at:desc' })}`,
        signal,
        shouldRetry: retryTransient,
        parse: parseRunListItems,
        what: 'the run search',
      });
    let items: unknown[];
    try {
      items = await search(`client_ref.EQ:'${clientRef.replace(/'/g, '')}'`);
    } catch (err) {
      if (!(err instanceof RunflowError) || !filterRefused(err)) throw err;
      items = await search(`client_ref:${clientRef}`);
    }
    const runs = items.map((item) => parseRun(item)).flatMap((p) => (p.ok ? [p.run] : []));
    // Checked again here: returning someone else's run would be worse than finding none.
    const run = runs.find((r) => r.clientRef === clientRef);
    return run ? { run, conclusive: true } : { run: undefined, conclusive: items.length === 0 };
  }

  /** Polls until the run is terminal; resolves on success or partial success, rejects otherwise. */
  waitForRun(id: string, opts: WaitOptions = {}): Promise<Run> {
    const created = this.createdHere.get(id);
    return pollRun(
      id,
      {
        getRun: (signal, deadline) => this.getRunUntil(id, signal, deadline),
        log: (level, m) => this.http.log(level, m),
        createdLocallyAt: created?.at,
        createdAlone: created?.alone,
      },
      opts,
    );
  }

  /** Downloads an output image (signed https link or data: URI) without the API key, checking size and type. */
  fetchOutput(output: RunOutput, opts: FetchOutputOptions = {}): Promise<{ bytes: Uint8Array; type: ImageType }> {
    return fetchOutput({ http: this.http, retryContext: this.retryContext }, output, opts);
  }
}
