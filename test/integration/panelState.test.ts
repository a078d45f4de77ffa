// The edit panel's state lives in the host: every (re)load of its webview gets the prompt, the
// options, the mask's paint, the results and a run in progress, whatever was posted while it was
// hidden; a revived panel shows only files it may; an error answers the request that caused it.
import * as vscode from 'vscode';
import * as assert from 'node:assert/strict';
import * as os from 'node:os';
import * as path from 'node:path';
import sharp from 'sharp';
import { DEFAULT_OPTIONS, PanelSession, emulator, freshFolder, panelSuite, waitFor } from './support';
import type { ToWebview } from '../../src/shared/protocol';

type Init = Extract<ToWebview, { type: 'init' }>;

describe('Panel state: the host owns what the panel shows', function () {
  this.timeout(60000);
  const suite = panelSuite();
  let session: PanelSession | undefined;

  /** A webview reload as VS Code does it after a tab switch: the new page says `ready`, the host answers `init`. */
  async function reload(s: PanelSession): Promise<Init> {
    const from = s.posted.length;
    await s.probe.receive({ type: 'ready' });
    return s.next('init', from);
  }

  async function paintOf(width: number, height: number): Promise<string> {
    const png = await sharp({ create: { width, height, channels: 4, background: { r: 255, g: 0, b: 0, alpha: 0 } } })
      .composite([
        {
          input: await sharp({ create: { width: 20, height: 20, channels: 4, background: { r: 255, g: 0, b: 0, alpha: 1 } } })
            .png()
            .toBuffer(),
          left: 10,
          top: 10,
        },
      ])
      .png()
      .toBuffer();
    return `data:image/png;base64,${png.toString('base64')}`;
  }

  it('a reloaded webview gets the prompt, the options and the paint the user left', async () => {
    const folder = await freshFolder('state-draft', 'photo.png');
    session = await suite.open(vscode.Uri.joinPath(folder, 'photo.png'));
    const first = await session.next('init');
    assert.equal(first.view.prompt, '');
    const paint = await paintOf(first.image.width, first.image.height);
    const options = { ...DEFAULT_OPTIONS, numImages: 2, outputFormat: 'jpeg', quality: 'low' } as const;
    await session.probe.receive({ type: 'viewChanged', prompt: 'Turn it to winter', options, paint });
    const again = await reload(session);
    assert.equal(again.view.prompt, 'Turn it to winter');
    assert.deepEqual(again.view.options, options);
    assert.equal(again.view.paint, paint);
  });

  it('results that arrived while the webview was gone are in the next init', async () => {
    const folder = await freshFolder('state-results', 'photo.png');
    session = await suite.open(vscode.Uri.joinPath(folder, 'photo.png'));
    await session.next('init');
    await session.probe.receive({ type: 'run', requestId: 1, prompt: 'Make it snow', options: DEFAULT_OPTIONS });
    await session.next('results');
    const again = await reload(session);
    assert.deepEqual(
      again.view.results?.results.map((r) => r.name),
      ['photo.edited-1.png'],
    );
    assert.equal(again.view.run, undefined);
  });

  it('a run in progress is in the init of a webview that reloads during it', async () => {
    const folder = await freshFolder('state-running', 'photo.png');
    session = await suite.open(vscode.Uri.joinPath(folder, 'photo.png'));
    await session.next('init');
    await emulator.inject({ kind: 'delay', match: { method: 'GET', path: '/v1/runs/*' }, ms: 1500, times: 2 });
    const finished = session.probe.receive({ type: 'run', requestId: 1, prompt: 'Make it snow', options: DEFAULT_OPTIONS });
    await session.next('progress');
    const during = await reload(session);
    assert.ok(during.view.run, 'the run is shown as in progress');
    assert.equal(during.view.run.resuming, false);
    await finished;
  });

  it('the paint is dropped, with a note, when the image file changed since it was painted', async () => {
    const folder = await freshFolder('state-stale', 'photo.png');
    const image = vscode.Uri.joinPath(folder, 'photo.png');
    session = await suite.open(image);
    const first = await session.next('init');
    await session.probe.receive({ type: 'viewChanged', paint: await paintOf(first.image.width, first.image.height) });
    session.dispose();
    session = await suite.open(image);
    assert.ok((await session.next('init')).view.paint, 'kept across closing and re-opening');
    session.dispose();
    const bytes = await vscode.workspace.fs.readFile(image);
    await vscode.workspace.fs.writeFile(image, await sharp(bytes).negate({ alpha: false }).png().toBuffer());
    session = await suite.open(image);
    const changed = await session.next('init');
    assert.equal(changed.view.paint, undefined);
    assert.match(changed.view.note ?? '', /changed since the mask was painted/);
  });

  it('a revived panel whose state cannot be read says so and stays open; one for a file outside the workspace is refused', async () => {
    for (const state of [{ nonsense: true }, { imageUri: vscode.Uri.file(path.join(os.tmpdir(), 'elsewhere.png')).toString() }]) {
      const panel = await suite.api().testing!.revivePanel(state);
      try {
        assert.match(panel.webview.html, /could not be restored/);
        assert.doesNotMatch(panel.webview.html, /<script/);
        assert.equal(panel.webview.options.enableScripts, false);
        const elsewhere = path.join(os.tmpdir(), 'elsewhere.png');
        assert.equal(
          (panel.webview.options.localResourceRoots ?? []).some((r) => elsewhere.startsWith(r.fsPath + path.sep)),
          false,
          'no root was widened for it',
        );
      } finally {
        panel.dispose();
      }
    }
  });

  /** The bytes of the paint layer's file, once they are `paint`'s. */
  async function paintFileHolds(image: vscode.Uri, paint: string): Promise<vscode.Uri> {
    const { paintFile } = suite.api().testing!.panelStorage(image);
    const expected = Buffer.from(paint.slice(paint.indexOf(',') + 1), 'base64');
    await waitFor('the paint layer in its file', async () => {
      const bytes = await Promise.resolve(vscode.workspace.fs.readFile(paintFile)).catch(() => undefined);
      return bytes && Buffer.from(bytes).equals(expected) ? true : undefined;
    });
    return paintFile;
  }

  it('the paint layer is kept in a file of its own, not in workspaceState, and a panel revived after a reload shows it', async () => {
    const folder = await freshFolder('state-paint-file', 'photo.png');
    const image = vscode.Uri.joinPath(folder, 'photo.png');
    session = await suite.open(image);
    const first = await session.next('init');
    const paint = await paintOf(first.image.width, first.image.height);
    await session.probe.receive({ type: 'viewChanged', prompt: 'Snow on the roofs', paint });
    const file = await paintFileHolds(image, paint);
    assert.doesNotMatch(JSON.stringify(suite.api().testing!.panelStorage(image).raw), /data:image\/png/, 'no paint in workspaceState');
    assert.match(JSON.stringify(suite.api().testing!.panelStorage(image).raw), /Snow on the roofs/, 'the rest of the draft is');
    session.dispose();
    session = undefined;

    const revived = await suite.api().testing!.revivePanel({ imageUri: image.toString() });
    try {
      const again = new PanelSession(await waitFor('the revived panel', () => suite.api().testing!.editPanel(image)));
      const init = await reload(again);
      assert.equal(init.view.paint, paint, 'the layer came back from its file');
      assert.equal(init.view.prompt, 'Snow on the roofs');
      // Clearing the mask removes its file.
      await again.probe.receive({ type: 'viewChanged', paint: null });
      await waitFor('the paint file removed', async () =>
        (await Promise.resolve(vscode.workspace.fs.stat(file)).then(
          () => false,
          () => true,
        ))
          ? true
          : undefined,
      );
    } finally {
      revived.dispose();
    }
  });

  it('a draft stored by the previous version keeps its paint: it moves to its file when the panel opens', async () => {
    const folder = await freshFolder('state-paint-legacy', 'photo.png');
    const image = vscode.Uri.joinPath(folder, 'photo.png');
    const { width, height } = await sharp(Buffer.from(await vscode.workspace.fs.readFile(image))).metadata();
    const paint = await paintOf(width!, height!);
    await suite
      .api()
      .testing!.storePanelDraft(image, { version: 1, imageSignature: '', references: [], prompt: 'An older draft', options: DEFAULT_OPTIONS, paint });
    session = await suite.open(image);
    const init = await session.next('init');
    assert.equal(init.view.prompt, 'An older draft');
    assert.equal(init.view.paint, paint, 'the mask painted before the update is still there');
    await paintFileHolds(image, paint);
    await waitFor('the paint out of workspaceState', () =>
      JSON.stringify(suite.api().testing!.panelStorage(image).raw).includes('data:image/png') ? undefined : true,
    );
  });

  it('a paint layer over 16 MiB stays for this window, and the panel says it will not survive a reload', async () => {
    const folder = await freshFolder('state-paint-large', 'photo.png');
    const image = vscode.Uri.joinPath(folder, 'photo.png');
    session = await suite.open(image);
    await session.next('init');
    const noise = await sharp({
      create: { width: 2200, height: 2200, channels: 4, background: '#00000000', noise: { type: 'gaussian', mean: 128, sigma: 90 } },
    })
      .png({ compressionLevel: 0 })
      .toBuffer();
    assert.ok(noise.length > 16 * 1024 * 1024, `${noise.length} bytes`);
    const paint = `data:image/png;base64,${noise.toString('base64')}`;
    const shown: string[] = [];
    const listening = suite.api().onDidShowMessage((m) => shown.push(m.message));
    try {
      await session.probe.receive({ type: 'viewChanged', paint });
      const warning = await waitFor('the warning', () => shown.find((m) => /mask of photo\.png is over 16 MB/.test(m)));
      assert.match(warning, /will not survive a reload/);
    } finally {
      listening.dispose();
    }
    const { paintFile } = suite.api().testing!.panelStorage(image);
    assert.equal(
      await Promise.resolve(vscode.workspace.fs.stat(paintFile)).then(
        () => 'a file',
        () => 'none',
      ),
      'none',
      'no file for it',
    );
    assert.equal((await reload(session)).view.paint, paint, 'kept while the window lives');
  });

  it('an error answers the request that caused it', async () => {
    const folder = await freshFolder('state-request-ids', 'photo.png');
    session = await suite.open(vscode.Uri.joinPath(folder, 'photo.png'));
    await session.next('init');
    const from = session.posted.length;
    await session.probe.receive({ type: 'openResult', requestId: 41, uri: 'file:///never/shown.png' });
    const error = await session.next('error', from);
    assert.equal(error.requestId, 41);
  });
});
