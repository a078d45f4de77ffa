import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startEmulator, type Emulator, type LoggedRequest } from '../../emulator';
import { call, dataUri, testImage, waitTerminal } from './helpers';

const CREATE = '/v1/models/openai/gpt-image-2/edit/runs';

describe('emulator request log and admin routes', () => {
  let emu: Emulator;
  before(async () => {
    emu = await startEmulator({ modelTimeMs: 0 });
  });
  after(() => emu.close());

  it('records every request on both origins with verbatim headers, status and runId', async () => {
    const png = await testImage(8, 8);
    const created = await call(emu, 'POST', CREATE, { input: { prompt: 'log', image_urls: [dataUri(png)] } }, { 'X-Trace-Id': 'AbC-123' });
    const run = await waitTerminal(emu, created.json.id);
    await fetch(run.output.outputs[0].url);
    const upload = (await call(emu, 'POST', '/v1/asset-uploads', { filename: 'a.png', mime_type: 'image/png', size_bytes: png.length })).json;
    await fetch(upload.upload_url, { method: 'PUT', headers: { 'content-type': 'image/png' }, body: new Uint8Array(png) });
    await call(emu, 'GET', '/v1/runs?limit=5');

    const post = emu.requests.find((r) => r.method === 'POST' && r.path === CREATE);
    assert.ok(post);
    assert.equal(post.origin, 'api');
    assert.equal(post.status, 201);
    assert.equal(post.runId, run.id);
    assert.equal(post.headers.authorization, 'Bearer rf_live_emulator');
    assert.equal(post.headers['x-trace-id'], 'AbC-123');
    assert.equal(typeof post.at, 'number');

    const poll = emu.requests.find((r) => r.method === 'GET' && r.path === `/v1/runs/${run.id}`);
    assert.equal(poll?.runId, run.id);
    assert.equal(poll?.status, 200);

    const storage = emu.requests.filter((r) => r.origin === 'storage');
    assert.deepEqual(
      storage.map((r) => [r.method, r.status]),
      [
        ['GET', 200],
        ['PUT', 200],
      ],
    );
    assert.equal(storage[0].runId, run.id);
    assert.equal(storage[1].headers.authorization, undefined);
    assert.equal(typeof storage[1].query.signature, 'string');

    const list = emu.requests.find((r) => r.path === '/v1/runs');
    assert.deepEqual(list?.query, { limit: '5' });
  });

  it('serves the log and runs over HTTP without logging admin calls, and resets', async () => {
    const before = emu.requests.length;
    const logged = (await (await fetch(`${emu.baseUrl}/__emulator/requests`)).json()) as LoggedRequest[];
    assert.equal(logged.length, before);
    const runs = (await (await fetch(`${emu.baseUrl}/__emulator/runs`)).json()) as Array<{ id: string; pollCount: number; terminalAt: number }>;
    assert.equal(runs.length, 1);
    assert.ok(runs[0].pollCount >= 1);
    assert.equal(typeof runs[0].terminalAt, 'number');
    assert.equal(emu.requests.length, before);

    const requests = emu.requests;
    const reset = await fetch(`${emu.baseUrl}/__emulator/reset`, { method: 'POST' });
    assert.equal(reset.status, 200);
    assert.equal(emu.runs().length, 0);
    assert.equal(requests.length, 0);
    await call(emu, 'GET', '/v1/auth/me');
    assert.equal(requests.length, 1, 'the same array keeps collecting after a reset');
  });
});
