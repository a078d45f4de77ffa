// The detection figures on many seeds: the real poll loop (`pollRun`, its planner and the
// DurationModel) driven by a simulated clock against runs timed like the emulator's (running from
// 0.2 of the model time, terminal at its end), so 30 seeds take seconds instead of 30 bench runs.
// The emulator-backed figures check that the simulation stays honest: on the bench seed both are
// printed.
import { DurationModel } from '../src/runflow';
import { pollRun, type PollClock } from '../src/runflow/polling';
import type { Run } from '../src/runflow/schemas';
import { seededRandom } from '../test/support/seededRandom';
import { RUNNING_FROM } from '../test/emulator/runs';
import { SDK_POLL_INTERVAL_MS, logNormalDraws, mean } from './benchRuns';

/** A status read on loopback, there and back. */
const ROUND_TRIP_MS = 4;
const DURATION_KEY = 'simulated';

export interface DetectionWorkload {
  medianMs: number;
  sigma: number;
  warmUpRuns: number;
  measuredRuns: number;
}

interface SimulatedDetection {
  latencyRatio: number;
  requestsRatio: number;
  coldLatencyRatio: number;
  coldRequestsRatio: number;
}

interface Outcome {
  latencyMs: number;
  polls: number;
}

/** One run created at time 0 that ends after `modelTimeMs`, waited for by the real loop on a simulated clock. */
export async function waitSimulated(modelTimeMs: number, durations: DurationModel): Promise<Outcome> {
  let now = 0;
  let polls = 0;
  const clock: PollClock = {
    now: () => now,
    sleep: async (ms) => {
      now += ms;
    },
  };
  const iso = (ms: number): string => new Date(ms).toISOString();
  const getRun = async (): Promise<Run> => {
    now += ROUND_TRIP_MS / 2;
    polls++;
    const seenAt = now;
    now += ROUND_TRIP_MS / 2;
    const started = seenAt >= modelTimeMs * RUNNING_FROM;
    const done = seenAt >= modelTimeMs;
    return {
      id: 'run',
      status: done ? 'succeeded' : started ? 'running' : 'queued',
      rawStatus: done ? 'succeeded' : started ? 'running' : 'queued',
      createdAt: iso(0),
      startedAt: started ? iso(modelTimeMs * RUNNING_FROM) : undefined,
      completedAt: done ? iso(modelTimeMs) : undefined,
      output: done ? { outputs: [] } : undefined,
    };
  };
  await pollRun('run', { getRun, log: () => undefined, createdLocallyAt: 0, createdAlone: true, clock }, { durations, durationKey: DURATION_KEY });
  return { latencyMs: now - modelTimeMs, polls };
}

/** Runflow's SDK: a read every 2 s from the create, so it sees the end at the next multiple of 2 s. */
function baseline(modelTimeMs: number): Outcome {
  const polls = Math.floor(modelTimeMs / SDK_POLL_INTERVAL_MS) + 1;
  return { latencyMs: polls * SDK_POLL_INTERVAL_MS - modelTimeMs, polls };
}

/** Ours against the SDK on the draws of one seed, in the bench's order: warm-up first (a fresh install's runs), then the measured runs. */
export async function simulateDetection(seed: number, w: DetectionWorkload): Promise<SimulatedDetection> {
  const draw = logNormalDraws(w.medianMs, w.sigma, seededRandom(seed));
  const warmUp = Array.from({ length: w.warmUpRuns }, draw);
  const measured = Array.from({ length: w.measuredRuns }, draw);
  // The warm-up runs start together on an empty history, as in the bench: each plans from the prior.
  const durations = new DurationModel();
  const cold: Outcome[] = [];
  for (const ms of warmUp) {
    const own = new DurationModel();
    cold.push(await waitSimulated(ms, own));
    const learned = own.toJSON();
    for (const ms of learned.samples[DURATION_KEY] ?? []) durations.record(DURATION_KEY, ms);
    for (const ms of learned.queues?.[DURATION_KEY] ?? []) durations.recordQueue(DURATION_KEY, ms);
  }
  // Each measured run plans from the warm-up history alone (they too start together), so each waits on a copy.
  const warm: Outcome[] = [];
  for (const ms of measured) warm.push(await waitSimulated(ms, DurationModel.fromJSON(durations.toJSON())));
  const ratio = (ours: Outcome[], draws: number[], pick: (o: Outcome) => number): number => mean(ours.map(pick)) / mean(draws.map((ms) => pick(baseline(ms))));
  return {
    latencyRatio: ratio(warm, measured, (o) => o.latencyMs),
    requestsRatio: ratio(warm, measured, (o) => o.polls),
    coldLatencyRatio: ratio(cold, warmUp, (o) => o.latencyMs),
    coldRequestsRatio: ratio(cold, warmUp, (o) => o.polls),
  };
}

/** The p-th percentile (0–100) by nearest rank. */
function percentile(xs: readonly number[], p: number): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

export interface SeedSpread {
  detection_latency_ratio_sim_bench_seed: number;
  requests_per_run_ratio_sim_bench_seed: number;
  detection_latency_ratio_30_seeds_mean: number;
  requests_per_run_ratio_30_seeds_mean: number;
  requests_per_run_ratio_30_seeds_p95: number;
  cold_start_latency_ratio_sim_bench_seed: number;
  cold_start_requests_ratio_sim_bench_seed: number;
  cold_start_latency_ratio_30_seeds_mean: number;
}

/** The bench seed, simulated (to compare with the emulator's figures), and the 30 seeds after it. */
export async function simulateSeeds(benchSeed: number, w: DetectionWorkload): Promise<SeedSpread> {
  const own = await simulateDetection(benchSeed, w);
  const seeds: SimulatedDetection[] = [];
  for (let i = 1; i <= 30; i++) seeds.push(await simulateDetection(benchSeed + i, w));
  return {
    detection_latency_ratio_sim_bench_seed: own.latencyRatio,
    requests_per_run_ratio_sim_bench_seed: own.requestsRatio,
    detection_latency_ratio_30_seeds_mean: mean(seeds.map((s) => s.latencyRatio)),
    requests_per_run_ratio_30_seeds_mean: mean(seeds.map((s) => s.requestsRatio)),
    requests_per_run_ratio_30_seeds_p95: percentile(
      seeds.map((s) => s.requestsRatio),
      95,
    ),
    cold_start_latency_ratio_sim_bench_seed: own.coldLatencyRatio,
    cold_start_requests_ratio_sim_bench_seed: own.coldRequestsRatio,
    cold_start_latency_ratio_30_seeds_mean: mean(seeds.map((s) => s.coldLatencyRatio)),
  };
}
