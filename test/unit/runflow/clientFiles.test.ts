// Input uploads and output downloads against the emulator's API and storage origins.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, test } from 'node:test';
import type { Emulator } from '../../emulator';
import { INLINE_INPUT_LIMIT, MAX_INPUT_BYTES, RunflowClient, RunflowError, type Run } from '../../../src/runflow';
import { clientFor, emulator, FAST_KEY, fastDurations, pngShapedBytes, requestsTo, tinyPngUri } from './helpers';

let emu: Emulator;
before(async () => {
  emu = await emulator();
});
after(() => emu.close());
beforeEach(() => emu.reset());

const kindOf = (kind: string) => (e: unknown) => e instanceof RunflowError && e.kind === kind;

async function finishedRun(client: RunflowClient, extra: { sync_mode?: boolean } = {}): Promise<Run> {
  const run = await client.createEditRun({ prompt: 'p', image_urls: [await tinyPngUri()], ...extra });
  return client.waitForRun(run.id, { durations: fastDurations(), durationKey: FAST_KEY });
}

test('an input just under 1 MiB goes inline as a data: URI without any request', async () => {
  const { client } = clientFor(emu);
  const input = await client.toInputUrl(pngShapedBytes(INLINE_INPUT_LIMIT - 1), 'photo.png');
  assert.ok(input.url.startsWith('data:image/png;base64,iVBORw0KGgo'));
  assert.equal(input.signedUrl, undefined);
  assert.equal(emu.requests.length, 0);
});

test('an input of 1 MiB or more is uploaded in three steps and sent as its runflow://assets/ reference; the PUT carries no Authorization', async () => {
  const { client } = clientFor(emu);
  const input = await client.toInputUrl(pngShapedBytes(INLINE_INPUT_LIMIT + 1), 'dir/photo.png');
  assert.match(input.url, /^runflow:\/\/assets\/[0-9a-f-]{36}$/);
  assert.ok(input.signedUrl?.startsWith(emu.storageUrl), input.signedUrl);
  const steps = emu.requests.map((r) => `${r.origin} ${r.method} ${r.path.replace(/[0-9a-f-]{36}/, 'ID')}`);
  assert.deepEqual(steps, ['api POST /v1/asset-uploads', 'storage PUT /uploads/ID', 'api POST /v1/asset-uploads/ID/confirmations']);
  const put = emu.requests[1];
  assert.equal(put.headers.authorization, undefined);
  assert.equal(put.headers['content-type'], 'image/png');
  assert.equal(put.status, 200);
});

test('a 403 on the PUT (expired link) redoes the upload from step 1 once', async () => {
  emu.inject({ kind: 'upload_put_status', status: 403 });
  const { client } = clientFor(emu);
  const input = await client.toInputUrl(pngShapedBytes(INLINE_INPUT_LIMIT * 2), 'big.png');
  assert.match(input.url, /^runflow:\/\/assets\//);
  assert.equal(requestsTo(emu, 'POST', '/v1/asset-uploads').filter((r) => !r.path.endsWith('/confirmations')).length, 2);
  assert.deepEqual(
    requestsTo(emu, 'PUT', '/uploads/').map((r) => r.status),
    [403, 200],
  );
  assert.equal(emu.requests.filter((r) => r.path.endsWith('/confirmations')).length, 1);
});

test('a PUT refused twice is reported, not retried forever', async () => {
  emu.inject({ kind: 'upload_put_status', status: 403, times: 5 });
  const { client } = clientFor(emu);
  await assert.rejects(client.toInputUrl(pngShapedBytes(INLINE_INPUT_LIMIT * 2), 'big.png'), kindOf('forbidden'));
  assert.equal(requestsTo(emu, 'PUT', '/uploads/').length, 2);
});

test('an input over 50 MiB is refused with sizes in MB, before any request', async () => {
  const { client } = clientFor(emu);
  const err = await client.toInputUrl(pngShapedBytes(MAX_INPUT_BYTES + 1), 'huge.png').catch((e: unknown) => e);
  assert.ok(kindOf('too_large')(err));
  assert.match((err as Error).message, /50\.0 MB/);
  assert.match((err as Error).message, /huge\.png/);
  assert.equal(emu.requests.length, 0);
});

test('bytes that are not an image are refused, whatever the file name says', async () => {
  const { client } = clientFor(emu);
  await assert.rejects(client.toInputUrl(new TextEncoder().encode('hello'), 'fake.png'), kindOf('not_an_image'));
  assert.equal(emu.requests.length, 0);
});

test('a 422 on the upload request names the field', async () => {
  emu.inject({ kind: 'status', match: { path: '/v1/asset-uploads' }, status: 422, code: 'VALIDATION_ERROR', message: 'mime_type unsupported' });
  const { client } = clientFor(emu);
  await assert.rejects(client.toInputUrl(pngShapedBytes(INLINE_INPUT_LIMIT), 'x.png'), kindOf('validation'));
});

test('a full edit: the key never reaches the storage host, nor any message or log', async () => {
  const { client, logs } = clientFor(emu);
  await client.toInputUrl(pngShapedBytes(INLINE_INPUT_LIMIT + 10), 'in.png');
  const run = await finishedRun(client);
  const { bytes, type } = await client.fetchOutput(run.output!.outputs[0]);
  assert.equal(type, 'png');
  assert.ok(bytes.length > 100);
  const storage = emu.requests.filter((r) => r.origin === 'storage');
  assert.ok(storage.some((r) => r.method === 'GET') && storage.some((r) => r.method === 'PUT'));
  const leaks = storage.filter((r) => JSON.stringify(r).includes(emu.apiKey));
  assert.equal(leaks.length, 0);
  assert.ok(logs.length > 0 && logs.every((l) => !l.includes(emu.apiKey)));
  // And an error whose body echoes the key does not repeat it.
  emu.inject({ kind: 'non_json_error', match: { path: '/v1/billing/balance' }, status: 400, body: `bad key ${emu.apiKey}` });
  const err = await client.getBalance().catch((e: unknown) => e);
  assert.ok(err instanceof RunflowError && !err.message.includes(emu.apiKey), String(err));
});

test('sync_mode outputs are data: URIs and decode without a request', async () => {
  const { client } = clientFor(emu);
  const run = await finishedRun(client, { sync_mode: true });
  assert.ok(run.output!.outputs[0].url.startsWith('data:'));
  const before = emu.requests.length;
  assert.equal((await client.fetchOutput(run.output!.outputs[0])).type, 'png');
  assert.equal(emu.requests.length, before);
});

test('expired output links say so', async () => {
  const { client } = clientFor(emu);
  const run = await finishedRun(client);
  emu.inject({ kind: 'expire_outputs' });
  const err = await client.fetchOutput(run.output!.outputs[0]).catch((e: unknown) => e);
  assert.ok(kindOf('expired_output')(err));
  assert.match((err as Error).message, /no longer serves this result link/);
  assert.doesNotMatch((err as Error).message, /\d+ (days|hours)/, 'no lifetime is claimed');
});

test('an output that is not an image is refused', async () => {
  const { client } = clientFor(emu);
  const run = await finishedRun(client);
  emu.inject({ kind: 'output_body', body: 'not_image' });
  await assert.rejects(client.fetchOutput(run.output!.outputs[0]), kindOf('not_an_image'));
});

test('an oversize output is refused without downloading it', async () => {
  const { client } = clientFor(emu);
  const run = await finishedRun(client);
  emu.inject({ kind: 'output_body', body: 'oversize' });
  const started = Date.now();
  await assert.rejects(client.fetchOutput(run.output!.outputs[0]), kindOf('too_large'));
  assert.ok(Date.now() - started < 2000);
});

test('the size cap also holds while streaming a body of unknown length', async () => {
  const chunk = new Uint8Array(64 * 1024);
  let sent = 0;
  const endless = new ReadableStream<Uint8Array>({
    pull(controller) {
      sent += chunk.length;
      controller.enqueue(chunk);
    },
  });
  const client = new RunflowClient({ baseUrl: 'https://api.example', apiKey: 'k', fetch: async () => new Response(endless, { status: 200 }) });
  await assert.rejects(client.fetchOutput({ type: 'image', url: 'https://files.example/x.png' }, { maxBytes: 1_000_000 }), kindOf('too_large'));
  assert.ok(sent < 2_000_000, `stopped early (${sent} bytes)`);
});

test('output links must be https or loopback http, also after redirects', async () => {
  const { client } = clientFor(emu);
  for (const url of ['http://example.com/x.png', 'file:///etc/passwd', 'ftp://x/y.png', 'javascript:alert(1)']) {
    await assert.rejects(client.fetchOutput({ type: 'image', url }), kindOf('insecure_url'), url);
  }
  const redirector = createServer((_req, res) => {
    res.writeHead(302, { location: 'http://example.com/stolen.png' });
    res.end();
  });
  await new Promise<void>((resolve) => redirector.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = redirector.address() as AddressInfo;
    await assert.rejects(client.fetchOutput({ type: 'image', url: `http://127.0.0.1:${port}/a.png` }), kindOf('insecure_url'));
  } finally {
    redirector.closeAllConnections();
    await new Promise((resolve) => redirector.close(resolve));
  }
});

test('a download that stalls times out', async () => {
  const stall = createServer(() => undefined);
  await new Promise<void>((resolve) => stall.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = stall.address() as AddressInfo;
    const { client } = clientFor(emu);
    await assert.rejects(client.fetchOutput({ type: 'image', url: `http://127.0.0.1:${port}/a.png` }, { timeoutMs: 200 }), kindOf('timeout'));
  } finally {
    stall.closeAllConnections();
    await new Promise((resolve) => stall.close(resolve));
  }
});

test('7. a storage link whose name resolves into a private network or to the cloud metadata address is refused, as a literal one is', async () => {
  for (const address of ['169.254.169.254', '10.1.2.3', '127.0.0.1', 'fd00::1']) {
    const asked: string[] = [];
    const client = new RunflowClient({
      baseUrl: 'https://api.runflow.test',
      apiKey: 'rf_live_storage_guard_test',
      retry: { maxAttempts: 1 },
      resolveHost: async (hostname) => {
        asked.push(hostname);
        return [{ address, family: address.includes(':') ? 6 : 4 }];
      },
    });
    const err = await client.fetchOutput({ type: 'image', url: 'https://cdn.runflow.test/out.png' }).catch((e: unknown) => e);
    assert.ok(err instanceof RunflowError && err.kind === 'insecure_url', `${address}: ${String(err)}`);
    assert.match(err.message, new RegExp(`cdn\\.runflow\\.test.*${address.replace(/\./g, '\\.')}`));
    assert.deepEqual(asked, ['cdn.runflow.test'], 'the name was resolved once, by the guard');
  }
});
