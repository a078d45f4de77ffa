import type { Agent, Dispatcher } from 'undici';
import { RunflowError, errorFromResponse } from './errors';
import { formatMb } from './limits';
import { retrying, type RetryContext } from './retry';
import { abortedError } from './sleep';
import { PrivateAddressError, isLoopbackHost, isPrivateHost, publicOnlyLookup, requireSecureUrl, type HostResolver } from './urls';

/** Error bodies are read this far (after decompression): enough for any message, bounded against a hostile one. */
export const MAX_ERROR_BODY_BYTES = 64 * 1024;
/** A JSON answer larger than this is refused (a run with four inline sync-mode images stays far below). */
const MAX_JSON_BODY_BYTES = 256 * 1024 * 1024;

/** The subset of `fetch` the client uses; undici's fetch by default, injectable for tests. */
export type FetchLike = (url: string, init: Omit<RequestInit, 'dispatcher'> & { dispatcher?: Dispatcher }) => Promise<Response>;

/** A log sink; messages never contain the key. */
export type LogFn = (level: 'debug' | 'info' | 'warn' | 'error', message: string) => void;

/** One HTTP request before retries. */
export interface HttpRequest {
  method: 'GET' | 'POST' | 'PUT';
  url: URL;
  /** Adds the bearer key; honoured only for the API origin so the key never leaves it. */
  auth: boolean;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  signal?: AbortSignal;
  /** Limit for the whole exchange, body included. */
  timeoutMs: number;
}

/** A finished exchange with its body read as text. */
export interface HttpAnswer {
  status: number;
  headers: Headers;
  text: string;
}

/** A JSON API call against the base URL. */
export interface ApiCall<T> {
  method: 'GET' | 'POST';
  /** Path and query relative to the base URL, without a leading slash, e.g. `v1/runs/abc`. */
  path: string;
  json?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  deadline?: number;
  /** Which failures may be retried for this call. */
  shouldRetry: (e: RunflowError) => boolean;
  /** Turns the parsed JSON into a value: undefined, or a thrown RunflowError, when it is not what was expected. */
  parse: (json: unknown) => T | undefined;
  /** Names the call in messages, e.g. "the run lookup". */
  what: string;
  runId?: string;
}

/** Settings of the transport. */
export interface HttpTransportOptions {
  baseUrl: URL;
  apiKey: string;
  fetch?: FetchLike;
  dispatcher?: Dispatcher;
  requestTimeoutMs: number;
  retry: Omit<RetryContext, 'signal' | 'deadline' | 'log'>;
  log: LogFn;
  redact: (s: string) => string;
  /** Resolves storage hosts for the private-network check (default: the system's resolver). */
  resolveHost?: HostResolver;
}

type UndiciParts = typeof import('./undici');
let undici: UndiciParts | undefined;
/**
 * undici's fetch and Agent, loaded at the first request (in the extension, dist/undici.js). Not
 * by the name 'undici': VS Code's extension host patches modules of that name for its proxy
 * support, and the client keeps its own agent and timeouts.
 */
function loadUndici(): UndiciParts {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  undici ??= require('./undici.js') as UndiciParts;
  return undici;
}

const AGENT_TIMEOUTS = { headersTimeout: 60_000, bodyTimeout: 60_000 };
const CONNECT_TIMEOUT_MS = 15_000;

let sharedAgent: Agent | undefined;
/** One pooled agent for all clients using the default fetch, with bounded connect/header/body waits. */
function defaultAgent(): Agent {
  sharedAgent ??= new (loadUndici().Agent)({ connect: { timeout: CONNECT_TIMEOUT_MS }, ...AGENT_TIMEOUTS });
  return sharedAgent;
}

/** An agent for storage links (outputs, uploads): it connects only to public addresses. */
const publicOnlyAgent = (resolve: HostResolver | undefined): Agent =>
  new (loadUndici().Agent)({ connect: { timeout: CONNECT_TIMEOUT_MS, lookup: publicOnlyLookup(resolve) }, ...AGENT_TIMEOUTS });

let sharedStorageAgent: Agent | undefined;
/** One pooled storage agent for all clients that resolve names the system's way. */
function defaultStorageAgent(): Agent {
  sharedStorageAgent ??= publicOnlyAgent(undefined);
  return sharedStorageAgent;
}

/** Ties a per-exchange timeout to the caller's signal so either can stop the request. */
export function linkedSignal(signal: AbortSignal | undefined, timeoutMs: number): { signal: AbortSignal; timedOut: () => boolean; dispose: () => void } {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(
    () => {
      timedOut = true;
      controller.abort();
    },
    Math.max(0, timeoutMs),
  );
  const onAbort = (): void => controller.abort();
  if (signal?.aborted) controller.abort();
  else signal?.addEventListener('abort', onAbort, { once: true });
  return {
    signal: controller.signal,
    timedOut: () => timedOut,
    dispose: () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    },
  };
}

/** Maps a thrown fetch/body error to a RunflowError, telling a user abort from a timeout from the network. */
export function transportError(err: unknown, signal: AbortSignal | undefined, timedOut: boolean, where: string, redact: (s: string) => string): RunflowError {
  if (err instanceof RunflowError) return err;
  // Checked first: the timeout aborts the same linked signal a user abort would.
  if (timedOut) return new RunflowError('timeout', `${where} took too long to answer. Check your connection and try again.`);
  if (signal?.aborted) return abortedError();
  const inside = causeOf(err, PrivateAddressError);
  if (inside)
    return new RunflowError(
      'insecure_url',
      redact(`The link to ${where} names ${inside.hostname}, which resolves into a private network (${inside.address}); refusing it.`),
    );
  const cause = (err as { cause?: { code?: string; message?: string } })?.cause;
  const known = cause?.code === undefined ? undefined : NETWORK_FAILURES[cause.code];
  const detail = known?.words ?? cause?.code ?? cause?.message ?? (err as Error)?.message ?? String(err);
  const subject = where.charAt(0).toUpperCase() + where.slice(1);
  return new RunflowError('network', redact(`${subject} could not be reached (${detail}). Check your connection and try again.`), {
    cause: err,
    notSent: known?.notSent ?? false,
  });
}

/** Socket failures in words, and whether each happens before a byte of the request is sent (so the server cannot have acted on it). */
const NETWORK_FAILURES: Record<string, { words: string; notSent: boolean }> = {
  ECONNREFUSED: { words: 'connection refused', notSent: true },
  ENOTFOUND: { words: 'host not found', notSent: true },
  EAI_AGAIN: { words: 'name lookup failed', notSent: true },
  EHOSTUNREACH: { words: 'host unreachable', notSent: true },
  ENETUNREACH: { words: 'network unreachable', notSent: true },
  UND_ERR_CONNECT_TIMEOUT: { words: 'connection timed out', notSent: true },
  ECONNRESET: { words: 'connection reset', notSent: false },
  EPIPE: { words: 'connection closed', notSent: false },
  UND_ERR_SOCKET: { words: 'connection closed', notSent: false },
  ETIMEDOUT: { words: 'connection timed out', notSent: false },
};

/** The first error of type `type` in `err`'s chain of causes. */
function causeOf<T extends Error>(err: unknown, type: new (...args: never[]) => T): T | undefined {
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) if (e instanceof type) return e;
  return undefined;
}

/** HTTP for the client: bearer auth confined to the API origin, timeouts, retries, error mapping. */
export class HttpTransport {
  /** The storage agent of a transport given its own resolver, made at its first storage request. */
  private ownStorageAgent: Agent | undefined;

  constructor(private readonly o: HttpTransportOptions) {}

  // Resolved at the first request, so making a client loads nothing.
  private get fetchFn(): FetchLike {
    return this.o.fetch ?? (loadUndici().fetch as unknown as FetchLike);
  }

  /** The API's agent, or for a storage link one that refuses private addresses (unless the API itself is on loopback: the emulator). */
  private dispatcherFor(url: URL): Dispatcher | undefined {
    if (this.o.dispatcher || this.o.fetch) return this.o.dispatcher;
    const guarded = url.origin !== this.o.baseUrl.origin && !isLoopbackHost(this.o.baseUrl.hostname);
    if (!guarded) return defaultAgent();
    if (!this.o.resolveHost) return defaultStorageAgent();
    this.ownStorageAgent ??= publicOnlyAgent(this.o.resolveHost);
    return this.ownStorageAgent;
  }

  /** A log line with anything key-shaped removed. */
  log(level: Parameters<LogFn>[0], message: string): void {
    this.o.log(level, this.o.redact(message));
  }

  /** Scrubs the key from text that may echo it. */
  redact(s: string): string {
    return this.o.redact(s);
  }

  /** Starts a request without following redirects; the caller reads the body and must call `dispose`. */
  async open(req: Omit<HttpRequest, 'timeoutMs'> & { signal: AbortSignal }, where: string, timedOut: () => boolean): Promise<Response> {
    const headers: Record<string, string> = { ...req.headers };
    if (req.auth && req.url.origin === this.o.baseUrl.origin) headers.authorization = `Bearer ${this.o.apiKey}`;
    const started = Date.now();
    const dispatcher = this.dispatcherFor(req.url);
    try {
      const response = await this.fetchFn(req.url.href, {
        method: req.method,
        headers,
        body: req.body as RequestInit['body'],
        signal: req.signal,
        redirect: 'manual',
        ...(dispatcher ? { dispatcher } : {}),
      });
      // Presigned and signed URLs carry credentials in the query, so only origin and path are logged.
      this.log('debug', `${req.method} ${req.url.origin}${req.url.pathname} -> ${response.status} (${Date.now() - started} ms)`);
      return response;
    } catch (err) {
      throw transportError(err, req.signal, timedOut(), where, this.o.redact);
    }
  }

  /** One exchange with the body read as text (error bodies cut at 64 KB); network failures become RunflowErrors. */
  async exchange(req: HttpRequest, where: string): Promise<HttpAnswer> {
    const link = linkedSignal(req.signal, req.timeoutMs);
    try {
      const response = await this.open({ ...req, signal: link.signal }, where, link.timedOut);
      const failed = response.status >= 300;
      const bytes = await readBody(response, failed ? MAX_ERROR_BODY_BYTES : MAX_JSON_BODY_BYTES, failed).catch((err: unknown) => {
        throw transportError(err, link.signal, link.timedOut(), where, this.o.redact);
      });
      return { status: response.status, headers: response.headers, text: new TextDecoder().decode(bytes) };
    } finally {
      link.dispose();
    }
  }

  /**
   * A storage link (output or upload) the client may follow: https (or loopback http), and not
   * into this machine or a private network unless the API itself is on loopback (the emulator).
   */
  requireStorageUrl(raw: string, what: string): URL {
    const url = requireSecureUrl(raw, what);
    if (isPrivateHost(url.hostname) && !isLoopbackHost(this.o.baseUrl.hostname)) {
      throw new RunflowError('insecure_url', `The ${what} points into a private network (${url.host}); refusing it.`);
    }
    return url;
  }

  /** A JSON call to the API with retries per `call.shouldRetry`; resolves with the parsed value. */
  api<T>(call: ApiCall<T>): Promise<T> {
    return retrying(() => this.apiOnce(call), call.shouldRetry, {
      ...this.o.retry,
      signal: call.signal,
      deadline: call.deadline,
      log: (m) => this.log('info', `${call.what}: ${m}`),
    });
  }

  /** A single attempt of a JSON call, without retries. */
  async apiOnce<T>(call: ApiCall<T>): Promise<T> {
    await this.o.retry.rateLimitGate?.ready(call.signal);
    const remaining = call.deadline === undefined ? Infinity : call.deadline - Date.now();
    if (remaining <= 0) throw new RunflowError('timeout', `Runflow did not finish ${call.what} in time.`, { runId: call.runId });
    const headers: Record<string, string> = { accept: 'application/json', ...call.headers };
    if (call.json !== undefined) headers['content-type'] = 'application/json';
    const answer = await this.exchange(
      {
        method: call.method,
        url: new URL(call.path, this.o.baseUrl),
        auth: true,
        headers,
        body: call.json === undefined ? undefined : JSON.stringify(call.json),
        signal: call.signal,
        timeoutMs: Math.min(this.o.requestTimeoutMs, remaining),
      },
      'Runflow',
    );
    return this.readJson(answer, call);
  }

  private readJson<T>(answer: HttpAnswer, call: ApiCall<T>): T {
    const { status, text } = answer;
    if (status >= 300 && status < 400) {
      throw new RunflowError('bad_response', `Runflow answered ${call.what} with an unexpected redirect (HTTP ${status}).`, {
        status,
        runId: call.runId,
        retryable: false,
      });
    }
    if (status < 200 || status >= 300) {
      throw errorFromResponse(status, text, answer.headers.get('retry-after'), this.o.redact, call.runId);
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      // A cut-off body is a transport hiccup, so it is worth another try.
      throw new RunflowError('bad_response', `Runflow sent an unreadable answer to ${call.what}. Try again.`, { status, runId: call.runId, retryable: true });
    }
    const value = call.parse(json);
    if (value === undefined) {
      throw new RunflowError('bad_response', `Runflow's answer to ${call.what} was not understood.`, { status, runId: call.runId, retryable: false });
    }
    return value;
  }
}

/**
 * Reads a body into memory up to `maxBytes` (counted after decompression). Past it, `truncate`
 * keeps what was read and stops the transfer; otherwise it fails with 'too_large'.
 */
export async function readBody(response: Response, maxBytes: number, truncate = false): Promise<Uint8Array> {
  const declared = Number(response.headers.get('content-length'));
  const encoded = (response.headers.get('content-encoding') ?? '') !== '';
  if (!truncate && !encoded && Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel().catch(() => undefined);
    throw tooLarge(maxBytes);
  }
  const reader = response.body?.getReader();
  if (!reader) return new Uint8Array(0);
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (total + value.byteLength > maxBytes) {
      await reader.cancel().catch(() => undefined);
      if (!truncate) throw tooLarge(maxBytes);
      chunks.push(value.subarray(0, maxBytes - total));
      total = maxBytes;
      break;
    }
    chunks.push(value);
    total += value.byteLength;
  }
  return new Uint8Array(Buffer.concat(chunks, total));
}

function tooLarge(maxBytes: number): RunflowError {
  return new RunflowError('too_large', `The answer is larger than ${formatMb(maxBytes)}, so it was not read.`, { retryable: false });
}
