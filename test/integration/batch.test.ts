// "Edit Each Image…" in the real extension host, against the emulator: one prompt applied to each
// image separately, concurrency and 429s across the batch, per-image failure and Retry, cancel,
// and the cost question before an expensive batch.
import * as vscode from 'vscode';
import * as assert from 'node:assert/strict';
import { DEFAULT_OPTIONS, PanelSession, emulator, freshFolder, listNames, waitFor, signedInApi, CREATE_PATH } from './support';

const BATCH_PATH = '/v1/models/openai/gpt-image-2/edit/batches';
import type { GptImageEditApi } from '../../src/extension';
import type { BatchItem } from '../../src/shared/protocol';

describe('Batch: edit each selected image with one prompt', function () {
  this.timeout(90000);
  let api: GptImageEditApi;
  let session: PanelSession | undefined;

  before(async () => {
    api = await signedInApi();
  });

  beforeEach(() => emulator.reset());

  afterEach(async () => {
    session?.dispose();
    session = undefined;
    api.testing?.replaceModalAnswer('batchCost', undefined);
    await vscode.workspace.getConfiguration('gptImageEdit').update('batchConcurrency', undefined, vscode.ConfigurationTarget.Global);
  });

  /** `count` copies of photo.png named a-1.png … in a fresh folder, opened in a batch panel as the explorer would. */
  async function openBatch(name: string, count: number): Promise<{ folder: vscode.Uri; images: vscode.Uri[]; session: PanelSession }> {
    const folder = await freshFolder(name);
    const photo = vscode.Uri.joinPath(vscode.workspace.workspaceFolders![0].uri, 'photo.png');
    const images = Array.from({ length: count }, (_, i) => vscode.Uri.joinPath(folder, `a-${i + 1}.png`));
    for (const image of images) await vscode.workspace.fs.copy(photo, image);
    await vscode.commands.executeCommand('gptImageEdit.editEachImage', images[0], images);
    const probe = await waitFor('the batch panel', () => api.testing?.batchPanel(images));
    session = new PanelSession(probe);
    await session.next('batchInit');
    return { folder, images, session };
  }

  /** Each image's last reported state. */
  function finalItems(s: PanelSession): Map<number, BatchItem> {
    const items = new Map<number, BatchItem>();
    for (const m of s.posted) if (m.type === 'batchItem') items.set(m.item.index, m.item);
    return items;
  }

  it("saves each image's output beside it, lists a failed one with Retry, survives a 429 burst, and never duplicates a run", async () => {
    const { folder, session } = await openBatch('batch-six', 6);
    const asked: string[] = [];
    api.testing!.replaceModalAnswer('batchCost', async (q) => (asked.push(q.message), true));
    await emulator.inject([
      { kind: 'status', match: { method: 'POST', path: CREATE_PATH }, status: 429, code: 'RATE_LIMITED', message: 'Slow down', retryAfterSec: 1, times: 3 },
      { kind: 'run_outcome', outcome: 'failed', failureCode: 'MODEL_ERROR', failureMessage: 'The model could not edit this image.', times: 1 },
    ]);
    const started = Date.now();
    await session.probe.receive({ type: 'runBatch', prompt: 'Make it autumn', options: DEFAULT_OPTIONS });
    console.log(`    batch of 6 took ${Date.now() - started} ms`);

    assert.deepEqual(asked, [], '6 × $0.133 is below the $2.00 threshold: no question');
    const items = finalItems(session);
    const done = [...items.values()].filter((i) => i.status === 'done');
    const failed = [...items.values()].filter((i) => i.status === 'failed');
    assert.equal(done.length, 5, JSON.stringify([...items.values()]));
    assert.equal(failed.length, 1);
    assert.match(failed[0].message ?? '', /could not edit this image/);
    for (const item of done)
      assert.deepEqual(
        item.outputs.map((o) => o.name),
        [`a-${item.index + 1}.edited-1.png`],
      );
    const names = await listNames(folder);
    for (let i = 1; i <= 6; i++) {
      const saved = names.includes(`a-${i}.edited-1.png`);
      assert.equal(saved, i !== failed[0].index + 1, `a-${i}.edited-1.png ${saved ? 'saved' : 'missing'}`);
    }
    assert.ok(!names.some((n) => n.endsWith('.tmp')), names.join(', '));

    // Each image's states arrive in order, and the panel ends idle (so Retry is offered).
    const statesOf = (index: number) => session.posted.flatMap((m) => (m.type === 'batchItem' && m.item.index === index ? [m.item.status] : []));
    assert.deepEqual(statesOf(done[0].index), ['queued', 'uploading', 'running', 'saving', 'done']);
    assert.deepEqual(session.posted.filter((m) => m.type === 'batchState').at(-1), { type: 'batchState', running: false, message: undefined });

    const runs = await emulator.runs();
    assert.equal(runs.length, 6, 'one run per image, none duplicated by the 429 retries');
    assert.equal(new Set(runs.map((r) => r.clientRef)).size, 6);
    const creates = (await emulator.requests()).filter((r) => r.method === 'POST' && r.path === CREATE_PATH);
    assert.equal(creates.filter((r) => r.status === 429).length, 3);
    // Retry-After (1 s) holds for the whole batch: no create goes out again until it has passed.
    const first429 = creates.find((r) => r.status === 429)!.at;
    const later = creates.filter((r) => r.status !== 429 && r.at > first429 + 100);
    assert.ok(later.length > 0 && later.every((r) => r.at >= first429 + 950), later.map((r) => r.at - first429).join(', '));

    const before = session.posted.length;
    await session.probe.receive({ type: 'retryItem', index: failed[0].index });
    const retried = session.posted.slice(before).flatMap((m) => (m.type === 'batchItem' ? [m.item] : []));
    assert.deepEqual(
      retried.map((i) => i.index),
      retried.map(() => failed[0].index),
      'a retry touches only its image',
    );
    assert.equal(retried.at(-1)?.status, 'done');
    assert.ok((await listNames(folder)).includes(`a-${failed[0].index + 1}.edited-1.png`));
    assert.equal((await emulator.runs()).length, 7);
  });

  it('cancel keeps finished outputs, starts nothing new, and leaves no partial or temporary file', async () => {
    await vscode.workspace.getConfiguration('gptImageEdit').update('batchConcurrency', 2, vscode.ConfigurationTarget.Global);
    const { folder, session } = await openBatch('batch-cancel', 6);
    await emulator.inject({ kind: 'delay', match: { method: 'GET', path: '/v1/runs/*' }, ms: 1500, times: 100 });
    const running = session.probe.receive({ type: 'runBatch', prompt: 'Make it night', options: DEFAULT_OPTIONS });
    await waitFor('a first image done', () => ([...finalItems(session).values()].some((i) => i.status === 'done') ? true : undefined), 60000);
    await session.probe.receive({ type: 'cancel' });
    await running;

    const items = [...finalItems(session).values()];
    const done = items.filter((i) => i.status === 'done');
    const canceled = items.filter((i) => i.status === 'canceled');
    assert.equal(done.length + canceled.length, 6, JSON.stringify(items));
    const notStarted = canceled.filter((i) => /Not started/.test(i.message ?? ''));
    assert.ok(notStarted.length >= 1, 'some images never started');
    assert.ok(done.length >= 1 && done.length < 6);

    const runsAtCancel = (await emulator.runs()).length;
    assert.ok(runsAtCancel <= 6 - notStarted.length, `${runsAtCancel} runs for ${6 - notStarted.length} started images`);
    const expected = [
      'a-1.png',
      'a-2.png',
      'a-3.png',
      'a-4.png',
      'a-5.png',
      'a-6.png',
      ...done.flatMap((i) => i.outputs.flatMap((o) => [o.name, `${o.name}.json`])),
    ].sort();
    assert.deepEqual(await listNames(folder), expected, 'only the finished images have outputs; nothing partial or temporary');
    // Runs in flight at the cancel still finish upstream: once every one has, nothing new started
    // and nothing more was saved.
    await waitFor(
      'every run to finish upstream',
      async () => ((await emulator.runs()).every((r) => r.terminalAt !== undefined && r.terminalAt <= Date.now()) ? true : undefined),
      30000,
    );
    assert.equal((await emulator.runs()).length, runsAtCancel);
    assert.deepEqual(await listNames(folder), expected);
  });

  it('asks before a batch above the cost threshold, showing the total, and declining starts no run', async () => {
    const { session } = await openBatch('batch-cost', 6);
    const asked: string[] = [];
    api.testing!.replaceModalAnswer('batchCost', async (q) => (asked.push(q.message), false));
    await session.probe.receive({ type: 'runBatch', prompt: 'Make it a watercolour', options: { ...DEFAULT_OPTIONS, numImages: 4 } });

    assert.equal(asked.length, 1);
    assert.match(asked[0], /6 images for about \$3\.192\? \(6 images × 4 outputs × \$0\.133\)/);
    assert.equal(session.posted.filter((m) => m.type === 'batchItem').length, 0);
    const state = session.posted.filter((m) => m.type === 'batchState').at(-1);
    assert.equal(state?.type === 'batchState' && state.running, false);
    assert.match(state?.type === 'batchState' ? (state.message ?? '') : '', /not started/);
    assert.equal((await emulator.requests()).filter((r) => r.path === CREATE_PATH).length, 0, 'no run was created');
  });

  describe("Runflow's batch route, above the concurrency", () => {
    const COUNT = 7;

    async function runSeven(name: string, faults: Parameters<typeof emulator.inject>[0]): Promise<{ folder: vscode.Uri; session: PanelSession }> {
      await vscode.workspace.getConfiguration('gptImageEdit').update('batchConcurrency', 2, vscode.ConfigurationTarget.Global);
      const opened = await openBatch(name, COUNT);
      await emulator.inject(faults);
      await opened.session.probe.receive({ type: 'runBatch', prompt: 'Make it snow', options: DEFAULT_OPTIONS });
      return opened;
    }

    /** Each image saved once beside it, and exactly one run per image on the server. */
    async function assertEachSavedOnce(folder: vscode.Uri, s: PanelSession): Promise<void> {
      const items = [...finalItems(s).values()];
      assert.deepEqual(
        items.map((i) => i.status),
        Array(COUNT).fill('done'),
        JSON.stringify(items),
      );
      const names = await listNames(folder);
      for (let i = 1; i <= COUNT; i++) assert.ok(names.includes(`a-${i}.edited-1.png`), names.join(', '));
      const runs = await emulator.runs();
      assert.equal(runs.length, COUNT, 'one run per image');
      assert.equal(new Set(runs.map((r) => r.clientRef)).size, COUNT);
      const records = await api.testing!.history.records();
      for (const item of items) {
        const run = runs.find((r) => r.id === item.runId);
        assert.ok(run, `the run of image ${item.index} is on the server`);
        assert.equal(records.find((r) => r.runId === run.id)?.id, run.clientRef, 'the history knows each run by its client_ref');
      }
    }

    /** How many runs each batch made, in order (a batch's runs share its Idempotency-Key). */
    async function batchSizes(): Promise<number[]> {
      const sizes = new Map<string | undefined, number>();
      for (const run of await emulator.runs()) sizes.set(run.idempotencyKey, (sizes.get(run.idempotencyKey) ?? 0) + 1);
      return [...sizes.values()];
    }

    it('creates the runs in batch requests when Runflow accepts the model (the first at the concurrency), and saves each image once', async () => {
      const { folder, session } = await runSeven('batch-route', { kind: 'accept_batches' });
      const requests = await emulator.requests();
      const batches = requests.filter((r) => r.method === 'POST' && r.path === BATCH_PATH);
      assert.deepEqual(
        batches.map((r) => r.status),
        [201, 201],
        'two batches for the seven images',
      );
      assert.deepEqual(await batchSizes(), [2, 5], "the first batch goes out with the first lanes' worth, the rest together");
      assert.equal(requests.filter((r) => r.method === 'POST' && r.path === CREATE_PATH).length, 0, 'no single create');
      await assertEachSavedOnce(folder, session);
    });

    it("falls back to single runs on Runflow's 422, one per image", async () => {
      const { folder, session } = await runSeven('batch-refused', []);
      const requests = await emulator.requests();
      assert.deepEqual(
        requests.filter((r) => r.method === 'POST' && r.path === BATCH_PATH).map((r) => r.status),
        [422],
        'asked once, refused',
      );
      assert.equal(requests.filter((r) => r.method === 'POST' && r.path === CREATE_PATH && r.status === 201).length, COUNT);
      await assertEachSavedOnce(folder, session);
    });

    it('sends the batch again with the same Idempotency-Key after a dropped answer, and makes no run twice', async () => {
      const { folder, session } = await runSeven('batch-dropped', [
        { kind: 'accept_batches' },
        { kind: 'reset', match: { method: 'POST', path: BATCH_PATH }, when: 'after' },
      ]);
      const batches = (await emulator.requests()).filter((r) => r.method === 'POST' && r.path === BATCH_PATH);
      assert.deepEqual(batches.map((r) => r.status).sort(), [0, 201, 201], 'the dropped batch, its repeat and the second batch');
      const dropped = batches.find((r) => r.status === 0)!;
      assert.equal(batches.filter((r) => r.headers['idempotency-key'] === dropped.headers['idempotency-key']).length, 2, 'repeated with the same key');
      await assertEachSavedOnce(folder, session);
    });

    it('a cancel once the batch went out loses no run: each image not saved keeps its run as stopped waiting', async () => {
      await vscode.workspace.getConfiguration('gptImageEdit').update('batchConcurrency', 1, vscode.ConfigurationTarget.Global);
      const { session } = await openBatch('batch-route-cancel', 4);
      await emulator.inject([{ kind: 'accept_batches' }, { kind: 'delay', match: { method: 'GET', path: '/v1/runs/*' }, ms: 800, times: 100 }]);
      const running = session.probe.receive({ type: 'runBatch', prompt: 'Make it rain', options: DEFAULT_OPTIONS });
      await waitFor('the batch to be made', async () =>
        (await emulator.requests()).some((r) => r.path === BATCH_PATH && r.status === 201) ? true : undefined,
      );
      await session.probe.receive({ type: 'cancel' });
      await running;

      const runs = await emulator.runs();
      assert.ok(runs.length >= 1 && runs.length <= 4, `${runs.length} runs`);
      const items = [...finalItems(session).values()];
      const records = await api.testing!.history.records();
      for (const run of runs) {
        const record = records.find((r) => r.id === run.clientRef);
        assert.equal(record?.runId, run.id, `the history keeps run ${run.id}`);
        const item = items.find((i) => i.runId === run.id);
        assert.ok(item, `the list shows run ${run.id}`);
        if (item.status !== 'done') {
          assert.equal(item.status, 'canceled');
          assert.equal(record.status, 'stoppedWaiting');
          assert.match(item.message ?? '', /may still finish and bill/);
        }
      }
      assert.ok(
        items.some((i) => i.status === 'canceled'),
        JSON.stringify(items),
      );
    });
  });

  it('reads the selected images a few at a time to list them, not all at once', async () => {
    // A file system that serves photo.png under any name and counts the reads in flight.
    const photo = await vscode.workspace.fs.readFile(vscode.Uri.joinPath(vscode.workspace.workspaceFolders![0].uri, 'photo.png'));
    let reading = 0;
    let mostAtOnce = 0;
    let reads = 0;
    const changed = new vscode.EventEmitter<vscode.FileChangeEvent[]>();
    const provider: vscode.FileSystemProvider = {
      onDidChangeFile: changed.event,
      watch: () => new vscode.Disposable(() => undefined),
      stat: () => ({ type: vscode.FileType.File, ctime: 0, mtime: 0, size: photo.length }),
      readDirectory: () => [],
      createDirectory: () => undefined,
      readFile: async () => {
        reads++;
        mostAtOnce = Math.max(mostAtOnce, ++reading);
        await new Promise((resolve) => setTimeout(resolve, 20));
        reading--;
        return photo;
      },
      writeFile: () => undefined,
      delete: () => undefined,
      rename: () => undefined,
    };
    const registration = vscode.workspace.registerFileSystemProvider('countingfs', provider, { isReadonly: true });
    try {
      const images = Array.from({ length: 60 }, (_, i) => vscode.Uri.parse(`countingfs:/selection/p-${i + 1}.png`));
      await vscode.commands.executeCommand('gptImageEdit.editEachImage', images[0], images);
      session = new PanelSession(await waitFor('the batch panel', () => api.testing?.batchPanel(images)));
      const init = await session.next('batchInit');
      assert.equal(init.type === 'batchInit' && init.images.length, 60);
      assert.ok(reads >= 60, `${reads} reads`);
      assert.ok(mostAtOnce <= 8, `${mostAtOnce} files were read at once`);
    } finally {
      registration.dispose();
      changed.dispose();
    }
  });
});
