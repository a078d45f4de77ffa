import { PRIOR_DURATION, type DurationModel } from './durationModel';
import { RunflowError } from './errors';
import { PollScheduler, type RunClock } from './pollPlanner';
import { sleep } from './sleep';
import { isTerminal, type Run } from './schemas';

/** Options of `waitForRun`. */
export interface WaitOptions {
  signal?: AbortSignal;
  /** Stop waiting after this long (default 10 minutes); the run itself goes on. */
  timeoutMs?: number;
  /** Called on each status change (and the first status seen), with ms since waiting began. */
  onUpdate?: (run: Run, elapsedMs: number) => void;
  /** Learned run durations: plans the polls and learns from this run on success. */
  durations?: DurationModel;
  /** Which durations apply, e.g. `gpt-image-2|high|auto`. */
  durationKey?: string;
}

/** What the poll loop needs from the client. */
export interface PollDeps {
  /** One status read (with the transport's own retries), bounded by the deadline. */
  getRun: (signal: AbortSignal | undefined, deadline: number) => Promise<Run>;
  log: (level: 'debug' | 'info' | 'warn', message: string) => void;
  /** Local time the create answer arrived, when this client created the run. */
  createdLocallyAt?: number;
  /** This client created the run alone (not in a batch): its queue time is the service's, worth learning. */
  createdAlone?: boolean;
  /** Time and waiting; the real clock unless a simulation drives the loop on its own. */
  clock?: PollClock;
}

/** The loop's view of time. */
export interface PollClock {
  now: () => number;
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
}

const REAL_CLOCK: PollClock = { now: () => Date.now(), sleep };

const DEFAULT_WAIT_TIMEOUT_MS = 10 * 60 * 1000;
const DEFAULT_DURATION_KEY = 'openai/gpt-image-2/edit';
// After a poll failed even with the transport's retries, wait this long before trying again.
const FAILED_POLL_PAUSE_MS = 5000;

const parseTime = (iso: string | undefined): number | undefined => {
  const ms = iso === undefined ? NaN : Date.parse(iso);
  return Number.isFinite(ms) ? ms : undefined;
};

/** Converts the server's timestamps to local time, since the two clocks may differ. */
function clockOffset(run: Run, createdLocallyAt: number | undefined): number {
  const created = parseTime(run.createdAt);
  return created !== undefined && createdLocallyAt !== undefined ? createdLocallyAt - created : 0;
}

function runClock(run: Run, now: number, offset: number, fallbackCreated: number): RunClock {
  const created = parseTime(run.createdAt);
  const started = parseTime(run.startedAt);
  return {
    sinceCreatedMs: now - (created === undefined ? fallbackCreated : created + offset),
    sinceStartedMs: started === undefined ? undefined : now - (started + offset),
  };
}

/** How long the run waited from its creation to its start, on the server's clock. */
function observedQueue(run: Run): number | undefined {
  const created = parseTime(run.createdAt);
  const started = parseTime(run.startedAt);
  return created !== undefined && started !== undefined ? started - created : undefined;
}

/** The run's duration on the server's clock, from the same reference the planner uses. */
function observedDuration(run: Run): number | undefined {
  const end = parseTime(run.completedAt);
  const start = parseTime(run.startedAt) ?? parseTime(run.createdAt);
  return end !== undefined && start !== undefined ? end - start : undefined;
}

function terminalOutcome(run: Run): Run {
  if (run.status === 'succeeded' || run.status === 'partial_succeeded') return run;
  if (run.status === 'canceled') {
    throw new RunflowError('run_canceled', 'The run was canceled on Runflow before it produced images.', { runId: run.id });
  }
  const reason = run.failure?.message ?? 'Runflow gave no reason';
  const code = run.failure?.code;
  throw new RunflowError('run_failed', `The edit failed on Runflow: ${reason}${code ? ` (${code})` : ''}.`, {
    runId: run.id,
    code,
    failureStage: run.failure?.stage,
  });
}

/** Polls a run until it is terminal, with poll times planned from learned durations. */
export async function pollRun(id: string, deps: PollDeps, opts: WaitOptions = {}): Promise<Run> {
  const clock = deps.clock ?? REAL_CLOCK;
  const waitStart = clock.now();
  const deadline = waitStart + (opts.timeoutMs ?? DEFAULT_WAIT_TIMEOUT_MS);
  const key = opts.durationKey ?? DEFAULT_DURATION_KEY;
  // Without any learned duration the plan starts from the prior, a guess.
  const guessed = !(opts.durations?.hasSamples() ?? false);
  const schedule = new PollScheduler(opts.durations?.distribution(key) ?? PRIOR_DURATION, {}, guessed, opts.durations?.shortestQueue(key));
  const createdFallback = deps.createdLocallyAt ?? waitStart;
  const stopped = (): RunflowError =>
    new RunflowError('aborted', 'Stopped waiting for the run. It still finishes (and bills) on Runflow; its result can be fetched later.', { runId: id });

  // A run this client just created is known to be young, so the first poll can wait for the plan.
  let delay = deps.createdLocallyAt === undefined ? 0 : schedule.next({ sinceCreatedMs: waitStart - deps.createdLocallyAt });
  let lastStatus: string | undefined;
  const unknownSeen = new Set<string>();
  let offset = 0;
  for (;;) {
    if (delay > 0) {
      await clock.sleep(Math.min(delay, Math.max(0, deadline - clock.now())), opts.signal).catch(() => {
        throw stopped();
      });
    }
    if (clock.now() >= deadline) {
      const minutes = Math.round(((opts.timeoutMs ?? DEFAULT_WAIT_TIMEOUT_MS) / 60_000) * 10) / 10;
      throw new RunflowError(
        'timeout',
        `The run did not finish within ${minutes} min, so waiting stopped. It may still finish on Runflow; its result can be fetched later.`,
        { runId: id },
      );
    }
    let run: Run;
    try {
      run = await deps.getRun(opts.signal, deadline);
    } catch (err) {
      if (err instanceof RunflowError && err.kind === 'aborted') throw stopped();
      // A status read is safe to repeat, so a passing outage only costs time until the deadline.
      if (!(err instanceof RunflowError) || !err.retryable) throw err;
      deps.log('warn', `Polling run ${id} failed (${err.message}); trying again.`);
      delay = FAILED_POLL_PAUSE_MS;
      continue;
    }
    const now = clock.now();
    if (lastStatus === undefined) offset = clockOffset(run, deps.createdLocallyAt);
    if (run.status === 'unknown' && !unknownSeen.has(run.rawStatus)) {
      unknownSeen.add(run.rawStatus);
      deps.log('warn', `Run ${id} reports a status this version does not know ("${run.rawStatus}"); still waiting for it to finish.`);
    }
    if (run.rawStatus !== lastStatus) {
      lastStatus = run.rawStatus;
      try {
        opts.onUpdate?.(run, now - waitStart);
      } catch (err) {
        deps.log('warn', `onUpdate threw: ${(err as Error)?.message ?? String(err)}`);
      }
    }
    if (isTerminal(run.status)) {
      const result = terminalOutcome(run);
      const duration = observedDuration(run);
      if (opts.durations && duration !== undefined && duration > 0) opts.durations.record(key, duration);
      const queued = observedQueue(run);
      if (opts.durations && deps.createdAlone && queued !== undefined) opts.durations.recordQueue(key, queued);
      return result;
    }
    delay = schedule.next(runClock(run, now, offset, createdFallback));
  }
}
