// Key check, balance, URL policy and error mapping against the emulator over real HTTP.
import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import type { Emulator } from '../../emulator';
import { RunflowClient, RunflowError } from '../../../src/runflow';
import { clientFor, emulator } from './helpers';

let emu: Emulator;
before(async () => {
  emu = await emulator();
});
after(() => emu.close());
beforeEach(() => emu.reset());

test('checkKey returns the account for a valid key', async () => {
  const { client } = clientFor(emu);
  const account = await client.checkKey();
  assert.equal(account.id, 'usr_emulator');
  assert.equal(account.email, 'emulator@runflow.local');
  const [req] = emu.requests;
  assert.equal(req.path, '/v1/auth/me');
  assert.equal(req.headers.authorization, `Bearer ${emu.apiKey}`);
});

test('a rejected key gives unauthorized, not retried, without echoing the key', async () => {
  const badKey = 'rf_live_wrong_key_123';
  const { client, logs } = clientFor(emu, { apiKey: badKey });
  const err = await client.checkKey().catch((e: unknown) => e);
  assert.ok(err instanceof RunflowError);
  assert.equal(err.kind, 'unauthorized');
  assert.equal(err.status, 401);
  assert.equal(err.retryable, false);
  assert.match(err.message, /Set your Runflow API key again/);
  assert.ok(!err.message.includes(badKey));
  assert.ok(logs.every((l) => !l.includes(badKey)));
  assert.equal(emu.requests.length, 1);
});

test('getBalance reads cents and currency', async () => {
  const { client } = clientFor(emu);
  const balance = await client.getBalance();
  assert.equal(balance.currency, 'USD');
  assert.ok(Number.isInteger(balance.balanceCents));
});

test('base URLs must be https, or http only to loopback', () => {
  const make = (baseUrl: string) => () => new RunflowClient({ baseUrl, apiKey: 'k' });
  for (const ok of ['https://api.runflow.io', 'http://127.0.0.1:8787', 'http://127.5.6.7', 'http://localhost:1', 'http://[::1]:9']) {
    assert.doesNotThrow(make(ok), ok);
  }
  for (const bad of ['http://api.runflow.io', 'http://10.0.0.1', 'ftp://x', 'file:///etc', 'not a url', 'http://127.0.0.1.evil.com']) {
    assert.throws(make(bad), (e: unknown) => e instanceof RunflowError && e.kind === 'insecure_url', bad);
  }
});

const statusCases: [number, string, string][] = [
  [400, 'bad_request', 'BAD_REQUEST'],
  [402, 'insufficient_credit', 'INSUFFICIENT_CREDIT'],
  [403, 'forbidden', 'EMAIL_NOT_VERIFIED'],
  [404, 'not_found', 'RUN_NOT_FOUND'],
  [409, 'conflict', 'CONFLICT'],
  [422, 'validation', 'VALIDATION_ERROR'],
];
for (const [status, kind, code] of statusCases) {
  test(`HTTP ${status} becomes '${kind}' and is not retried`, async () => {
    emu.inject({ kind: 'status', match: { path: '/v1/billing/balance' }, status, code, message: `injected ${status}` });
    const { client } = clientFor(emu);
    const err = await client.getBalance().catch((e: unknown) => e);
    assert.ok(err instanceof RunflowError);
    assert.equal(err.kind, kind);
    assert.equal(err.status, status);
    assert.equal(err.code, code);
    assert.equal(err.retryable, false);
    assert.equal(emu.requests.length, 1);
    if (kind === 'insufficient_credit') assert.match(err.message, /app\.runflow\.io\/settings\/billing/);
  });
}

test('5xx is retried up to maxAttempts, then reported as server', async () => {
  emu.inject({ kind: 'status', match: { path: '/v1/billing/balance' }, status: 503, code: 'MODEL_UNAVAILABLE', times: 10 });
  const { client } = clientFor(emu);
  const err = await client.getBalance().catch((e: unknown) => e);
  assert.ok(err instanceof RunflowError && err.kind === 'server' && err.retryable);
  assert.equal(emu.requests.length, 5);
});

test('429 without Retry-After backs off briefly and succeeds', async () => {
  emu.inject({ kind: 'status', match: { path: '/v1/billing/balance' }, status: 429, code: 'RATE_LIMITED', times: 2 });
  const { client } = clientFor(emu);
  await client.getBalance();
  assert.equal(emu.requests.length, 3);
  assert.ok(emu.requests[2].at - emu.requests[0].at < 500);
});

test('429 with Retry-After waits that long', async () => {
  emu.inject({ kind: 'status', match: { path: '/v1/billing/balance' }, status: 429, code: 'RATE_LIMITED', retryAfterSec: 1 });
  const { client } = clientFor(emu, { retry: { baseDelayMs: 5, maxDelayMs: 32_000 } });
  await client.getBalance();
  assert.equal(emu.requests.length, 2);
  assert.ok(emu.requests[1].at - emu.requests[0].at >= 990, `${emu.requests[1].at - emu.requests[0].at} ms`);
});

test('a Retry-After beyond the retry budget is not waited out past the deadline', async () => {
  // waitForRun's deadline bounds every retry of its polls.
  emu.inject({ kind: 'status', match: { path: '/v1/runs/*' }, status: 429, retryAfterSec: 30, times: 5 });
  const { client } = clientFor(emu);
  const started = Date.now();
  const err = await client.waitForRun('00000000-0000-0000-0000-000000000000', { timeoutMs: 300 }).catch((e: unknown) => e);
  assert.ok(err instanceof RunflowError && err.kind === 'timeout', String(err));
  assert.ok(Date.now() - started < 2000);
});

test('a non-JSON error body falls back to its text', async () => {
  emu.inject({
    kind: 'non_json_error',
    match: { path: '/v1/billing/balance' },
    status: 400,
    body: '<html><body><h1>Request blocked by proxy</h1></body></html>',
  });
  const { client } = clientFor(emu);
  const err = await client.getBalance().catch((e: unknown) => e);
  assert.ok(err instanceof RunflowError && err.kind === 'bad_request');
  assert.match(err.message, /Request blocked by proxy/);
  assert.ok(!err.message.includes('<h1>'));
});

test('a 502 HTML page is retried like any 5xx', async () => {
  emu.inject({ kind: 'non_json_error', match: { path: '/v1/billing/balance' }, status: 502, body: '<html>Bad Gateway</html>' });
  const { client } = clientFor(emu);
  await client.getBalance();
  assert.equal(emu.requests.length, 2);
});

test('malformed JSON on a read is retried', async () => {
  emu.inject({ kind: 'malformed_json', match: { path: '/v1/billing/balance' } });
  const { client } = clientFor(emu);
  const balance = await client.getBalance();
  assert.ok(balance.balanceCents > 0);
  assert.equal(emu.requests.length, 2);
});

test('a dropped connection on a read is retried', async () => {
  emu.inject({ kind: 'reset', match: { path: '/v1/billing/balance' }, when: 'before' });
  const { client } = clientFor(emu);
  await client.getBalance();
  assert.equal(emu.requests.filter((r) => r.path === '/v1/billing/balance').length, 2);
});

test('a slow answer times out per request and the read is retried', async () => {
  emu.inject({ kind: 'delay', match: { path: '/v1/billing/balance' }, ms: 1000 });
  const { client } = clientFor(emu, { requestTimeoutMs: 150 });
  const started = Date.now();
  await client.getBalance();
  assert.ok(Date.now() - started < 900);
});

test('a read that keeps timing out is reported as timeout', async () => {
  emu.inject({ kind: 'delay', match: { path: '/v1/billing/balance' }, ms: 1000, times: 5 });
  const { client } = clientFor(emu, { requestTimeoutMs: 60, retry: { maxAttempts: 2, baseDelayMs: 1 } });
  const err = await client.getBalance().catch((e: unknown) => e);
  assert.ok(err instanceof RunflowError && err.kind === 'timeout', String(err));
});

test('an unreachable server is a network error', async () => {
  const closed = await emulator();
  const url = closed.baseUrl;
  await closed.close();
  const client = new RunflowClient({ baseUrl: url, apiKey: 'rf_live_x', retry: { maxAttempts: 2, baseDelayMs: 1 } });
  const err = await client.getBalance().catch((e: unknown) => e);
  assert.ok(err instanceof RunflowError && err.kind === 'network', String(err));
  assert.match(err.message, /connection/);
});

test('an aborted signal stops a request at once', async () => {
  emu.inject({ kind: 'delay', match: { path: '/v1/billing/balance' }, ms: 2000 });
  const { client } = clientFor(emu);
  const controller = new AbortController();
  const started = Date.now();
  const pending = client.getBalance(controller.signal).catch((e: unknown) => e);
  setTimeout(() => controller.abort(), 30);
  const err = await pending;
  assert.ok(err instanceof RunflowError && err.kind === 'aborted', String(err));
  assert.ok(Date.now() - started < 500);
});
