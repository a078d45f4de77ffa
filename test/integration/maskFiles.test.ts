// The mask editor's host side: exporting a mask writes `<name>.mask.png` beside the image and
// never over a file, and the editor's tools are kept with the panel like the mask itself.
import * as vscode from 'vscode';
import * as assert from 'node:assert/strict';
import sharp from 'sharp';
import { freshFolder, listNames, panelSuite } from './support';
import type { MaskTools } from '../../src/shared/maskTools';

async function maskPng(width: number, height: number): Promise<Buffer> {
  const raw = Buffer.alloc(width * height * 4);
  for (let p = 0; p < width * height; p++) raw.set(p % width < width / 2 ? [255, 255, 255, 0] : [0, 0, 0, 255], p * 4);
  return sharp(raw, { raw: { width, height, channels: 4 } })
    .png()
    .toBuffer();
}

describe("Mask files and the mask editor's state", function () {
  this.timeout(60000);
  const suite = panelSuite();

  it("Export mask writes <name>.mask.png beside the image, then the next free name; the user's own files are untouched", async () => {
    const folder = await freshFolder('mask-export', 'photo.png');
    const own = Buffer.from("the user's own file");
    await vscode.workspace.fs.writeFile(vscode.Uri.joinPath(folder, 'photo.mask-2.png'), own);
    const session = await suite.open(vscode.Uri.joinPath(folder, 'photo.png'));
    await session.next('init');
    const png = await maskPng(256, 192);
    const mask = `data:image/png;base64,${png.toString('base64')}`;

    const exported: string[] = [];
    for (let i = 0; i < 2; i++) {
      const from = session.posted.length;
      await session.probe.receive({ type: 'exportMask', requestId: 1, mask });
      const answer = await session.next('answer', from);
      assert.equal(answer.request, 'exportMask');
      exported.push((answer as Extract<typeof answer, { request: 'exportMask' }>).name);
    }
    assert.deepEqual(exported, ['photo.mask.png', 'photo.mask-3.png']);
    assert.deepEqual(Buffer.from(await vscode.workspace.fs.readFile(vscode.Uri.joinPath(folder, 'photo.mask.png'))), png);
    assert.deepEqual(Buffer.from(await vscode.workspace.fs.readFile(vscode.Uri.joinPath(folder, 'photo.mask-2.png'))), own, 'not overwritten');
    assert.deepEqual(await listNames(folder), ['photo.mask-2.png', 'photo.mask-3.png', 'photo.mask.png', 'photo.png'], 'no temporary file left');
  });

  it('a payload that is not a PNG is refused with a message and writes nothing', async () => {
    const folder = await freshFolder('mask-export-bad', 'photo.png');
    const session = await suite.open(vscode.Uri.joinPath(folder, 'photo.png'));
    await session.next('init');
    const from = session.posted.length;
    await session.probe.receive({ type: 'exportMask', requestId: 7, mask: `data:image/png;base64,${Buffer.from('GIF89a not a png').toString('base64')}` });
    const error = await session.next('error', from);
    assert.match(error.message, /could not be exported/);
    assert.equal(error.requestId, 7);
    assert.deepEqual(await listNames(folder), ['photo.png']);
  });

  it('the tools and settings the user chose come back when the panel is opened again', async () => {
    const folder = await freshFolder('mask-tools', 'photo.png');
    const image = vscode.Uri.joinPath(folder, 'photo.png');
    let session = await suite.open(image);
    const first = await session.next('init');
    assert.equal(first.view.maskTools, undefined, 'a new panel has the defaults');
    const tools: MaskTools = { tool: 'lasso', subtract: true, brushSize: 77, hardness: 40, overlayOpacity: 30, overlayColour: 'yellow' };
    await session.probe.receive({ type: 'viewChanged', maskTools: tools });
    session.dispose();
    session = await suite.open(image);
    assert.deepEqual((await session.next('init')).view.maskTools, tools);
  });
});
