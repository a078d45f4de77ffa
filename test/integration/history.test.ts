// History and resume in the real extension host, against the emulator: every run recorded before
// its first poll, runs left in flight resumed by the activation-time entry point with their outputs
// saved exactly once, "Fetch Results" for a run whose wait was stopped, the bound, and no key stored.
import * as vscode from 'vscode';
import * as assert from 'node:assert/strict';
import { DEFAULT_OPTIONS, EMULATOR_KEY, emulator, freshFolder, listNames, openPanel, waitFor, PanelSession, signedInApi } from './support';
import type { GptImageEditApi } from '../../src/extension';
import type { RunRecord } from '../../src/history/runRecord';
import type { EditOptions } from '../../src/shared/protocol';

type History = NonNullable<GptImageEditApi['testing']>['history'];

describe('History: every run recorded, runs in flight resumed and saved exactly once', function () {
  this.timeout(60000);
  let api: GptImageEditApi;
  let history: History;
  let session: PanelSession | undefined;
  const shown: string[] = [];

  before(async () => {
    api = await signedInApi();
    assert.ok(api.testing, 'the testing exports exist outside production');
    history = api.testing.history;
    api.onDidShowMessage((m) => shown.push(m.message));
  });

  beforeEach(() => emulator.reset());

  afterEach(() => {
    session?.dispose();
    session = undefined;
  });

  const record = async (runId: string): Promise<RunRecord | undefined> => (await history.records()).find((r) => r.runId === runId);

  /** Starts an edit of photo.png in a fresh folder and resolves once the run exists on the emulator. */
  async function startRun(name: string, options: EditOptions = DEFAULT_OPTIONS, prompt = 'Make it a snowy winter day') {
    const folder = await freshFolder(name, 'photo.png');
    const image = vscode.Uri.joinPath(folder, 'photo.png');
    session = await openPanel(api, image);
    await session.next('init');
    const finished = session.probe.receive({ type: 'run', requestId: 1, prompt, options });
    const run = await waitFor('the run on the emulator', async () => (await emulator.runs())[0]);
    return { folder, image, run, finished, session };
  }

  /** Polls are answered late, so the run stays in flight while the test acts. */
  const slowPolls = (ms: number, times = 100) => emulator.inject({ kind: 'delay', match: { method: 'GET', path: '/v1/runs/*' }, ms, times });

  it('records the run before its first poll, then its saved outputs, cost and thumbnail', async () => {
    await slowPolls(2000, 1);
    const { folder, image, run, session } = await startRun('recorded', { ...DEFAULT_OPTIONS, numImages: 2 });
    const recorded = await waitFor('the run in the history', () => record(run.id));
    const [seen] = await emulator.runs();
    assert.equal(seen.pollCount, 0, 'recorded before the first poll was answered');
    assert.equal(recorded.status, 'inFlight');
    assert.equal(recorded.id, seen.clientRef, 'the record is named by the client_ref the create sent');
    assert.equal(recorded.prompt, 'Make it a snowy winter day');
    assert.deepEqual(recorded.options, { ...DEFAULT_OPTIONS, numImages: 2 });
    assert.deepEqual(recorded.inputs, [image.toString()]);
    assert.equal(recorded.outputFolder, folder.toString());

    const results = await session.next('results');
    const saved = (await record(run.id))!;
    assert.equal(saved.status, 'saved');
    assert.equal(saved.cost, results.cost);
    assert.deepEqual(
      saved.outputs.map((o) => [o.variant, o.uri]),
      [
        [1, vscode.Uri.joinPath(folder, 'photo.edited-1.png').toString()],
        [2, vscode.Uri.joinPath(folder, 'photo.edited-2.png').toString()],
      ],
    );
    const item = (await history.treeItem(run.id))!;
    assert.equal((item.iconPath as vscode.Uri).toString(), saved.outputs[0].uri, 'the first output is the thumbnail');
    assert.equal(item.label, 'Make it a snowy winter day');
    assert.match(String(item.description), /saved .* \$0\.266/);
    assert.doesNotMatch(String(item.contextValue), /\bfetchable\b/);
  });

  it('a run in flight when its panel closes is saved once, however often the activation-time resume runs', async () => {
    await slowPolls(800);
    const { folder, run, session: panel } = await startRun('closed-panel', { ...DEFAULT_OPTIONS, numImages: 2 });
    await waitFor('the run in the history', () => record(run.id));
    panel.dispose();
    session = undefined;
    // Twice at once, while the closed panel's run is still being settled.
    await Promise.all([history.resumeInFlight(), history.resumeInFlight()]);
    await waitFor('the outputs saved', async () => ((await record(run.id))?.status === 'saved' ? true : undefined), 30000);
    await history.resumeInFlight();
    assert.deepEqual(await listNames(folder), ['photo.edited-1.png', 'photo.edited-1.png.json', 'photo.edited-2.png', 'photo.edited-2.png.json', 'photo.png']);
    assert.equal((await record(run.id))!.outputs.length, 2);
    assert.equal((await emulator.runs()).length, 1, 'resuming never creates a run');
  });

  it('a run left in flight by a window that went away is resumed on activation, saved once', async () => {
    await slowPolls(1000);
    const { folder, run, finished, session: panel } = await startRun('crashed');
    await waitFor('the run in the history', () => record(run.id));
    // Stop only the local wait, then put the record back as a killed window leaves it: in flight,
    // claimed by a window that stopped renewing its claim a minute ago.
    await panel.probe.receive({ type: 'cancel' });
    await finished;
    const left = { ...(await record(run.id))!, status: 'inFlight' as const, message: undefined };
    await history.put(left);
    await history.leaseElsewhere(run.id, 60_000);
    assert.equal((await emulator.runs())[0].terminalAt, undefined, 'the run is still in flight on Runflow');

    await Promise.all([history.resumeInFlight(), history.resumeInFlight()]);
    assert.equal((await record(run.id))!.status, 'saved');
    await history.resumeInFlight();
    assert.deepEqual(await listNames(folder), ['photo.edited-1.png', 'photo.edited-1.png.json', 'photo.png']);
  });

  it('a crash between saving a file and recording it never saves that variant twice (sidecar, or bytes without one)', async () => {
    const { folder, run, session } = await startRun('crash-after-save', { ...DEFAULT_OPTIONS, numImages: 2 });
    await session.next('results');
    const done = (await record(run.id))!;
    const rewound = { ...done, status: 'inFlight' as const, outputs: [] };
    const names = await listNames(folder);

    await history.put(rewound);
    await history.resumeInFlight();
    assert.deepEqual(await listNames(folder), names, 'found by their sidecars');
    assert.deepEqual((await record(run.id))!.outputs, done.outputs);

    await vscode.workspace.fs.delete(vscode.Uri.joinPath(folder, 'photo.edited-2.png.json'));
    await history.put(rewound);
    await history.resumeInFlight();
    assert.deepEqual(
      await listNames(folder),
      names.filter((n) => n !== 'photo.edited-2.png.json'),
      'found by its bytes',
    );
    assert.deepEqual((await record(run.id))!.outputs, done.outputs);
  });

  it('a run another live window is settling is left to it', async () => {
    const { folder, run, session } = await startRun('other-window');
    await session.next('results');
    await vscode.workspace.fs.delete(vscode.Uri.joinPath(folder, 'photo.edited-1.png'));
    await vscode.workspace.fs.delete(vscode.Uri.joinPath(folder, 'photo.edited-1.png.json'));
    const inFlight = { ...(await record(run.id))!, status: 'inFlight' as const, outputs: [] };
    await history.put(inFlight);
    await history.leaseElsewhere(run.id, 0);
    await history.resumeInFlight();
    assert.deepEqual(await listNames(folder), ['photo.png']);
    assert.equal((await record(run.id))!.status, 'inFlight');

    await history.releaseElsewhere(run.id);
    await history.leaseElsewhere(run.id, 60_000);
    await history.resumeInFlight();
    assert.deepEqual(await listNames(folder), ['photo.edited-1.png', 'photo.edited-1.png.json', 'photo.png'], 'taken over once its claim went stale');
  });

  it('a canceled wait stays as "stopped waiting"; Fetch Results saves it once, a second Fetch says nothing is new', async () => {
    await slowPolls(1000);
    const { folder, run, finished, session } = await startRun('fetch');
    await waitFor('the run in the history', () => record(run.id));
    await session.probe.receive({ type: 'cancel' });
    await finished;
    const stopped = (await record(run.id))!;
    assert.equal(stopped.status, 'stoppedWaiting');
    assert.match(String((await history.treeItem(run.id))!.contextValue), /\bfetchable\b/);
    assert.match(String((await history.treeItem(run.id))!.description), /stopped waiting/);

    await vscode.commands.executeCommand('gptImageEdit.history.fetchResults', run.id);
    assert.deepEqual(await listNames(folder), ['photo.edited-1.png', 'photo.edited-1.png.json', 'photo.png']);
    assert.equal((await record(run.id))!.status, 'saved');
    assert.ok(
      shown.some((m) => m === `Saved photo.edited-1.png from run ${run.id}.`),
      shown.join('\n'),
    );

    await vscode.commands.executeCommand('gptImageEdit.history.fetchResults', run.id);
    assert.deepEqual(await listNames(folder), ['photo.edited-1.png', 'photo.edited-1.png.json', 'photo.png']);
    assert.ok(
      shown.some((m) => m.startsWith(`Nothing new to save: the results of run ${run.id}`)),
      shown.join('\n'),
    );
  });

  it('Re-open in Edit Panel opens the same image with the prompt and options filled in', async () => {
    const options: EditOptions = { ...DEFAULT_OPTIONS, numImages: 3, outputFormat: 'webp', imageSize: 'square', quality: 'medium', matchOriginal: false };
    const { image, run, session: first } = await startRun('reopen', options, 'Paint it like Monet');
    await first.next('results');
    first.dispose();
    session = undefined;
    await vscode.commands.executeCommand('gptImageEdit.history.reopen', run.id);
    session = new PanelSession(await waitFor('the re-opened panel', () => api.testing!.editPanel(image)));
    const init = await session.next('init');
    assert.equal(init.view.prompt, 'Paint it like Monet');
    assert.deepEqual(init.view.options, options);
  });

  it('keeps only the most recent runs, and never the key or image bytes', async () => {
    const config = vscode.workspace.getConfiguration('gptImageEdit');
    await config.update('history.maxRuns', 3, vscode.ConfigurationTarget.Global);
    try {
      const [template] = await history.records();
      for (let i = 0; i < 5; i++) {
        await history.put({ ...template, id: `bound-${i}`, runId: `bound-${i}`, status: 'failed', createdAt: Date.now() + i });
      }
      assert.deepEqual(
        (await history.records()).map((r) => r.runId),
        ['bound-4', 'bound-3', 'bound-2'],
      );
    } finally {
      await config.update('history.maxRuns', undefined, vscode.ConfigurationTarget.Global);
    }
    const stored = JSON.stringify(await history.storedState());
    assert.equal(stored.split(EMULATOR_KEY).length - 1, 0, 'the key is never stored');
    assert.ok(!stored.includes('base64'), 'no image bytes are stored');
  });
});
