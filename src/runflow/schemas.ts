import * as z from 'zod/mini';

// Wire shapes are parsed tolerantly: unknown fields are ignored, optional ones may be null or
// absent, and each is normalised into the client's own camelCase types below.

import type { ImageSize, OutputFormat, Quality } from '../shared/options';

export type { ImageSize, OutputFormat, Quality };

/** Input of one gpt-image-2 edit run; field names are the API's. */
export interface EditInput {
  prompt: string;
  /** Reference images (https, data: or runflow:// URLs); the first is the one edited. */
  image_urls: string[];
  num_images?: number;
  output_format?: OutputFormat;
  image_size?: ImageSize;
  /** PNG with alpha, same size as the first image; transparent pixels mark where to edit. */
  mask_url?: string;
  quality?: Quality;
  /** Outputs come back as data: URIs and are not kept in the run history. */
  sync_mode?: boolean;
}

/**
 * Run states; `canceled` also stands for the older spelling `cancelled`. `unknown` is an in-flight
 * status this client has no name for (the full list is served by the API and not known here): it
 * keeps the wait going. A status whose name says it failed (`errored`, …) reads as `failed`.
 */
export type RunStatus = 'queued' | 'dispatching' | 'running' | 'succeeded' | 'failed' | 'canceled' | 'partial_succeeded' | 'unknown';

const TERMINAL: ReadonlySet<RunStatus> = new Set(['succeeded', 'failed', 'canceled', 'partial_succeeded']);

/** Whether a run in this status will not change any more. */
export function isTerminal(status: RunStatus): boolean {
  return TERMINAL.has(status);
}

/** One produced file of a run; `url` is a signed link of limited life or, with sync_mode, a data: URI. */
export interface RunOutput {
  type: string;
  url: string;
  contentType?: string;
  fileName?: string;
  width?: number;
  height?: number;
}

/** The `output` of a finished run. */
export interface RunResult {
  outputs: RunOutput[];
  seed?: number | string;
  timing?: unknown;
  nsfwDetected?: unknown;
}

/**
 * Whether Runflow flagged output `index` as possibly unsafe. `nsfw_detected` is undocumented in
 * shape: a boolean for the whole run, or one entry per output; both are read.
 */
export function isFlagged(result: RunResult | undefined, index: number): boolean {
  const flag = result?.nsfwDetected;
  return Array.isArray(flag) ? flag[index] === true : flag === true;
}

/** A run as the client sees it (timestamps are the server's ISO 8601 strings). */
export interface Run {
  id: string;
  status: RunStatus;
  /** The status literal as the API sent it (for `unknown`, the name to log). */
  rawStatus: string;
  modelId?: string;
  clientRef?: string;
  input?: unknown;
  output?: RunResult;
  metadata?: Record<string, unknown>;
  createdAt?: string;
  startedAt?: string;
  completedAt?: string;
  durationMs?: number;
  /** Decimal string in USD. */
  cost?: string;
  progress?: { completed: number; total: number };
  failure?: { code?: string; message?: string; stage?: string };
}

/** The account a key belongs to; fields beyond these are kept in `raw`. */
export interface Account {
  id?: string;
  email?: string;
  name?: string;
  raw: Record<string, unknown>;
}

/** Remaining prepaid credit. */
export interface Balance {
  balanceCents: number;
  currency: string;
}

// `lenient` makes a field of an unexpected type read as absent instead of failing the run.
export const lenient = <T extends z.ZodMiniType>(schema: T) => z.catch(z.nullish(schema), undefined);
const optString = lenient(z.string());
const optNumber = lenient(z.number());
const optCode = lenient(z.union([z.string(), z.number()]));

const OutputItemWire = z.looseObject({
  type: optString,
  // An entry without a usable URL is skipped (counted as missing), never the whole run rejected.
  url: optString,
  content_type: optString,
  file_name: optString,
  width: optNumber,
  height: optNumber,
});

const OutputWire = z.looseObject({
  outputs: lenient(z.array(z.catch(z.nullable(OutputItemWire), null))),
  seed: lenient(z.union([z.number(), z.string()])),
  timing: z.optional(z.unknown()),
  nsfw_detected: z.optional(z.unknown()),
});

const KNOWN_STATUSES: ReadonlySet<string> = new Set<RunStatus>(['queued', 'dispatching', 'running', ...TERMINAL]);
const RunWire = z.looseObject({
  id: optString,
  run_id: optString,
  status_code: optString,
  status: optString,
  model_id: optString,
  input: z.optional(z.unknown()),
  output: z.nullish(OutputWire),
  metadata: lenient(z.record(z.string(), z.unknown())),
  client_ref: optString,
  created_at: optString,
  started_at: optString,
  completed_at: optString,
  duration_ms: optNumber,
  cost: lenient(z.union([z.string(), z.number()])),
  nodes_total: optNumber,
  nodes_completed: optNumber,
  failure_code: optCode,
  failure_message: optString,
  failure_reason: optString,
  failure_stage_code: optString,
  error: lenient(z.union([z.looseObject({ code: optCode, message: optString }), z.string()])),
});

const undef = <T>(v: T | null | undefined): T | undefined => (v === null ? undefined : v);

function normaliseStatus(raw: string): RunStatus {
  const s = raw.trim().toLowerCase();
  if (KNOWN_STATUSES.has(s)) return s as RunStatus;
  if (/cancel/.test(s)) return 'canceled';
  if (/fail|error|reject|abort/.test(s)) return 'failed';
  return 'unknown';
}

function normaliseOutput(o: z.infer<typeof OutputWire>): RunResult {
  return {
    outputs: (o.outputs ?? []).flatMap((i) =>
      i?.url
        ? [
            {
              type: i.type ?? 'image',
              url: i.url,
              contentType: undef(i.content_type),
              fileName: undef(i.file_name),
              width: undef(i.width),
              height: undef(i.height),
            },
          ]
        : [],
    ),
    seed: undef(o.seed),
    timing: undef(o.timing),
    nsfwDetected: undef(o.nsfw_detected),
  };
}

function normaliseFailure(w: z.infer<typeof RunWire>): Run['failure'] {
  const legacy = typeof w.error === 'string' ? { code: undefined, message: w.error } : w.error;
  const code = w.failure_code ?? legacy?.code;
  const message = w.failure_message ?? legacy?.message ?? w.failure_reason;
  if (code == null && message == null) return undefined;
  const stage = undef(w.failure_stage_code);
  return { code: code == null ? undefined : String(code), message: undef(message), ...(stage ? { stage } : {}) };
}

/** Reads a run from any JSON the API returned, or explains why it is not one. */
export function parseRun(json: unknown): { ok: true; run: Run } | { ok: false; problem: string } {
  const parsed = RunWire.safeParse(json);
  if (!parsed.success) return { ok: false, problem: 'the run has an unexpected shape' };
  const w = parsed.data;
  const id = w.id ?? w.run_id;
  if (!id) return { ok: false, problem: 'the run has no id' };
  const rawStatus = w.status_code ?? w.status;
  if (!rawStatus) return { ok: false, problem: 'the run has no status' };
  const status = normaliseStatus(rawStatus);
  const progress = w.nodes_total != null && w.nodes_completed != null ? { completed: w.nodes_completed, total: w.nodes_total } : undefined;
  return {
    ok: true,
    run: {
      id,
      status,
      rawStatus: rawStatus.slice(0, 60),
      modelId: undef(w.model_id),
      clientRef: undef(w.client_ref),
      input: w.input,
      output: w.output ? normaliseOutput(w.output) : undefined,
      metadata: undef(w.metadata),
      createdAt: undef(w.created_at),
      startedAt: undef(w.started_at),
      completedAt: undef(w.completed_at),
      durationMs: undef(w.duration_ms),
      cost: w.cost == null ? undefined : String(w.cost),
      progress,
      failure: normaliseFailure(w),
    },
  };
}

const RunListWire = z.looseObject({ items: z.array(z.unknown()) });

/** The raw items of a run list answer (`{items: [...]}`; cursor fields differ between versions and are not needed). */
export function parseRunListItems(json: unknown): unknown[] | undefined {
  const parsed = RunListWire.safeParse(json);
  return parsed.success ? parsed.data.items : undefined;
}

const AccountWire = z.looseObject({ id: optCode, email: optString, name: optString, first_name: optString, last_name: optString });

/** Reads the account of GET /v1/auth/me, whose exact fields are undocumented; a wrapper `{user|account|data: {...}}` is unwrapped. */
export function parseAccount(json: unknown): Account | undefined {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) return undefined;
  const obj = json as Record<string, unknown>;
  const inner = [obj.account, obj.user, obj.data].find((v) => v !== null && typeof v === 'object' && !Array.isArray(v));
  const source = (inner ?? obj) as Record<string, unknown>;
  const w = AccountWire.parse(source);
  // The API reference names first_name and last_name; older answers gave one `name`.
  const name = w.name ?? ([w.first_name, w.last_name].filter(Boolean).join(' ') || undefined);
  return { id: w.id == null ? undefined : String(w.id), email: undef(w.email), name: undef(name), raw: obj };
}

const BalanceWire = z.looseObject({ balance_cents: optNumber, balance: optString, currency: optString });

/**
 * Reads GET /v1/billing/balance in either documented shape: the pricing guide's `{balance_cents,
 * currency}` or the API reference's `{balance: "<decimal dollars>", …}`.
 */
export function parseBalance(json: unknown): Balance | undefined {
  const parsed = BalanceWire.safeParse(json);
  if (!parsed.success) return undefined;
  const { balance_cents: cents, balance, currency } = parsed.data;
  const dollars = balance != null && /^-?\d+(\.\d+)?$/.test(balance.trim()) ? Number(balance) : undefined;
  const balanceCents = cents ?? (dollars === undefined ? undefined : Math.round(dollars * 100));
  return balanceCents === undefined ? undefined : { balanceCents, currency: currency ?? 'USD' };
}

const AssetUploadWire = z.looseObject({ asset_id: z.union([z.string(), z.number()]), upload_url: z.string() });
const AssetWire = z.looseObject({ id: z.union([z.string(), z.number()]), url: optString });

/** Reads step 1 of an asset upload. */
export function parseAssetUpload(json: unknown): { assetId: string; uploadUrl: string } | undefined {
  const parsed = AssetUploadWire.safeParse(json);
  return parsed.success ? { assetId: String(parsed.data.asset_id), uploadUrl: parsed.data.upload_url } : undefined;
}

/** Reads the confirmed asset of step 3; its URL is used as a model input. */
export function parseAsset(json: unknown): { id: string; url?: string } | undefined {
  const parsed = AssetWire.safeParse(json);
  return parsed.success ? { id: String(parsed.data.id), url: undef(parsed.data.url) } : undefined;
}
