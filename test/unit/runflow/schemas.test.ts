import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseAccount, parseBalance, parseRun, parseRunListItems, type Run } from '../../../src/runflow/schemas';

function run(json: unknown): Run {
  const parsed = parseRun(json);
  assert.ok(parsed.ok, parsed.ok ? '' : parsed.problem);
  return parsed.run;
}

test('a full succeeded run is normalised, unknown fields ignored', () => {
  const r = run({
    id: 'r1',
    model_id: 'openai/gpt-image-2/edit',
    status_code: 'succeeded',
    input: { prompt: 'p' },
    output: {
      outputs: [{ type: 'image', url: 'https://s/1.png', content_type: 'image/png', file_name: '1.png', width: 1024, height: 768, extra: 1 }],
      seed: 42,
      timing: { inference_ms: 1 },
      nsfw_detected: [false],
    },
    metadata: { a: 1 },
    client_ref: 'ref',
    created_at: '2025-01-01T00:00:00.000Z',
    started_at: '2025-01-01T00:00:01.000Z',
    completed_at: '2025-01-01T00:00:05.000Z',
    duration_ms: 5000,
    cost: '0.133',
    nodes_total: 3,
    nodes_completed: 3,
    failure_code: null,
    failure_message: null,
    links: { self: 'x' },
    brand_new_field: { nested: true },
  });
  assert.equal(r.status, 'succeeded');
  assert.equal(r.clientRef, 'ref');
  assert.equal(r.cost, '0.133');
  assert.deepEqual(r.progress, { completed: 3, total: 3 });
  assert.deepEqual(r.output?.outputs, [{ type: 'image', url: 'https://s/1.png', contentType: 'image/png', fileName: '1.png', width: 1024, height: 768 }]);
  assert.equal(r.output?.seed, 42);
  assert.equal(r.failure, undefined);
});

test('both spellings of canceled are accepted and normalised', () => {
  assert.equal(run({ id: 'a', status_code: 'cancelled' }).status, 'canceled');
  assert.equal(run({ id: 'a', status_code: 'canceled' }).status, 'canceled');
  assert.equal(run({ id: 'a', status_code: 'CANCELLED' }).status, 'canceled');
});

test('partial_succeeded stays its own status', () => {
  assert.equal(run({ id: 'a', status_code: 'partial_succeeded', output: { outputs: [] } }).status, 'partial_succeeded');
});

test('failures are read from failure_code/message or the older error object', () => {
  assert.deepEqual(run({ id: 'a', status_code: 'failed', failure_code: 'CONTENT_POLICY', failure_message: 'blocked' }).failure, {
    code: 'CONTENT_POLICY',
    message: 'blocked',
  });
  assert.deepEqual(run({ id: 'a', status_code: 'failed', error: { code: 'TIMEOUT', message: 'took too long' } }).failure, {
    code: 'TIMEOUT',
    message: 'took too long',
  });
  assert.deepEqual(run({ id: 'a', status_code: 'failed', error: { code: 500 } }).failure, { code: '500', message: undefined });
  assert.equal(run({ id: 'a', status_code: 'failed', error: null }).failure, undefined);
});

test('null output, seed, timing and nsfw_detected are tolerated', () => {
  assert.equal(run({ id: 'a', status_code: 'running', output: null }).output, undefined);
  const r = run({
    id: 'a',
    status_code: 'succeeded',
    output: { outputs: [{ url: 'data:image/png;base64,AA' }], seed: null, timing: null, nsfw_detected: null },
  });
  assert.deepEqual(r.output, {
    outputs: [{ type: 'image', url: 'data:image/png;base64,AA', contentType: undefined, fileName: undefined, width: undefined, height: undefined }],
    seed: undefined,
    timing: undefined,
    nsfwDetected: undefined,
  });
});

test('run_id stands in for id, and wrongly typed optional fields read as absent', () => {
  const r = run({ run_id: 'r2', status_code: 'queued', cost: 0.5, nodes_total: 'three', metadata: 'oops', created_at: 7 });
  assert.equal(r.id, 'r2');
  assert.equal(r.cost, '0.5');
  assert.equal(r.progress, undefined);
  assert.equal(r.metadata, undefined);
  assert.equal(r.createdAt, undefined);
});

test('runs without id are reported; a status the client does not know reads as unknown, a failed-sounding one as failed', () => {
  const noId = parseRun({ status_code: 'queued' });
  assert.equal(noId.ok, false);
  assert.equal(parseRun('nope').ok, false);
  assert.deepEqual(
    [run({ id: 'a', status_code: 'warming_up' })].map((r) => [r.status, r.rawStatus]),
    [['unknown', 'warming_up']],
  );
  for (const failed of ['errored', 'ERROR', 'timed_out_failure', 'rejected']) assert.equal(run({ id: 'a', status_code: failed }).status, 'failed', failed);
  for (const canceled of ['cancelled', 'canceled', 'user_cancelled']) assert.equal(run({ id: 'a', status_code: canceled }).status, 'canceled', canceled);
});

test('list, balance and account answers are read tolerantly', () => {
  assert.deepEqual(parseRunListItems({ items: [1, 2], next_pq: null, first: 'x' }), [1, 2]);
  assert.equal(parseRunListItems({ data: [] }), undefined);
  assert.deepEqual(parseBalance({ balance_cents: 12450, currency: 'USD', more: 1 }), { balanceCents: 12450, currency: 'USD' });
  assert.equal(parseBalance({ balance: 1 }), undefined);
  const account = parseAccount({ id: 'usr_1', email: 'a@b.c', name: 'A', organization: { id: 'o' } });
  assert.equal(account?.id, 'usr_1');
  assert.equal(account?.email, 'a@b.c');
  assert.equal(parseAccount({ user: { id: 7, email: 'x@y.z' } })?.id, '7');
});

test('nsfw_detected is read as a flag for the whole run or one per output', async () => {
  const { isFlagged } = await import('../../../src/runflow/schemas');
  const withFlag = (nsfw: unknown) =>
    run({ id: 'a', status_code: 'succeeded', output: { outputs: [{ url: 'https://x/1' }, { url: 'https://x/2' }], nsfw_detected: nsfw } }).output;
  assert.deepEqual([isFlagged(withFlag(true), 0), isFlagged(withFlag(true), 1)], [true, true]);
  assert.deepEqual([isFlagged(withFlag([false, true]), 0), isFlagged(withFlag([false, true]), 1)], [false, true]);
  assert.deepEqual([isFlagged(withFlag(false), 0), isFlagged(withFlag(null), 0), isFlagged(undefined, 0)], [false, false, false]);
});
