// Runflow's batch route through the client, against the emulator: refused by default (422, nothing
// made), accepted when asked, each item's run named even though the answers carry no run ids or
// client_refs at first, and a dropped answer repeated under the same Idempotency-Key.
import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import type { Emulator } from '../../emulator';
import { DurationModel, RunflowError, type BatchItemRequest } from '../../../src/runflow';
import { BatchCreator } from '../../../src/runflow/batchCreator';
import { clientFor, emulator, tinyPngUri } from './helpers';

const BATCH_PATH = '/v1/models/openai/gpt-image-2/edit/batches';
let emu: Emulator;
let items: BatchItemRequest[];
before(async () => {
  emu = await emulator();
  const image = await tinyPngUri();
  items = ['a', 'b', 'c'].map((ref) => ({ clientRef: `ref-${ref}`, input: { prompt: `make ${ref} blue`, image_urls: [image] } }));
});
after(() => emu.close());
beforeEach(() => emu.reset());

const batchPosts = () => emu.requests.filter((r) => r.method === 'POST' && r.path === BATCH_PATH);

test('a model Runflow does not batch: accepted false, one request, no run made', async () => {
  const { client } = clientFor(emu);
  const created = await client.createEditBatch(items);
  assert.equal(created.accepted, false);
  assert.equal(!created.accepted && created.refusal.status, 422);
  assert.equal(batchPosts().length, 1, 'a 422 is not retried');
  assert.equal(emu.runs().length, 0);
});

test('an accepted batch: one run per item, each named by its client_ref', async () => {
  emu.inject({ kind: 'accept_batches' });
  const { client } = clientFor(emu);
  const created = await client.createEditBatch(items, { idempotencyKey: 'batch-key-1' });
  assert.ok(created.accepted);
  const runs = emu.runs();
  assert.equal(runs.length, 3);
  for (const item of items) {
    const run = runs.find((r) => r.clientRef === item.clientRef);
    assert.equal(created.runIds.get(item.clientRef), run?.id, item.clientRef);
    assert.equal(run?.idempotencyKey, 'batch-key-1');
    assert.equal((run?.input as { prompt: string }).prompt, item.input.prompt);
  }
  // The items named no client_ref: one list of the newest runs matched them all.
  assert.equal(emu.requests.filter((r) => r.method === 'GET' && r.path === '/v1/runs').length, 1);
  assert.equal(emu.requests.filter((r) => r.method === 'GET' && r.path.startsWith('/v1/runs/')).length, 0);
});

test('when the list of new runs fails, each run is read by its id to learn its client_ref', async () => {
  emu.inject([{ kind: 'accept_batches' }, { kind: 'status', match: { method: 'GET', path: '/v1/runs' }, status: 500, times: 20 }]);
  const { client } = clientFor(emu);
  const named: string[] = [];
  const created = await client.createEditBatch(items, { onNamed: (ref) => named.push(ref) });
  assert.ok(created.accepted);
  assert.deepEqual(
    [...named].sort(),
    items.map((i) => i.clientRef),
  );
  for (const run of emu.runs()) assert.equal(created.runIds.get(run.clientRef!), run.id);
  const reads = emu.requests.filter((r) => r.method === 'GET' && r.path.startsWith('/v1/runs/'));
  assert.deepEqual(new Set(reads.map((r) => r.path)).size, 3);
});

test('a dropped answer: sent again with the same Idempotency-Key, and the runs are made once', async () => {
  emu.inject([{ kind: 'accept_batches' }, { kind: 'reset', match: { method: 'POST', path: BATCH_PATH }, when: 'after' }]);
  const { client } = clientFor(emu);
  const created = await client.createEditBatch(items);
  assert.ok(created.accepted);
  assert.deepEqual(
    batchPosts().map((r) => r.status),
    [0, 201],
  );
  assert.equal(batchPosts()[0].headers['idempotency-key'], batchPosts()[1].headers['idempotency-key']);
  assert.equal(emu.runs().length, 3);
  assert.equal(created.runIds.size, 3);
});

test('a bad item fails the whole batch with its position named, and makes nothing', async () => {
  emu.inject({ kind: 'accept_batches' });
  const { client } = clientFor(emu);
  const bad = [...items, { clientRef: 'ref-bad', input: { prompt: '', image_urls: items[0].input.image_urls } }];
  const created = await client.createEditBatch(bad);
  assert.ok(!created.accepted, 'a 422 means nothing was made: the caller creates single runs, which name the field again');
  assert.ok(created.refusal instanceof RunflowError);
  assert.deepEqual(
    created.refusal.fieldErrors?.map((f) => f.field),
    ['input.3.prompt'],
  );
  assert.equal(emu.runs().length, 0);
});

test('BatchCreator: creates queued together go out as one batch; after a refusal, none is sent again', async () => {
  emu.inject({ kind: 'accept_batches' });
  const { client } = clientFor(emu);
  const creator = new BatchCreator({ client, signal: new AbortController().signal, lingerMs: 50 });
  const sent: string[] = [];
  const answers = await Promise.all(items.map((item) => creator.create(item, () => sent.push(item.clientRef))));
  assert.deepEqual(
    sent,
    items.map((i) => i.clientRef),
  );
  assert.equal(batchPosts().length, 1);
  const runs = emu.runs();
  assert.deepEqual(
    answers,
    items.map((item) => ({ made: true, runId: runs.find((r) => r.clientRef === item.clientRef)?.id })),
  );

  emu.reset();
  const refusing = new BatchCreator({ client, signal: new AbortController().signal, lingerMs: 50 });
  assert.deepEqual(await refusing.create(items[0], () => undefined), { made: false });
  assert.equal(refusing.accepting, false);
  assert.deepEqual(await refusing.create(items[1], () => assert.fail('nothing is sent after a refusal')), { made: false });
  assert.equal(batchPosts().length, 1);
});

test("BatchCreator: the first batch goes out once the first lanes' worth of creates are queued, the next ones full", async () => {
  emu.inject({ kind: 'accept_batches' });
  const { client } = clientFor(emu);
  const creator = new BatchCreator({ client, signal: new AbortController().signal, lingerMs: 60_000, firstBatchItems: 2, maxItems: 3 });
  const five = ['a', 'b', 'c', 'd', 'e'].map((ref) => ({ ...items[0], clientRef: `first-${ref}` }));
  const answers = five.map((item) => creator.create(item, () => undefined));
  creator.flush(); // the last, partial batch
  assert.ok((await Promise.all(answers)).every((a) => a.made));
  // The two batch POSTs are in flight together, so the emulator may make either batch's runs first.
  const batches = new Map<string | undefined, string[]>();
  for (const run of emu.runs()) batches.set(run.idempotencyKey, [...(batches.get(run.idempotencyKey) ?? []), run.clientRef!]);
  assert.deepEqual(
    [...batches.values()].map((refs) => refs.sort()).sort((a, b) => a.length - b.length),
    [
      ['first-a', 'first-b'],
      ['first-c', 'first-d', 'first-e'],
    ],
  );
});

test("waiting learns the queue of a run created alone, not of a batch's runs (they also wait for its slots)", async () => {
  emu.inject({ kind: 'accept_batches', concurrency: 1 });
  const { client } = clientFor(emu);
  const durations = new DurationModel();
  const created = await client.createEditBatch(items);
  assert.ok(created.accepted);
  for (const id of created.runIds.values()) await client.waitForRun(id, { durations, durationKey: 'k' });
  assert.equal(durations.samples('k').length, 3, 'their durations are learned');
  assert.equal(durations.shortestQueue('k'), 0, 'their queues are not');
  const alone = await client.createEditRun(items[0].input);
  const done = await client.waitForRun(alone.id, { durations, durationKey: 'k' });
  assert.equal(durations.shortestQueue('k'), Date.parse(done.startedAt!) - Date.parse(done.createdAt!));
  assert.ok(durations.shortestQueue('k') > 0);
});
