// Reliability in the real editor: the edit panel's host side against the emulator under faults
// and bad input. Every test ends with the user holding either the saved results or one clear
// message; no partial, temporary or zero-byte file anywhere; the original untouched; runs on the
// server = user actions. Counts are printed as `reliability(integration): …` at the end.
import * as vscode from 'vscode';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import sharp from 'sharp';
import { DEFAULT_OPTIONS, EMULATOR_KEY, emulator, freshFolder, listNames, openPanel, waitFor, type PanelSession, signedInApi, CREATE_PATH } from './support';
import type { GptImageEditApi } from '../../src/extension';
import type { Fault } from '../emulator/faults';
import type { EditOptions, ToWebview } from '../../src/shared/protocol';

type ErrorMessage = Extract<ToWebview, { type: 'error' }>;

export const counts = { faults: 0, badInputs: 0, runsDuplicated: 0, keysFound: 0 };

export const MEMORY_SCHEME = 'gie-reliability-mem';

/**
 * An in-memory disk for the tests: folders in `readOnly` refuse writes (NoPermissions), and while
 * `fullAfterBytes` is set every write stores half its bytes and then fails with ENOSPC, like a
 * disk that fills mid-write.
 */
export class MemoryFs implements vscode.FileSystemProvider {
  private files = new Map<string, Uint8Array>();
  private dirs = new Set<string>(['/']);
  readonly readOnly = new Set<string>();
  fullAfterBytes: number | undefined;
  /** Renames onto a matching name fail (NoPermissions), as on a disk that refuses the name. */
  refuseRenamesTo: RegExp | undefined;
  partialWrites = 0;
  private readonly emitter = new vscode.EventEmitter<vscode.FileChangeEvent[]>();
  readonly onDidChangeFile = this.emitter.event;

  reset(): void {
    this.files.clear();
    this.dirs = new Set(['/']);
    this.readOnly.clear();
    this.fullAfterBytes = undefined;
    this.refuseRenamesTo = undefined;
    this.partialWrites = 0;
  }

  put(p: string, bytes: Uint8Array): void {
    for (let d = path.posix.dirname(p); ; d = path.posix.dirname(d)) {
      this.dirs.add(d);
      if (d === '/') break;
    }
    this.files.set(p, bytes);
  }

  names(dir: string): string[] {
    return [...this.files.keys()]
      .filter((f) => path.posix.dirname(f) === dir)
      .map((f) => path.posix.basename(f))
      .sort();
  }

  watch(): vscode.Disposable {
    return new vscode.Disposable(() => undefined);
  }

  stat(uri: vscode.Uri): vscode.FileStat {
    const file = this.files.get(uri.path);
    if (file) return { type: vscode.FileType.File, ctime: 0, mtime: Date.now(), size: file.length };
    if (this.dirs.has(uri.path)) return { type: vscode.FileType.Directory, ctime: 0, mtime: 0, size: 0 };
    throw vscode.FileSystemError.FileNotFound(uri);
  }

  readDirectory(uri: vscode.Uri): [string, vscode.FileType][] {
    const dirs = [...this.dirs]
      .filter((d) => d !== '/' && path.posix.dirname(d) === uri.path)
      .map((d): [string, vscode.FileType] => [path.posix.basename(d), vscode.FileType.Directory]);
    return [...dirs, ...this.names(uri.path).map((n): [string, vscode.FileType] => [n, vscode.FileType.File])];
  }

  createDirectory(uri: vscode.Uri): void {
    this.dirs.add(uri.path);
  }

  readFile(uri: vscode.Uri): Uint8Array {
    const file = this.files.get(uri.path);
    if (!file) throw vscode.FileSystemError.FileNotFound(uri);
    return file;
  }

  writeFile(uri: vscode.Uri, content: Uint8Array, options: { create: boolean; overwrite: boolean }): void {
    const dir = path.posix.dirname(uri.path);
    if (this.readOnly.has(dir)) throw vscode.FileSystemError.NoPermissions(uri);
    if (this.files.has(uri.path) && !options.overwrite) throw vscode.FileSystemError.FileExists(uri);
    if (this.fullAfterBytes !== undefined) {
      this.files.set(uri.path, content.subarray(0, Math.max(this.fullAfterBytes, Math.floor(content.length / 2))));
      this.partialWrites++;
      throw vscode.FileSystemError.Unavailable(`ENOSPC: no space left on device, write '${uri.path}'`);
    }
    this.files.set(uri.path, content);
  }

  delete(uri: vscode.Uri): void {
    if (this.readOnly.has(path.posix.dirname(uri.path))) throw vscode.FileSystemError.NoPermissions(uri);
    if (!this.files.delete(uri.path)) throw vscode.FileSystemError.FileNotFound(uri);
  }

  rename(from: vscode.Uri, to: vscode.Uri, options: { overwrite: boolean }): void {
    if (this.readOnly.has(path.posix.dirname(to.path)) || this.refuseRenamesTo?.test(to.path)) throw vscode.FileSystemError.NoPermissions(to);
    const file = this.files.get(from.path);
    if (!file) throw vscode.FileSystemError.FileNotFound(from);
    if (this.files.has(to.path) && !options.overwrite) throw vscode.FileSystemError.FileExists(to);
    this.files.delete(from.path);
    this.files.set(to.path, file);
  }
}

describe('Reliability: faults and bad input in the real editor', function () {
  this.timeout(60000);
  let api: GptImageEditApi;
  let session: PanelSession | undefined;
  let shown: string[] = [];
  let listener: vscode.Disposable | undefined;
  const memfs = new MemoryFs();
  let registration: vscode.Disposable | undefined;

  before(async () => {
    api = await signedInApi();
    registration = vscode.workspace.registerFileSystemProvider(MEMORY_SCHEME, memfs, { isCaseSensitive: true });
  });
  after(() => {
    registration?.dispose();
    console.log(
      `reliability(integration): faults=${counts.faults} bad_inputs=${counts.badInputs} keys_found=${counts.keysFound} runs_duplicated=${counts.runsDuplicated}`,
    );
    assert.equal(counts.keysFound, 0, 'the key appeared in a message posted to a panel or shown to the user');
  });

  beforeEach(async () => {
    await emulator.reset();
    shown = [];
    listener = api.onDidShowMessage((m) => shown.push(`${m.severity}: ${m.message}`));
  });
  afterEach(async () => {
    listener?.dispose();
    // Everything the user could read in this test: what the panel was sent and every message shown.
    const seen = JSON.stringify([session?.posted ?? [], shown]);
    counts.keysFound += seen.split(EMULATOR_KEY).length - 1;
    session?.dispose();
    session = undefined;
    await vscode.commands.executeCommand('notifications.clearAll');
  });

  async function inject(fault: Fault | Fault[]): Promise<void> {
    counts.faults += Array.isArray(fault) ? fault.length : 1;
    await emulator.inject(fault);
  }

  async function open(image: vscode.Uri): Promise<PanelSession> {
    session = await openPanel(api, image);
    await waitFor('init or error', () => session!.posted.find((m) => m.type === 'init' || m.type === 'error'));
    return session;
  }

  /** Sends a run and waits for how it ended: results, an error or canceled. */
  async function run(s: PanelSession, prompt: string, options: Partial<EditOptions> = {}, mask?: string): Promise<ToWebview> {
    const from = s.posted.length;
    await s.probe.receive({ type: 'run', requestId: 1, prompt, options: { ...DEFAULT_OPTIONS, ...options }, ...(mask ? { mask } : {}) });
    return waitFor('the run to end', () => s.posted.slice(from).find((m) => m.type === 'results' || m.type === 'error' || m.type === 'canceled'), 45000);
  }

  /** Exactly one error since `from`, and nothing saved. */
  function oneError(s: PanelSession, from = 0): ErrorMessage {
    const errors = s.posted.slice(from).filter((m): m is ErrorMessage => m.type === 'error');
    assert.equal(errors.length, 1, `one message, got: ${errors.map((e) => e.message).join(' | ')}`);
    assert.ok(!s.posted.slice(from).some((m) => m.type === 'results'), 'no results alongside the error');
    assert.ok(!errors[0].message.includes(EMULATOR_KEY));
    return errors[0];
  }

  const hash = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

  /** No temp or zero-byte file, and the original's bytes unchanged. */
  async function assertClean(folder: vscode.Uri, original?: { uri: vscode.Uri; sha: string }): Promise<string[]> {
    const entries = await vscode.workspace.fs.readDirectory(folder);
    for (const [name, type] of entries) {
      assert.ok(!/\.tmp$/i.test(name), `temporary file left: ${name}`);
      if (type === vscode.FileType.File || type === (vscode.FileType.File | vscode.FileType.SymbolicLink)) {
        const stat = await vscode.workspace.fs.stat(vscode.Uri.joinPath(folder, name));
        if (!name.startsWith('empty')) assert.ok(stat.size > 0, `zero-byte file: ${name}`);
      }
    }
    if (original) assert.equal(hash(await vscode.workspace.fs.readFile(original.uri)), original.sha, 'the original is untouched');
    return entries.map(([n]) => n).sort();
  }

  async function snapshot(uri: vscode.Uri) {
    return { uri, sha: hash(await vscode.workspace.fs.readFile(uri)) };
  }

  async function runsOnServer(expected: number): Promise<void> {
    const runs = await emulator.runs();
    const perRef = new Map<string, number>();
    for (const r of runs) perRef.set(r.clientRef ?? r.id, (perRef.get(r.clientRef ?? r.id) ?? 0) + 1);
    const dup = [...perRef.values()].reduce((n, c) => n + Math.max(0, c - 1), 0);
    counts.runsDuplicated += dup;
    assert.equal(dup, 0, 'no run created twice');
    assert.equal(runs.length, expected, 'runs created = user actions');
  }

  /** An empty in-memory disk holding photo.png in `dir`. */
  async function memoryPhoto(dir: string): Promise<{ folder: vscode.Uri; image: vscode.Uri }> {
    const folder = vscode.Uri.from({ scheme: MEMORY_SCHEME, path: dir });
    const image = vscode.Uri.joinPath(folder, 'photo.png');
    memfs.reset();
    memfs.put(image.path, await vscode.workspace.fs.readFile(vscode.Uri.joinPath(vscode.workspace.workspaceFolders![0].uri, 'photo.png')));
    return { folder, image };
  }

  async function photoIn(name: string, file = 'photo.png'): Promise<{ folder: vscode.Uri; image: vscode.Uri }> {
    const folder = await freshFolder(name, file);
    return { folder, image: vscode.Uri.joinPath(folder, file) };
  }

  // ---- faults ---------------------------------------------------------------------------------

  it('fault: 5xx bursts and 429s (with and without Retry-After) on create, poll and download: saved, one run', async () => {
    const { folder, image } = await photoIn('bursts');
    const original = await snapshot(image);
    const s = await open(image);
    await inject([
      { kind: 'status', match: { method: 'POST', path: CREATE_PATH }, status: 503, code: 'MODEL_UNAVAILABLE', times: 2 },
      { kind: 'status', match: { method: 'GET', path: '/v1/runs/*' }, status: 429, code: 'RATE_LIMITED' },
      { kind: 'status', match: { method: 'GET', path: '/v1/runs/*' }, status: 429, code: 'RATE_LIMITED', retryAfterSec: 1 },
      { kind: 'non_json_error', match: { method: 'GET', path: '/outputs/*', origin: 'storage' }, status: 502, body: '<html>Bad gateway</html>' },
    ]);
    const end = await run(s, 'Make it autumn');
    assert.equal(end.type, 'results', JSON.stringify(end));
    assert.deepEqual(await assertClean(folder, original), ['photo.edited-1.png', 'photo.edited-1.png.json', 'photo.png']);
    await runsOnServer(1);
  });

  it('fault: connection reset after the create was accepted: looked up, saved once, one run', async () => {
    const { folder, image } = await photoIn('reset-after');
    const original = await snapshot(image);
    const s = await open(image);
    await inject({ kind: 'reset', match: { method: 'POST', path: CREATE_PATH }, when: 'after' });
    const end = await run(s, 'Make it spring');
    assert.equal(end.type, 'results', JSON.stringify(end));
    assert.equal((await emulator.requests()).filter((r) => r.method === 'POST' && r.path === CREATE_PATH).length, 1, 'never posted again');
    assert.deepEqual(await assertClean(folder, original), ['photo.edited-1.png', 'photo.edited-1.png.json', 'photo.png']);
    await runsOnServer(1);
  });

  it('fault: truncated JSON on the create and a poll, and an HTML 502 on a poll: saved, one run', async () => {
    const { folder, image } = await photoIn('malformed');
    const s = await open(image);
    await inject([
      { kind: 'malformed_json', match: { method: 'POST', path: CREATE_PATH } },
      { kind: 'malformed_json', match: { method: 'GET', path: '/v1/runs/*' } },
      { kind: 'non_json_error', match: { method: 'GET', path: '/v1/runs/*' }, status: 502, body: '<html><h1>502</h1></html>' },
    ]);
    const end = await run(s, 'Make it summer');
    assert.equal(end.type, 'results', JSON.stringify(end));
    assert.equal((await assertClean(folder)).length, 3);
    await runsOnServer(1);
  });

  it('fault: a non-JSON 400 error page: one message with its text, no markup, nothing saved', async () => {
    const { folder, image } = await photoIn('html-400');
    const original = await snapshot(image);
    const s = await open(image);
    await inject({
      kind: 'non_json_error',
      match: { method: 'POST', path: CREATE_PATH },
      status: 400,
      body: '<html><body><h1>Request rejected by proxy</h1></body></html>',
    });
    await run(s, 'Anything');
    const error = oneError(s);
    assert.match(error.message, /Request rejected by proxy/);
    assert.ok(!/<\w/.test(error.message), error.message);
    assert.deepEqual(await assertClean(folder, original), ['photo.png']);
    await runsOnServer(0);
  });

  it('fault: a failed run: one message with failure_message and failure_code, nothing saved', async () => {
    const { folder, image } = await photoIn('failed');
    const original = await snapshot(image);
    const s = await open(image);
    await inject({ kind: 'run_outcome', outcome: 'failed', failureCode: 'CONTENT_POLICY', failureMessage: 'The request was rejected by the safety system.' });
    await run(s, 'Anything');
    const error = oneError(s);
    assert.match(error.message, /safety system/);
    assert.match(error.message, /CONTENT_POLICY/);
    assert.deepEqual(await assertClean(folder, original), ['photo.png']);
    await runsOnServer(1);
  });

  it('fault: partial_succeeded saves the images there are and says how many are missing', async () => {
    const { folder, image } = await photoIn('partial');
    const s = await open(image);
    await inject({ kind: 'run_outcome', outcome: 'partial_succeeded' });
    const end = await run(s, 'Three moods', { numImages: 3 });
    assert.equal(end.type, 'results', JSON.stringify(end));
    const results = end as Extract<ToWebview, { type: 'results' }>;
    assert.equal(results.results.length, 2);
    assert.equal(results.missing, 1);
    assert.deepEqual(await assertClean(folder), [
      'photo.edited-1.png',
      'photo.edited-1.png.json',
      'photo.edited-2.png',
      'photo.edited-2.png.json',
      'photo.png',
    ]);
    await runsOnServer(1);
  });

  it('fault: a run ending "cancelled" (double l): one message, nothing saved', async () => {
    const { folder, image } = await photoIn('cancelled');
    const original = await snapshot(image);
    const s = await open(image);
    await inject({ kind: 'run_outcome', outcome: 'cancelled' });
    await run(s, 'Anything');
    assert.match(oneError(s).message, /canceled/i);
    assert.deepEqual(await assertClean(folder, original), ['photo.png']);
    await runsOnServer(1);
  });

  for (const [name, fault, pattern] of [
    ['an expired output link', { kind: 'expire_outputs' }, /no longer has the results of run .*reading the run again brought no working ones/],
    ['an output that is not an image', { kind: 'output_body', body: 'not_image' }, /not a PNG, JPEG or WebP/],
    ['an output larger than the cap', { kind: 'output_body', body: 'oversize' }, /larger than 60\.0 MB/],
  ] as const) {
    it(`fault: ${name}: one message, nothing saved, the run id kept`, async () => {
      const { folder, image } = await photoIn(`output-${name.split(' ').pop()}`);
      const original = await snapshot(image);
      const s = await open(image);
      await inject(fault as Fault);
      await run(s, 'Anything');
      assert.match(oneError(s).message, pattern);
      assert.deepEqual(await assertClean(folder, original), ['photo.png']);
      await runsOnServer(1);
    });
  }

  it('fault: a presigned upload PUT answering 403 is redone from step 1; the edit is saved', async () => {
    const folder = await freshFolder('upload-403');
    const image = vscode.Uri.joinPath(folder, 'large.png');
    await vscode.workspace.fs.writeFile(image, await noisePng(640));
    const original = await snapshot(image);
    const s = await open(image);
    await inject({ kind: 'upload_put_status', status: 403 });
    const end = await run(s, 'Sharpen it');
    assert.equal(end.type, 'results', JSON.stringify(end));
    const requests = await emulator.requests();
    assert.equal(requests.filter((r) => r.method === 'POST' && r.path === '/v1/asset-uploads').length, 2, 'a new upload slot');
    assert.equal(requests.filter((r) => r.origin === 'storage' && r.method === 'PUT').length, 2);
    assert.deepEqual(await assertClean(folder, original), ['large.edited-1.png', 'large.edited-1.png.json', 'large.png']);
    await runsOnServer(1);
  });

  // ---- bad input ------------------------------------------------------------------------------

  async function assertNothingSent(): Promise<void> {
    const sent = (await emulator.requests()).filter((r) => r.path === CREATE_PATH || r.path.startsWith('/v1/asset-uploads'));
    assert.equal(sent.length, 0, 'no request was sent');
  }

  it('bad input: a .png that is not an image: the panel says so, a run sends nothing', async () => {
    counts.badInputs++;
    const { folder, image } = await photoIn('not-image', 'not-an-image.png');
    const s = await open(image);
    assert.match(oneError(s).message, /not-an-image\.png is not a PNG, JPEG or WebP image/);
    const from = s.posted.length;
    await run(s, 'Anything');
    assert.match(oneError(s, from).message, /not a PNG, JPEG or WebP image/);
    await assertNothingSent();
    await assertClean(folder);
  });

  it('bad input: a 0-byte .png: the panel says so, a run sends nothing', async () => {
    counts.badInputs++;
    const folder = await freshFolder('zero');
    const image = vscode.Uri.joinPath(folder, 'empty.png');
    await vscode.workspace.fs.writeFile(image, new Uint8Array(0));
    const s = await open(image);
    assert.match(oneError(s).message, /empty\.png is not a PNG, JPEG or WebP image/);
    const from = s.posted.length;
    await run(s, 'Anything');
    assert.match(oneError(s, from).message, /not a PNG, JPEG or WebP image/);
    await assertNothingSent();
  });

  // The header is intact, so only decoding finds the cut: Runflow's run fails (failed runs are not billed).
  it('bad input: a truncated PNG: one message, nothing saved, the one run failed (not billed)', async () => {
    counts.badInputs++;
    const { folder, image } = await photoIn('truncated');
    const bytes = await vscode.workspace.fs.readFile(image);
    await vscode.workspace.fs.writeFile(image, bytes.subarray(0, Math.floor(bytes.length / 3)));
    const s = await open(image);
    await run(s, 'Anything');
    const error = oneError(s);
    assert.match(error.message, /image|decode/i);
    assert.deepEqual(await assertClean(folder), ['photo.png']);
    await runsOnServer(1);
    assert.deepEqual(
      (await emulator.runs()).map((r) => r.status),
      ['failed'],
    );
  });

  it('bad input: an image over 50 MiB: the message names the limit and no request is sent', async () => {
    counts.badInputs++;
    const folder = await freshFolder('huge');
    const image = vscode.Uri.joinPath(folder, 'huge.png');
    // A real PNG header, then a sparse tail: 51 MiB on disk in no time.
    const header = (await noisePng(64)).subarray(0, 33);
    fs.writeFileSync(image.fsPath, header);
    fs.truncateSync(image.fsPath, 51 * 1024 * 1024);
    const s = await open(image);
    await run(s, 'Anything');
    const error = oneError(s, 1);
    assert.match(error.message, /50\.0 MB/);
    assert.match(error.message, /huge\.png/);
    await assertNothingSent();
    fs.rmSync(image.fsPath);
  });

  it('bad input: a prompt of only spaces and newlines is refused without a request', async () => {
    counts.badInputs++;
    const { image } = await photoIn('spaces');
    const s = await open(image);
    await run(s, ' \n\t  \n ');
    const error = oneError(s);
    assert.deepEqual(error.fields, ['prompt']);
    await assertNothingSent();
  });

  it("bad input: a prompt over 32,000 characters is refused by the host, and nothing runs (the webview's own cap is a UI test's)", async () => {
    counts.badInputs++;
    const { image } = await photoIn('long-prompt');
    const s = await open(image);
    const from = s.posted.length;
    await s.probe.receive({ type: 'run', requestId: 1, prompt: 'x'.repeat(32001), options: DEFAULT_OPTIONS });
    // A Run with an empty prompt must be answered; the dropped one before it was only refused.
    await s.probe.receive({ type: 'run', requestId: 2, prompt: ' ', options: DEFAULT_OPTIONS });
    const [refused, answer] = s.posted.slice(from);
    assert.deepEqual([refused?.type, refused?.type === 'error' && refused.requestId], ['error', 1], 'the long prompt is refused, not left waiting');
    assert.match(refused?.type === 'error' ? refused.message : '', /could not be read/);
    assert.deepEqual(answer?.type === 'error' && [answer.requestId, answer.fields], [2, ['prompt']]);
    assert.equal(s.posted.length - from, 2, 'nothing else posted');
    await assertNothingSent();
  });

  it('bad input: an opaque all-black mask (nothing marked to edit) is refused before any request', async () => {
    counts.badInputs++;
    const { folder, image } = await photoIn('mask-no-alpha');
    const { width, height } = await sharp(await vscode.workspace.fs.readFile(image)).metadata();
    const mask = await sharp({ create: { width: width!, height: height!, channels: 3, background: { r: 0, g: 0, b: 0 } } })
      .png()
      .toBuffer();
    const s = await open(image);
    await run(s, 'Anything', {}, `data:image/png;base64,${mask.toString('base64')}`);
    const error = oneError(s);
    assert.match(error.message, /marks nothing to edit/i);
    assert.deepEqual(error.fields, ['mask_url']);
    await assertNothingSent();
    assert.deepEqual(await assertClean(folder), ['photo.png']);
  });

  it('bad input: a mask of the wrong size is refused before any request, naming the field', async () => {
    counts.badInputs++;
    const { image } = await photoIn('mask-size');
    const mask = await sharp({ create: { width: 10, height: 10, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } } })
      .png()
      .toBuffer();
    const s = await open(image);
    await run(s, 'Anything', {}, `data:image/png;base64,${mask.toString('base64')}`);
    const error = oneError(s);
    assert.match(error.message, /mask/i);
    assert.match(error.message, /10.10/);
    assert.deepEqual(error.fields, ['mask_url']);
    await assertNothingSent();
  });

  it('bad input: the image deleted between selection and run: one message, nothing sent', async () => {
    counts.badInputs++;
    const { folder, image } = await photoIn('deleted');
    const s = await open(image);
    await vscode.workspace.fs.delete(image);
    await run(s, 'Anything');
    assert.match(oneError(s).message, /photo\.png no longer exists\. Pick the image again\./);
    await assertNothingSent();
    assert.deepEqual(await listNames(folder), []);
  });

  it('bad input: a path with spaces, unicode and #?% characters is edited and saved beside it', async () => {
    counts.badInputs++;
    const base = await freshFolder('odd-path');
    const folder = vscode.Uri.joinPath(base, 'my photos #1 ?% ünï 🎨');
    await vscode.workspace.fs.createDirectory(folder);
    const image = vscode.Uri.joinPath(folder, 'café #2 100% ?.png');
    await vscode.workspace.fs.copy(vscode.Uri.joinPath(vscode.workspace.workspaceFolders![0].uri, 'photo.png'), image);
    const original = await snapshot(image);
    const s = await open(image);
    const end = await run(s, 'Make it a postcard');
    assert.equal(end.type, 'results', JSON.stringify(end));
    assert.deepEqual(await assertClean(folder, original), ['café #2 100% ?.edited-1.png', 'café #2 100% ?.edited-1.png.json', 'café #2 100% ?.png']);
    assert.ok(fs.existsSync(path.join(folder.fsPath, 'café #2 100% ?.edited-1.png')), 'on disk under the real name');
  });

  it('bad input: a symlinked image is edited; the result lands beside the link and the target is untouched', async () => {
    counts.badInputs++;
    const { folder: real, image: target } = await photoIn('symlink-target');
    const folder = await freshFolder('symlink');
    const link = vscode.Uri.joinPath(folder, 'linked.png');
    fs.symlinkSync(target.fsPath, link.fsPath);
    const original = await snapshot(target);
    const s = await open(link);
    const end = await run(s, 'Make it glow');
    assert.equal(end.type, 'results', JSON.stringify(end));
    assert.deepEqual(await assertClean(folder), ['linked.edited-1.png', 'linked.edited-1.png.json', 'linked.png']);
    assert.ok(fs.lstatSync(link.fsPath).isSymbolicLink(), 'the link is still a link');
    assert.deepEqual(await assertClean(real, original), ['photo.png']);
  });

  // Folders that cannot be written and disks that fill cannot be made for real here: the tests
  // run as root (chmod does not stop root) and no tiny tmpfs can be mounted. A FileSystemProvider
  // (tests' in-memory scheme) plays the disk instead, through the same vscode.workspace.fs calls.
  it('bad input: an image in a read-only folder: the user is asked for another folder; declining leaves one message and nothing partial', async () => {
    counts.badInputs++;
    const { image } = await memoryPhoto('/readonly');
    memfs.readOnly.add('/readonly');
    const s = await open(image);
    const ending = run(s, 'Anything');
    await waitFor('the question for another folder', () => shown.find((m) => /read-only.*somewhere else/i.test(m)), 30000);
    await vscode.commands.executeCommand('notifications.clearAll'); // dismissing = declining
    await ending;
    const error = oneError(s);
    assert.match(error.message, /could not be saved/);
    assert.match(error.message, /Nothing partial was left/);
    assert.deepEqual(memfs.names('/readonly'), ['photo.png']);
    await runsOnServer(1);
  });

  it('bad input: a sidecar that cannot be written after its image landed: the image is saved and recorded, the sidecar reported', async () => {
    counts.badInputs++;
    const { folder, image } = await memoryPhoto('/no-sidecar');
    memfs.refuseRenamesTo = /\.json$/;
    const s = await open(image);
    const end = await run(s, 'Anything');
    assert.equal(end.type, 'results', JSON.stringify(end));
    const results = end as Extract<ToWebview, { type: 'results' }>;
    assert.deepEqual(
      results.results.map((r) => r.name),
      ['photo.edited-1.png'],
    );
    assert.match((results.notes ?? []).join(' '), /photo\.edited-1\.png was saved, but its sidecar photo\.edited-1\.png\.json could not be written/);
    assert.deepEqual(memfs.names('/no-sidecar'), ['photo.edited-1.png', 'photo.png'], 'no temp file left');
    const record = (await api.testing!.history.records()).find((r) => r.runId === results.runId);
    assert.equal(record?.status, 'saved');
    assert.deepEqual(
      record?.outputs.map((o) => o.uri),
      [vscode.Uri.joinPath(folder, 'photo.edited-1.png').toString()],
    );
    await runsOnServer(1);
  });

  it('bad input: the disk fills while saving: one message, the half-written temp file removed', async () => {
    counts.badInputs++;
    const { image } = await memoryPhoto('/full');
    memfs.fullAfterBytes = 0; // every new write stores half its bytes, then fails with ENOSPC
    const s = await open(image);
    await run(s, 'Anything');
    memfs.fullAfterBytes = undefined;
    const error = oneError(s);
    assert.match(error.message, /disk is full/);
    assert.ok(memfs.partialWrites > 0, 'a partial write really happened');
    assert.deepEqual(memfs.names('/full'), ['photo.png'], 'no temp or partial file left');
  });

  it('3. Try Again after an unknown outcome sends the same body (the inputs uploaded once) under the same Idempotency-Key: one upload, one run', async () => {
    const { image } = await photoIn('retry-same-body');
    await vscode.workspace.fs.writeFile(image, await noisePng(640)); // over 1 MiB: uploaded, sent as a reference
    const s = await open(image);
    // Every attempt of the create is cut before the server reads it: the outcome stays unknown.
    await inject({ kind: 'reset', match: { method: 'POST', path: CREATE_PATH }, when: 'before', times: 4 });
    const failed = await run(s, 'Make it snow');
    assert.equal(failed.type, 'error', JSON.stringify(failed));
    assert.equal((failed as ErrorMessage).action, 'retry');
    const from = s.posted.length;
    await s.probe.receive({ type: 'action', requestId: 2, action: 'retry' });
    const end = await waitFor('Try Again to end', () => s.posted.slice(from).find((m) => m.type === 'results' || m.type === 'error'), 45000);
    assert.equal(end.type, 'results', JSON.stringify(end));
    const requests = await emulator.requests();
    assert.equal(requests.filter((r) => r.method === 'POST' && r.path === '/v1/asset-uploads').length, 1, 'Try Again uploaded nothing again');
    const keys = new Set(requests.filter((r) => r.method === 'POST' && r.path === CREATE_PATH).map((r) => r.headers['idempotency-key']));
    assert.equal(keys.size, 1, 'one Idempotency-Key for every create of the edit');
    await runsOnServer(1);
  });

  it('4. a refusal (422) that follows an unknown outcome is not "nothing made": the record is kept for the look-up, nothing claims no bill', async () => {
    const { image } = await photoIn('refusal-after-unknown');
    const s = await open(image);
    await inject([
      // The first create makes the run and its answer is lost; every look-up fails; the repeat is refused.
      { kind: 'reset', match: { method: 'POST', path: CREATE_PATH }, when: 'after' },
      { kind: 'status', match: { method: 'GET', path: '/v1/runs' }, status: 503, times: 50 },
      { kind: 'status', match: { method: 'POST', path: CREATE_PATH }, status: 422, message: 'Gateway refused the request.' },
    ]);
    const end = await run(s, 'Paint it red');
    assert.equal(end.type, 'error', JSON.stringify(end));
    assert.doesNotMatch((end as ErrorMessage).message, /nothing was billed/i);
    assert.match((end as ErrorMessage).message, /may have made the run/);
    const kept = (await api.testing!.history.records()).filter((r) => r.prompt === 'Paint it red' && r.inputs.includes(image.toString()));
    assert.equal(kept.length, 1, 'the edit stays in the history, to be looked up');
    assert.equal((await emulator.runs()).length, 1, 'the run the first attempt made exists');
  });

  it('5. a create whose every attempt was cut unread: the history row says "outcome unknown" without spinning, and Look Up Run settles it (no run: the record goes)', async () => {
    const { image } = await photoIn('outcome-unknown');
    const s = await open(image);
    await inject({ kind: 'reset', match: { method: 'POST', path: CREATE_PATH }, when: 'before', times: 4 });
    const end = await run(s, 'Make it dusk');
    assert.equal(end.type, 'error', JSON.stringify(end));
    const record = (await api.testing!.history.records()).find((r) => r.prompt === 'Make it dusk' && r.inputs.includes(image.toString()));
    assert.equal(record?.status, 'unknown');
    const item = await api.testing!.history.treeItem(record.id);
    assert.match(String(item?.description), /outcome unknown/);
    assert.doesNotMatch(JSON.stringify(item?.iconPath), /spin/, 'the row does not spin');
    assert.match(String(item?.contextValue), /\blookUp\b/);
    await vscode.commands.executeCommand('gptImageEdit.history.lookUp', record.id);
    assert.equal(
      (await api.testing!.history.records()).find((r) => r.id === record.id),
      undefined,
      'no run: nothing was billed, the record goes',
    );
    await runsOnServer(0);
  });

  it('5. with the API refusing connections: "Runflow could not be reached (connection refused)" with Try Again after waits of at most 8 s, each said to be for the network; not sent, so no record is left', async () => {
    const { image } = await photoIn('refused');
    const s = await open(image);
    // A port nothing listens on: every connection is refused before a byte is sent.
    const closed = await new Promise<number>((resolve) => {
      const server = net.createServer().listen(0, '127.0.0.1', () => {
        const { port } = server.address() as net.AddressInfo;
        server.close(() => resolve(port));
      });
    });
    const config = vscode.workspace.getConfiguration('gptImageEdit');
    const original = config.inspect<string>('apiBaseUrl')?.globalValue;
    await config.update('apiBaseUrl', `http://127.0.0.1:${closed}`, vscode.ConfigurationTarget.Global);
    try {
      const from = s.posted.length;
      const end = await run(s, 'Make it snow');
      const error = oneError(s, from);
      assert.equal(end, error);
      assert.match(error.message, /^Runflow could not be reached \(connection refused\)/);
      assert.equal(error.action, 'retry', 'Try Again is offered');
      const waits = s.posted.slice(from).filter((m): m is Extract<ToWebview, { type: 'retryWait' }> => m.type === 'retryWait');
      assert.ok(waits.length > 0, 'the retry plan ran');
      assert.deepEqual([...new Set(waits.map((w) => w.reason))], ['network'], 'each wait is said to be for the network');
      assert.ok(waits.reduce((sum, w) => sum + w.delayMs, 0) <= 8000, `planned waits ${waits.map((w) => w.delayMs).join(' + ')} ms`);
      const left = (await api.testing!.history.records()).filter((r) => r.prompt === 'Make it snow' && r.inputs.some((i) => i === image.toString()));
      assert.deepEqual(left, [], 'nothing was sent, so nothing can be billed: no record');
    } finally {
      await config.update('apiBaseUrl', original, vscode.ConfigurationTarget.Global);
    }
  });
});

/** A PNG of noise that does not compress: 640 px is over 1 MiB (upload path). */
async function noisePng(side: number): Promise<Buffer> {
  const raw = Buffer.alloc(side * side * 4);
  let x = 7;
  for (let i = 0; i < raw.length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    raw[i] = i % 4 === 3 ? 255 : x >>> 24;
  }
  return sharp(raw, { raw: { width: side, height: side, channels: 4 } })
    .png({ compressionLevel: 0 })
    .toBuffer();
}
