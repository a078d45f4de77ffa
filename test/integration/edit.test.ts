// The edit panel's host side in the real extension host, against the emulator: files on disk,
// their names, formats and pixels, sidecars, and what the panel tells the user.
import * as vscode from 'vscode';
import * as assert from 'node:assert/strict';
import sharp from 'sharp';
import { DEFAULT_OPTIONS, EMULATOR_KEY, emulator, freshFolder, listNames, waitFor, type PanelSession, CREATE_PATH, panelSuite } from './support';

describe('Edit panel: from a prompt to edited images saved beside the original', function () {
  this.timeout(60000);
  const suite = panelSuite();
  let session: PanelSession | undefined;

  async function open(folder: vscode.Uri, file = 'photo.png'): Promise<{ image: vscode.Uri; session: PanelSession }> {
    const image = vscode.Uri.joinPath(folder, file);
    session = await suite.open(image);
    await session.next('init');
    return { image, session };
  }

  it('saves the requested number of variants as <name>.edited-<n>.png with sidecars, from one run', async () => {
    const folder = await freshFolder('two-variants', 'photo.png');
    const { session } = await open(folder);
    await session.probe.receive({ type: 'run', requestId: 1, prompt: 'Make it a snowy winter day', options: { ...DEFAULT_OPTIONS, numImages: 2 } });
    const results = await session.next('results');

    assert.deepEqual(await listNames(folder), ['photo.edited-1.png', 'photo.edited-1.png.json', 'photo.edited-2.png', 'photo.edited-2.png.json', 'photo.png']);
    assert.deepEqual(
      results.results.map((r) => r.name),
      ['photo.edited-1.png', 'photo.edited-2.png'],
    );
    const runs = await emulator.runs();
    assert.equal(runs.length, 1, 'one user action creates one run');
    const [a, b] = await Promise.all([1, 2].map((n) => vscode.workspace.fs.readFile(vscode.Uri.joinPath(folder, `photo.edited-${n}.png`))));
    assert.equal((await sharp(a).metadata()).format, 'png');
    assert.notDeepEqual(Buffer.from(a), Buffer.from(b), 'the two variants differ');

    const sidecar = JSON.parse(new TextDecoder().decode(await vscode.workspace.fs.readFile(vscode.Uri.joinPath(folder, 'photo.edited-2.png.json'))));
    assert.equal(sidecar.prompt, 'Make it a snowy winter day');
    assert.equal(sidecar.runId, runs[0].id);
    assert.equal(sidecar.model, 'openai/gpt-image-2/edit');
    assert.deepEqual(sidecar.inputs, ['photo.png']);
    assert.equal(sidecar.variant, 2);
    assert.equal(sidecar.options.numImages, 2);
    assert.equal(results.cost, '0.266');
    assert.ok(!JSON.stringify(sidecar).includes(EMULATOR_KEY), 'the key never appears in a sidecar');
  });

  it('never overwrites: a second run takes the next free number and leaves the first untouched', async () => {
    const folder = await freshFolder('second-run', 'photo.png');
    const { session } = await open(folder);
    await session.probe.receive({ type: 'run', requestId: 1, prompt: 'Add a rainbow', options: DEFAULT_OPTIONS });
    await session.next('results');
    const first = await vscode.workspace.fs.readFile(vscode.Uri.joinPath(folder, 'photo.edited-1.png'));
    const count = session.posted.length;
    await session.probe.receive({ type: 'run', requestId: 1, prompt: 'Add two rainbows', options: DEFAULT_OPTIONS });
    const second = await session.next('results', count);
    assert.deepEqual(
      second.results.map((r) => r.name),
      ['photo.edited-2.png'],
    );
    assert.deepEqual(await vscode.workspace.fs.readFile(vscode.Uri.joinPath(folder, 'photo.edited-1.png')), first);
  });

  it('names outputs by the format actually returned (jpeg → .jpg, webp → .webp)', async () => {
    const folder = await freshFolder('formats', 'photo.webp');
    const { session } = await open(folder, 'photo.webp');
    await session.probe.receive({
      type: 'run',
      requestId: 1,
      prompt: 'Make it sepia',
      options: { ...DEFAULT_OPTIONS, outputFormat: 'jpeg', imageSize: 'square', matchOriginal: false },
    });
    await session.next('results');
    const names = await listNames(folder);
    assert.ok(names.includes('photo.edited-1.jpg'), names.join(', '));
    const meta = await sharp(await vscode.workspace.fs.readFile(vscode.Uri.joinPath(folder, 'photo.edited-1.jpg'))).metadata();
    assert.equal(meta.format, 'jpeg');
    assert.deepEqual([meta.width, meta.height], [512, 512], 'the square preset is 512×512');
  });

  it('cancel stops waiting at once, keeps the run id, and leaves no file behind', async () => {
    const folder = await freshFolder('cancel', 'photo.png');
    const { session } = await open(folder);
    await emulator.inject({ kind: 'delay', match: { method: 'GET', path: '/v1/runs/*' }, ms: 1500, times: 100 });
    const running = session.probe.receive({ type: 'run', requestId: 1, prompt: 'Make it night', options: DEFAULT_OPTIONS });
    const queued = await session.next('progress');
    assert.ok(['uploading', 'queued'].includes(queued.phase));
    await waitForRunCreated();
    await session.probe.receive({ type: 'cancel' });
    await running;
    const canceled = await session.next('canceled');
    const [run] = await emulator.runs();
    assert.equal(canceled.runId, run.id, 'the run id is kept so its results can be fetched later');
    assert.match(canceled.message, /may still finish/);
    assert.deepEqual(await listNames(folder), ['photo.png'], 'no partial or temporary file');
  });

  it("a mask whose size differs from the image gets the API's 422, naming the field", async () => {
    const folder = await freshFolder('bad-mask', 'photo.png');
    const { session } = await open(folder);
    const mask = await sharp({ create: { width: 10, height: 10, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } } })
      .png()
      .toBuffer();
    await session.probe.receive({
      type: 'run',
      requestId: 1,
      prompt: 'Anything',
      options: DEFAULT_OPTIONS,
      mask: `data:image/png;base64,${mask.toString('base64')}`,
    });
    const error = await session.next('error');
    assert.ok(error.fields.includes('mask_url'), `fields: ${error.fields.join(', ')}`);
    assert.match(error.message, /mask/i);
    assert.deepEqual(await listNames(folder), ['photo.png']);
  });

  it('a rejected key (401) shows the error with "Set API Key…" and asks for the key again', async () => {
    const folder = await freshFolder('revoked', 'photo.png');
    const { session } = await open(folder);
    const shown: string[] = [];
    const listener = suite.api().onDidShowMessage((m) => shown.push(`${m.severity}: ${m.message}`));
    try {
      await emulator.inject({ kind: 'status', match: { method: 'POST', path: CREATE_PATH }, status: 401, code: 'UNAUTHORIZED', message: 'Invalid API key' });
      await session.probe.receive({ type: 'run', requestId: 1, prompt: 'Anything', options: DEFAULT_OPTIONS });
      const error = await session.next('error');
      assert.equal(error.action, 'setApiKey');
      await waitFor('the key prompt', () => shown.find((s) => s.startsWith('input:')));
    } finally {
      listener.dispose();
      await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
    }
    assert.equal(await suite.api().hasApiKey(), true, 'the stored key is kept until the user replaces it');
  });

  it('a .png that is not an image opens the panel with a clear message instead of the image', async () => {
    const folder = await freshFolder('not-an-image', 'not-an-image.png');
    session = await suite.open(vscode.Uri.joinPath(folder, 'not-an-image.png'));
    const error = await session.next('error');
    assert.match(error.message, /not-an-image\.png is not a PNG, JPEG or WebP image/);
    assert.equal(session.posted.filter((m) => m.type === 'init').length, 0);
  });

  it('an empty prompt is refused in the panel without calling the API', async () => {
    const folder = await freshFolder('empty-prompt', 'photo.png');
    const { session } = await open(folder);
    await session.probe.receive({ type: 'run', requestId: 1, prompt: '   ', options: DEFAULT_OPTIONS });
    const error = await session.next('error');
    assert.deepEqual(error.fields, ['prompt']);
    assert.equal((await emulator.requests()).filter((r) => r.path === CREATE_PATH).length, 0);
  });
});

async function waitForRunCreated(): Promise<void> {
  await waitFor('the run to be created', async () => ((await emulator.runs()).length > 0 ? true : undefined));
}
