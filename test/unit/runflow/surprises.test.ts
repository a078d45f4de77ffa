// Legitimate but surprising answers from Runflow: statuses the client does not know, output
// entries without a URL, creates whose outcome is unknown, the look-up's filter forms, endless
// Retry-After, huge error bodies and links into a private network. Each once ended in an error or
// a lost run.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, beforeEach, test } from 'node:test';
import { createGzip } from 'node:zlib';
import type { Emulator } from '../../emulator';
import { RunflowClient, RunflowError, type EditInput } from '../../../src/runflow';
import { clientFor, CREATE_PATH, emulator, FAST_KEY, fastDurations, requestsTo, tinyPngUri } from './helpers';

let emu: Emulator;
let input: EditInput;
before(async () => {
  emu = await emulator();
  input = { prompt: 'make it blue', image_urls: [await tinyPngUri()] };
});
after(() => emu.close());
beforeEach(() => emu.reset());

const waitFast = { durations: fastDurations(), durationKey: FAST_KEY };

test('a status the client does not know keeps it polling, and is logged once', async () => {
  emu.inject({ kind: 'run_statuses', inFlight: 'warming_up' });
  const { client, logs } = clientFor(emu);
  const created = await client.createEditRun(input);
  const seen: string[] = [];
  const run = await client.waitForRun(created.id, { ...waitFast, onUpdate: (r) => seen.push(r.status) });
  assert.equal(run.status, 'succeeded');
  assert.ok(seen.includes('unknown'), `the unknown status was reported as such: ${seen.join(', ')}`);
  assert.ok(emu.runs()[0].pollCount >= 2, 'it polled past the unknown status');
  assert.equal(logs.filter((l) => l.includes('"warming_up"')).length, 1, logs.join('\n'));
});

test('"errored" ends the wait as a failure carrying Runflow\'s message', async () => {
  emu.inject([
    { kind: 'run_outcome', outcome: 'failed', failureCode: 'GPU_LOST', failureMessage: 'The worker went away.' },
    { kind: 'run_statuses', terminal: 'errored' },
  ]);
  const { client } = clientFor(emu);
  const created = await client.createEditRun(input);
  const err = await client.waitForRun(created.id, waitFast).catch((e: unknown) => e);
  assert.ok(err instanceof RunflowError && err.kind === 'run_failed', String(err));
  assert.match(err.message, /The worker went away/);
  assert.equal(err.code, 'GPU_LOST');
  assert.equal(err.runId, created.id);
});

test('an output entry without a URL, and a null entry, are skipped: the run still reads', async () => {
  emu.inject({ kind: 'unusable_outputs' });
  const { client } = clientFor(emu);
  const created = await client.createEditRun({ ...input, num_images: 2 });
  const run = await client.waitForRun(created.id, waitFast);
  assert.equal(run.status, 'succeeded');
  assert.equal(run.output?.outputs.length, 1, 'only the entry with a URL is kept');
  const image = await client.fetchOutput(run.output!.outputs[0]);
  assert.equal(image.type, 'png');
});

for (const [name, fault] of [
  ['an unreadable 2xx body', { kind: 'malformed_json', afterHandling: true }],
  ['a 502 from a gateway', { kind: 'status', status: 502, afterHandling: true }],
  ['a 504 from a gateway', { kind: 'status', status: 504, afterHandling: true }],
  ['a 409', { kind: 'status', status: 409, afterHandling: true }],
] as const) {
  test(`${name} on a create that did create a run: looked up by client_ref, that run returned, never posted again`, async () => {
    emu.inject({ ...fault, match: { method: 'POST', path: CREATE_PATH } });
    const { client } = clientFor(emu);
    const run = await client.createEditRun(input, { clientRef: `ref-${fault.kind}` });
    assert.equal(emu.runs().length, 1, 'one run exists');
    assert.equal(run.id, emu.runs()[0].id);
    assert.equal(requestsTo(emu, 'POST', CREATE_PATH).length, 1, 'the create was sent once');
    assert.ok(requestsTo(emu, 'GET', '/v1/runs').length >= 1, 'it looked the run up');
  });
}

test("1. a 500 in Runflow's envelope after the run was made, its Idempotency-Key not replayed: looked up by client_ref, billed once", async () => {
  emu.inject({ kind: 'status', status: 500, afterHandling: true, forgetsKey: true, match: { method: 'POST', path: CREATE_PATH } });
  const { client } = clientFor(emu);
  const run = await client.createEditRun(input, { clientRef: 'ref-500' });
  assert.equal(emu.runs().length, 1, 'one run billed');
  assert.equal(run.id, emu.runs()[0].id);
  assert.equal(requestsTo(emu, 'POST', CREATE_PATH).length, 1, 'not sent again: the look-up found the run');
  assert.equal(requestsTo(emu, 'GET', '/v1/runs')[0]?.query.q, "client_ref.EQ:'ref-500'");
});

test('1. a 500 on a create that made nothing: looked up, then sent again under the same key, one run', async () => {
  emu.inject({ kind: 'status', status: 500, match: { method: 'POST', path: CREATE_PATH } });
  const { client } = clientFor(emu);
  const run = await client.createEditRun(input, { idempotencyKey: 'key-500' });
  assert.deepEqual(emu.requests.map((r) => `${r.method} ${r.path}`).slice(0, 3), [`POST ${CREATE_PATH}`, 'GET /v1/runs', `POST ${CREATE_PATH}`]);
  assert.equal(emu.runs().length, 1);
  assert.equal(run.id, emu.runs()[0].id);
});

test('a 504 on a create that did not create anything: looked up, then posted again with the same key', async () => {
  emu.inject({ kind: 'status', status: 504, match: { method: 'POST', path: CREATE_PATH } });
  const { client } = clientFor(emu);
  const run = await client.createEditRun(input, { idempotencyKey: 'key-504' });
  const posts = requestsTo(emu, 'POST', CREATE_PATH);
  assert.deepEqual(
    posts.map((p) => p.headers['idempotency-key']),
    ['key-504', 'key-504'],
  );
  assert.deepEqual(emu.requests.map((r) => `${r.method} ${r.path}`).slice(0, 3), [`POST ${CREATE_PATH}`, 'GET /v1/runs', `POST ${CREATE_PATH}`]);
  assert.equal(emu.runs().length, 1);
  assert.equal(run.id, emu.runs()[0].id);
});

test('when the look-up itself fails, the create is retried with the same Idempotency-Key: still one run', async () => {
  emu.inject([
    { kind: 'reset', match: { method: 'POST', path: CREATE_PATH }, when: 'after' },
    { kind: 'status', match: { method: 'GET', path: '/v1/runs' }, status: 503, times: 50 },
  ]);
  const { client } = clientFor(emu);
  const run = await client.createEditRun(input, { idempotencyKey: 'key-lookup-fails' });
  const posts = requestsTo(emu, 'POST', CREATE_PATH);
  assert.equal(posts.length, 2, 'posted again once the look-up could not tell');
  assert.ok(posts.every((p) => p.headers['idempotency-key'] === 'key-lookup-fails'));
  assert.equal(emu.runs().length, 1, 'the replay did not create a second run');
  assert.equal(run.id, emu.runs()[0].id);
});

test("the look-up sends client_ref.EQ:'<ref>' first", async () => {
  const { client } = clientFor(emu);
  const created = await client.createEditRun(input, { clientRef: 'ref-eq' });
  const found = await client.findRunByClientRef('ref-eq');
  assert.equal(found?.id, created.id);
  const searches = requestsTo(emu, 'GET', '/v1/runs').filter((r) => r.path === '/v1/runs');
  assert.deepEqual(
    searches.map((r) => r.query.q),
    ["client_ref.EQ:'ref-eq'"],
  );
});

test('the look-up falls back to client_ref:<ref> when the API answers the EQ form with a 4xx', async () => {
  const { client } = clientFor(emu);
  const created = await client.createEditRun(input, { clientRef: 'ref-fallback' });
  emu.inject({ kind: 'status', match: { method: 'GET', path: '/v1/runs' }, status: 422, code: 'INVALID_QUERY' });
  const found = await client.findRunByClientRef('ref-fallback');
  assert.equal(found?.id, created.id);
  const searches = requestsTo(emu, 'GET', '/v1/runs').filter((r) => r.path === '/v1/runs');
  assert.deepEqual(
    searches.map((r) => [r.query.q, r.status]),
    [
      ["client_ref.EQ:'ref-fallback'", 422],
      ['client_ref:ref-fallback', 200],
    ],
  );
});

test('Retry-After is honoured only up to the backoff cap, and the wait is reported', async () => {
  emu.inject({ kind: 'status', match: { method: 'POST', path: CREATE_PATH }, status: 429, retryAfterSec: 3600 });
  const waits: number[] = [];
  const { client } = clientFor(emu, { retry: { baseDelayMs: 5, maxDelayMs: 40 }, onRetryWait: (w) => waits.push(w.delayMs) });
  await client.createEditRun(input);
  assert.deepEqual(waits, [40], 'a 3600 s Retry-After waits the 40 ms cap');
  assert.equal(emu.runs().length, 1);
});

/** A server answering 400 with a gzip body that never ends (hostile or broken). */
async function endlessGzipServer(): Promise<{ server: Server; url: string; sent: () => number }> {
  let sent = 0;
  const server = createServer((_req, res) => {
    res.writeHead(400, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
    const gzip = createGzip();
    gzip.pipe(res);
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    const pump = (): void => {
      while (!res.destroyed && gzip.write(chunk)) sent += chunk.length;
      if (!res.destroyed) gzip.once('drain', pump);
    };
    res.on('close', () => gzip.destroy());
    pump();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  assert.ok(address && typeof address === 'object');
  return { server, url: `http://127.0.0.1:${address.port}`, sent: () => sent };
}

test('an error body is read only up to 64 KB after decompression: an endless one still ends in its error', async () => {
  const hostile = await endlessGzipServer();
  try {
    const client = new RunflowClient({ baseUrl: hostile.url, apiKey: 'rf_live_x', requestTimeoutMs: 20_000, retry: { maxAttempts: 1 } });
    const err = await client.getRun('r1').catch((e: unknown) => e);
    assert.ok(err instanceof RunflowError, String(err));
    assert.equal(err.kind, 'bad_request', `ended by the cap, not by a time-out: ${err.message}`);
    assert.ok(err.message.length < 1000, 'the message carries an excerpt only');
  } finally {
    hostile.server.closeAllConnections();
    hostile.server.close();
  }
});

/** A client for a public-looking API whose answers are given: the real service cannot run here. */
function publicApiClient(answers: Record<string, unknown>): { client: RunflowClient; fetched: string[] } {
  const fetched: string[] = [];
  const client = new RunflowClient({
    baseUrl: 'https://api.runflow.test',
    apiKey: 'rf_live_x',
    retry: { maxAttempts: 1 },
    fetch: async (url) => {
      fetched.push(url);
      const path = new URL(url).pathname;
      const body = answers[path];
      if (body === undefined) return new Response('{"code":"NOT_FOUND","message":"no"}', { status: 404 });
      return new Response(JSON.stringify(body), { status: 201, headers: { 'content-type': 'application/json' } });
    },
  });
  return { client, fetched };
}

for (const link of ['https://10.0.0.7/out.png', 'https://169.254.169.254/latest/meta-data', 'https://[fd00::1]/x.png', 'http://127.0.0.1:9/x.png']) {
  test(`an output link into the local network (${link}) is refused before anything is fetched, when the API is public`, async () => {
    const { client, fetched } = publicApiClient({});
    const err = await client.fetchOutput({ type: 'image', url: link }).catch((e: unknown) => e);
    assert.ok(err instanceof RunflowError && err.kind === 'insecure_url', String(err));
    assert.deepEqual(fetched, []);
  });
}

test('an upload link into the local network is refused before the PUT, when the API is public', async () => {
  const { client, fetched } = publicApiClient({ '/v1/asset-uploads': { asset_id: 'a1', upload_url: 'https://192.168.1.5/put?sig=1' } });
  const big = new Uint8Array(2 * 1024 * 1024);
  big.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const err = await client.toInputUrl(big, 'big.png').catch((e: unknown) => e);
  assert.ok(err instanceof RunflowError && err.kind === 'insecure_url', String(err));
  assert.deepEqual(
    fetched.map((u) => new URL(u).host),
    ['api.runflow.test'],
    'only the upload slot was asked for',
  );
});

test('with the API on loopback (the emulator), loopback output links are fetched', async () => {
  const { client } = clientFor(emu);
  const created = await client.createEditRun(input);
  const run = await client.waitForRun(created.id, waitFast);
  assert.match(run.output!.outputs[0].url, /^http:\/\/127\.0\.0\.1:/);
  assert.equal((await client.fetchOutput(run.output!.outputs[0])).type, 'png');
});
