import * as z from 'zod/mini';
import { lenient } from './schemas';
import { API_KEY_PATTERN, API_KEYS_URL, BILLING_URL, NEEDED_SCOPES } from './accountLinks';

/** What went wrong, coarse enough for the extension to pick a reaction. */
export type RunflowErrorKind =
  | 'unauthorized'
  | 'insufficient_credit'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'validation'
  | 'bad_request'
  | 'rate_limited'
  | 'server'
  | 'network'
  | 'timeout'
  | 'aborted'
  | 'too_large'
  | 'not_an_image'
  | 'run_failed'
  | 'run_canceled'
  | 'expired_output'
  | 'bad_response'
  | 'insecure_url';

/** One per-field problem from a 422 answer. */
export interface FieldError {
  field?: string;
  code?: string;
  message: string;
}

/** Optional details of a RunflowError. */
export interface RunflowErrorDetails {
  status?: number;
  code?: string;
  fieldErrors?: FieldError[];
  runId?: string;
  /** Overrides the default for the kind (e.g. a truncated body is worth retrying, a wrong shape is not). */
  retryable?: boolean;
  /** Server-requested wait before a retry (from Retry-After). */
  retryAfterMs?: number;
  /** The request never left this machine (no connection was made): the server cannot have acted on it. */
  notSent?: boolean;
  /** Where a failed run failed (`failure_stage_code`), e.g. `dispatch`: before the model ran. */
  failureStage?: string;
  /** An earlier attempt of the same create had an unknown outcome: whatever this says, a run may exist. */
  afterUnknown?: boolean;
  cause?: unknown;
}

const RETRYABLE: ReadonlySet<RunflowErrorKind> = new Set(['rate_limited', 'server', 'network', 'timeout']);

/** Every failure of the client; `message` is written for the user and never contains the API key. */
export class RunflowError extends Error {
  readonly kind: RunflowErrorKind;
  readonly status?: number;
  readonly code?: string;
  readonly fieldErrors?: FieldError[];
  /** Set by callers that learn the run later (e.g. an error while fetching its outputs). */
  runId?: string;
  /** Whether trying the same thing again later may succeed. */
  readonly retryable: boolean;
  readonly retryAfterMs?: number;
  /** The request never left this machine (no connection was made): the server cannot have acted on it. */
  readonly notSent: boolean;
  /** Where a failed run failed (`failure_stage_code`), e.g. `dispatch`: before the model ran. */
  readonly failureStage?: string;
  /** An earlier attempt of the same create had an unknown outcome: whatever this says, a run may exist. */
  readonly afterUnknown: boolean;

  constructor(kind: RunflowErrorKind, message: string, details: RunflowErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'RunflowError';
    this.kind = kind;
    this.status = details.status;
    this.code = details.code;
    this.fieldErrors = details.fieldErrors;
    this.runId = details.runId;
    this.retryable = details.retryable ?? RETRYABLE.has(kind);
    this.retryAfterMs = details.retryAfterMs;
    this.notSent = details.notSent ?? false;
    this.failureStage = details.failureStage;
    this.afterUnknown = details.afterUnknown ?? false;
  }
}

/** The error kind of an HTTP error status. */
export function kindForStatus(status: number): RunflowErrorKind {
  switch (status) {
    case 400:
      return 'bad_request';
    case 401:
      return 'unauthorized';
    case 402:
      return 'insufficient_credit';
    case 403:
      return 'forbidden';
    case 404:
      return 'not_found';
    case 409:
      return 'conflict';
    case 422:
      return 'validation';
    case 429:
      return 'rate_limited';
    default:
      return status >= 500 ? 'server' : 'bad_request';
  }
}

const text = lenient(z.string());
const code = lenient(z.union([z.string(), z.number()]));
/** One per-field problem, as `errors[]` gives it (`field`, `code`, `message`) or as a `detail` list does (`loc`, `type`, `msg`). */
const FieldProblems = lenient(
  z.array(
    z.union([z.looseObject({ field: text, loc: lenient(z.array(z.union([z.string(), z.number()]))), code, type: text, message: text, msg: text }), z.string()]),
  ),
);
/**
 * Runflow's error bodies: flat `{code, message, errors}` (its docs), nested `{error: {code,
 * message}}` (the shape its SDK reads), or `{detail}` as a string or a list of field problems.
 */
const ErrorFields = { code, message: text, errors: FieldProblems, detail: lenient(z.union([z.string(), FieldProblems])) };
const ErrorBody = z.looseObject({ ...ErrorFields, error: lenient(z.looseObject(ErrorFields)) });

const MAX_RAW_TEXT = 200;

/** A short, single-line excerpt of a non-JSON body (an HTML error page, a proxy's text). */
function rawExcerpt(body: string): string {
  const plain = body
    .replace(/<[^>]*>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return plain.length > MAX_RAW_TEXT ? `${plain.slice(0, MAX_RAW_TEXT)}…` : plain;
}

function parseFieldErrors(errors: z.infer<typeof FieldProblems>): FieldError[] | undefined {
  if (!errors?.length) return undefined;
  return errors.map((e) => {
    if (typeof e === 'string') return { message: e };
    const field = e.field ?? e.loc?.filter((p) => p !== 'body').join('.');
    const code = e.code ?? e.type;
    return {
      field: field || undefined,
      code: code == null ? undefined : String(code),
      message: e.message ?? e.msg ?? 'is invalid',
    };
  });
}

/** Parses `{code, message, errors}`, falling back to the raw text for other bodies. */
export function parseErrorBody(body: string): { code?: string; message?: string; fieldErrors?: FieldError[] } {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    const raw = rawExcerpt(body);
    return { message: raw || undefined };
  }
  const parsed = ErrorBody.safeParse(json);
  if (!parsed.success) return { message: rawExcerpt(body) || undefined };
  const outer = parsed.data;
  const { code, message, detail, errors } = { ...outer.error, ...withoutNulls(outer) };
  const fieldErrors = parseFieldErrors(errors ?? (Array.isArray(detail) ? detail : undefined));
  return {
    code: code == null ? undefined : String(code),
    message: message ?? (typeof detail === 'string' ? detail : undefined) ?? fieldErrors?.map((f) => f.message).join('; '),
    fieldErrors,
  };
}

/** `fields` without its null and undefined members, so they do not hide a nested body's. */
function withoutNulls<T extends object>(fields: T): Partial<T> {
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v != null)) as Partial<T>;
}

function withServerText(sentence: string, serverMessage: string | undefined): string {
  return serverMessage ? `${sentence} (Runflow said: ${serverMessage})` : sentence;
}

function userMessageFor(status: number, kind: RunflowErrorKind, serverMessage?: string, fieldErrors?: FieldError[]): string {
  switch (kind) {
    case 'unauthorized':
      return 'Runflow rejected the API key. Set your Runflow API key again.';
    case 'insufficient_credit':
      return `Your Runflow account is out of credit. Top up at ${BILLING_URL}, then try again.`;
    case 'forbidden':
      return withServerText(
        `Runflow refused this request for your API key: the key probably lacks a scope this needs (${NEEDED_SCOPES.join(', ')}). Create a key with these scopes at ${API_KEYS_URL} (Settings → API Keys) and set it again.`,
        serverMessage,
      );
    case 'not_found':
      return withServerText('Runflow could not find this (it may not exist or may belong to another account).', serverMessage);
    case 'conflict':
      return withServerText('Runflow reported a conflict with an earlier request. Try again.', serverMessage);
    case 'validation': {
      const details = fieldErrors?.map((f) => (f.field ? `${f.field}: ${f.message}` : f.message)).join('; ');
      return `Runflow rejected the request: ${details || serverMessage || 'some fields are invalid'}. Fix ${fieldErrors?.some((f) => f.field) ? 'these fields' : 'the request'} and try again.`;
    }
    case 'rate_limited':
      return 'Runflow is limiting how fast requests can be sent. Wait a moment and try again.';
    case 'server':
      return withServerText(`Runflow had a problem on its side (HTTP ${status}). Try again in a moment.`, serverMessage);
    default:
      return withServerText(`Runflow rejected the request (HTTP ${status}).`, serverMessage);
  }
}

/** Parses a Retry-After header given in seconds (the only form Runflow would send). */
export function parseRetryAfter(header: string | null | undefined): number | undefined {
  if (header == null || header.trim() === '') return undefined;
  const seconds = Number(header);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : undefined;
}

/** The RunflowError for an HTTP error answer; `redact` scrubs anything the server may have echoed. */
export function errorFromResponse(
  status: number,
  body: string,
  retryAfter: string | null | undefined,
  redact: (s: string) => string,
  runId?: string,
): RunflowError {
  const kind = kindForStatus(status);
  const parsed = parseErrorBody(body);
  const serverMessage = parsed.message === undefined ? undefined : redact(parsed.message);
  const fieldErrors = parsed.fieldErrors?.map((f) => ({ ...f, message: redact(f.message) }));
  return new RunflowError(kind, userMessageFor(status, kind, serverMessage, fieldErrors), {
    status,
    code: parsed.code,
    fieldErrors,
    runId,
    retryAfterMs: kind === 'rate_limited' ? parseRetryAfter(retryAfter) : undefined,
  });
}

/** Replaces the API key and anything key-shaped with a placeholder. */
export function makeRedactor(apiKey: string): (s: string) => string {
  return (s) => {
    let out = apiKey ? s.split(apiKey).join('[redacted]') : s;
    out = out.replace(/Bearer\s+\S+/gi, 'Bearer [redacted]').replace(API_KEY_PATTERN, '[redacted]');
    return out;
  };
}

/**
 * Failures after which a create may or may not have made a run: the connection failed or timed
 * out, the answer could not be read, the idempotency middleware reported a conflict (409) with a
 * request still in progress, or any server error (5xx): a gateway may give up while the API goes
 * on, and the API may fail after making the run, with an Idempotency-Key that keeps no answer.
 * Whatever follows such an outcome in the same create (a refusal from a gateway) leaves it unknown.
 */
export const outcomeUnknown = (e: RunflowError): boolean =>
  e.afterUnknown || (!e.notSent && (e.kind === 'network' || e.kind === 'timeout' || e.kind === 'bad_response' || e.kind === 'conflict' || e.kind === 'server'));
