// Issue 25, point 6: Runflow's words, read in every shape it (or its SDK, its staff, its reference)
// documents: error bodies flat, nested under `error` and with a `detail` list; `failure_reason` as a
// last fallback; `auth/me`'s first and last name; `rfk_` keys redacted like `rf_live_` ones; the
// API-keys page; a balance given as a decimal string.
import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import type { Emulator } from '../../emulator';
import { RunflowError } from '../../../src/runflow';
import { parseAccount, parseBalance, parseRun } from '../../../src/runflow/schemas';
import { API_KEYS_URL } from '../../../src/runflow/accountLinks';
import { errorFromResponse, makeRedactor } from '../../../src/runflow/errors';
import { randomBytes } from 'node:crypto';
import sharp from 'sharp';
import { clientFor, emulator, tinyPngUri } from './helpers';

let emu: Emulator;
before(async () => {
  emu = await emulator();
});
after(() => emu.close());
beforeEach(() => emu.reset());

const noRedaction = (s: string): string => s;

test("6. an error nested under `error` (the shape of Runflow's SDK) keeps the server's code and message", async () => {
  const parsed = errorFromResponse(404, JSON.stringify({ error: { code: 'RUN_NOT_FOUND', message: 'Run r-1 was not found.' } }), null, noRedaction);
  assert.equal(parsed.code, 'RUN_NOT_FOUND');
  assert.match(parsed.message, /Run r-1 was not found\./);

  emu.inject({ kind: 'error_shape', shape: 'nested' });
  const { client } = clientFor(emu);
  const err = await client.getRun('no-such-run').catch((e: unknown) => e);
  assert.ok(err instanceof RunflowError && err.kind === 'not_found', String(err));
  assert.equal(err.code, 'RUN_NOT_FOUND');
  assert.match(err.message, /Run no-such-run was not found\./);
});

test('6. a 422 with a `detail` list names each field and its message', async () => {
  const body = { detail: [{ loc: ['body', 'input', 'prompt'], msg: 'field required', type: 'missing' }] };
  const parsed = errorFromResponse(422, JSON.stringify(body), null, noRedaction);
  assert.deepEqual(parsed.fieldErrors, [{ field: 'input.prompt', code: 'missing', message: 'field required' }]);

  emu.inject({ kind: 'error_shape', shape: 'detail' });
  const { client } = clientFor(emu);
  const err = await client.createEditRun({ prompt: '', image_urls: [await tinyPngUri()] }).catch((e: unknown) => e);
  assert.ok(err instanceof RunflowError && err.kind === 'validation', String(err));
  assert.deepEqual(
    err.fieldErrors?.map((f) => f.field),
    ['input.prompt'],
  );
  assert.equal(emu.runs().length, 0);
});

test('6. a failed run that gives only `failure_reason` is read with it', () => {
  const parsed = parseRun({ id: 'r-2', status: 'failed', failure_reason: 'The upstream model refused the image.' });
  assert.ok(parsed.ok);
  assert.equal(parsed.run.failure?.message, 'The upstream model refused the image.');
});

test("6. auth/me's first_name and last_name make the account's name", () => {
  assert.equal(parseAccount({ id: 'u-1', first_name: 'Ada', last_name: 'Lovelace', email: 'ada@example.com' })?.name, 'Ada Lovelace');
  assert.equal(parseAccount({ id: 'u-2', first_name: 'Ada' })?.name, 'Ada');
});

test("6. rfk_ keys are redacted like rf_live_ ones in the client's messages (the log's redaction: reliability/security.test.ts)", () => {
  const out = makeRedactor('some-other-key')('the key rfk_9fQ2xLm0Zp3TvB8w and rf_live_abcdEFGH1234 were sent');
  assert.equal(out, 'the key [redacted] and [redacted] were sent');
});

test('6. the API keys link is the page that lists them', () => {
  assert.equal(API_KEYS_URL, 'https://app.runflow.io/settings/api-keys');
});

test("6. a balance given as a decimal string (the API reference's shape) is read, as is the guide's", () => {
  assert.deepEqual(parseBalance({ id: 'b-1', org_id: 'o-1', balance: '124.50', low_balance_threshold: '10.00' }), { balanceCents: 12450, currency: 'USD' });
  assert.deepEqual(parseBalance({ balance_cents: 12450, currency: 'USD' }), { balanceCents: 12450, currency: 'USD' });
  assert.equal(parseBalance({ balance: 'lots' }), undefined);
});

test('6. a read of a run shows an uploaded reference input as a signed link, as Runflow re-signs it', async () => {
  const { client } = clientFor(emu);
  // Random pixels: a PNG over 1 MiB, so it is uploaded and sent as a reference.
  const noise = await sharp(randomBytes(640 * 640 * 3), { raw: { width: 640, height: 640, channels: 3 } })
    .png()
    .toBuffer();
  const input = await client.toInputUrl(noise, 'noise.png');
  assert.match(input.url, /^runflow:\/\/assets\//);
  const run = await client.createEditRun({ prompt: 'make it blue', image_urls: [input.url] });
  const read = (await client.getRun(run.id)).input as { image_urls?: string[] } | undefined;
  const [shown] = read?.image_urls ?? [];
  assert.match(shown ?? '', /^http:\/\/127\.0\.0\.1:\d+\/.*\?.*(signature|sig)=/i, `a signed link, not ${shown}`);
});
