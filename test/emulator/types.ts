// Public shapes of the emulator's programmatic API (see docs/contracts.md).
import type { Fault } from './faults';

export type { Fault, FaultMatch } from './faults';

export type Origin = 'api' | 'storage';

export interface EmulatorOptions {
  /** API origin port; 0 picks a free port. */
  port?: number;
  /** Second origin for presigned uploads and output files; 0 picks a free port. */
  storagePort?: number;
  host?: string;
  apiKey?: string;
  /** Time from creation to the terminal status, fixed or per run. */
  modelTimeMs?: number | ((input: unknown, runIndex: number) => number);
  /** Added to every API answer. */
  latencyMs?: number;
  uploadUrlTtlMs?: number;
  /** How long an asset's signed link lives (the confirmation's, a run read's, GET /v1/assets/{id}'s); default 15 min. */
  assetUrlTtlMs?: number;
  outputUrlTtlMs?: number;
}

export interface Emulator {
  readonly baseUrl: string;
  readonly storageUrl: string;
  readonly apiKey: string;
  /** Every request except /__emulator/*, in arrival order; the same array across reset(). */
  readonly requests: LoggedRequest[];
  runs(): EmulatorRunView[];
  inject(fault: Fault | Fault[]): void;
  /** Clears faults, the request log, runs, assets and idempotency records. */
  reset(): void;
  close(): Promise<void>;
}

export interface LoggedRequest {
  origin: Origin;
  method: string;
  path: string;
  query: Record<string, string>;
  /** Lower-case names, values verbatim (repeated headers joined with ", "). */
  headers: Record<string, string>;
  /** 0 while unanswered, and when a `reset` fault dropped the connection. */
  status: number;
  runId?: string;
  at: number;
}

export interface EmulatorRunView {
  id: string;
  clientRef?: string;
  status: string;
  input: unknown;
  pollCount: number;
  createdAt: number;
  terminalAt?: number;
  idempotencyKey?: string;
}
