// Figures 1–2: how soon the client learns that a run ended, and how many polls that costs, each
// against a client polling every 2 s (Runflow's SDK default), on the same draws in the same run.
//
// Model times: log-normal, median 12 s, sigma 0.25 (90 % of runs within 8–18 s). One model,
// quality and size key is a fairly steady workload: the spread comes from load and queueing, and
// Runflow says runs of this model usually end well under 60 s. The 30 warm-up runs (not counted)
// stand for the history the extension persists: a DurationModel keeps 30 durations per key.
import type { Emulator } from '../test/emulator';
import { DurationModel, type RunflowClient } from '../src/runflow';
import { sleep } from '../src/runflow/sleep';
import { isTerminal } from '../src/runflow/schemas';
import { SDK_POLL_INTERVAL_MS, benchClient, editInput, logNormalDraws, mean, promptFor, serverRun, tinyPngUri } from './benchRuns';
import { seededRandom } from '../test/support/seededRandom';

const MEDIAN_MS = 12_000;
const SIGMA = 0.25;
const MEASURED_RUNS = 40;
const WARM_UP_RUNS = 30;
const SEED = 20_250_601;
const DURATION_KEY = 'bench|detection';
/** The workload, for the simulation of other seeds. */
export const DETECTION_WORKLOAD = { medianMs: MEDIAN_MS, sigma: SIGMA, warmUpRuns: WARM_UP_RUNS, measuredRuns: MEASURED_RUNS };
export const DETECTION_SEED = SEED;

export interface DetectionFigures {
  detection_latency_ratio: number;
  requests_per_run_ratio: number;
  cold_start_latency_ratio: number;
  cold_start_requests_ratio: number;
  detection_latency_ms: number;
  baseline_detection_latency_ms: number;
  polls_per_run: number;
  baseline_polls_per_run: number;
}

interface Detection {
  latencyMs: number;
  polls: number;
}

type Wait = (client: RunflowClient, runId: string) => Promise<unknown>;

/** The baseline: Runflow's SDK loop, a status read every 2 s until the run is terminal. */
const pollEveryTwoSeconds: Wait = async (client, runId) => {
  for (;;) {
    await sleep(SDK_POLL_INTERVAL_MS);
    if (isTerminal((await client.getRun(runId)).status)) return;
  }
};

/** Creates one run, waits for it the given way, and reads when the server says it ended. */
async function detect(emu: Emulator, client: RunflowClient, image: string, clientRef: string, modelTimeMs: number, wait: Wait): Promise<Detection> {
  const run = await client.createEditRun(editInput(promptFor(clientRef, modelTimeMs), image), { clientRef });
  await wait(client, run.id);
  const knownAt = Date.now();
  const server = serverRun(emu, clientRef);
  if (server.terminalAt === undefined) throw new Error(`${clientRef} resolved before the server saw it end`);
  return { latencyMs: knownAt - server.terminalAt, polls: server.pollCount };
}

export async function measureDetection(emu: Emulator): Promise<DetectionFigures> {
  const client = benchClient(emu);
  const image = await tinyPngUri();
  const draw = logNormalDraws(MEDIAN_MS, SIGMA, seededRandom(SEED));
  const durations = new DurationModel();
  const ours: Wait = (c, id) => c.waitForRun(id, { durations, durationKey: DURATION_KEY });

  // The warm-up runs are a fresh install's first runs: they start together on an empty history,
  // so they also give the cold-start figures, against the 2 s poller on the same draws.
  const warmUp = Array.from({ length: WARM_UP_RUNS }, draw);
  const [cold, coldBaseline] = await Promise.all([
    Promise.all(warmUp.map((ms, i) => detect(emu, client, image, `warm-up-${i}`, ms, ours))),
    Promise.all(warmUp.map((ms, i) => detect(emu, client, image, `cold-baseline-${i}`, ms, pollEveryTwoSeconds))),
  ]);

  // Both clients wait on the same draws at the same time, so load affects them alike.
  const measured = Array.from({ length: MEASURED_RUNS }, draw);
  const [oursResults, baseline] = await Promise.all([
    Promise.all(measured.map((ms, i) => detect(emu, client, image, `ours-${i}`, ms, ours))),
    Promise.all(measured.map((ms, i) => detect(emu, client, image, `baseline-${i}`, ms, pollEveryTwoSeconds))),
  ]);

  const latency = mean(oursResults.map((d) => d.latencyMs));
  const baselineLatency = mean(baseline.map((d) => d.latencyMs));
  const polls = mean(oursResults.map((d) => d.polls));
  const baselinePolls = mean(baseline.map((d) => d.polls));
  const ratio = (a: Detection[], b: Detection[], pick: (d: Detection) => number): number => mean(a.map(pick)) / mean(b.map(pick));
  return {
    detection_latency_ratio: latency / baselineLatency,
    requests_per_run_ratio: polls / baselinePolls,
    cold_start_latency_ratio: ratio(cold, coldBaseline, (d) => d.latencyMs),
    cold_start_requests_ratio: ratio(cold, coldBaseline, (d) => d.polls),
    detection_latency_ms: latency,
    baseline_detection_latency_ms: baselineLatency,
    polls_per_run: polls,
    baseline_polls_per_run: baselinePolls,
  };
}
