// The soak: 200 edits in a row against the emulator with random faults mixed in (seeded, so a
// failure replays), each through the product's edit runner as a panel runs one (src/edit/
// editRunner.ts: the job records it, uploads, creates, waits, fetches, finishes and saves beside
// the image with its sidecar), on the real disk through a plain-Node vscode stub. Every edit ends
// saved or with one reported failure and a settled record; nothing is duplicated, nothing partial
// is left.
import { loggedLines } from '../../support/vscodeStub';
import * as vscode from 'vscode';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import type { Emulator, Fault } from '../../emulator';
import { RunflowError, sniffImageType } from '../../../src/runflow';
import { CREATE_PATH, duplicatedRuns, emulator, KEY, png, Tally } from './helpers';
import { seededRandom } from '../../support/seededRandom';
import { nodeHost, type NodeHost } from '../../support/nodeHost';
import { EditRunner, type EditSession } from '../../../src/edit/editRunner';
import { durationKeyOf } from '../../../src/edit/editJob';
import { DEFAULT_OPTIONS } from '../../../src/shared/options';

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
let host: NodeHost;
let folder: string;
/** Each edit's image, on a file of its own. */
let imageBytes: Buffer;
const tally = new Tally('soak');
before(async () => {
  emu = await emulator({ modelTimeMs: 50 });
  // Run times already learned (as after earlier edits), so polls are planned for the emulator's 50 ms runs.
  host = await nodeHost({ baseUrl: emu.baseUrl, apiKey: KEY, learned: { [durationKeyOf(DEFAULT_OPTIONS)]: 800 } });
  folder = fs.mkdtempSync(path.join(os.tmpdir(), 'gie-soak-'));
  imageBytes = await png();
});
after(async () => {
  host.close();
  await emu.close();
  fs.rmSync(folder, { recursive: true, force: true });
  console.log(tally.line());
});

/** One edit of its own image, as the edit panel runs it; resolves with the files it saved. */
async function oneEdit(session: EditSession, name: string): Promise<string[]> {
  const image = vscode.Uri.file(path.join(folder, `${name}.png`));
  fs.writeFileSync(image.fsPath, imageBytes);
  const job = await session.start({ image, references: [], prompt: `soak edit ${name}`, options: { ...DEFAULT_OPTIONS } });
  const result = await session.run(job, new AbortController());
  return result.saved.map((uri) => uri.fsPath);
}

test(`soak: ${EDITS} edits with random faults (seed ${SEED}, ${CONCURRENCY} at a time)`, { timeout: 90_000 }, async () => {
  const random = seededRandom(SEED);
  const session = (await EditRunner.of(host).session({ askForKey: false }))!;
  let editsSaved = 0;
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
        saved.push(...(await oneEdit(session, ref)));
        editsSaved++;
      } catch (e) {
        assert.ok(e instanceof RunflowError, `edit ${i} failed with a non-client error: ${String(e)}`);
        failures.push({ ref, kind: e.kind, message: e.message });
      }
    }
  }
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const seconds = (Date.now() - started) / 1000;

  assert.equal(editsSaved + failures.length, EDITS, 'every edit ended saved or reported');
  assert.equal(saved.length, editsSaved, 'each saved edit saved its one output');
  assert.ok(failures.length <= fatalInjected, `${failures.length} failures for ${fatalInjected} fatal faults: ${JSON.stringify(failures.slice(0, 5))}`);
  for (const f of failures) {
    assert.ok(['run_failed', 'run_canceled', 'not_an_image', 'validation'].includes(f.kind), `unexpected failure ${f.kind}: ${f.message}`);
    assert.ok(f.message.length > 20);
  }
  tally.scan(...failures.map((f) => f.message), ...loggedLines);

  const runs = emu.runs();
  const dup = duplicatedRuns(emu);
  tally.runsDuplicated += dup;
  assert.equal(dup, 0, 'no client_ref has two runs');
  // Runs created = user actions that got past validation: a 422 creates nothing.
  assert.equal(runs.length, EDITS - failures.filter((f) => f.kind === 'validation').length, 'runs created = edits that were accepted');
  const records = await host.history.list();
  assert.equal(records.length, runs.length, 'every edit with a run is in the history (one refused at its create billed nothing and is not kept)');
  assert.deepEqual(
    records.filter((r) => r.status === 'creating' || r.status === 'unknown' || r.status === 'inFlight').map((r) => r.status),
    [],
    'every record settled',
  );
  const recorded = new Set(records.map((r) => r.id));
  for (const r of runs) assert.ok(r.clientRef && recorded.has(r.clientRef), `run ${r.id} belongs to a recorded edit`);

  // Each image, each saved output and its sidecar; nothing else.
  const names = fs.readdirSync(folder);
  assert.equal(names.length, EDITS + 2 * saved.length, 'the images, one output and one sidecar per saved edit, nothing else');
  for (const file of saved) assert.ok(fs.existsSync(`${file}.json`), `sidecar of ${file}`);
  for (const name of names) {
    assert.ok(!name.endsWith('.tmp'), `temp file left: ${name}`);
    const bytes = fs.readFileSync(path.join(folder, name));
    assert.ok(bytes.length > 0, `zero-byte file: ${name}`);
    if (!name.endsWith('.json')) assert.ok(sniffImageType(bytes), `not an image: ${name}`);
  }
  assert.equal(tally.keysFound, 0);
  console.log(
    `soak: ${EDITS} edits in ${seconds.toFixed(1)} s — saved ${saved.length}, failed ${failures.length} (fatal faults ${fatalInjected}), faults ${tally.faults}, runs ${runs.length}, duplicated ${dup}; key ${KEY.slice(0, 3)}… found ${tally.keysFound} times`,
  );
});
