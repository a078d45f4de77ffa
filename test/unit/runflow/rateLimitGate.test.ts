// RateLimitGate: one 429 pauses every client sharing the gate, checked on the emulator's request log.
import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import type { Emulator, LoggedRequest } from '../../emulator';
import { RateLimitGate, RunflowError, type EditInput, type RunflowClient } from '../../../src/runflow';
import { CREATE_PATH, clientFor, emulator, requestsTo, tinyPngUri } from './helpers';

const RETRY_AFTER_MS = 1000;
// Node timers may fire up to a millisecond early against Date.now().
const CLOCK_SLACK_MS = 2;

let emu: Emulator;
let input: EditInput;
before(async () => {
  emu = await emulator();
  input = { prompt: 'make it blue', image_urls: [await tinyPngUri()] };
});
after(() => emu.close());
beforeEach(() => emu.reset());

async function until(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 2));
  }
}

const rateLimited = (r: LoggedRequest): boolean => r.status === 429;

/** Worker 0 meets a 429 burst alone; workers 1–3 start their creates once `answered` says its client has read the 429. */
async function staggeredCreates(
  clients: RunflowClient[],
  burst: number,
  answered: () => boolean,
): Promise<{ firstLimit: LoggedRequest; others: LoggedRequest[] }> {
  emu.inject({
    kind: 'status',
    match: { method: 'POST', path: CREATE_PATH },
    status: 429,
    code: 'RATE_LIMITED',
    retryAfterSec: RETRY_AFTER_MS / 1000,
    times: burst,
  });
  const first = clients[0].createEditRun(input, { clientRef: 'worker-0' });
  await until(answered);
  const rest = clients.slice(1).map((c, i) => c.createEditRun(input, { clientRef: `worker-${i + 1}` }));
  const runs = await Promise.all([first, ...rest]);
  assert.equal(new Set(runs.map((r) => r.id)).size, clients.length);
  const firstLimit = emu.requests.find(rateLimited)!;
  const others = requestsTo(emu, 'POST', CREATE_PATH).filter((r) => r.headers['idempotency-key'] !== firstLimit.headers['idempotency-key']);
  return { firstLimit, others };
}

test('one 429 burst pauses every worker sharing the gate; no run is created twice', async () => {
  const gate = new RateLimitGate();
  const clients = Array.from({ length: 4 }, () => clientFor(emu, { rateLimitGate: gate, retry: { baseDelayMs: 5, maxDelayMs: 32_000 } }).client);
  const { firstLimit, others } = await staggeredCreates(clients, 2, () => gate.remainingMs() > 0);

  // The burst's second 429 may hit any worker, which then posts again: count workers, not requests.
  assert.equal(new Set(others.map((r) => r.headers['idempotency-key'])).size, 3);
  for (const r of others) assert.ok(r.at >= firstLimit.at + RETRY_AFTER_MS - CLOCK_SLACK_MS, `a create went out ${r.at - firstLimit.at} ms after the 429`);
  assert.equal(requestsTo(emu, 'POST', CREATE_PATH).filter(rateLimited).length, 2);
  const runs = emu.runs();
  assert.equal(runs.length, 4);
  assert.deepEqual(runs.map((r) => r.clientRef).sort(), ['worker-0', 'worker-1', 'worker-2', 'worker-3']);
});

test('without a shared gate the other workers do not wait (the check above has teeth)', async () => {
  const clients = Array.from({ length: 4 }, () => clientFor(emu, { retry: { baseDelayMs: 5, maxDelayMs: 32_000 } }).client);
  const { firstLimit, others } = await staggeredCreates(clients, 1, () => emu.requests.some(rateLimited));
  assert.ok(others.some((r) => r.at < firstLimit.at + RETRY_AFTER_MS - CLOCK_SLACK_MS));
});

test("without Retry-After the gate pauses for the client's own backoff delay", async () => {
  const gate = new RateLimitGate();
  const pauses: number[] = [];
  const { client } = clientFor(emu, {
    rateLimitGate: gate,
    retry: { baseDelayMs: 400, maxDelayMs: 400 },
    random: () => 0.99,
    // The retry loop logs right after telling the gate, before it sleeps.
    log: (_, message) => {
      if (message.includes('rate_limited')) pauses.push(gate.remainingMs());
    },
  });
  emu.inject({ kind: 'status', match: { method: 'POST', path: CREATE_PATH }, status: 429, code: 'RATE_LIMITED' });
  await client.createEditRun(input);
  assert.equal(pauses.length, 1);
  assert.ok(pauses[0] > 350 && pauses[0] <= 396, `paused ${pauses[0]} ms`);
  assert.equal(emu.runs().length, 1);
});

test('ready() resolves at once without a pause and waits out a pause that grows meanwhile', async () => {
  const gate = new RateLimitGate();
  const t0 = Date.now();
  await gate.ready();
  assert.ok(Date.now() - t0 < 20);
  gate.backoff(60);
  setTimeout(() => gate.backoff(80), 30);
  await gate.ready();
  assert.ok(Date.now() - t0 >= 110 - CLOCK_SLACK_MS);
});

test('a shorter backoff never cuts a longer pause; nonsense durations are ignored', () => {
  const gate = new RateLimitGate();
  gate.backoff(500);
  gate.backoff(10);
  gate.backoff(Number.NaN);
  gate.backoff(-5);
  assert.ok(gate.remainingMs() > 450);
});

test('ready() rejects as aborted when its signal aborts during a pause', async () => {
  const gate = new RateLimitGate();
  gate.backoff(10_000);
  const controller = new AbortController();
  setTimeout(() => controller.abort(), 10);
  const err = await gate.ready(controller.signal).catch((e: unknown) => e);
  assert.ok(err instanceof RunflowError && err.kind === 'aborted');
});
