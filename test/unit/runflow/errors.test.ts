import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RunflowError } from '../../../src/runflow';
import { errorFromResponse, kindForStatus, makeRedactor, parseErrorBody } from '../../../src/runflow/errors';

const noRedact = (s: string): string => s;

test('HTTP statuses map to error kinds', () => {
  const expected: [number, string][] = [
    [400, 'bad_request'],
    [401, 'unauthorized'],
    [402, 'insufficient_credit'],
    [403, 'forbidden'],
    [404, 'not_found'],
    [409, 'conflict'],
    [422, 'validation'],
    [429, 'rate_limited'],
    [500, 'server'],
    [502, 'server'],
    [503, 'server'],
  ];
  for (const [status, kind] of expected) assert.equal(kindForStatus(status), kind, `HTTP ${status}`);
});

test('only transient kinds are retryable', () => {
  const retryable = (status: number): boolean => errorFromResponse(status, '{}', null, noRedact).retryable;
  assert.deepEqual([400, 401, 402, 403, 404, 409, 422].map(retryable), Array(7).fill(false));
  assert.deepEqual([429, 500, 503].map(retryable), [true, true, true]);
});

test('messages tell the user what to do', () => {
  const e401 = errorFromResponse(401, '{"code":"UNAUTHORIZED","message":"Missing or invalid API key."}', null, noRedact);
  assert.match(e401.message, /rejected the API key.*Set your Runflow API key again/);
  assert.equal(e401.code, 'UNAUTHORIZED');
  const e402 = errorFromResponse(402, '{"code":"INSUFFICIENT_CREDIT","message":"no credit"}', null, noRedact);
  assert.match(e402.message, /out of credit.*app\.runflow\.io\/settings\/billing/);
  const e503 = errorFromResponse(503, '{"code":"MODEL_UNAVAILABLE","message":"Model warming up"}', null, noRedact);
  assert.match(e503.message, /Try again/);
  assert.match(e503.message, /Model warming up/);
  assert.equal(e503.status, 503);
});

test('a 422 names the bad fields', () => {
  const body = JSON.stringify({
    code: 'VALIDATION_ERROR',
    message: 'Invalid input',
    errors: [
      { field: 'input.prompt', code: 'required', message: 'prompt is required.' },
      { field: 'input.num_images', code: 'out_of_range', message: 'num_images must be 1 to 4.', extra: true },
    ],
  });
  const e = errorFromResponse(422, body, null, noRedact);
  assert.equal(e.kind, 'validation');
  assert.deepEqual(e.fieldErrors, [
    { field: 'input.prompt', code: 'required', message: 'prompt is required.' },
    { field: 'input.num_images', code: 'out_of_range', message: 'num_images must be 1 to 4.' },
  ]);
  assert.match(e.message, /input\.prompt: prompt is required\..*input\.num_images/);
});

test('Retry-After in seconds is kept for 429 only', () => {
  assert.equal(errorFromResponse(429, '{}', '3', noRedact).retryAfterMs, 3000);
  assert.equal(errorFromResponse(429, '{}', null, noRedact).retryAfterMs, undefined);
  assert.equal(errorFromResponse(429, '{}', 'soon', noRedact).retryAfterMs, undefined);
  assert.equal(errorFromResponse(503, '{}', '3', noRedact).retryAfterMs, undefined);
});

test('non-JSON bodies fall back to short plain text', () => {
  const html = `<html><head><title>502 Bad Gateway</title></head><body><h1>Bad   Gateway</h1>${'x'.repeat(1000)}</body></html>`;
  const parsed = parseErrorBody(html);
  assert.ok(parsed.message?.startsWith('502 Bad Gateway Bad Gateway'));
  assert.ok(parsed.message!.length <= 201);
  assert.equal(parseErrorBody('   ').message, undefined);
  const e = errorFromResponse(400, 'plain words', null, noRedact);
  assert.equal(e.kind, 'bad_request');
  assert.match(e.message, /plain words/);
});

test('the key is redacted from anything the server echoes', () => {
  const key = 'rf_live_supersecret123';
  const redact = makeRedactor(key);
  const e = errorFromResponse(400, `{"message":"bad header Authorization: Bearer ${key}"}`, null, redact);
  assert.ok(!e.message.includes(key));
  assert.ok(!e.message.includes('supersecret'));
  assert.equal(redact(`key=${key}; other rf_test_abc_def`), 'key=[redacted]; other [redacted]');
});

test('RunflowError is an Error with its details', () => {
  const e = new RunflowError('run_failed', 'failed', { code: 'CONTENT_POLICY', runId: 'r1' });
  assert.ok(e instanceof Error);
  assert.equal(e.name, 'RunflowError');
  assert.equal(e.retryable, false);
  assert.equal(new RunflowError('network', 'down').retryable, true);
});

test('backoff is full jitter, doubling from the base, capped', async () => {
  const { backoffDelay, DEFAULT_RETRY } = await import('../../../src/runflow/retry');
  assert.equal(
    backoffDelay(1, DEFAULT_RETRY, () => 0.999_999),
    999,
  );
  assert.equal(
    backoffDelay(3, DEFAULT_RETRY, () => 0.999_999),
    3999,
  );
  assert.equal(
    backoffDelay(10, DEFAULT_RETRY, () => 0.999_999),
    31_999,
  );
  assert.equal(
    backoffDelay(4, DEFAULT_RETRY, () => 0),
    0,
  );
  assert.equal(DEFAULT_RETRY.maxAttempts, 5);
});

test("a 402 links to Runflow's billing page and a 403 names the scopes a key needs and where keys live", () => {
  const credit = errorFromResponse(402, '{"code":"INSUFFICIENT_CREDIT","message":"no credit"}', null, (s) => s);
  assert.match(credit.message, /https:\/\/app\.runflow\.io\/settings\/billing/);
  const denied = errorFromResponse(403, '{"code":"PERMISSION_DENIED","message":"missing scope"}', null, (s) => s);
  assert.match(denied.message, /runs:create, runs:read, assets:create/);
  assert.match(denied.message, /https:\/\/app\.runflow\.io\/settings\/api-keys \(Settings → API Keys\)/);
  assert.doesNotMatch(denied.message, /verify/i, 'no guess about e-mail verification');
});
