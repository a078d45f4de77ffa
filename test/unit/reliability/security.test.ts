// Security at the client level: output links that point somewhere odd are refused before any
// request, redirects may not lead to another scheme or into a private network, and the key is
// redacted from everything the extension logs (the log channel itself cannot be read by a test
// in the editor, so src/platform/log.ts's `redact` is proven here).
import '../../support/vscodeStub';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RunflowClient, RunflowError } from '../../../src/runflow';
import { Log, redact } from '../../../src/platform/log';
import { KEY, png, Tally } from './helpers';

const tally = new Tally('security-unit');
process.on('exit', () => console.log(tally.line()));

/** A client whose transport is a recorder: no network, every URL it was asked for is kept. */
function recordingClient(
  answer: (url: string) => Response,
  baseUrl = 'https://api.runflow.io',
): { client: RunflowClient; urls: string[]; headers: Record<string, string>[] } {
  const urls: string[] = [];
  const headers: Record<string, string>[] = [];
  const client = new RunflowClient({
    baseUrl,
    apiKey: KEY,
    retry: { baseDelayMs: 1, maxDelayMs: 2 },
    fetch: async (url, init) => {
      urls.push(url);
      headers.push(Object.fromEntries(Object.entries((init.headers ?? {}) as Record<string, string>).map(([k, v]) => [k.toLowerCase(), v])));
      return answer(url);
    },
  });
  return { client, urls, headers };
}

const output = (url: string) => ({ type: 'image' as const, url });

for (const url of [
  'file:///etc/passwd',
  'http://example.com/out.png',
  'http://10.0.0.5/out.png',
  'ftp://example.com/out.png',
  'javascript:alert(1)',
  'not a url',
]) {
  test(`an output URL ${JSON.stringify(url)} is refused without any request`, async () => {
    const { client, urls } = recordingClient(() => new Response('x'));
    await assert.rejects(client.fetchOutput(output(url)), (e: RunflowError) => e.kind === 'insecure_url' && !e.message.includes(KEY));
    assert.deepEqual(urls, []);
    tally.badInputs++;
  });
}

const PRIVATE_TARGETS = [
  'http://169.254.169.254/latest/meta-data/',
  'https://169.254.169.254/latest/meta-data/',
  'https://10.0.0.7/out.png',
  'https://172.16.4.2/out.png',
  'https://192.168.1.10/out.png',
  'https://127.0.0.1:8080/out.png',
  'http://localhost:8080/out.png',
  'https://[::1]/out.png',
  'https://[fd12:3456::1]/out.png',
  'https://[fe80::1]/out.png',
  'https://0.0.0.0/out.png',
  'https://[::ffff:10.0.0.1]/out.png',
  'file:///etc/passwd',
];

for (const target of PRIVATE_TARGETS) {
  test(`a signed output link redirecting to ${target} is refused, the target never requested`, async () => {
    const start = 'https://storage.runflow.example/outputs/abc/image.png?sig=1';
    const image = new Uint8Array(await png());
    const { client, urls } = recordingClient((url) =>
      url === start ? new Response(null, { status: 302, headers: { location: target } }) : new Response(image, { headers: { 'content-type': 'image/png' } }),
    );
    await assert.rejects(client.fetchOutput(output(start)), (e: RunflowError) => e.kind === 'insecure_url');
    assert.deepEqual(urls, [start], 'only the first link was requested');
    tally.faults++;
  });
}

test('a redirect to another public https host is followed, without the key', async () => {
  const start = 'https://storage.runflow.example/outputs/abc/image.png?sig=1';
  const next = 'https://cdn.runflow.example/abc/image.png?sig=2';
  const image = new Uint8Array(await png());
  const { client, urls, headers } = recordingClient((url) =>
    url === start ? new Response(null, { status: 302, headers: { location: next } }) : new Response(image),
  );
  const { type } = await client.fetchOutput(output(start));
  assert.equal(type, 'png');
  assert.deepEqual(urls, [start, next]);
  for (const h of headers) assert.equal(h.authorization, undefined, 'no key to storage hosts');
});

test('the key goes only to the API origin as a bearer header', async () => {
  const { client, urls, headers } = recordingClient(
    () => new Response(JSON.stringify({ id: 'acc', email: 'a@b.c' }), { headers: { 'content-type': 'application/json' } }),
  );
  await client.checkKey();
  assert.equal(new URL(urls[0]).origin, 'https://api.runflow.io');
  assert.equal(headers[0].authorization, `Bearer ${KEY}`);
  assert.ok(!urls[0].includes(KEY), 'never in a URL');
});

test('redact() removes the key, any rf_ key and bearer tokens from log lines and messages', () => {
  const lines = [
    `Authorization: Bearer ${KEY}`,
    `request failed for key ${KEY} at https://api.runflow.io`,
    'a different key rf_test_abcDEF123_xyz was pasted',
    'a connect-flow key rfk_9fQ2xLm0Zp3TvB8w was pasted',
    `url https://api.runflow.io/v1/runs?key=${KEY}&x=1`,
    `{"authorization":"Bearer sk-something-else"}`,
  ];
  for (const line of lines) {
    const out = redact(line);
    assert.ok(!out.includes(KEY), out);
    assert.ok(!/rf_(live|test)_|rfk_/.test(out), out);
    assert.ok(!/Bearer\s+(?!\[redacted\])/.test(out), out);
    tally.scan(out);
  }
  // A custom secret that does not look like a key is removed when registered.
  assert.equal(redact('token=hunter2-secret', ['hunter2-secret']), 'token=[redacted]');
});

test('Log.write redacts known secrets and key-shaped text before the channel sees it', () => {
  const seen: string[] = [];
  const log = new Log();
  // The stub channel's methods are replaced to capture what reaches the output channel.
  const channel = (log as unknown as { channel: Record<string, (m: string) => void> }).channel;
  for (const level of ['trace', 'debug', 'info', 'warn', 'error']) channel[level] = (m: string) => seen.push(m);
  log.addSecret('custom-secret-value');
  log.write('error', `failed with custom-secret-value and ${KEY}`);
  log.write('info', `Bearer ${KEY}`);
  assert.equal(seen.length, 2);
  assert.equal(tally.scan(...seen), 0);
  assert.ok(!seen.join('\n').includes('custom-secret-value'));
});

test('client log lines and error messages never contain the key, even when the server echoes it', async () => {
  const logs: string[] = [];
  const client = new RunflowClient({
    baseUrl: 'https://api.runflow.io',
    apiKey: KEY,
    retry: { maxAttempts: 1 },
    log: (_l, m) => logs.push(m),
    fetch: async () => new Response(JSON.stringify({ code: 'FORBIDDEN', message: `key ${KEY} may not do this (Bearer ${KEY})` }), { status: 403 }),
  });
  const error = await client.getBalance().catch((e: RunflowError) => e);
  assert.ok(error instanceof RunflowError);
  assert.equal(tally.scan(error.message, ...logs), 0, error.message);
});

test('a loopback link may redirect on loopback (the local emulator), so the check does not break local testing', async () => {
  const start = 'http://127.0.0.1:8787/outputs/abc/image.png?sig=1';
  const next = 'http://127.0.0.1:8788/outputs/abc/image.png?sig=2';
  const image = new Uint8Array(await png());
  const { client, urls } = recordingClient(
    (url) => (url === start ? new Response(null, { status: 307, headers: { location: next } }) : new Response(image)),
    'http://127.0.0.1:8786',
  );
  assert.equal((await client.fetchOutput(output(start))).type, 'png');
  assert.deepEqual(urls, [start, next]);
});
