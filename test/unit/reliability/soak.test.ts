// The soak: 200 edits in a row against the emulator with random faults mixed in (seeded, so a
// failure replays), through the client and the extension's own saver (src/edit/saver.ts, on the
// real disk through a plain-Node vscode.workspace.fs). Every edit ends saved or with one reported
// failure; nothing is duplicated, nothing partial is left.
import './vscodeStub';
import * as vscode from 'vscode';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import type { Emulator, Fault } from '../../emulator';
import { RunflowError, sniffImageType, type RunflowClient } from '../../../src/runflow';
import { clientFor, CREATE_PATH, duplicatedRuns, editInput, emulator, FAST_KEY, fastDurations, KEY, Tally } from './helpers';
import { seededRandom } from '../../support/seededRandom';
import { saveBesideOriginal } from '../../../src/edit/saver';

const EDITS = 200;
const CONCURRENCY = 8;
const SEED = Number(process.env.SOAK_SEED) || 20260425;

/** Faults that the client must absorb (the edit still succeeds). */
const ABSORBED: Fault[] = [
  { kind: 'status', match: { method: 'POST', path: CREATE_PATH }, status: 503, code: 'MODEL_UNAVAILABLE', times: 2 },
  { kind: 'status', match: { method: 'GET', path: '/v1/runs/*' }, status: 429, code: 'RATE_LIMITED' },
  { kind: 'status', match: { method: 'GET', path: '/v1/runs/*' }, status: 429, code: 'RATE_LIMITED', retryAfterSec: 0.05 },
  { kind: 'status', match: { method: 'GET', path: '/outputs/*', origin: 'storage' }, status: 500 },
  { kind: 'reset', match: { method: 'POST', path: CREATE_PATH }, when: 'after' },
  { kind: 'reset', match: { method: 'POST', path: CREATE_PATH }, when: 'before' },
  { kind: 'reset', match: { method: 'GET', path: '/v1/runs/*' }, when: 'before' },
  { kind: 'malformed_json', match: { method: 'GET', path: '/v1/runs/*' } },
  { kind: 'malformed_json', match: { method: 'POST', path: CREATE_PATH } },
  { kind: 'non_json_error', match: { method: 'GET', path: '/v1/runs/*' }, status: 502, body: '<html><body>Bad gateway</body></html>' },
  { kind: 'delay', match: { method: 'POST', path: CREATE_PATH }, ms: 700 },
  { kind: 'delay', match: { method: 'GET', path: '/v1/runs/*' }, ms: 700 },
];
/** Faults that end an edit with a reported failure. */
const FATAL: Fault[] = [
  { kind: 'run_outcome', outcome: 'failed', failureCode: 'CONTENT_POLICY', failureMessage: 'Rejected by the safety system' },
  { kind: 'run_outcome', outcome: 'cancelled' },
  { kind: 'output_body', body: 'not_image' },
  { kind: 'status', match: { method: 'POST', path: CREATE_PATH }, status: 422, code: 'VALIDATION_ERROR', message: 'prompt is invalid' },
];

let emu: Emulator;
let folder: string;
const tally = new Tally('soak');
before(async () => {
  emu = await emulator({ modelTimeMs: 50 });
  folder = fs.mkdtempSync(path.join(os.tmpdir(), 'gie-soak-'));
});
after(async () => {
  await emu.close();
  fs.rmSync(folder, { recursive: true, force: true });
  console.log(tally.line());
});

async function oneEdit(client: RunflowClient, clientRef: string): Promise<string> {
  const input = await editInput(`soak edit ${clientRef}`);
  const run = await client.createEditRun(input, { clientRef, idempotencyKey: randomUUID() });
  const done = await client.waitForRun(run.id, { durations: fastDurations(), durationKey: FAST_KEY, timeoutMs: 30_000 });
  const outputs = done.output?.outputs ?? [];
  if (outputs.length === 0) throw new RunflowError('run_failed', 'The run returned no images.', { runId: done.id });
  const { bytes, type } = await client.fetchOutput(outputs[0], { timeoutMs: 10_000 });
  const saved = await saveBesideOriginal(vscode.Uri.file(folder), 'soak', type === 'jpeg' ? 'jpg' : type, bytes);
  return saved.uri.fsPath;
}

test(`soak: ${EDITS} edits with random faults (seed ${SEED}, ${CONCURRENCY} at a time)`, { timeout: 90_000 }, async () => {
  const random = seededRandom(SEED);
  const { client, logs } = clientFor(emu, { requestTimeoutMs: 400, random });
  const saved: string[] = [];
  const failures: { ref: string; kind: string; message: string }[] = [];
  let fatalInjected = 0;
  let next = 0;
  const started = Date.now();

  async function worker(): Promise<void> {
    for (;;) {
      const i = next++;
      if (i >= EDITS) return;
      const roll = random();
      if (roll < 0.3) tally.inject(emu, ABSORBED[Math.floor(random() * ABSORBED.length)]);
      else if (roll < 0.38) {
        tally.inject(emu, FATAL[Math.floor(random() * FATAL.length)]);
        fatalInjected++;
      }
      const ref = `soak-${i}`;
      try {
        saved.push(await oneEdit(client, ref));
      } catch (e) {
        assert.ok(e instanceof RunflowError, `edit ${i} failed with a non-client error: ${String(e)}`);
        failures.push({ ref, kind: e.kind, message: e.message });
      }
    }
  }
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const seconds = (Date.now() - started) / 1000;

  assert.equal(saved.length + failures.length, EDITS, 'every edit ended saved or reported');
  assert.ok(failures.length <= fatalInjected, `${failures.length} failures for ${fatalInjected} fatal faults: ${JSON.stringify(failures.slice(0, 5))}`);
  for (const f of failures) {
    assert.ok(['run_failed', 'run_canceled', 'not_an_image', 'validation'].includes(f.kind), `unexpected failure ${f.kind}: ${f.message}`);
    assert.ok(f.message.length > 20);
  }
  tally.scan(...failures.map((f) => f.message), ...logs);

  const runs = emu.runs();
  const dup = duplicatedRuns(emu);
  tally.runsDuplicated += dup;
  assert.equal(dup, 0, 'no client_ref has two runs');
  // Runs created = user actions that got past validation: a 422 creates nothing.
  assert.equal(runs.length, EDITS - failures.filter((f) => f.kind === 'validation').length, 'runs created = edits that were accepted');
  for (const r of runs) assert.ok(r.clientRef?.startsWith('soak-'));

  const names = fs.readdirSync(folder);
  assert.equal(names.length, saved.length, 'one file per saved edit, nothing else');
  for (const name of names) {
    assert.ok(!name.endsWith('.tmp'), `temp file left: ${name}`);
    const bytes = fs.readFileSync(path.join(folder, name));
    assert.ok(bytes.length > 0, `zero-byte file: ${name}`);
    assert.ok(sniffImageType(bytes), `not an image: ${name}`);
  }
  assert.equal(tally.keysFound, 0);
  console.log(`soak: ${EDITS} edits in ${seconds.toFixed(1)} s — saved ${saved.length}, failed ${failures.length} (fatal faults ${fatalInjected}), faults ${tally.faults}, runs ${runs.length}, duplicated ${dup}; key ${KEY.slice(0, 3)}… found ${tally.keysFound} times`);
});
