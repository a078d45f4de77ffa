import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { startEmulator, type Emulator } from '../../emulator';
import { call, fetchBytes, testImage, waitFor, waitTerminal } from './helpers';

const CREATE = '/v1/models/openai/gpt-image-2/edit/runs';

async function requestUpload(emu: Emulator, bytes: Buffer, mime = 'image/png') {
  const res = await call(emu, 'POST', '/v1/asset-uploads', { filename: 'photo.png', mime_type: mime, size_bytes: bytes.length });
  assert.equal(res.status, 201, res.text);
  return res.json as { asset_id: string; upload_url: string };
}

const put = (url: string, bytes: Buffer, headers: Record<string, string> = { 'content-type': 'image/png' }) =>
  fetch(url, { method: 'PUT', headers, body: new Uint8Array(bytes) });

describe('emulator asset uploads', () => {
  let emu: Emulator;
  let png: Buffer;
  before(async () => {
    emu = await startEmulator({ modelTimeMs: 0, uploadUrlTtlMs: 300 });
    png = await testImage(40, 30);
  });
  after(() => emu.close());

  it('runs the three steps and accepts asset.url and runflow://assets/{id} as inputs', async () => {
    const upload = await requestUpload(emu, png);
    assert.ok(upload.upload_url.startsWith(emu.storageUrl), 'the presigned URL is on the storage origin');
    assert.notEqual(emu.storageUrl, emu.baseUrl);
    const stored = await put(upload.upload_url, png);
    assert.equal(stored.status, 200);
    const confirmed = await call(emu, 'POST', `/v1/asset-uploads/${upload.asset_id}/confirmations`, {});
    assert.equal(confirmed.status, 201);
    const asset = confirmed.json;
    assert.equal(asset.id, upload.asset_id);
    assert.equal(asset.name, 'photo.png');
    assert.equal(asset.mime_type, 'image/png');
    assert.equal(asset.size_bytes, png.length);
    assert.equal(typeof asset.created_at, 'string');
    assert.ok((await fetchBytes(asset.url)).bytes.equals(png));

    for (const url of [asset.url, `runflow://assets/${asset.id}`]) {
      const created = await call(emu, 'POST', CREATE, { input: { prompt: 'from asset', image_urls: [url], image_size: 'square' } });
      assert.equal(created.status, 201, created.text);
      const run = await waitTerminal(emu, created.json.id);
      const meta = await sharp((await fetchBytes(run.output.outputs[0].url)).bytes).metadata();
      assert.deepEqual([meta.width, meta.height], [512, 512]);
    }
  });

  it('rejects an Authorization header on the presigned PUT with 400', async () => {
    const upload = await requestUpload(emu, png);
    const res = await put(upload.upload_url, png, { 'content-type': 'image/png', authorization: `Bearer ${emu.apiKey}` });
    assert.equal(res.status, 400);
  });

  it('checks Content-Type and size on the PUT, and refuses confirmation before the upload', async () => {
    const upload = await requestUpload(emu, png);
    assert.equal((await put(upload.upload_url, png, { 'content-type': 'image/jpeg' })).status, 400);
    assert.equal((await put(upload.upload_url, png.subarray(1))).status, 400);
    assert.equal((await put(upload.upload_url, Buffer.concat([png, Buffer.from('x')]))).status, 400);
    const early = await call(emu, 'POST', `/v1/asset-uploads/${upload.asset_id}/confirmations`, {});
    assert.equal(early.status, 409);
    assert.equal((await call(emu, 'POST', '/v1/asset-uploads/nope/confirmations', {})).status, 404);
  });

  it('answers 403 once the presigned URL expired, or when it was tampered with', async () => {
    const upload = await requestUpload(emu, png);
    assert.equal((await put(upload.upload_url.replace(/signature=../, 'signature=00'), png)).status, 403);
    const expired = await waitFor(
      async () => {
        const res = await put(upload.upload_url, png);
        return res.status === 403 ? res : undefined;
      },
      3000,
      'the upload URL to expire',
    );
    assert.match(await expired.text(), /expired/);
  });

  it('validates the upload request: size, MIME type, filename', async () => {
    const tooBig = await call(emu, 'POST', '/v1/asset-uploads', { filename: 'a.png', mime_type: 'image/png', size_bytes: 52_428_801 });
    assert.equal(tooBig.status, 422);
    assert.ok(tooBig.json.errors.some((e: { field?: string }) => e.field === 'size_bytes'));
    const maxSize = await call(emu, 'POST', '/v1/asset-uploads', { filename: 'a.png', mime_type: 'image/png', size_bytes: 52_428_800 });
    assert.equal(maxSize.status, 201);
    const gif = await call(emu, 'POST', '/v1/asset-uploads', { filename: 'a.gif', mime_type: 'image/gif', size_bytes: 10 });
    assert.equal(gif.status, 422);
    const noName = await call(emu, 'POST', '/v1/asset-uploads', { mime_type: 'image/png', size_bytes: 10 });
    assert.equal(noName.status, 422);
  });

  it('lists the accepted asset types', async () => {
    const res = await call(emu, 'GET', '/v1/assets/types');
    assert.equal(res.status, 200);
    const mimes = res.json.items.map((t: { mime_type: string }) => t.mime_type).sort();
    assert.deepEqual(mimes, ['image/jpeg', 'image/png', 'image/webp']);
  });
});
