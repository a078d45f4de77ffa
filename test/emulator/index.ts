// The Runflow emulator: a local, offline stand-in for api.runflow.io and its storage host.
// Contract: docs/contracts.md ("Emulator"). Behaviour: /work/shared/runflow-api.md.
import { adminHandler, ADMIN_PREFIX } from './adminRoutes';
import { apiHandler, type ApiDeps } from './apiRoutes';
import { AssetStore } from './assets';
import { BatchStore } from './batches';
import { FaultBook } from './faults';
import { IdempotencyStore } from './idempotency';
import { RequestLog } from './requestLog';
import { phaseOf, RunStore } from './runs';
import { startOriginServer } from './server';
import { UrlSigner } from './signing';
import { storageHandler } from './storageRoutes';
import type { Emulator, EmulatorOptions, EmulatorRunView } from './types';

export type { Emulator, EmulatorOptions, EmulatorRunView, Fault, FaultMatch, LoggedRequest } from './types';

export const DEFAULT_API_KEY = 'rf_live_emulator';
const DEFAULT_MODEL_TIME_MS = 1500;
const DEFAULT_UPLOAD_URL_TTL_MS = 15 * 60 * 1000;
const DEFAULT_OUTPUT_URL_TTL_MS = 7 * 24 * 60 * 60 * 1000;

export async function startEmulator(opts: EmulatorOptions = {}): Promise<Emulator> {
  const host = opts.host ?? '127.0.0.1';
  const faults = new FaultBook();
  const log = new RequestLog();
  const runs = new RunStore();
  const assets = new AssetStore();
  const batches = new BatchStore();
  const idempotency = new IdempotencyStore();
  const signer = new UrlSigner();
  const urls = { baseUrl: '', storageUrl: '' };

  const deps: ApiDeps = {
    apiKey: opts.apiKey ?? DEFAULT_API_KEY,
    runs,
    assets,
    batches,
    idempotency,
    faults,
    signer,
    urls,
    modelTimeMs: opts.modelTimeMs ?? DEFAULT_MODEL_TIME_MS,
    uploadUrlTtlMs: opts.uploadUrlTtlMs ?? DEFAULT_UPLOAD_URL_TTL_MS,
    assetUrlTtlMs: opts.assetUrlTtlMs ?? DEFAULT_UPLOAD_URL_TTL_MS,
    outputUrlTtlMs: opts.outputUrlTtlMs ?? DEFAULT_OUTPUT_URL_TTL_MS,
  };

  const runViews = (): EmulatorRunView[] =>
    runs.all().map((run) => {
      const phase = phaseOf(run);
      return {
        id: run.id,
        clientRef: run.request.clientRef ?? undefined,
        status: phase.status,
        input: run.request.echoedInput,
        pollCount: run.pollCount,
        createdAt: run.createdAt,
        terminalAt: phase.terminalAt,
        idempotencyKey: run.idempotencyKey,
      };
    });
  const reset = (): void => {
    faults.clear();
    log.clear();
    runs.clear();
    assets.clear();
    batches.clear();
    idempotency.clear();
  };

  const storage = await startOriginServer({
    origin: 'storage',
    host,
    port: opts.storagePort ?? 0,
    handle: storageHandler({ assets, runs, faults, signer }),
    latencyMs: 0,
    faults,
    log,
  });
  const api = await startOriginServer({
    origin: 'api',
    host,
    port: opts.port ?? 0,
    handle: apiHandler(deps),
    admin: {
      prefix: ADMIN_PREFIX,
      handle: adminHandler({ inject: (f) => faults.inject(f), reset, requests: () => log.entries, runs: runViews }),
    },
    latencyMs: opts.latencyMs ?? 0,
    faults,
    log,
    forgetIdempotencyKey: (key) => idempotency.forget(key),
  }).catch(async (err: unknown) => {
    await storage.close();
    throw err;
  });
  urls.baseUrl = api.url;
  urls.storageUrl = storage.url;

  return {
    baseUrl: api.url,
    storageUrl: storage.url,
    apiKey: deps.apiKey,
    requests: log.entries,
    runs: runViews,
    inject: (fault) => {
      faults.inject(fault);
    },
    reset,
    close: async () => {
      await Promise.all([api.close(), storage.close()]);
    },
  };
}
