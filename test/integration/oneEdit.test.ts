// One edit is one object that owns its run from before the create is sent until its files are
// saved: a stop, a closed panel or Try Again never loses a billed run and never bills twice; a
// workspace cannot switch off the cost safeguards; a leftover sidecar is never inherited; a key
// from the environment is named as such; one panel never runs two edits at once. Each test counts
// the runs the emulator created and the files on disk.
import * as vscode from 'vscode';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CREATE_PATH, DEFAULT_OPTIONS, EMULATOR_KEY, PanelSession, emulator, freshFolder, listNames, openPanel, signedInApi, waitFor } from './support';
import type { GptImageEditApi } from '../../src/extension';
import type { BatchItem, ToWebview } from '../../src/shared/protocol';
import type { RunRecord } from '../../src/history/runRecord';

type Ending = Extract<ToWebview, { type: 'results' | 'error' | 'canceled' }>;

describe('One edit, one object: every billed run accounted for', function () {
  this.timeout(90000);
  let api: GptImageEditApi;
  let session: PanelSession | undefined;
  let shown: string[] = [];
  let listening: vscode.Disposable | undefined;

  before(async () => {
    api = await signedInApi();
  });
  beforeEach(async () => {
    await emulator.reset();
    shown = [];
    listening = api.onDidShowMessage((m) => shown.push(`${m.severity}: ${m.message}`));
  });
  afterEach(async () => {
    listening?.dispose();
    session?.dispose();
    session = undefined;
    api.testing?.replaceModalAnswer('batchCost', undefined);
    await vscode.commands.executeCommand('notifications.clearAll');
  });

  const records = async (): Promise<RunRecord[]> => api.testing!.history.records();
  const recordOf = async (runId: string): Promise<RunRecord | undefined> => (await records()).find((r) => r.runId === runId);

  async function photo(name: string): Promise<{ folder: vscode.Uri; image: vscode.Uri }> {
    const folder = await freshFolder(name, 'photo.png');
    return { folder, image: vscode.Uri.joinPath(folder, 'photo.png') };
  }

  async function open(image: vscode.Uri): Promise<PanelSession> {
    session = await openPanel(api, image);
    await session.next('init');
    return session;
  }

  /** How the panel's current edit ended, after message `from`. */
  function ending(s: PanelSession, from: number): Promise<Ending> {
    return waitFor(
      'the edit to end',
      () => s.posted.slice(from).find((m): m is Ending => m.type === 'results' || m.type === 'error' || m.type === 'canceled'),
      60000,
    );
  }

  const createPosts = async () => (await emulator.requests()).filter((r) => r.method === 'POST' && r.path === CREATE_PATH);

  it('1. a cancel while the create is in flight finds the run by its client_ref: kept in history, fetchable, never "nothing was billed"', async () => {
    const { folder, image } = await photo('cancel-during-create');
    const s = await open(image);
    // The create is handled at once (the run exists and bills) but its answer arrives 3 s late.
    await emulator.inject({ kind: 'delay', match: { method: 'POST', path: CREATE_PATH }, ms: 3000 });
    const from = s.posted.length;
    void s.probe.receive({ type: 'run', requestId: 1, prompt: 'Make it snow', options: DEFAULT_OPTIONS });
    const [run] = await waitFor('the run on the emulator', async () => ((await emulator.runs()).length ? emulator.runs() : undefined));
    await s.probe.receive({ type: 'cancel' });
    const end = await ending(s, from);
    assert.equal(end.type, 'canceled', JSON.stringify(end));
    assert.equal(end.runId, run.id, 'the panel names the run that exists');
    assert.doesNotMatch(end.message, /nothing was billed/i);
    assert.match(end.message, /may still finish and bill/);
    const record = await waitFor('the run in the history', () => recordOf(run.id));
    assert.equal(record.status, 'stoppedWaiting');
    assert.equal(record.id, run.clientRef, 'recorded under the client_ref the create sent');
    assert.match(String((await api.testing!.history.treeItem(run.id))?.contextValue), /\bfetchable\b/);

    await vscode.commands.executeCommand('gptImageEdit.history.fetchResults', run.id);
    assert.deepEqual(await listNames(folder), ['photo.edited-1.png', 'photo.edited-1.png.json', 'photo.png']);
    assert.equal((await emulator.runs()).length, 1, 'one run, billed once');
  });

  it('1. closing the panel while the create is in flight: the job goes on, records the run and saves its output once', async () => {
    const { folder, image } = await photo('close-during-create');
    const s = await open(image);
    await emulator.inject({ kind: 'delay', match: { method: 'POST', path: CREATE_PATH }, ms: 1500 });
    void s.probe.receive({ type: 'run', requestId: 1, prompt: 'Make it snow', options: DEFAULT_OPTIONS });
    const [run] = await waitFor('the run on the emulator', async () => ((await emulator.runs()).length ? emulator.runs() : undefined));
    s.dispose();
    session = undefined;
    await waitFor('the run saved', async () => ((await recordOf(run.id))?.status === 'saved' ? true : undefined), 30000);
    assert.deepEqual(await listNames(folder), ['photo.edited-1.png', 'photo.edited-1.png.json', 'photo.png']);
    assert.ok(shown.includes(`info: Saved photo.edited-1.png from run ${run.id}.`), shown.join('\n'));
    assert.equal((await emulator.runs()).length, 1);
  });

  it('1. a cancel while the create is failing: the record goes only once the look-ups at 5 s and 30 s (the test clock) still find no run', async () => {
    const { folder, image } = await photo('cancel-no-run');
    const s = await open(image);
    const before = (await records()).length;
    // Every create is dropped unread: no run is made, and the client keeps trying.
    await emulator.inject({ kind: 'reset', match: { method: 'POST', path: CREATE_PATH }, when: 'before', times: 50 });
    const from = s.posted.length;
    void s.probe.receive({ type: 'run', requestId: 1, prompt: 'Make it snow', options: DEFAULT_OPTIONS });
    await waitFor('a create sent', async () => ((await createPosts()).length ? true : undefined));
    const lookupsBefore = (await emulator.requests()).filter((r) => r.path === '/v1/runs').length;
    await s.probe.receive({ type: 'cancel' });
    const end = await ending(s, from);
    assert.equal(end.type, 'canceled');
    assert.doesNotMatch(end.message, /nothing was billed/, 'an empty look-up is not believed at once');
    assert.match(end.message, /no run for this edit yet.*looks again in 5 and 30 seconds/);
    const lookups = async () => (await emulator.requests()).filter((r) => r.path === '/v1/runs').length;
    assert.ok((await lookups()) > lookupsBefore, 'looked up after the cancel');
    assert.equal((await records()).length, before + 1, 'kept while it is checked');
    const afterFirst = await lookups();
    api.testing!.advanceClock(5_000);
    await waitFor('the look-up at 5 s', async () => ((await lookups()) > afterFirst ? true : undefined));
    api.testing!.advanceClock(25_000);
    await waitFor('the record to go after the look-up at 30 s', async () => ((await records()).length === before ? true : undefined));
    assert.equal((await emulator.runs()).length, 0);
    assert.deepEqual(await listNames(folder), ['photo.png']);
  });

  it('4. an empty look-up after a cancel is not believed: the run the look-up at 5 s finds is kept, fetchable, never "nothing was billed"', async () => {
    const { image } = await photo('cancel-lagging-search');
    const s = await open(image);
    // The run is made at once, its answer comes late, and the first search does not list it yet.
    await emulator.inject([
      { kind: 'delay', match: { method: 'POST', path: CREATE_PATH }, ms: 3000 },
      { kind: 'search', answers: 'lag' },
    ]);
    const from = s.posted.length;
    void s.probe.receive({ type: 'run', requestId: 1, prompt: 'Make it snow', options: DEFAULT_OPTIONS });
    const [run] = await waitFor('the run on the emulator', async () => ((await emulator.runs()).length ? emulator.runs() : undefined));
    await s.probe.receive({ type: 'cancel' });
    const end = await ending(s, from);
    assert.equal(end.type, 'canceled');
    assert.doesNotMatch(end.message, /nothing was billed/);
    assert.ok(
      (await records()).some((r) => r.id === run.clientRef),
      'kept while it is checked',
    );
    api.testing!.advanceClock(5_000);
    const record = await waitFor('the run found by the look-up at 5 s', async () => (await records()).find((r) => r.runId === run.id));
    assert.equal(record.status, 'stoppedWaiting');
    assert.match(record.message ?? '', /may still finish and bill/);
    assert.match(String((await api.testing!.history.treeItem(run.id))?.contextValue), /\bfetchable\b/);
  });

  it('4. a look-up that cannot tell (the filter ignored) at 30 s leaves the record for the next start, never "nothing was billed"', async () => {
    const { image } = await photo('cancel-unfiltered-search');
    const s = await open(image);
    // An earlier edit's run: a search that ignores the filter lists it.
    await s.probe.receive({ type: 'run', requestId: 1, prompt: 'An earlier edit', options: DEFAULT_OPTIONS });
    const before = (await records()).length;
    await emulator.inject([
      { kind: 'reset', match: { method: 'POST', path: CREATE_PATH }, when: 'before', times: 50 },
      { kind: 'search', answers: 'unfiltered', times: 10 },
    ]);
    const from = s.posted.length;
    void s.probe.receive({ type: 'run', requestId: 2, prompt: 'Make it snow', options: DEFAULT_OPTIONS });
    await waitFor('a second create sent', async () => ((await createPosts()).length > 1 ? true : undefined));
    await s.probe.receive({ type: 'cancel' });
    const end = await ending(s, from);
    assert.equal(end.type, 'canceled');
    assert.doesNotMatch(end.message, /nothing was billed/);
    api.testing!.advanceClock(30_000);
    const kept = await waitFor('the last look-up to leave its message', async () =>
      (await records()).find((r) => /next start/.test(r.message ?? '') && r.prompt === 'Make it snow'),
    );
    assert.equal(kept.runId, undefined);
    assert.equal((await records()).length, before + 1, 'kept for the next window start');
  });

  it('2. Try Again on an error that carries a run id resumes that run: fetched and saved, no second run', async () => {
    const { folder, image } = await photo('try-again');
    const s = await open(image);
    // The run succeeds; its output link answers 404, and so does the fresh one a re-read brings.
    await emulator.inject({ kind: 'status', match: { origin: 'storage', method: 'GET', path: '/outputs/*' }, status: 404, times: 2 });
    const from = s.posted.length;
    await s.probe.receive({ type: 'run', requestId: 1, prompt: 'Make it snow', options: DEFAULT_OPTIONS });
    const failed = await ending(s, from);
    assert.equal(failed.type, 'error', JSON.stringify(failed));
    assert.equal(failed.action, 'retry', 'Try Again is offered for a run that exists');
    const [run] = await emulator.runs();
    assert.equal((await recordOf(run.id))?.status, 'interrupted');
    assert.match(failed.message, /no longer has the results/);

    const again = s.posted.length;
    await s.probe.receive({ type: 'action', requestId: 1, action: 'retry' });
    const end = await ending(s, again);
    assert.equal(end.type, 'results', JSON.stringify(end));
    assert.equal(end.runId, run.id, 'the same run');
    assert.equal((await emulator.runs()).length, 1, 'Try Again billed nothing new');
    assert.equal((await createPosts()).length, 1);
    assert.deepEqual(await listNames(folder), ['photo.edited-1.png', 'photo.edited-1.png.json', 'photo.png']);
  });

  it('2. batch Retry on an image whose run succeeded but whose download failed resumes that run', async () => {
    const folder = await freshFolder('batch-retry');
    const source = vscode.Uri.joinPath(vscode.workspace.workspaceFolders![0].uri, 'photo.png');
    const images = [1, 2].map((i) => vscode.Uri.joinPath(folder, `b-${i}.png`));
    for (const image of images) await vscode.workspace.fs.copy(source, image);
    await vscode.workspace.getConfiguration('gptImageEdit').update('batchConcurrency', 1, vscode.ConfigurationTarget.Global);
    try {
      await vscode.commands.executeCommand('gptImageEdit.editEachImage', images[0], images);
      session = new PanelSession(await waitFor('the batch panel', () => api.testing?.batchPanel(images)));
      await session.next('batchInit');
      await emulator.inject({ kind: 'status', match: { origin: 'storage', method: 'GET', path: '/outputs/*' }, status: 404, times: 2 });
      await session.probe.receive({ type: 'runBatch', prompt: 'Make it autumn', options: DEFAULT_OPTIONS });
      const last = (): Map<number, BatchItem> => new Map(session!.posted.flatMap((m) => (m.type === 'batchItem' ? [[m.item.index, m.item] as const] : [])));
      const failed = [...last().values()].find((i) => i.status === 'failed');
      assert.ok(failed?.runId, `one image failed with its run id: ${JSON.stringify([...last().values()])}`);
      assert.equal((await emulator.runs()).length, 2);

      await session.probe.receive({ type: 'retryItem', index: failed.index });
      const retried = last().get(failed.index)!;
      assert.equal(retried.status, 'done', JSON.stringify(retried));
      assert.equal(retried.runId, failed.runId, 'the same run');
      assert.equal((await emulator.runs()).length, 2, 'Retry billed nothing new');
      assert.deepEqual(
        (await listNames(folder)).filter((n) => n.endsWith('.edited-1.png')),
        ['b-1.edited-1.png', 'b-2.edited-1.png'],
      );
    } finally {
      await vscode.workspace.getConfiguration('gptImageEdit').update('batchConcurrency', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  it("7. a workspace cannot lower the price shown or raise the batch question's threshold", async () => {
    const config = vscode.workspace.getConfiguration('gptImageEdit');
    await config.update('batchConfirmAboveUsd', 0.2, vscode.ConfigurationTarget.Global);
    const root = vscode.workspace.workspaceFolders![0].uri;
    const settingsFile = path.join(root.fsPath, '.vscode', 'settings.json');
    const before = fs.existsSync(settingsFile) ? fs.readFileSync(settingsFile, 'utf8') : undefined;
    fs.mkdirSync(path.dirname(settingsFile), { recursive: true });
    fs.writeFileSync(
      settingsFile,
      JSON.stringify({ ...(before ? JSON.parse(before) : {}), 'gptImageEdit.pricePerImage': 0, 'gptImageEdit.batchConfirmAboveUsd': 1e9 }, null, 2),
    );
    try {
      // VS Code may not even surface an application setting from a workspace; wait briefly if it does.
      await waitFor('the workspace settings to load', () => (config.inspect('pricePerImage')?.workspaceValue === 0 ? true : undefined), 3000).catch(
        () => undefined,
      );
      const { image } = await photo('workspace-price');
      const s = await open(image);
      const init = s.posted.find((m) => m.type === 'init');
      assert.equal(init?.type === 'init' && init.pricePerImage, 0.133, 'the price comes from user settings or the default');
      s.dispose();
      session = undefined;

      const folder = await freshFolder('workspace-threshold');
      const images = [1, 2].map((i) => vscode.Uri.joinPath(folder, `c-${i}.png`));
      for (const i of images) await vscode.workspace.fs.copy(vscode.Uri.joinPath(root, 'photo.png'), i);
      const asked: string[] = [];
      api.testing!.replaceModalAnswer('batchCost', async (q) => (asked.push(q.message), false));
      await vscode.commands.executeCommand('gptImageEdit.editEachImage', images[0], images);
      session = new PanelSession(await waitFor('the batch panel', () => api.testing?.batchPanel(images)));
      await session.next('batchInit');
      await session.probe.receive({ type: 'runBatch', prompt: 'Make it autumn', options: DEFAULT_OPTIONS });
      assert.equal(asked.length, 1, "the user's threshold ($0.20) asked about $0.266, whatever the workspace says");
      assert.match(asked[0], /\$0\.266/);
      assert.equal((await emulator.runs()).length, 0);
    } finally {
      if (before === undefined) fs.rmSync(settingsFile);
      else fs.writeFileSync(settingsFile, before);
      await config.update('batchConfirmAboveUsd', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  it('8. a leftover sidecar is never inherited: the next output takes a number whose image and sidecar names are both free', async () => {
    const { folder, image } = await photo('leftover-sidecar');
    const leftover = vscode.Uri.joinPath(folder, 'photo.edited-1.png.json');
    await vscode.workspace.fs.writeFile(leftover, new TextEncoder().encode('{"runId":"someone-else"}\n'));
    const s = await open(image);
    const from = s.posted.length;
    await s.probe.receive({ type: 'run', requestId: 1, prompt: 'Make it snow', options: DEFAULT_OPTIONS });
    const end = await ending(s, from);
    assert.equal(end.type, 'results', JSON.stringify(end));
    assert.deepEqual(
      end.results.map((r) => r.name),
      ['photo.edited-2.png'],
    );
    const sidecar = JSON.parse(new TextDecoder().decode(await vscode.workspace.fs.readFile(vscode.Uri.joinPath(folder, 'photo.edited-2.png.json'))));
    assert.equal(sidecar.runId, end.runId);
    assert.equal(new TextDecoder().decode(await vscode.workspace.fs.readFile(leftover)), '{"runId":"someone-else"}\n', 'the leftover is untouched');
    assert.deepEqual(await listNames(folder), ['photo.edited-1.png.json', 'photo.edited-2.png', 'photo.edited-2.png.json', 'photo.png']);
  });

  it('an output Runflow flags with nsfw_detected is saved with a note in the panel and in its sidecar', async () => {
    const { folder, image } = await photo('nsfw');
    const s = await open(image);
    await emulator.inject({ kind: 'flag_nsfw' });
    const from = s.posted.length;
    await s.probe.receive({ type: 'run', requestId: 1, prompt: 'Make it snow', options: DEFAULT_OPTIONS });
    const end = await ending(s, from);
    assert.equal(end.type, 'results', JSON.stringify(end));
    assert.match((end.notes ?? []).join(' '), /flagged photo\.edited-1\.png as possibly unsafe/);
    const sidecar = JSON.parse(new TextDecoder().decode(await vscode.workspace.fs.readFile(vscode.Uri.joinPath(folder, 'photo.edited-1.png.json'))));
    assert.equal(sidecar.nsfwDetected, true);
  });

  it('9. a key from RUNFLOW_API_KEY is named by Clear API Key, which says it stays in use', async () => {
    const before = process.env.RUNFLOW_API_KEY;
    process.env.RUNFLOW_API_KEY = EMULATOR_KEY;
    try {
      await vscode.commands.executeCommand('gptImageEdit.clearApiKey');
      const cleared = await waitFor('the clear message', () => shown.find((m) => m.startsWith('info: ') && /API key/i.test(m)));
      assert.match(cleared, /RUNFLOW_API_KEY/);
      assert.match(cleared, /still in use/);
      assert.equal(await api.hasApiKey(), true, 'the environment key is still there');
      shown = [];
      assert.equal(await vscode.commands.executeCommand('gptImageEdit.setApiKey', EMULATOR_KEY), true);
      const saved = await waitFor('the saved message', () => shown.find((m) => /key saved/i.test(m)));
      assert.match(saved, /instead of RUNFLOW_API_KEY/);
    } finally {
      if (before === undefined) delete process.env.RUNFLOW_API_KEY;
      else process.env.RUNFLOW_API_KEY = before;
    }
  });

  it('10. one panel never runs two edits at once: a second Run while the key prompt is open starts nothing', async () => {
    const { image } = await photo('two-runs');
    const s = await open(image);
    const env = process.env.RUNFLOW_API_KEY;
    delete process.env.RUNFLOW_API_KEY;
    await vscode.commands.executeCommand('gptImageEdit.clearApiKey');
    try {
      shown = [];
      const from = s.posted.length;
      const first = s.probe.receive({ type: 'run', requestId: 1, prompt: 'Make it snow', options: DEFAULT_OPTIONS });
      await waitFor('the key prompt', () => shown.find((m) => m.startsWith('input: ')));
      // A reloaded webview posts Run again while the prompt is open.
      await s.probe.receive({ type: 'run', requestId: 1, prompt: 'Make it snow', options: DEFAULT_OPTIONS });
      await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
      await first;
      assert.equal(shown.filter((m) => m.startsWith('input: ')).length, 1, `one key prompt: ${shown.join(' | ')}`);
      const ends = s.posted.slice(from).filter((m) => m.type === 'error');
      assert.equal(ends.length, 1, 'one edit ended (for want of a key)');
      assert.equal((await emulator.runs()).length, 0);
    } finally {
      if (env !== undefined) process.env.RUNFLOW_API_KEY = env;
      assert.equal(await vscode.commands.executeCommand('gptImageEdit.setApiKey', EMULATOR_KEY), true);
    }
  });
});
