// Reliability at the client level, against the emulator: every endpoint the client uses under
// 5xx bursts, 429 (with and without Retry-After), HTML error pages, truncated JSON, dropped
// connections and answers slower than the client's timeout; plus output and upload faults.
// The create's own idempotency cases are in test/unit/runflow/clientRuns.test.ts (not repeated).
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import type { Emulator, Fault, FaultMatch } from '../../emulator';
import { RunflowError, type Run, type RunflowClient, type RunOutput } from '../../../src/runflow';
import { bigPng, clientFor, CREATE_PATH, duplicatedRuns, editInput, emulator, FAST_KEY, fastDurations, requestsTo, Tally } from './helpers';

let big: Buffer;
const tally = new Tally('client-faults');
before(async () => {
  big = await bigPng();
});
after(() => console.log(tally.line()));

// Fresh each time: a shared model would learn the emulator's 50 ms runs and plan slower polls.
const waitFast = () => ({ durations: fastDurations(), durationKey: FAST_KEY, timeoutMs: 20_000 });

/** One endpoint the client uses: how to reach it, and which user action creates runs. */
interface Endpoint {
  name: string;
  match: FaultMatch;
  /** Runs a user action creates through this call (0 for key checks, uploads, ...). */
  runs: number;
  prepare?: (client: RunflowClient) => Promise<unknown>;
  exercise: (client: RunflowClient, prepared: unknown) => Promise<unknown>;
  /** Whether a POST that must not be repeated blindly (no retry on an unknown outcome). */
  unacceptedOnly?: boolean;
}

const createAndWait = async (client: RunflowClient): Promise<Run> => {
  const run = await client.createEditRun(await editInput());
  return client.waitForRun(run.id, waitFast());
};

const ENDPOINTS: Endpoint[] = [
  { name: 'GET /v1/auth/me', match: { method: 'GET', path: '/v1/auth/me' }, runs: 0, exercise: (c) => c.checkKey() },
  { name: 'GET /v1/billing/balance', match: { method: 'GET', path: '/v1/billing/balance' }, runs: 0, exercise: (c) => c.getBalance() },
  {
    name: 'POST /v1/asset-uploads',
    match: { method: 'POST', path: '/v1/asset-uploads' },
    runs: 0,
    unacceptedOnly: true,
    exercise: (c) => c.toInputUrl(big, 'big.png'),
  },
  {
    name: 'PUT presigned upload (storage)',
    match: { method: 'PUT', path: '/uploads/*', origin: 'storage' },
    runs: 0,
    exercise: (c) => c.toInputUrl(big, 'big.png'),
  },
  {
    name: 'POST /v1/asset-uploads/{id}/confirmations',
    match: { method: 'POST', path: '/v1/asset-uploads/*' },
    runs: 0,
    unacceptedOnly: true,
    exercise: (c) => c.toInputUrl(big, 'big.png'),
  },
  { name: 'POST create run', match: { method: 'POST', path: CREATE_PATH }, runs: 1, exercise: async (c) => c.createEditRun(await editInput()) },
  {
    name: 'GET /v1/runs/{id}',
    match: { method: 'GET', path: '/v1/runs/*' },
    runs: 1,
    prepare: async (c) => c.createEditRun(await editInput()),
    exercise: (c, run) => c.waitForRun((run as { id: string }).id, waitFast()),
  },
  {
    name: "GET /v1/runs?q=client_ref.EQ:'…'",
    match: { method: 'GET', path: '/v1/runs' },
    runs: 1,
    prepare: async (c) => c.createEditRun(await editInput(), { clientRef: 'search-me' }),
    exercise: async (c) => assert.ok(await c.findRunByClientRef('search-me')),
  },
  {
    name: 'GET output file (storage)',
    match: { method: 'GET', path: '/outputs/*', origin: 'storage' },
    runs: 1,
    prepare: createAndWait,
    exercise: (c, run) => c.fetchOutput((run as { output: { outputs: RunOutput[] } }).output.outputs[0], { timeoutMs: 2000 }),
  },
];

type Expect = 'ok' | RunflowError['kind'];

interface FaultCase {
  name: string;
  fault: (match: FaultMatch) => Fault;
  expect: (e: Endpoint) => Expect;
  minMs?: number;
  /** Client options for this case (e.g. a short per-request timeout). */
  client?: Parameters<typeof clientFor>[1];
  skip?: (e: Endpoint) => string | false;
}

const HTML_PAGE = '<html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1><p>upstream hiccup</p></body></html>';

const CASES: FaultCase[] = [
  {
    name: 'a burst of three 503s is retried through',
    fault: (match) => ({ kind: 'status', match, status: 503, code: 'MODEL_UNAVAILABLE', message: 'busy', times: 3 }),
    expect: () => 'ok',
  },
  {
    name: 'two 429s without Retry-After back off and succeed',
    fault: (match) => ({ kind: 'status', match, status: 429, code: 'RATE_LIMITED', times: 2 }),
    expect: () => 'ok',
  },
  {
    name: '429 with Retry-After waits that long, then succeeds',
    fault: (match) => ({ kind: 'status', match, status: 429, code: 'RATE_LIMITED', retryAfterSec: 0.3 }),
    expect: () => 'ok',
    minMs: 300,
    client: { retry: { baseDelayMs: 5, maxDelayMs: 32_000 } },
  },
  {
    name: 'a 502 HTML page (non-JSON error body) is retried like any 5xx',
    fault: (match) => ({ kind: 'non_json_error', match, status: 502, body: HTML_PAGE }),
    expect: () => 'ok',
  },
  {
    name: 'a 400 HTML page is reported with its text, not retried',
    fault: (match) => ({ kind: 'non_json_error', match, status: 400, body: HTML_PAGE, times: 5 }),
    expect: () => 'bad_request',
  },
  {
    name: 'truncated JSON: reads retried, a create resolved by lookup, an upload POST refused clearly',
    fault: (match) => ({ kind: 'malformed_json', match }),
    // The emulator answers instead of storing: a PUT "accepted" but not stored is caught by the
    // confirmation (409); an output that is truncated JSON is no image.
    expect: (e) => (e.unacceptedOnly ? 'bad_response' : e.name.startsWith('GET output') ? 'not_an_image' : e.name.startsWith('PUT') ? 'conflict' : 'ok'),
  },
  {
    name: 'connection reset after the server handled it: no duplicate, reads retried',
    fault: (match) => ({ kind: 'reset', match, when: 'after' }),
    expect: (e) => (e.unacceptedOnly ? 'network' : 'ok'),
  },
  {
    name: 'connection reset before the server read it',
    fault: (match) => ({ kind: 'reset', match, when: 'before' }),
    expect: (e) => (e.unacceptedOnly ? 'network' : 'ok'),
  },
  {
    name: 'an answer slower than the client timeout (requestTimeoutMs 300 ms / fetchOutput timeoutMs)',
    fault: (match) => ({ kind: 'delay', match, ms: 900 }),
    client: { requestTimeoutMs: 300 },
    expect: (e) => (e.unacceptedOnly ? 'timeout' : e.name.startsWith('GET output') ? 'timeout' : 'ok'),
    // The presigned PUT's limit (10 min, sized for 50 MiB on a slow uplink) is not configurable.
    skip: (e) => (e.name.startsWith('PUT') ? 'PUT timeout is fixed at 10 min' : false),
  },
];

// Each fault case gets its own emulator (faults are global to one), so the cases run side by side.
describe('every endpoint the client uses, under every transport fault', { concurrency: true }, () => {
  for (const c of CASES) {
    describe(c.name, { concurrency: 1 }, () => {
      let emu: Emulator;
      before(async () => {
        emu = await emulator();
      });
      after(() => emu.close());
      beforeEach(() => emu.reset());
      for (const endpoint of ENDPOINTS) {
        const skip = c.skip?.(endpoint);
        test(`${endpoint.name}`, { skip: skip || undefined }, async () => {
          const { client, logs } = clientFor(emu, c.client);
          const prepared = await endpoint.prepare?.(client);
          // The output download gets the tight limit through its own option.
          const exercise =
            c.client?.requestTimeoutMs && endpoint.name.startsWith('GET output')
              ? () => client.fetchOutput((prepared as { output: { outputs: RunOutput[] } }).output.outputs[0], { timeoutMs: 400 })
              : () => endpoint.exercise(client, prepared);
          tally.inject(emu, c.fault(endpoint.match));
          const started = Date.now();
          const expected = c.expect(endpoint);
          let error: unknown;
          try {
            await exercise();
          } catch (e) {
            error = e;
          }
          const elapsed = Date.now() - started;
          if (expected === 'ok') {
            assert.equal(error, undefined, `expected success, got ${(error as Error)?.message}`);
          } else {
            assert.ok(error instanceof RunflowError, `expected a RunflowError, got ${String(error)}`);
            assert.equal(error.kind, expected, error.message);
            // One clear message: says what happened and what to do, never the key.
            assert.match(error.message, /try again|check|fix|cannot|not saved|was not|rejected/i, error.message);
            if (c.name.includes('400 HTML')) assert.match(error.message, /Bad Gateway/);
            assert.ok(!/<[a-z]/i.test(error.message), `no markup in the message: ${error.message}`);
            tally.scan(error.message);
          }
          if (c.minMs) assert.ok(elapsed >= c.minMs - 20, `waited only ${elapsed} ms`);
          // The fault was actually met.
          const origin = endpoint.match.origin ?? 'api';
          const hits = requestsTo(emu, endpoint.match.method!, endpoint.match.path!.replace(/\*$/, ''), origin);
          assert.ok(hits.length >= 1, 'the endpoint was reached');
          // A refused create creates nothing; runs made while preparing (or by a create that went through) count.
          const expectedRuns = endpoint.prepare || expected === 'ok' ? endpoint.runs : 0;
          assert.equal(emu.runs().length, expectedRuns, 'runs created = user actions');
          const dup = duplicatedRuns(emu);
          tally.runsDuplicated += dup;
          assert.equal(dup, 0);
          tally.scan(...logs);
        });
      }
    });
  }
});

describe('run and output faults', () => {
  let emu: Emulator;
  before(async () => {
    emu = await emulator();
  });
  after(() => emu.close());
  beforeEach(() => emu.reset());
  test('an expired output link (403) says Runflow no longer serves it, and claims no lifetime', async () => {
    const { client } = clientFor(emu);
    const run = await createAndWait(client);
    tally.inject(emu, { kind: 'expire_outputs' });
    await assert.rejects(
      client.fetchOutput(run.output!.outputs[0]),
      (e: RunflowError) => e.kind === 'expired_output' && /no longer serves this result link/.test(e.message),
    );
  });

  test('an output that is not an image is refused, not saved', async () => {
    const { client } = clientFor(emu);
    const run = await createAndWait(client);
    tally.inject(emu, { kind: 'output_body', body: 'not_image' });
    await assert.rejects(client.fetchOutput(run.output!.outputs[0]), (e: RunflowError) => e.kind === 'not_an_image' && /not saved/.test(e.message));
  });

  test('an output larger than the cap (256 MiB declared) is refused at once, without reading it', async () => {
    const { client } = clientFor(emu);
    const run = await createAndWait(client);
    tally.inject(emu, { kind: 'output_body', body: 'oversize' });
    const started = Date.now();
    await assert.rejects(client.fetchOutput(run.output!.outputs[0]), (e: RunflowError) => e.kind === 'too_large' && /60\.0 MB/.test(e.message));
    assert.ok(Date.now() - started < 3000, 'refused from Content-Length, not after streaming');
  });

  test('an output larger than a smaller cap is cut off while streaming', async () => {
    const { client } = clientFor(emu);
    const run = await createAndWait(client);
    await assert.rejects(client.fetchOutput(run.output!.outputs[0], { maxBytes: 100 }), (e: RunflowError) => e.kind === 'too_large');
  });

  test('a presigned upload PUT answering 403 is redone from step 1 (new slot, new PUT, one confirmation)', async () => {
    const { client } = clientFor(emu);
    tally.inject(emu, { kind: 'upload_put_status', status: 403 });
    const url = await client.toInputUrl(big, 'big.png');
    assert.ok(url);
    assert.equal(requestsTo(emu, 'POST', '/v1/asset-uploads').filter((r) => r.path === '/v1/asset-uploads').length, 2, 'step 1 twice');
    assert.equal(requestsTo(emu, 'PUT', '/uploads/', 'storage').length, 2, 'step 2 twice');
    assert.equal(requestsTo(emu, 'POST', '/v1/asset-uploads/').length, 1, 'confirmed once');
    const puts = requestsTo(emu, 'PUT', '/uploads/', 'storage');
    assert.notEqual(puts[0].path, puts[1].path, 'the second PUT goes to the new slot');
  });

  test('a presigned PUT refused twice ends in one clear message', async () => {
    const { client } = clientFor(emu);
    tally.inject(emu, { kind: 'upload_put_status', status: 403, times: 2 });
    await assert.rejects(client.toInputUrl(big, 'big.png'), (e: RunflowError) => e.kind === 'forbidden' && /Try again/.test(e.message));
    assert.equal(requestsTo(emu, 'POST', '/v1/asset-uploads/').length, 0, 'nothing confirmed');
  });

  test('a failed run (failure_code/message) rejects with both in the message; not billed twice', async () => {
    const { client } = clientFor(emu);
    tally.inject(emu, { kind: 'run_outcome', outcome: 'failed', failureCode: 'CONTENT_POLICY', failureMessage: 'Rejected by the safety system' });
    const run = await client.createEditRun(await editInput());
    await assert.rejects(
      client.waitForRun(run.id, waitFast()),
      (e: RunflowError) => e.kind === 'run_failed' && /safety system/.test(e.message) && /CONTENT_POLICY/.test(e.message) && e.runId === run.id,
    );
    assert.equal(emu.runs().length, 1);
  });
});
