// The API origin's /v1 routes: auth, runs, assets, billing.
import { batchItemsJson, batchJson, parseBatchRequest, type BatchStore } from './batches';
import { ASSET_TYPES, assetPath, MAX_ASSET_BYTES, uploadPath, type Asset, type AssetStore } from './assets';
import type { FaultBook } from './faults';
import { ApiError, BodyTooLargeError, jsonReply, readBody, validationError, type Reply } from './http';
import type { IdempotencyStore } from './idempotency';
import { loadRunImages } from './imageSources';
import { MODEL_ID, outputFileName, runJson, type RunJsonContext } from './runJson';
import { applyRunQuery, parseRunQuery } from './runQuery';
import { billedImages, DispatchSlots, phaseOf, PRICE_PER_IMAGE_MILLS, type RunStore } from './runs';
import type { Handler, RequestContext } from './server';
import type { UrlSigner } from './signing';
import { parseRunRequest, type RunRequest } from './validation';

export interface ApiDeps {
  apiKey: string;
  runs: RunStore;
  assets: AssetStore;
  batches: BatchStore;
  idempotency: IdempotencyStore;
  faults: FaultBook;
  signer: UrlSigner;
  /** Known once both origins listen. */
  urls: { baseUrl: string; storageUrl: string };
  modelTimeMs: number | ((input: unknown, runIndex: number) => number);
  uploadUrlTtlMs: number;
  assetUrlTtlMs: number;
  outputUrlTtlMs: number;
}

/** Largest JSON body accepted; inline data URIs make bodies big. */
const MAX_JSON_BODY_BYTES = 64 * 1024 * 1024;
const STARTING_BALANCE_CENTS = 100_000;
/** The dispatch slots of each `accept_batches` state (a new one after a reset). */
const batchSlots = new WeakMap<object, DispatchSlots>();

interface Route {
  method: string;
  pattern: RegExp;
  handle(ctx: ApiRequest, params: string[]): Promise<Reply> | Reply;
}

interface ApiRequest extends RequestContext {
  body: Buffer;
  json(): unknown;
}

function parseJson(body: Buffer): unknown {
  if (body.length === 0) return {};
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw new ApiError(400, 'BAD_REQUEST', 'The request body is not valid JSON.');
  }
}

const ASSET_REF_PREFIX = 'runflow://assets/';

function assetJson(asset: Asset, link: (asset: Asset) => string): Record<string, unknown> {
  return {
    id: asset.id,
    name: asset.name,
    mime_type: asset.mimeType,
    size_bytes: asset.sizeBytes,
    url: link(asset),
    created_at: new Date(asset.createdAt).toISOString(),
  };
}

function isAuthorized(headers: Record<string, string>, apiKey: string): boolean {
  const match = /^Bearer\s+(.+)$/i.exec(headers.authorization ?? '');
  return match !== null && match[1].trim() === apiKey;
}

export function apiHandler(deps: ApiDeps): Handler {
  /** An asset's link, signed anew for `assetUrlTtlMs` (Runflow's are short-lived; GET /v1/assets/{id} re-signs). */
  const assetLink = (asset: Asset): string => deps.urls.storageUrl + deps.signer.sign(assetPath(asset), Date.now() + deps.assetUrlTtlMs);
  const jsonContext: RunJsonContext = {
    get baseUrl() {
      return deps.urls.baseUrl;
    },
    outputUrl: (run, output, index) => {
      // Signed anew on every read, as Runflow's links are: a fresh GET of the run carries fresh links.
      const expiresAt = Math.max(phaseOf(run).terminalAt ?? 0, Date.now()) + deps.outputUrlTtlMs;
      return deps.urls.storageUrl + deps.signer.sign(`/outputs/${run.id}/${outputFileName(run, output, index)}`, expiresAt);
    },
    inputUrl: (url) => {
      const asset = url.startsWith(ASSET_REF_PREFIX) ? deps.assets.asset(url.slice(ASSET_REF_PREFIX.length)) : undefined;
      return asset ? assetLink(asset) : url;
    },
  };

  const routes: Route[] = [
    {
      method: 'GET',
      pattern: /^\/v1\/auth\/me$/,
      handle: () =>
        jsonReply(200, {
          id: 'usr_emulator',
          email: 'emulator@runflow.local',
          first_name: 'Runflow',
          last_name: 'Emulator',
          organization: { id: 'org_emulator', name: 'Emulator Org' },
          api_key: { prefix: deps.apiKey.slice(0, 8), scopes: ['inference'] },
        }),
    },
    {
      method: 'GET',
      pattern: /^\/v1\/billing\/balance$/,
      handle: () => {
        const now = Date.now();
        const spentMills = deps.runs.all().reduce((sum, run) => sum + billedImages(run, phaseOf(run, now)) * PRICE_PER_IMAGE_MILLS, 0);
        return jsonReply(200, { balance_cents: Math.floor(STARTING_BALANCE_CENTS - spentMills / 10), currency: 'USD' });
      },
    },
    {
      method: 'POST',
      pattern: new RegExp(`^/v1/models/${MODEL_ID}/runs$`),
      handle: async (req) => {
        const run = await createRun(parseRunRequest(req.json()), req.headers['idempotency-key']);
        return { ...jsonReply(201, runJson(run, jsonContext), run.id), headers: { 'content-type': 'application/json', location: `/v1/runs/${run.id}` } };
      },
    },
    {
      // Refused as the reference describes for a model that is not template-backed, unless a test asks.
      method: 'POST',
      pattern: /^\/v1\/models\/(.+)\/batches$/,
      handle: async (req, [model]) => {
        const accepted = deps.faults.acceptsBatches;
        if (model !== MODEL_ID || !accepted) {
          throw new ApiError(422, 'BATCHES_NOT_SUPPORTED', 'This model does not support batches; create single runs.');
        }
        const requests = parseBatchRequest(req.json());
        // Every item's images are checked before any run is made: a batch is created whole or not at all.
        const images = await Promise.all(requests.map((request, i) => loadImages(request).catch(inItem(i))));
        // One set of slots per `accept_batches`: the account's batch runs share them, whichever batch they came in.
        const slots = batchSlots.get(accepted) ?? new DispatchSlots(accepted.concurrency);
        batchSlots.set(accepted, slots);
        const runs = requests.map((request, i) => makeRun(request, images[i], req.headers['idempotency-key'], (ms) => slots.take(ms)));
        return jsonReply(201, batchJson(deps.batches.add(runs)));
      },
    },
    {
      method: 'GET',
      pattern: /^\/v1\/batches\/([^/]+)$/,
      handle: (_req, [id]) => jsonReply(200, batchJson(batchOrThrow(id))),
    },
    {
      method: 'GET',
      pattern: /^\/v1\/batches\/([^/]+)\/items$/,
      handle: (_req, [id]) => jsonReply(200, { items: batchItemsJson(batchOrThrow(id)), next_pq: null, prev_pq: null }),
    },
    {
      method: 'GET',
      pattern: /^\/v1\/runs$/,
      handle: (req) => {
        const query = parseRunQuery(req.url.searchParams);
        const now = Date.now();
        // Sync-mode runs are not kept in the run history.
        const listed = deps.runs
          .all()
          .filter((run) => !run.request.input.sync_mode)
          .map((run) => runJson(run, jsonContext, now));
        const search = deps.faults.takeSearch();
        const items = search === 'lag' ? [] : applyRunQuery(listed, search === 'unfiltered' ? { ...query, filters: [] } : query);
        return jsonReply(200, { items, next_pq: null, prev_pq: null });
      },
    },
    {
      method: 'GET',
      pattern: /^\/v1\/runs\/([^/]+)$/,
      handle: (_req, [id]) => {
        const run = deps.runs.get(id);
        if (!run) return { ...new ApiError(404, 'RUN_NOT_FOUND', `Run ${id} was not found.`).toReply(), runId: id };
        run.pollCount += 1;
        return jsonReply(200, runJson(run, jsonContext), run.id);
      },
    },
    {
      method: 'POST',
      pattern: /^\/v1\/asset-uploads$/,
      handle: (req) => {
        const upload = deps.assets.createUpload(req.json(), deps.uploadUrlTtlMs);
        const uploadUrl = deps.urls.storageUrl + deps.signer.sign(uploadPath(upload.id), upload.expiresAt);
        return jsonReply(201, { asset_id: upload.id, upload_url: uploadUrl, expires_at: new Date(upload.expiresAt).toISOString() });
      },
    },
    {
      method: 'POST',
      pattern: /^\/v1\/asset-uploads\/([^/]+)\/confirmations$/,
      handle: (_req, [id]) => jsonReply(201, assetJson(deps.assets.confirm(id), assetLink)),
    },
    {
      method: 'GET',
      pattern: /^\/v1\/assets\/types$/,
      handle: () => jsonReply(200, { items: ASSET_TYPES.map((t) => ({ ...t, max_size_bytes: MAX_ASSET_BYTES })) }),
    },
    {
      method: 'GET',
      pattern: /^\/v1\/assets\/([^/]+)$/,
      handle: (_req, [id]) => {
        const asset = deps.assets.asset(id);
        if (!asset) throw new ApiError(404, 'ASSET_NOT_FOUND', `Asset ${id} was not found.`);
        return jsonReply(200, assetJson(asset, assetLink));
      },
    },
  ];

  const loadImages = (request: RunRequest) => {
    const refusal = deps.faults.refusesAssetRefs;
    if (refusal === 'fields' || refusal === 'message') refuseAssetRefs(request.input, refusal);
    return loadRunImages(request.input, { assets: deps.assets, storageUrl: deps.urls.storageUrl, signer: deps.signer });
  };
  const makeRun = (
    request: RunRequest,
    images: Awaited<ReturnType<typeof loadImages>>,
    idempotencyKey: string | undefined,
    dispatchAt?: (modelTimeMs: number) => number,
  ) =>
    deps.runs.create({
      dispatchAt,
      request,
      images,
      modelTimeMs: deps.modelTimeMs,
      idempotencyKey,
      outcome: deps.faults.refusesAssetRefs === 'dispatch' && hasAssetRef(request.input) ? DISPATCH_REFUSAL : deps.faults.takeRunOutcome(),
      statuses: deps.faults.takeRunStatuses(),
      unusableOutputs: deps.faults.takeUnusableOutputs(),
      nsfwDetected: deps.faults.takeFlagNsfw(),
      maskConvention: deps.faults.masksReadAs,
    });
  const createRun = async (request: RunRequest, idempotencyKey: string | undefined) => makeRun(request, await loadImages(request), idempotencyKey);
  const batchOrThrow = (id: string) => {
    const batch = deps.batches.get(id);
    if (!batch) throw new ApiError(404, 'BATCH_NOT_FOUND', `Batch ${id} was not found.`);
    return batch;
  };

  async function route(req: ApiRequest): Promise<Reply> {
    const path = req.url.pathname;
    if (!path.startsWith('/v1/')) throw new ApiError(404, 'NOT_FOUND', `No route for ${req.method} ${path}.`);
    if (!isAuthorized(req.headers, deps.apiKey)) throw new ApiError(401, 'UNAUTHORIZED', 'Missing or invalid API key.');
    for (const r of routes) {
      const match = r.method === req.method ? r.pattern.exec(path) : null;
      if (match) return r.handle(req, match.slice(1).map(decodeURIComponent));
    }
    throw new ApiError(404, 'NOT_FOUND', `No route for ${req.method} ${path}.`);
  }

  /** Runflow-shaped errors become answers; anything else is an emulator bug (500). */
  const answer = (reply: () => Promise<Reply>): Promise<Reply> =>
    Promise.resolve()
      .then(reply)
      .catch((err: unknown) => {
        if (err instanceof ApiError) return err.toReply();
        throw err;
      });

  return async (ctx) => {
    let body: Buffer;
    try {
      body = await readBody(ctx.req, MAX_JSON_BODY_BYTES);
    } catch (err) {
      if (err instanceof BodyTooLargeError) return new ApiError(413, 'PAYLOAD_TOO_LARGE', err.message).toReply();
      throw err;
    }
    const req: ApiRequest = { ...ctx, body, json: () => parseJson(body) };
    const key = ctx.headers['idempotency-key'];
    // Global middleware on the real API: applies to every mutation that carries the header.
    if (key && ctx.method === 'POST' && ctx.url.pathname.startsWith('/v1/') && isAuthorized(ctx.headers, deps.apiKey)) {
      return answer(() => deps.idempotency.run(key, ctx.method, ctx.url.pathname, body, () => answer(() => route(req))));
    }
    return answer(() => route(req));
  };
}

/** An item's 422 as the batch's: its fields prefixed with the item's position. */
const inItem =
  (index: number) =>
  (err: unknown): never => {
    if (!(err instanceof ApiError) || !err.errors) throw err;
    throw validationError(err.errors.map((e) => ({ ...e, field: `input.${index}.${(e.field ?? '').replace(/^input\./, '')}` })));
  };

const hasAssetRef = (input: { image_urls: string[]; mask_url?: string }): boolean =>
  [...input.image_urls, input.mask_url].some((url) => url?.startsWith(ASSET_REF_PREFIX));

/** A run whose worker could not read a `runflow://` input: failed at dispatch, not billed (Runflow's backend contract). */
const DISPATCH_REFUSAL = {
  kind: 'run_outcome',
  outcome: 'failed',
  failureCode: 'INVALID_INPUT',
  failureMessage: "422: media URL must use HTTP(S) or data URI, got 'runflow'",
  failureStage: 'dispatch',
} as const;

/**
 * The 422 an API without asset references gives: each input field holding a `runflow://`
 * reference named (`fields`), or only the first reference, in the message (`message`).
 */
function refuseAssetRefs(input: { image_urls: string[]; mask_url?: string }, how: 'fields' | 'message'): void {
  const first = [...input.image_urls, input.mask_url].find((url) => url?.startsWith(ASSET_REF_PREFIX));
  if (how === 'message' && first) throw new ApiError(422, 'VALIDATION_ERROR', `asset not found or expired: ${first}`, null);
  const errors = [
    ...input.image_urls.flatMap((url, i) =>
      url.startsWith('runflow://') ? [{ field: `input.image_urls.${i}`, code: 'invalid_url', message: 'Must be a data: or http(s) URL.' }] : [],
    ),
    ...(input.mask_url?.startsWith('runflow://') ? [{ field: 'input.mask_url', code: 'invalid_url', message: 'Must be a data: or http(s) URL.' }] : []),
  ];
  if (errors.length > 0) throw validationError(errors);
}
