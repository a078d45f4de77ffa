// Creating runs without ever billing twice, and waiting for them, against the emulator.
import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import type { Emulator } from '../../emulator';
import { RunflowError, type EditInput, type Run } from '../../../src/runflow';
import { clientFor, CREATE_PATH, emulator, FAST_KEY, fastDurations, requestsTo, tinyPngUri } from './helpers';

let emu: Emulator;
let input: EditInput;
before(async () => {
  // Run 0 of each reset is slow on purpose for the timeout test; the others take 300 ms.
  emu = await emulator({ modelTimeMs: (i: unknown) => ((i as { prompt?: string }).prompt === 'slow' ? 60_000 : 300) });
  input = { prompt: 'make it blue', image_urls: [await tinyPngUri()] };
});
after(() => emu.close());
beforeEach(() => emu.reset());

const waitFast = { durations: fastDurations(), durationKey: FAST_KEY };

test('createEditRun posts every input field, metadata, client_ref and an Idempotency-Key', async () => {
  const { client } = clientFor(emu);
  const full: EditInput = {
    ...input,
    num_images: 2,
    output_format: 'webp',
    image_size: 'square',
    mask_url: undefined,
    quality: 'low',
    sync_mode: false,
  };
  const run = await client.createEditRun(full, { metadata: { source: 'test' }, clientRef: 'my-ref-1' });
  assert.equal(run.status, 'queued');
  assert.equal(run.clientRef, 'my-ref-1');
  const [view] = emu.runs();
  assert.equal(view.id, run.id);
  assert.equal(view.clientRef, 'my-ref-1');
  assert.match(view.idempotencyKey ?? '', /^[0-9a-f-]{36}$/);
  const echoed = view.input as Record<string, unknown>;
  for (const field of ['prompt', 'num_images', 'output_format', 'image_size', 'quality', 'sync_mode'] as const) {
    assert.deepEqual(echoed[field], full[field], field);
  }
  assert.deepEqual(run.metadata, { source: 'test' });
});

test('a generated client_ref is a UUID and each call gets its own Idempotency-Key', async () => {
  const { client } = clientFor(emu);
  const a = await client.createEditRun(input);
  const b = await client.createEditRun(input);
  assert.match(a.clientRef ?? '', /^[0-9a-f-]{36}$/);
  const keys = requestsTo(emu, 'POST', CREATE_PATH).map((r) => r.headers['idempotency-key']);
  assert.equal(new Set(keys).size, 2);
  assert.notEqual(a.id, b.id);
});

test('connection dropped after the run was created: looked up, never posted again', async () => {
  emu.inject({ kind: 'reset', match: { method: 'POST', path: CREATE_PATH }, when: 'after' });
  const { client } = clientFor(emu);
  const run = await client.createEditRun(input);
  assert.equal(emu.runs().length, 1);
  assert.equal(run.id, emu.runs()[0].id);
  assert.equal(requestsTo(emu, 'POST', CREATE_PATH).length, 1);
  const search = requestsTo(emu, 'GET', '/v1/runs').find((r) => r.query.q?.startsWith('client_ref'));
  assert.ok(search, 'looked up by client_ref');
});

test('connection dropped before the server handled it: looked up, then posted again with the same key', async () => {
  emu.inject({ kind: 'reset', match: { method: 'POST', path: CREATE_PATH }, when: 'before' });
  const { client } = clientFor(emu);
  const run = await client.createEditRun(input);
  assert.equal(emu.runs().length, 1);
  assert.equal(run.id, emu.runs()[0].id);
  const posts = requestsTo(emu, 'POST', CREATE_PATH);
  assert.equal(posts.length, 2);
  assert.equal(posts[0].headers['idempotency-key'], posts[1].headers['idempotency-key']);
  const order = emu.requests.map((r) => `${r.method} ${r.path}`);
  assert.deepEqual(order, [`POST ${CREATE_PATH}`, 'GET /v1/runs', `POST ${CREATE_PATH}`]);
});

test('a malformed answer to the create is resolved by lookup before posting again', async () => {
  emu.inject({ kind: 'malformed_json', match: { method: 'POST', path: CREATE_PATH } });
  const { client } = clientFor(emu);
  const run = await client.createEditRun(input);
  assert.equal(emu.runs().length, 1);
  assert.equal(run.id, emu.runs()[0].id);
  const order = emu.requests.map((r) => `${r.method} ${r.path}`);
  assert.deepEqual(order, [`POST ${CREATE_PATH}`, 'GET /v1/runs', `POST ${CREATE_PATH}`]);
});

test('a create that times out is resolved by lookup', async () => {
  emu.inject({ kind: 'delay', match: { method: 'POST', path: CREATE_PATH }, ms: 600 });
  const { client } = clientFor(emu, { requestTimeoutMs: 150 });
  const run = await client.createEditRun(input);
  assert.equal(emu.runs().length, 1);
  assert.equal(run.id, emu.runs()[0].id);
});

test('5xx on the create is retried with the same Idempotency-Key, one run', async () => {
  emu.inject({ kind: 'status', match: { method: 'POST', path: CREATE_PATH }, status: 503, code: 'MODEL_UNAVAILABLE', times: 2 });
  const { client } = clientFor(emu);
  const run = await client.createEditRun(input, { idempotencyKey: 'key-123' });
  const posts = requestsTo(emu, 'POST', CREATE_PATH);
  assert.equal(posts.length, 3);
  assert.ok(posts.every((p) => p.headers['idempotency-key'] === 'key-123'));
  assert.deepEqual(
    posts.map((p) => p.status),
    [503, 503, 201],
  );
  assert.equal(emu.runs().length, 1);
  assert.equal(run.id, emu.runs()[0].id);
});

test('429 on the create is retried, honouring Retry-After', async () => {
  emu.inject({ kind: 'status', match: { method: 'POST', path: CREATE_PATH }, status: 429, code: 'RATE_LIMITED', retryAfterSec: 1 });
  const { client } = clientFor(emu, { retry: { baseDelayMs: 5, maxDelayMs: 32_000 } });
  await client.createEditRun(input);
  const posts = requestsTo(emu, 'POST', CREATE_PATH);
  assert.equal(posts.length, 2);
  assert.ok(posts[1].at - posts[0].at >= 990);
  assert.equal(emu.runs().length, 1);
});

test('a 422 names the fields and is not retried', async () => {
  const { client } = clientFor(emu);
  const err = await client.createEditRun({ ...input, prompt: '', num_images: 9 }).catch((e: unknown) => e);
  assert.ok(err instanceof RunflowError && err.kind === 'validation', String(err));
  assert.ok(err.fieldErrors?.some((f) => f.field?.includes('prompt')));
  assert.ok(err.fieldErrors?.some((f) => f.field?.includes('num_images')));
  assert.match(err.message, /prompt/);
  assert.equal(requestsTo(emu, 'POST', CREATE_PATH).length, 1);
});

test('findRunByClientRef finds the run, or nothing', async () => {
  const { client } = clientFor(emu);
  const run = await client.createEditRun(input, { clientRef: 'find-me' });
  assert.equal((await client.findRunByClientRef('find-me'))?.id, run.id);
  assert.equal(await client.findRunByClientRef('nobody'), undefined);
});

test('getRun of an unknown id is not_found', async () => {
  const { client } = clientFor(emu);
  const err = await client.getRun('00000000-0000-0000-0000-000000000000').catch((e: unknown) => e);
  assert.ok(err instanceof RunflowError && err.kind === 'not_found');
});

test('waitForRun reports each status once, resolves on success and learns the duration', async () => {
  const { client } = clientFor(emu);
  const durations = fastDurations();
  const before = durations.samples(FAST_KEY).length;
  const run = await client.createEditRun(input);
  const seen: string[] = [];
  const done = await client.waitForRun(run.id, { durations, durationKey: FAST_KEY, onUpdate: (r) => seen.push(r.status) });
  assert.equal(done.status, 'succeeded');
  assert.equal(done.output?.outputs.length, 1);
  assert.equal(new Set(seen).size, seen.length, 'each status reported once');
  assert.equal(seen.at(-1), 'succeeded');
  assert.equal(durations.samples(FAST_KEY).length, before + 1);
  const view = emu.runs()[0];
  // Detected soon after the run turned terminal, with a handful of polls.
  assert.ok(view.pollCount <= 8, `${view.pollCount} polls`);
});

test('transient poll errors are retried within the deadline', async () => {
  const { client } = clientFor(emu);
  const run = await client.createEditRun(input);
  emu.inject([
    { kind: 'status', match: { method: 'GET', path: `/v1/runs/${run.id}` }, status: 503, times: 2 },
    { kind: 'reset', match: { method: 'GET', path: `/v1/runs/${run.id}` }, when: 'before' },
    { kind: 'malformed_json', match: { method: 'GET', path: `/v1/runs/${run.id}` } },
  ]);
  const done = await client.waitForRun(run.id, waitFast);
  assert.equal(done.status, 'succeeded');
});

test('a failed run rejects with run_failed carrying the failure code and message', async () => {
  emu.inject({ kind: 'run_outcome', outcome: 'failed', failureCode: 'CONTENT_POLICY', failureMessage: 'The prompt was blocked.' });
  const { client } = clientFor(emu);
  const run = await client.createEditRun(input);
  const err = await client.waitForRun(run.id, waitFast).catch((e: unknown) => e);
  assert.ok(err instanceof RunflowError && err.kind === 'run_failed', String(err));
  assert.equal(err.code, 'CONTENT_POLICY');
  assert.equal(err.runId, run.id);
  assert.match(err.message, /The prompt was blocked\./);
});

for (const spelling of ['cancelled', 'canceled'] as const) {
  test(`a run ending '${spelling}' rejects with run_canceled`, async () => {
    emu.inject({ kind: 'run_outcome', outcome: spelling });
    const { client } = clientFor(emu);
    const run = await client.createEditRun(input);
    const err = await client.waitForRun(run.id, waitFast).catch((e: unknown) => e);
    assert.ok(err instanceof RunflowError && err.kind === 'run_canceled', String(err));
    assert.equal(err.runId, run.id);
  });
}

test('partial_succeeded resolves like success with the outputs there are', async () => {
  emu.inject({ kind: 'run_outcome', outcome: 'partial_succeeded' });
  const { client } = clientFor(emu);
  const run = await client.createEditRun({ ...input, num_images: 2 });
  const done: Run = await client.waitForRun(run.id, waitFast);
  assert.equal(done.status, 'partial_succeeded');
  assert.equal(done.output?.outputs.length, 1);
});

test('waitForRun stops at its deadline with timeout and the run id', async () => {
  const { client } = clientFor(emu);
  const run = await client.createEditRun({ ...input, prompt: 'slow' });
  const started = Date.now();
  const err = await client.waitForRun(run.id, { ...waitFast, timeoutMs: 400 }).catch((e: unknown) => e);
  assert.ok(err instanceof RunflowError && err.kind === 'timeout', String(err));
  assert.equal(err.runId, run.id);
  assert.ok(Date.now() - started < 1000);
});

test('aborting waitForRun rejects promptly, even mid-request', async () => {
  const { client } = clientFor(emu);
  const run = await client.createEditRun({ ...input, prompt: 'slow' });
  emu.inject({ kind: 'delay', match: { method: 'GET', path: `/v1/runs/${run.id}` }, ms: 5000, times: 20 });
  const controller = new AbortController();
  const pending = client.waitForRun(run.id, { ...waitFast, signal: controller.signal }).catch((e: unknown) => e);
  // Abort once the first poll is on the wire.
  while (!emu.requests.some((r) => r.method === 'GET' && r.path === `/v1/runs/${run.id}`)) await new Promise((r) => setImmediate(r));
  const abortedAt = Date.now();
  controller.abort();
  const err = await pending;
  assert.ok(err instanceof RunflowError && err.kind === 'aborted', String(err));
  assert.equal(err.runId, run.id);
  assert.ok(Date.now() - abortedAt < 200, `${Date.now() - abortedAt} ms`);
});

test('aborting while waiting between polls rejects promptly', async () => {
  const { client } = clientFor(emu);
  const run = await client.createEditRun({ ...input, prompt: 'slow' });
  const controller = new AbortController();
  const pending = client.waitForRun(run.id, { signal: controller.signal }).catch((e: unknown) => e);
  setTimeout(() => controller.abort(), 20);
  const started = Date.now();
  const err = await pending;
  assert.ok(err instanceof RunflowError && err.kind === 'aborted');
  assert.ok(Date.now() - started < 300);
});
