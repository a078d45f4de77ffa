import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { startEmulator, type Emulator } from '../../emulator';
import { phaseOf, type Run } from '../../emulator/runs';
import { call, dataUri, fetchBytes, testImage, waitFor, waitTerminal } from './helpers';

const CREATE = '/v1/models/openai/gpt-image-2/edit/runs';

describe('emulator runs', () => {
  let emu: Emulator;
  let image: string;

  before(async () => {
    // The walk and batch tests get a longer model time so each in-flight status lasts long enough to see.
    emu = await startEmulator({ modelTimeMs: (input) => (/^(walk|batch )/.test((input as { prompt: string }).prompt) ? 1500 : 200) });
    image = dataUri(await testImage(64, 48));
  });
  after(() => emu.close());

  it('creates a queued run at once with the whole run object', async () => {
    const res = await call(emu, 'POST', CREATE, {
      input: { prompt: 'make it blue', image_urls: [image] },
      metadata: { source: 'test' },
      client_ref: 'ref-create',
    });
    assert.equal(res.status, 201);
    const run = res.json;
    assert.match(run.id, /^[0-9a-f-]{36}$/);
    assert.equal(run.model_id, 'openai/gpt-image-2/edit');
    assert.equal(run.status_code, 'queued');
    assert.equal(run.output, null);
    assert.deepEqual(run.metadata, { source: 'test' });
    assert.equal(run.client_ref, 'ref-create');
    assert.equal(run.input.prompt, 'make it blue');
    assert.equal(run.input.num_images, 1);
    assert.equal(run.input.output_format, 'png');
    assert.equal(typeof run.created_at, 'string');
    assert.equal(run.completed_at, null);
    assert.equal(run.cost, '0');
    for (const key of ['failure_code', 'failure_message', 'failure_stage_code', 'nodes_total', 'nodes_completed', 'links', 'duration_ms', 'started_at']) {
      assert.ok(key in run, key);
    }
  });

  it('walks queued → dispatching → running → succeeded and records polls and terminalAt', async () => {
    const created = await call(emu, 'POST', CREATE, { input: { prompt: 'walk', image_urls: [image] } });
    const seen: string[] = [created.json.status_code];
    const final = await waitFor(async () => {
      const run = (await call(emu, 'GET', `/v1/runs/${created.json.id}`)).json;
      if (seen.at(-1) !== run.status_code) seen.push(run.status_code);
      return run.status_code === 'succeeded' ? run : undefined;
    });
    // The statuses seen over HTTP come in the walk's order (a loaded machine may poll past a phase
    // of 150 ms); which status each moment of the run has is checked on the emulator's clock.
    const walk = ['queued', 'dispatching', 'running', 'succeeded'];
    assert.deepEqual(
      seen,
      walk.filter((status) => seen.includes(status)),
      `seen in order: ${seen.join(' → ')}`,
    );
    assert.equal(seen[0], 'queued');
    const view = emu.runs().find((r) => r.id === created.json.id);
    assert.ok(view);
    const run = { createdAt: 0, dispatchAt: 0, modelTimeMs: 1000, outcome: 'succeeded', readyAt: 1000 } as Run;
    assert.deepEqual(
      [50, 150, 500, 1000].map((ms) => phaseOf(run, ms).status),
      walk,
    );
    assert.equal(view.status, 'succeeded');
    assert.ok(view.pollCount >= 4);
    assert.ok(view.terminalAt !== undefined && view.terminalAt >= view.createdAt + 1500);
    assert.equal(final.completed_at, new Date(view.terminalAt).toISOString());
    assert.equal(final.duration_ms, view.terminalAt - view.createdAt);
    assert.equal(final.nodes_completed, final.nodes_total);
  });

  it('delivers num_images real, distinct, deterministic images and bills them', async () => {
    const balanceBefore = (await call(emu, 'GET', '/v1/billing/balance')).json;
    assert.equal(balanceBefore.currency, 'USD');
    const input = { prompt: 'variants', image_urls: [image], num_images: 3, output_format: 'webp' };
    const [a, b] = await Promise.all([call(emu, 'POST', CREATE, { input }), call(emu, 'POST', CREATE, { input })]);
    const runA = await waitTerminal(emu, a.json.id);
    const runB = await waitTerminal(emu, b.json.id);
    assert.equal(runA.cost, '0.399');
    assert.equal(runA.output.outputs.length, 3);
    assert.equal(runA.output.nsfw_detected, false);
    const bodiesA = await Promise.all(runA.output.outputs.map((o: { url: string }) => fetchBytes(o.url)));
    const bodiesB = await Promise.all(runB.output.outputs.map((o: { url: string }) => fetchBytes(o.url)));
    for (const [i, body] of bodiesA.entries()) {
      const out = runA.output.outputs[i];
      assert.equal(body.status, 200);
      assert.equal(body.contentType, 'image/webp');
      assert.equal(out.type, 'image');
      assert.equal(out.content_type, 'image/webp');
      const meta = await sharp(body.bytes).metadata();
      assert.equal(meta.format, 'webp');
      assert.deepEqual([meta.width, meta.height, out.width, out.height], [1024, 768, 1024, 768], "auto answers at the model's own size, not the input's");
      assert.ok(body.bytes.equals(bodiesB[i].bytes), 'same request, same pixels');
    }
    assert.ok(!bodiesA[0].bytes.equals(bodiesA[1].bytes) && !bodiesA[1].bytes.equals(bodiesA[2].bytes), 'variants differ');
    const balanceAfter = (await call(emu, 'GET', '/v1/billing/balance')).json;
    // Two runs of three images at $0.133 = 79.8 cents.
    assert.ok(balanceBefore.balance_cents - balanceAfter.balance_cents >= 79);
  });

  it('changes the image visibly', async () => {
    const source = await testImage(32, 32);
    const created = await call(emu, 'POST', CREATE, { input: { prompt: 'visible', image_urls: [dataUri(source)] } });
    const run = await waitTerminal(emu, created.json.id);
    const out = await sharp((await fetchBytes(run.output.outputs[0].url)).bytes)
      .raw()
      .toBuffer();
    const inp = await sharp(source).raw().toBuffer();
    let changed = 0;
    for (let i = 0; i < inp.length; i += 3)
      if (Math.abs(inp[i] - out[i]) + Math.abs(inp[i + 1] - out[i + 1]) + Math.abs(inp[i + 2] - out[i + 2]) > 30) changed++;
    assert.ok(changed > (inp.length / 3) * 0.9, `only ${changed} pixels changed`);
  });

  it('resizes to each preset and encodes the requested format', async () => {
    const presets = {
      square_hd: [1024, 1024],
      square: [512, 512],
      landscape_4_3: [1024, 768],
      landscape_16_9: [1024, 576],
      portrait_4_3: [768, 1024],
      portrait_16_9: [576, 1024],
    } as const;
    const formats = ['jpeg', 'png', 'webp', 'jpeg', 'png', 'webp'] as const;
    const created = await Promise.all(
      Object.keys(presets).map((size, i) =>
        call(emu, 'POST', CREATE, { input: { prompt: 'sizes', image_urls: [image], image_size: size, output_format: formats[i] } }),
      ),
    );
    await Promise.all(
      Object.entries(presets).map(async ([size, [width, height]], i) => {
        const run = await waitTerminal(emu, created[i].json.id);
        const body = await fetchBytes(run.output.outputs[0].url);
        const meta = await sharp(body.bytes).metadata();
        assert.deepEqual([meta.width, meta.height], [width, height], size);
        assert.equal(meta.format, formats[i]);
        assert.equal(run.output.outputs[0].content_type, `image/${formats[i]}`);
      }),
    );
  });

  it('sync_mode returns data URIs and keeps the run out of the list', async () => {
    const created = await call(emu, 'POST', CREATE, {
      input: { prompt: 'sync', image_urls: [image], sync_mode: true, num_images: 2 },
      client_ref: 'ref-sync',
    });
    const run = await waitTerminal(emu, created.json.id);
    for (const out of run.output.outputs) {
      assert.match(out.url, /^data:image\/png;base64,/);
      const meta = await sharp((await fetchBytes(out.url)).bytes).metadata();
      assert.equal(meta.format, 'png');
    }
    const listed = await call(emu, 'GET', '/v1/runs?q=client_ref:ref-sync');
    assert.deepEqual(listed.json.items, []);
  });

  it('lists runs by client_ref and status, newest first, with limit and fields', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      ids.push((await call(emu, 'POST', CREATE, { input: { prompt: `list ${i}`, image_urls: [image] }, client_ref: 'ref-list' })).json.id);
    }
    await call(emu, 'POST', CREATE, { input: { prompt: 'other', image_urls: [image] }, client_ref: 'ref-other' });
    const all = await call(emu, 'GET', '/v1/runs?q=client_ref:ref-list&sort_by=created_at:desc');
    assert.equal(all.status, 200);
    assert.deepEqual(
      all.json.items.map((r: { id: string }) => r.id),
      [...ids].reverse(),
    );
    assert.equal(all.json.next_pq, null);
    assert.equal(all.json.prev_pq, null);

    const none = await call(emu, 'GET', `/v1/runs?${new URLSearchParams({ q: 'client_ref:ref-list AND status_code:succeeded' })}`);
    assert.deepEqual(none.json.items, []);
    await waitTerminal(emu, ids[2]);
    await waitTerminal(emu, ids[0]);
    const done = await call(
      emu,
      'GET',
      `/v1/runs?${new URLSearchParams({ q: 'client_ref:ref-list AND status_code:succeeded', limit: '1', sort_by: 'created_at:asc', fields: 'id,status_code' })}`,
    );
    assert.deepEqual(done.json.items, [{ id: ids[0], status_code: 'succeeded' }]);
  });

  it("filters with the exact-match form client_ref.EQ:'<ref>' and the documented client_ref:<ref>; anything else is a 422", async () => {
    const id = (await call(emu, 'POST', CREATE, { input: { prompt: 'eq', image_urls: [image] }, client_ref: 'ref-eq' })).json.id;
    await call(emu, 'POST', CREATE, { input: { prompt: 'eq other', image_urls: [image] }, client_ref: 'ref-eq-other' });
    for (const q of ["client_ref.EQ:'ref-eq'", 'client_ref:ref-eq', 'client_ref:"ref-eq"']) {
      const found = await call(emu, 'GET', `/v1/runs?${new URLSearchParams({ q })}`);
      assert.deepEqual(
        found.json.items.map((r: { id: string }) => r.id),
        [id],
        q,
      );
    }
    for (const q of ["client_ref.NE:'ref-eq'", 'client_ref=ref-eq', "prompt.EQ:'eq'", "client_ref.EQ:'unclosed"]) {
      const refused = await call(emu, 'GET', `/v1/runs?${new URLSearchParams({ q })}`);
      assert.equal(refused.status, 422, q);
      assert.equal(refused.json.code, 'INVALID_QUERY');
    }
  });

  it('answers 404 RUN_NOT_FOUND for an unknown run and 404 JSON for unknown routes', async () => {
    const missing = await call(emu, 'GET', '/v1/runs/00000000-0000-0000-0000-000000000000');
    assert.equal(missing.status, 404);
    assert.equal(missing.json.code, 'RUN_NOT_FOUND');
    const unknown = await call(emu, 'GET', '/v1/nope');
    assert.equal(unknown.status, 404);
    assert.equal(unknown.json.code, 'NOT_FOUND');
    const outside = await call(emu, 'GET', '/nope');
    assert.equal(outside.status, 404);
    assert.equal(typeof outside.json.message, 'string');
  });

  it('refuses batches for this model with a 422', async () => {
    const before = emu.runs().length;
    const res = await call(emu, 'POST', '/v1/models/openai/gpt-image-2/edit/batches', { input: [{ prompt: 'x', image_urls: [image] }] });
    assert.equal(res.status, 422);
    assert.equal(emu.runs().length, before, 'nothing made');
  });

  it('accept_batches: one run per item with its client_ref; items name no run while it is queued; `concurrency` queues the rest, across batches', async () => {
    const before = emu.runs().length;
    emu.inject({ kind: 'accept_batches', concurrency: 1 });
    try {
      const res = await call(emu, 'POST', '/v1/models/openai/gpt-image-2/edit/batches', {
        input: ['first', 'second'].map((ref) => ({ prompt: `batch ${ref}`, image_urls: [image], client_ref: `batch-${ref}` })),
      });
      assert.equal(res.status, 201);
      assert.equal(res.json.items_total, 2);
      assert.equal(res.json.items, undefined, 'the create names no runs');
      const runs = emu.runs().slice(before);
      assert.deepEqual(
        runs.map((r) => r.clientRef),
        ['batch-first', 'batch-second'],
      );
      // The account's slot is shared: a later batch's run waits behind both.
      const later = await call(emu, 'POST', '/v1/models/openai/gpt-image-2/edit/batches', { input: [{ prompt: 'batch later', image_urls: [image] }] });
      assert.equal(later.status, 201);
      const items = async (id = res.json.id) =>
        (await call(emu, 'GET', `/v1/batches/${id}/items`)).json.items as { run_id: string | null; status_code: string }[];
      assert.deepEqual(
        (await items()).map((i) => i.run_id),
        [null, null],
        'both queued at first',
      );
      // One at a time: the second stays queued while the first runs (1.5 s).
      await waitFor(async () => ((await items())[0].run_id ? true : undefined));
      const [first, second] = await items();
      assert.equal(first.run_id, runs[0].id);
      assert.deepEqual([second.run_id, second.status_code], [null, 'queued']);
      assert.equal((await call(emu, 'GET', `/v1/batches/${res.json.id}`)).json.status_code, 'running');
      // When the second run has started, the later batch's still waits for the slot.
      await waitFor(async () => ((await items())[1].run_id ? true : undefined));
      assert.deepEqual(
        (await items(later.json.id)).map((i) => [i.run_id, i.status_code]),
        [[null, 'queued']],
      );
    } finally {
      emu.reset();
    }
  });
});
