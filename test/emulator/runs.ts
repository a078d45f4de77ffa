// Run state. A run's status is a pure function of the clock: queued → dispatching → running over
// the model time, then terminal — but never before its outputs exist, so `terminalAt` is exactly
// the first instant a GET can see the terminal status with its outputs.
import { randomUUID } from 'node:crypto';
import type { MaskConvention, RunOutcomeFault, RunStatusesFault } from './faults';
import { renderOutputs, seedFor, type RenderedImage } from './imageEdit';
import type { RunImages } from './imageSources';
import type { RunRequest } from './validation';

export type TerminalStatus = 'succeeded' | 'failed' | 'partial_succeeded' | 'cancelled' | 'canceled';
export type RunStatus = 'queued' | 'dispatching' | 'running' | TerminalStatus;

export const PRICE_PER_IMAGE_MILLS = 133; // $0.133, in tenths of a cent
/** Progress as nodes: prepare, generate, upload. */
export const NODES_TOTAL = 3;

const DEFAULT_FAILURE = { code: 'CONTENT_POLICY', message: 'The request was rejected by the safety system.' };
// Share of the model time spent in each in-flight status.
const DISPATCHING_FROM = 0.1;
export const RUNNING_FROM = 0.2;

export interface Run {
  id: string;
  createdAt: number;
  /** When its model time starts: at creation, or when its batch has a free slot (queued until then). */
  dispatchAt: number;
  modelTimeMs: number;
  request: RunRequest;
  idempotencyKey?: string;
  pollCount: number;
  outcome: TerminalStatus;
  failure?: { code: string; message: string; stage?: string };
  seed: number;
  /** Literals reported instead of `running` / the terminal status (a status the client does not know). */
  statusNames?: { inFlight?: string; terminal?: string };
  /** The output list has an entry without a URL and a null entry. */
  unusableOutputs?: boolean;
  /** The output says `nsfw_detected: true`. */
  nsfwDetected?: boolean;
  /** Filled once rendering is done; `readyAt` is when. */
  outputs: RenderedImage[];
  readyAt?: number;
}

export interface RunPhase {
  status: RunStatus;
  startedAt?: number;
  terminalAt?: number;
  nodesCompleted: number;
}

function isTerminal(status: string): status is TerminalStatus {
  return !['queued', 'dispatching', 'running'].includes(status);
}

export function phaseOf(run: Run, now = Date.now()): RunPhase {
  const deadline = run.dispatchAt + run.modelTimeMs;
  const startedAt = run.dispatchAt + run.modelTimeMs * RUNNING_FROM;
  if (now >= deadline && run.readyAt !== undefined) {
    const delivered = run.outcome === 'succeeded' || run.outcome === 'partial_succeeded';
    return { status: run.outcome, startedAt, terminalAt: Math.max(deadline, run.readyAt), nodesCompleted: delivered ? NODES_TOTAL : 1 };
  }
  const elapsed = (now - run.dispatchAt) / Math.max(1, run.modelTimeMs);
  if (elapsed < DISPATCHING_FROM) return { status: 'queued', nodesCompleted: 0 };
  if (elapsed < RUNNING_FROM) return { status: 'dispatching', nodesCompleted: 0 };
  return { status: 'running', startedAt, nodesCompleted: elapsed < 0.6 ? 1 : 2 };
}

/** Images billed once terminal: failed runs are free, cancelled ones still bill in full. */
export function billedImages(run: Run, phase: RunPhase): number {
  if (!isTerminal(phase.status) || run.outcome === 'failed') return 0;
  if (run.outcome === 'cancelled' || run.outcome === 'canceled') return run.request.input.num_images;
  return run.outputs.length;
}

/** Outputs a run delivers: all, none, or one fewer than asked for a partial success. */
function deliveredCount(outcome: TerminalStatus, asked: number): number {
  if (outcome === 'succeeded') return asked;
  if (outcome === 'partial_succeeded') return asked - 1;
  return 0;
}

export interface CreateRunArgs {
  request: RunRequest;
  images: RunImages;
  modelTimeMs: number | ((input: unknown, runIndex: number) => number);
  idempotencyKey?: string;
  outcome?: RunOutcomeFault;
  statuses?: RunStatusesFault;
  unusableOutputs?: boolean;
  nsfwDetected?: boolean;
  maskConvention: MaskConvention;
  /** When the run's model time starts, given that time (a batch's slots); default: now. */
  dispatchAt?: (modelTimeMs: number) => number;
}

/** The `concurrency` slots batch runs share: each run starts when the earliest one frees (or now, if one is idle). */
export class DispatchSlots {
  private readonly freeAt: number[];

  constructor(concurrency: number, now = Date.now()) {
    this.freeAt = Array.from({ length: Math.min(concurrency, 1000) }, () => now);
  }

  take(modelTimeMs: number, now = Date.now()): number {
    const slot = this.freeAt.indexOf(Math.min(...this.freeAt));
    const start = Math.max(now, this.freeAt[slot]);
    this.freeAt[slot] = start + modelTimeMs;
    return start;
  }
}

export class RunStore {
  private readonly runs = new Map<string, Run>();
  private created = 0;

  create(args: CreateRunArgs): Run {
    const { request, images } = args;
    const modelTimeMs = typeof args.modelTimeMs === 'function' ? args.modelTimeMs(request.echoedInput, this.created) : args.modelTimeMs;
    this.created += 1;
    const outcome = args.outcome?.outcome ?? 'succeeded';
    const createdAt = Date.now();
    const run: Run = {
      id: randomUUID(),
      createdAt,
      dispatchAt: args.dispatchAt?.(Math.max(0, modelTimeMs)) ?? createdAt,
      modelTimeMs: Math.max(0, modelTimeMs),
      request,
      idempotencyKey: args.idempotencyKey,
      pollCount: 0,
      outcome,
      failure:
        outcome === 'failed'
          ? {
              code: args.outcome?.failureCode ?? DEFAULT_FAILURE.code,
              message: args.outcome?.failureMessage ?? DEFAULT_FAILURE.message,
              stage: args.outcome?.failureStage,
            }
          : undefined,
      seed: seedFor(request.input.prompt),
      statusNames: args.statuses && { inFlight: args.statuses.inFlight, terminal: args.statuses.terminal },
      unusableOutputs: args.unusableOutputs,
      nsfwDetected: args.nsfwDetected,
      outputs: [],
    };
    this.runs.set(run.id, run);
    // Rendered once dispatched, as the model would: a queued batch does not load the machine.
    const render = () => void this.render(run, images, deliveredCount(outcome, request.input.num_images), args.maskConvention);
    if (run.dispatchAt > createdAt) setTimeout(render, run.dispatchAt - createdAt).unref();
    else render();
    return run;
  }

  get(id: string): Run | undefined {
    return this.runs.get(id);
  }

  all(): Run[] {
    return [...this.runs.values()];
  }

  clear(): void {
    this.runs.clear();
    this.created = 0;
  }

  /** Started at dispatch so outputs are normally ready well before the model time is up. */
  private async render(run: Run, images: RunImages, count: number, maskConvention: MaskConvention): Promise<void> {
    try {
      run.outputs = await renderOutputs(images.images[0], images.mask, run.request.input, count, maskConvention);
    } catch (err) {
      run.outcome = 'failed';
      run.failure = { code: 'INTERNAL_ERROR', message: `The model could not process the image: ${(err as Error).message}` };
      run.outputs = [];
    }
    run.readyAt = Date.now();
  }
}
