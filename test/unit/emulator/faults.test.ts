import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { startEmulator, type Emulator } from '../../emulator';
import { call, dataUri, fetchBytes, testImage, waitTerminal } from './helpers';

const CREATE = '/v1/models/openai/gpt-image-2/edit/runs';

describe('emulator faults', () => {
  let emu: Emulator;
  let image: string;
  const create = (extra: Record<string, unknown> = {}, clientRef?: string) =>
    call(emu, 'POST', CREATE, { input: { prompt: 'fault', image_urls: [image], ...extra }, client_ref: clientRef });

  before(async () => {
    emu = await startEmulator({ modelTimeMs: 0 });
    image = dataUri(await testImage(24, 24));
  });
  afterEach(() => emu.reset());
  after(() => emu.close());

  it('status: answers the error JSON `times` times, with Retry-After, then recovers', async () => {
    const run = await create();
    emu.inject({ kind: 'status', match: { method: 'GET', path: '/v1/runs/*' }, status: 503, retryAfterSec: 2, times: 2 });
    for (let i = 0; i < 2; i++) {
      const res = await call(emu, 'GET', `/v1/runs/${run.json.id}`);
      assert.equal(res.status, 503);
      assert.equal(res.headers.get('retry-after'), '2');
      assert.equal(res.json.code, 'MODEL_UNAVAILABLE');
      assert.equal(typeof res.json.message, 'string');
    }
    // The prefix match does not cover the list route, and the fault is used up.
    assert.equal((await call(emu, 'GET', '/v1/runs')).status, 200);
    assert.equal((await call(emu, 'GET', `/v1/runs/${run.json.id}`)).status, 200);
  });

  it('status: uses the given code and message, and does not run the handler', async () => {
    emu.inject({ kind: 'status', match: { path: CREATE }, status: 429, code: 'RATE_LIMITED', message: 'slow down' });
    const res = await create();
    assert.equal(res.status, 429);
    assert.deepEqual(res.json, { code: 'RATE_LIMITED', message: 'slow down', errors: null });
    assert.equal(emu.runs().length, 0);
  });

  it('reset before: the connection drops and nothing is created', async () => {
    emu.inject({ kind: 'reset', match: { method: 'POST', path: CREATE }, when: 'before' });
    await assert.rejects(create());
    assert.equal(emu.runs().length, 0);
  });

  it('reset after: the run IS created but the client never sees the answer', async () => {
    emu.inject({ kind: 'reset', match: { method: 'POST', path: CREATE }, when: 'after' });
    await assert.rejects(create({}, 'lost-answer'));
    const runs = emu.runs();
    assert.equal(runs.length, 1);
    assert.equal(runs[0].clientRef, 'lost-answer');
    const logged = emu.requests.find((r) => r.method === 'POST' && r.path === CREATE);
    assert.equal(logged?.runId, runs[0].id);
    // The client can find it by client_ref.
    const found = await call(emu, 'GET', '/v1/runs?q=client_ref:lost-answer');
    assert.equal(found.json.items[0].id, runs[0].id);
  });

  it('delay: answers late', async () => {
    emu.inject({ kind: 'delay', match: { path: '/v1/auth/me' }, ms: 300 });
    const started = Date.now();
    assert.equal((await call(emu, 'GET', '/v1/auth/me')).status, 200);
    assert.ok(Date.now() - started >= 290);
  });

  it('latencyMs: every API answer comes late', async () => {
    const slow = await startEmulator({ latencyMs: 200 });
    try {
      const started = Date.now();
      assert.equal((await call(slow, 'GET', '/v1/auth/me')).status, 200);
      assert.ok(Date.now() - started >= 190);
    } finally {
      await slow.close();
    }
  });

  it('malformed_json: 200 with a truncated JSON body', async () => {
    emu.inject({ kind: 'malformed_json', match: { path: '/v1/runs/*' } });
    const res = await call(emu, 'GET', '/v1/runs/whatever');
    assert.equal(res.status, 200);
    assert.equal(res.json, undefined);
    assert.throws(() => JSON.parse(res.text));
  });

  it('non_json_error: an error status with a text/html body', async () => {
    emu.inject({ kind: 'non_json_error', match: { path: '/v1/*' }, status: 502, body: '<html>Bad Gateway</html>' });
    const res = await call(emu, 'GET', '/v1/auth/me');
    assert.equal(res.status, 502);
    assert.match(res.headers.get('content-type') ?? '', /text\/html/);
    assert.equal(res.text, '<html>Bad Gateway</html>');
  });

  it('run_outcome failed: failure fields, no outputs, not billed', async () => {
    emu.inject([
      { kind: 'run_outcome', outcome: 'failed' },
      { kind: 'run_outcome', outcome: 'failed', failureCode: 'MODEL_ERROR', failureMessage: 'boom' },
    ]);
    const a = await waitTerminal(emu, (await create()).json.id);
    assert.equal(a.status_code, 'failed');
    assert.equal(a.failure_code, 'CONTENT_POLICY');
    assert.equal(a.failure_message, 'The request was rejected by the safety system.');
    assert.equal(a.output, null);
    assert.equal(a.cost, '0');
    const b = await waitTerminal(emu, (await create()).json.id);
    assert.deepEqual([b.failure_code, b.failure_message], ['MODEL_ERROR', 'boom']);
    const c = await waitTerminal(emu, (await create()).json.id);
    assert.equal(c.status_code, 'succeeded');
  });

  it('run_outcome cancelled / canceled: the status keeps the spelling asked for', async () => {
    emu.inject([
      { kind: 'run_outcome', outcome: 'cancelled' },
      { kind: 'run_outcome', outcome: 'canceled' },
    ]);
    const a = await waitTerminal(emu, (await create()).json.id);
    const b = await waitTerminal(emu, (await create()).json.id);
    assert.equal(a.status_code, 'cancelled');
    assert.equal(b.status_code, 'canceled');
    assert.equal(a.output, null);
  });

  it('run_outcome partial_succeeded: one output fewer than asked', async () => {
    emu.inject({ kind: 'run_outcome', outcome: 'partial_succeeded', times: 2 });
    const three = await waitTerminal(emu, (await create({ num_images: 3 })).json.id);
    assert.equal(three.status_code, 'partial_succeeded');
    assert.equal(three.output.outputs.length, 2);
    assert.equal(three.cost, '0.266');
    const one = await waitTerminal(emu, (await create()).json.id);
    assert.equal(one.output.outputs.length, 0);
  });

  it('expire_outputs: every output link answers 403 from then on', async () => {
    const run = await waitTerminal(emu, (await create()).json.id);
    assert.equal((await fetchBytes(run.output.outputs[0].url)).status, 200);
    emu.inject({ kind: 'expire_outputs' });
    assert.equal((await fetchBytes(run.output.outputs[0].url)).status, 403);
    assert.equal((await fetchBytes(run.output.outputs[0].url)).status, 403);
  });

  it('output_body: not_image serves junk, oversize a huge body', async () => {
    const run = await waitTerminal(emu, (await create()).json.id);
    const url = run.output.outputs[0].url;
    emu.inject([
      { kind: 'output_body', body: 'not_image' },
      { kind: 'output_body', body: 'oversize' },
    ]);
    const junk = await fetchBytes(url);
    assert.equal(junk.status, 200);
    await assert.rejects(sharp(junk.bytes).metadata());
    const controller = new AbortController();
    const huge = await fetch(url, { signal: controller.signal });
    assert.ok(Number(huge.headers.get('content-length')) > 100 * 1024 * 1024);
    controller.abort();
    const fine = await fetchBytes(url);
    assert.equal((await sharp(fine.bytes).metadata()).format, 'png');
  });

  it('upload_put_status: the next presigned PUT answers that status', async () => {
    const png = await testImage(8, 8);
    const upload = (await call(emu, 'POST', '/v1/asset-uploads', { filename: 'a.png', mime_type: 'image/png', size_bytes: png.length })).json;
    emu.inject({ kind: 'upload_put_status', status: 503 });
    const put = () => fetch(upload.upload_url, { method: 'PUT', headers: { 'content-type': 'image/png' }, body: new Uint8Array(png) });
    assert.equal((await put()).status, 503);
    assert.equal((await put()).status, 200);
  });

  it('matches on origin', async () => {
    const run = await waitTerminal(emu, (await create()).json.id);
    emu.inject({ kind: 'status', match: { origin: 'storage' }, status: 500 });
    assert.equal((await call(emu, 'GET', '/v1/auth/me')).status, 200);
    assert.equal((await fetchBytes(run.output.outputs[0].url)).status, 500);
  });

  it('are injected over HTTP too, and a bad fault is refused with 400', async () => {
    const post = (body: unknown) =>
      fetch(`${emu.baseUrl}/__emulator/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const ok = await post([{ kind: 'status', match: { path: '/v1/auth/me' }, status: 500 }, { kind: 'expire_outputs' }]);
    assert.equal(ok.status, 200);
    assert.equal((await call(emu, 'GET', '/v1/auth/me')).status, 500);
    assert.equal((await post({ kind: 'status', match: {} })).status, 400);
    assert.equal((await post({ kind: 'nonsense' })).status, 400);
  });

  it('reset() clears armed faults', async () => {
    emu.inject({ kind: 'status', match: {}, status: 500, times: 100 });
    emu.reset();
    assert.equal((await call(emu, 'GET', '/v1/auth/me')).status, 200);
  });

  it('output links expire after outputUrlTtlMs', async () => {
    const short = await startEmulator({ modelTimeMs: 0, outputUrlTtlMs: 200 });
    try {
      const created = await call(short, 'POST', CREATE, { input: { prompt: 'ttl', image_urls: [image] } });
      const run = await waitTerminal(short, created.json.id);
      const url = run.output.outputs[0].url;
      let status = (await fetchBytes(url)).status;
      const deadline = Date.now() + 3000;
      while (status === 200 && Date.now() < deadline) status = (await fetchBytes(url)).status;
      assert.equal(status, 403);
      const fresh = (await call(short, 'GET', `/v1/runs/${created.json.id}`)).json.output.outputs[0].url;
      assert.notEqual(fresh, url, 'a fresh read of the run signs a fresh link');
      assert.equal((await fetchBytes(fresh)).status, 200);
    } finally {
      await short.close();
    }
  });
});
