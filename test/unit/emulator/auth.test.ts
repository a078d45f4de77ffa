import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { startEmulator, type Emulator } from '../../emulator';
import { call, dataUri, testImage } from './helpers';

const CREATE = '/v1/models/openai/gpt-image-2/edit/runs';

describe('emulator auth and idempotency', () => {
  let emu: Emulator;
  let image: string;
  before(async () => {
    emu = await startEmulator({ modelTimeMs: 100 });
    image = dataUri(await testImage(16, 16));
  });
  after(() => emu.close());

  it('binds to 127.0.0.1 and accepts rf_live_emulator by default', async () => {
    assert.match(emu.baseUrl, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.match(emu.storageUrl, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(emu.apiKey, 'rf_live_emulator');
    const me = await call(emu, 'GET', '/v1/auth/me');
    assert.equal(me.status, 200);
    assert.equal(typeof me.json.id, 'string');
  });

  it('answers 401 UNAUTHORIZED without a key or with a wrong key, on every /v1 route', async () => {
    for (const path of ['/v1/auth/me', '/v1/runs', '/v1/billing/balance', '/v1/runs/x', '/v1/unknown']) {
      for (const authorization of [undefined, 'Bearer rf_live_wrong', 'rf_live_emulator']) {
        const res = await fetch(emu.baseUrl + path, { headers: authorization ? { authorization } : {} });
        assert.equal(res.status, 401, `${path} with ${authorization}`);
        const body = await res.json();
        assert.equal(body.code, 'UNAUTHORIZED');
        assert.equal(typeof body.message, 'string');
      }
    }
    const post = await fetch(emu.baseUrl + CREATE, { method: 'POST', body: JSON.stringify({ input: { prompt: 'p', image_urls: [image] } }) });
    assert.equal(post.status, 401);
    assert.equal(emu.runs().length, 0);
  });

  it('replays the first answer for the same Idempotency-Key and body, without a second run', async () => {
    const key = randomUUID();
    const body = { input: { prompt: 'once', image_urls: [image] }, client_ref: 'idem-1' };
    const first = await call(emu, 'POST', CREATE, body, { 'idempotency-key': key });
    // Same content, different key order: still the same request.
    const again = await call(emu, 'POST', CREATE, { client_ref: 'idem-1', input: { image_urls: [image], prompt: 'once' } }, { 'idempotency-key': key });
    assert.equal(first.status, 201);
    assert.equal(again.status, 201);
    assert.equal(again.json.id, first.json.id);
    assert.equal(again.text, first.text);
    const runs = emu.runs().filter((r) => r.clientRef === 'idem-1');
    assert.equal(runs.length, 1);
    assert.equal(runs[0].idempotencyKey, key);
  });

  it('replays concurrent retries of the same key as one run', async () => {
    const key = randomUUID();
    const body = { input: { prompt: 'concurrent', image_urls: [image] }, client_ref: 'idem-2' };
    const answers = await Promise.all([1, 2, 3].map(() => call(emu, 'POST', CREATE, body, { 'idempotency-key': key })));
    assert.equal(new Set(answers.map((a) => a.json.id)).size, 1);
    assert.equal(emu.runs().filter((r) => r.clientRef === 'idem-2').length, 1);
  });

  it('answers 409 for the same key with a different body', async () => {
    const key = randomUUID();
    await call(emu, 'POST', CREATE, { input: { prompt: 'a', image_urls: [image] } }, { 'idempotency-key': key });
    const conflict = await call(emu, 'POST', CREATE, { input: { prompt: 'b', image_urls: [image] } }, { 'idempotency-key': key });
    assert.equal(conflict.status, 409);
    assert.equal(typeof conflict.json.code, 'string');
  });

  it('creates a new run for every POST without the header', async () => {
    const body = { input: { prompt: 'twice', image_urls: [image] }, client_ref: 'no-key' };
    const a = await call(emu, 'POST', CREATE, body);
    const b = await call(emu, 'POST', CREATE, body);
    assert.notEqual(a.json.id, b.json.id);
  });
});
