import type { LogNormal } from './durationModel';

/** Where a run is, in local milliseconds: since it was created, and since it started running if it has. */
export interface RunClock {
  sinceCreatedMs: number;
  sinceStartedMs?: number;
}

/** Limits of the poll planner. */
export interface PollPlanOptions {
  minIntervalMs?: number;
  maxIntervalMs?: number;
  /** Expected polls per run relative to a client polling every 2 s (Runflow's SDK); spent where runs end. */
  budgetFactor?: number;
}

/** What a plan made mid-wait accounts for: time already spent queued and polls already made. */
interface PlanStart {
  queuedMs?: number;
  spentPolls?: number;
  /**
   * Plan for this one run, known to be still going this long after the reference point: the budget
   * is what its wait so far and the wait still expected earn, not an average over all runs.
   */
  aliveAtMs?: number;
  /** The shortest queue recent runs had: until a run is seen running, it is taken to have started then. */
  shortestQueueMs?: number;
}

// The minimum gap only binds where the learned end is tightly grouped (√hazard is high); there a
// 250 ms gap made the poll after the end land ~100 ms late on a 2 s run. The budget still bounds
// how many polls a run gets, so a shorter gap moves polls, it does not add them.
const DEFAULTS: Required<PollPlanOptions> = { minIntervalMs: 100, maxIntervalMs: 5000, budgetFactor: 1.4 };
const REFERENCE_INTERVAL_MS = 2000;
// A per-run budget leaves nothing to pool, so it needs a larger factor to spend what the pooled
// one does: 1.8 spent about 1.25× a 2 s poller's polls on a fresh install (bench/pollSimulation.ts:
// 1.23 on the bench seed; the emulator measured 1.26–1.28).
const GUESSED_BUDGET_FACTOR = 1.8;
// Short runs would otherwise get a single poll at the maximum interval: a few polls are always
// affordable, and they let a quick run be seen soon after it ends.
const MIN_BUDGET_POLLS = 3;
const STEP_MS = 10;

// erfc(x) = t·exp(-x² + p(t)), t = 1/(1 + x/2), x ≥ 0 (Numerical Recipes, relative error < 1.2e-7).
// Kept in this factored form so the hazard below never divides two underflowed numbers.
function erfcPoly(t: number): number {
  return (
    -1.26551223 +
    t *
      (1.00002368 +
        t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))))
  );
}

/** Hazard rate (per ms) of a log-normal at time t: the chance a run still going at t ends in the next ms. */
export function hazard(dist: LogNormal, tMs: number): number {
  if (tMs <= 0) return 0;
  const z = (Math.log(tMs) - dist.mu) / dist.sigma;
  const x = z / Math.SQRT2;
  const norm = Math.sqrt(2 * Math.PI) * dist.sigma * tMs;
  if (x >= 0) {
    const t = 1 / (1 + 0.5 * x);
    // pdf/survival with exp(-z²/2) cancelled: 1 / (norm · ½·t·e^p(t)).
    return 1 / (norm * 0.5 * t * Math.exp(erfcPoly(t)));
  }
  const t = 1 / (1 - 0.5 * x);
  const survival = 1 - 0.5 * t * Math.exp(-x * x + erfcPoly(t));
  return Math.exp((-z * z) / 2) / (norm * survival);
}

/** Probability that a run is still going at t. */
export function survival(dist: LogNormal, tMs: number): number {
  if (tMs <= 0) return 1;
  const x = (Math.log(tMs) - dist.mu) / dist.sigma / Math.SQRT2;
  const t = 1 / (1 + 0.5 * Math.abs(x));
  const erfc = t * Math.exp(-x * x + erfcPoly(t));
  return x >= 0 ? 0.5 * erfc : 1 - 0.5 * erfc;
}

/**
 * When to poll a run whose duration follows `dist`. Minimising expected detection latency for a
 * given expected number of polls puts the poll density at √hazard (up to a constant); the
 * constant is chosen so the expected polls per run match `budgetFactor` times those of a 2 s
 * poller, so the plan costs about what the SDK's fixed polling costs but lands its polls where
 * runs actually end.
 */
export class PollPlan {
  private readonly o: Required<PollPlanOptions>;
  private readonly scale: number;

  constructor(
    private readonly dist: LogNormal,
    opts: PollPlanOptions = {},
    private readonly start: PlanStart = {},
  ) {
    this.o = { ...DEFAULTS, ...opts };
    this.scale = this.solveScale();
  }

  /** Polls per ms at elapsed time t. */
  private density(tMs: number, scale = this.scale): number {
    return this.clamp(Math.sqrt(hazard(this.dist, tMs)) / scale);
  }

  private clamp(density: number): number {
    return Math.min(1 / this.o.minIntervalMs, Math.max(1 / this.o.maxIntervalMs, density));
  }

  private solveScale(): number {
    const { mu, sigma } = this.dist;
    const from = Math.max(0, this.start.aliveAtMs ?? 0);
    const alive = survival(this.dist, from);
    // Expected polls over the horizon, on a grid sampled once: only the scale changes below (this
    // made planning ten times cheaper, which the 30-seed simulation in bench/ needs).
    const horizon = Math.max(from, Math.exp(mu + 5 * sigma)) + (this.start.aliveAtMs === undefined ? 0 : 5 * this.o.maxIntervalMs);
    const step = Math.max(STEP_MS, (horizon - from) / 4000);
    const rootHazard: number[] = [];
    const stillGoing: number[] = [];
    let expectedRest = 0;
    for (let t = from + step / 2; t < horizon; t += step) {
      const going = alive > 0 ? survival(this.dist, t) / alive : 0;
      rootHazard.push(Math.sqrt(hazard(this.dist, t)));
      stillGoing.push(going * step);
      expectedRest += going * step;
    }
    // A 2 s poller would also have polled through the queue; the polls saved there go to the end.
    const queuedMs = this.start.queuedMs ?? 0;
    const spent = this.start.spentPolls ?? 0;
    const budget =
      this.start.aliveAtMs === undefined
        ? Math.max(MIN_BUDGET_POLLS, this.o.budgetFactor * ((Math.exp(mu + (sigma * sigma) / 2) + queuedMs) / REFERENCE_INTERVAL_MS + 0.5)) - spent
        : // One run's own budget, never below what a 2 s poller would still spend: a run past its plan is watched, not starved.
          Math.max(
            1 + expectedRest / REFERENCE_INTERVAL_MS,
            Math.max(MIN_BUDGET_POLLS, this.o.budgetFactor * ((queuedMs + from + expectedRest) / REFERENCE_INTERVAL_MS + 0.5)) - spent,
          );
    const expectedPolls = (scale: number): number => {
      let polls = 1; // the poll that sees the run finished
      for (let i = 0; i < stillGoing.length; i++) polls += stillGoing[i] * this.clamp(rootHazard[i] / scale);
      return polls;
    };
    // expectedPolls falls as the scale grows: bisect in log space.
    let lo = Math.log(1e-9);
    let hi = Math.log(1e3);
    for (let i = 0; i < 50; i++) {
      const mid = (lo + hi) / 2;
      if (expectedPolls(Math.exp(mid)) > budget) lo = mid;
      else hi = mid;
    }
    return Math.exp(hi);
  }

  /**
   * Delay (ms) to the next poll. Learned durations run from `started_at`, so that is the reference
   * once known; before, the run cannot end earlier than if it had started after the shortest queue
   * recent runs had (at creation, when none is known), and a queue can last long, so polls stay
   * at least a quarter of a typical run apart.
   */
  delayFor(clock: RunClock): number {
    if (clock.sinceStartedMs !== undefined) return this.nextDelay(clock.sinceStartedMs);
    const queuedFloor = Math.min(this.o.maxIntervalMs, Math.exp(this.dist.mu) / 4);
    const sinceLikelyStart = clock.sinceCreatedMs - (this.start.shortestQueueMs ?? 0);
    return Math.max(queuedFloor, sinceLikelyStart >= 0 ? this.nextDelay(sinceLikelyStart) : this.nextDelay(0) - sinceLikelyStart);
  }

  /** Delay (ms) from `elapsedMs` after the reference point to the next poll: one poll's worth of density. */
  nextDelay(elapsedMs: number): number {
    let mass = 0;
    let t = Math.max(0, elapsedMs);
    const end = t + this.o.maxIntervalMs;
    while (t < end) {
      const step = Math.min(STEP_MS, end - t);
      mass += this.density(t + step / 2) * step;
      t += step;
      if (mass >= 1) break;
    }
    return Math.round(Math.min(this.o.maxIntervalMs, Math.max(this.o.minIntervalMs, t - Math.max(0, elapsedMs))));
  }
}

/**
 * The poll times of one wait. Until the run is seen running, one plan from creation. Then, with a
 * learned distribution, one plan from `started_at`: its budget is an average over runs, so a run
 * that ends early leaves its polls to the runs that end late, which is where √hazard gets its
 * efficiency. Without history (`guessed`: the prior, a guess at some other workload) that
 * average means nothing, so each poll re-plans for this run, known to be going that long.
 */
export class PollScheduler {
  private plan: PollPlan;
  private polls = 0;
  private started = false;

  /** `shortestQueueMs`: the shortest queue recent runs had, for the polls before this one is seen running. */
  constructor(
    private readonly dist: LogNormal,
    private readonly opts: PollPlanOptions = {},
    private readonly guessed = false,
    shortestQueueMs = 0,
  ) {
    this.plan = new PollPlan(dist, opts, { shortestQueueMs });
  }

  /** Delay (ms) before the next poll, given where the run is now; each call counts as one poll. */
  next(clock: RunClock): number {
    if (clock.sinceStartedMs !== undefined && (!this.started || this.guessed)) {
      this.started = true;
      const queuedMs = Math.max(0, clock.sinceCreatedMs - clock.sinceStartedMs);
      const opts = this.guessed ? { budgetFactor: GUESSED_BUDGET_FACTOR, ...this.opts } : this.opts;
      this.plan = new PollPlan(this.dist, opts, { queuedMs, spentPolls: this.polls, aliveAtMs: this.guessed ? clock.sinceStartedMs : undefined });
    }
    this.polls++;
    return this.plan.delayFor(clock);
  }
}
