// Exact edits against the emulator at its least convenient (the default): it treats the mask as
// a hint (every pixel outside it drifts) and answers `auto` at its own size (1024 on the long
// side). What is saved must still be the original's size and format, with every pixel outside
// the mask and its soft band the original's, and the panel must say what was measured.
import * as vscode from 'vscode';
import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import sharp from 'sharp';
import { DEFAULT_OPTIONS, PanelSession, emulator, freshFolder, listNames, waitFor, panelSuite } from './support';
import type { EditOptions } from '../../src/shared/protocol';

const W = 300;
const H = 200;
/** The painted area, in the image's pixels. */
const RECT = { x: 100, y: 60, w: 80, h: 50 };
const FEATHER = DEFAULT_OPTIONS.featherPx;

type Kind = { name: string; file: string; format: 'png' | 'jpeg'; alpha: boolean };
const KINDS: Kind[] = [
  { name: 'a PNG', file: 'sprite.png', format: 'png', alpha: false },
  { name: 'a JPEG', file: 'photo.jpg', format: 'jpeg', alpha: false },
  { name: 'a PNG with transparency', file: 'icon.png', format: 'png', alpha: true },
];

/** A picture with detail everywhere (so drift shows), transparent on its left edge when `alpha`. */
async function writeOriginal(folder: vscode.Uri, kind: Kind): Promise<Uint8Array> {
  const channels = kind.alpha ? 4 : 3;
  const raw = Buffer.alloc(W * H * channels);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const o = (y * W + x) * channels;
      raw[o] = 20 + ((x * 3) % 200);
      raw[o + 1] = 30 + ((y * 5) % 180);
      raw[o + 2] = 60 + (((x + y) * 2) % 150);
      if (kind.alpha) raw[o + 3] = x < 20 ? 0 : 255;
    }
  }
  const image = sharp(raw, { raw: { width: W, height: H, channels } });
  const bytes = await (kind.format === 'png' ? image.png() : image.jpeg({ quality: 90 })).toBuffer();
  await vscode.workspace.fs.writeFile(vscode.Uri.joinPath(folder, kind.file), bytes);
  return bytes;
}

/** A mask as a data: URI: the panel's own form, or a file in either convention. */
async function maskUri(convention: 'sent' | 'alpha' | 'luminance', rect = RECT): Promise<string> {
  const raw = Buffer.alloc(W * H * 4);
  for (let p = 0; p < W * H; p++) {
    const x = p % W;
    const y = Math.floor(p / W);
    const edit = x >= rect.x && x < rect.x + rect.w && y >= rect.y && y < rect.y + rect.h;
    if (convention !== 'alpha' && edit) raw.fill(255, p * 4, p * 4 + 3); // white where to edit
    raw[p * 4 + 3] = convention === 'luminance' ? 255 : edit ? 0 : 255;
  }
  return `data:image/png;base64,${(
    await sharp(raw, { raw: { width: W, height: H, channels: 4 } })
      .png()
      .toBuffer()
  ).toString('base64')}`;
}

async function pixels(bytes: Uint8Array): Promise<Buffer> {
  return sharp(bytes).ensureAlpha().raw().toBuffer();
}

/** Far from the mask: beyond its soft band (and a pixel more); on it: inside the rectangle. */
function where(p: number): 'far' | 'on' | 'band' {
  const x = p % W;
  const y = Math.floor(p / W);
  if (x >= RECT.x && x < RECT.x + RECT.w && y >= RECT.y && y < RECT.y + RECT.h) return 'on';
  const m = FEATHER + 1;
  return x < RECT.x - m || x >= RECT.x + RECT.w + m || y < RECT.y - m || y >= RECT.y + RECT.h + m ? 'far' : 'band';
}

function psnr(a: Buffer, b: Buffer, pick: (p: number) => boolean): number {
  let sum = 0;
  let n = 0;
  for (let p = 0; p < a.length / 4; p++) {
    if (!pick(p)) continue;
    for (let c = 0; c < 3; c++) sum += (a[p * 4 + c] - b[p * 4 + c]) ** 2;
    n += 3;
  }
  return sum === 0 ? Infinity : 10 * Math.log10((255 * 255) / (sum / n));
}

async function waitForRuns(count: number) {
  return waitFor(`${count} run(s) on the emulator`, async () => {
    const runs = await emulator.runs();
    return runs.length >= count ? runs : undefined;
  });
}

describe('Exact edits: the mask holds whatever the model does, and the result matches the original', function () {
  this.timeout(90000);
  const suite = panelSuite();
  let session: PanelSession | undefined;

  async function edit(folder: vscode.Uri, file: string, mask: string | undefined, options: Partial<EditOptions> = {}) {
    session = await suite.open(vscode.Uri.joinPath(folder, file));
    await session.next('init');
    const from = session.posted.length;
    await session.probe.receive({
      type: 'run',
      requestId: 1,
      prompt: 'Put a red balloon here',
      options: { ...DEFAULT_OPTIONS, ...options },
      ...(mask ? { mask } : {}),
    });
    const ended = await session.next('results', from);
    return ended;
  }

  for (const kind of KINDS) {
    it(`${kind.name}: saved at its size and format; outside the mask exact${kind.format === 'jpeg' ? ' up to re-encoding' : ''}; inside edited; measured`, async () => {
      const folder = await freshFolder(`exact-${kind.format}${kind.alpha ? '-alpha' : ''}`);
      const original = await writeOriginal(folder, kind);
      const results = await edit(folder, kind.file, await maskUri('sent'));
      const stem = kind.file.replace(/\.[^.]+$/, '');
      const ext = kind.format === 'jpeg' ? 'jpg' : 'png';
      const savedName = `${stem}.edited-1.${ext}`;
      assert.deepEqual(
        results.results.map((r) => r.name),
        [savedName],
      );
      const saved = await vscode.workspace.fs.readFile(vscode.Uri.joinPath(folder, savedName));
      const meta = await sharp(saved).metadata();
      assert.deepEqual([meta.format, meta.width, meta.height], [kind.format, W, H], 'the original’s format and pixel size');
      if (kind.alpha) assert.equal(meta.hasAlpha, true, 'transparency kept');

      const [a, b] = [await pixels(original), await pixels(saved)];
      const all = [...Array(W * H).keys()];
      const far = all.filter((p) => where(p) === 'far');
      const on = all.filter((p) => where(p) === 'on');
      const changedFar = far.filter((p) => a.readUInt32BE(p * 4) !== b.readUInt32BE(p * 4)).length;
      const farPsnr = psnr(a, b, (p) => where(p) === 'far');
      if (kind.format === 'png') assert.equal(changedFar, 0, `${changedFar} of ${far.length} pixels far from the mask changed`);
      else {
        // What re-encoding the original alone at the same quality costs, over the same pixels.
        const reencoded = await pixels(await sharp(original).jpeg({ quality: DEFAULT_OPTIONS.lossyQuality }).toBuffer());
        const baseline = psnr(a, reencoded, (p) => where(p) === 'far');
        assert.ok(farPsnr >= baseline - 0.5, `far from the mask: PSNR ${farPsnr.toFixed(2)} dB, a plain re-encode gives ${baseline.toFixed(2)} dB`);
        console.log(`      JPEG outside the band: PSNR ${farPsnr.toFixed(2)} dB (plain re-encode of the original: ${baseline.toFixed(2)} dB)`);
      }
      const changedOn = on.filter(
        (p) => Math.abs(a[p * 4] - b[p * 4]) + Math.abs(a[p * 4 + 1] - b[p * 4 + 1]) + Math.abs(a[p * 4 + 2] - b[p * 4 + 2]) > 30,
      ).length;
      assert.ok(changedOn > on.length * 0.8, `only ${changedOn} of ${on.length} painted pixels changed`);
      if (kind.alpha) assert.equal(b[3], 0, 'a transparent corner is still transparent');

      const notes = (results.notes ?? []).join('\n');
      if (kind.format === 'png') assert.match(notes, new RegExp(`${savedName.replace('.', '\\.')}: outside the mask, 0 px changed`));
      else assert.match(notes, /outside the mask, [\d,.\s]+ of [\d,.\s]+ px differ only by the JPEG re-encoding \(PSNR \d+\.\d dB/);

      const sidecar = JSON.parse(Buffer.from(await vscode.workspace.fs.readFile(vscode.Uri.joinPath(folder, `${savedName}.json`))).toString('utf8'));
      assert.deepEqual(sidecar.result.raw, { width: 1024, height: 683, format: 'png' }, 'the raw output’s own size');
      assert.deepEqual(
        [sidecar.result.composited, sidecar.result.featherPx, sidecar.result.saved],
        [true, FEATHER, { width: W, height: H, format: kind.format }],
      );
      const runs = await emulator.runs();
      assert.equal(runs.length, 1);
      const input = runs[0].input as Record<string, unknown>;
      assert.deepEqual([input.image_size, input.output_format], ['auto', 'png'], 'matching asks the model for its own size, losslessly');
    });
  }

  it('each input is read once: the image changed on disk after Run and before the upload, the bytes sent are the ones hashed and finished over', async () => {
    const folder = await freshFolder('exact-read-once');
    const original = await writeOriginal(folder, KINDS[0]);
    const image = vscode.Uri.joinPath(folder, 'sprite.png');
    const replacement = await sharp(Buffer.from(original)).negate({ alpha: false }).png().toBuffer();
    session = await suite.open(image);
    await session.next('init');
    // The moment the job reports the upload, another program rewrites the file.
    const rewriting = session.probe.onDidPost((m) => {
      if (m.type === 'progress' && m.phase === 'uploading') {
        fs.writeFileSync(image.fsPath, replacement);
        rewriting.dispose();
      }
    });
    const from = session.posted.length;
    await session.probe.receive({ type: 'run', requestId: 1, prompt: 'Put a red balloon here', options: DEFAULT_OPTIONS, mask: await maskUri('sent') });
    await session.next('results', from);
    rewriting.dispose();
    assert.deepEqual(Buffer.from(await vscode.workspace.fs.readFile(image)), replacement, 'the file did change during the edit');

    const [run] = await emulator.runs();
    const sent = (run.input as { image_urls: string[] }).image_urls[0];
    assert.ok(sent.startsWith('data:image/png;base64,'));
    assert.ok(Buffer.from(sent.slice(sent.indexOf(',') + 1), 'base64').equals(Buffer.from(original)), 'Runflow received the bytes read at Run');
    const sidecar = JSON.parse(Buffer.from(await vscode.workspace.fs.readFile(vscode.Uri.joinPath(folder, 'sprite.edited-1.png.json'))).toString('utf8'));
    assert.equal(sidecar.originalSha256, createHash('sha256').update(original).digest('hex'), 'the sidecar names the bytes that were sent');
    assert.equal(sidecar.result.composited, true, 'composited over the bytes that were sent');
  });

  it('a four-output edit decodes its original and its mask once each', async () => {
    const folder = await freshFolder('exact-decodes');
    await writeOriginal(folder, KINDS[0]);
    session = await suite.open(vscode.Uri.joinPath(folder, 'sprite.png'));
    await session.next('init');
    const before = suite.api().testing!.decodeCounts();
    const from = session.posted.length;
    await session.probe.receive({
      type: 'run',
      requestId: 1,
      prompt: 'Put a red balloon here',
      options: { ...DEFAULT_OPTIONS, numImages: 4 },
      mask: await maskUri('sent'),
    });
    const results = await session.next('results', from);
    assert.equal(results.results.length, 4);
    const after = suite.api().testing!.decodeCounts();
    assert.deepEqual(
      { original: after.original - before.original, mask: after.mask - before.mask, output: after.output - before.output },
      { original: 1, mask: 1, output: 4 },
    );
  });

  it('with "Keep unmasked pixels exact" off, the drift is saved and the panel says how much', async () => {
    const folder = await freshFolder('exact-off');
    const original = await writeOriginal(folder, KINDS[0]);
    const results = await edit(folder, 'sprite.png', await maskUri('sent'), { keepUnmaskedExact: false });
    const saved = await vscode.workspace.fs.readFile(vscode.Uri.joinPath(folder, 'sprite.edited-1.png'));
    const [a, b] = [await pixels(original), await pixels(saved)];
    const changedFar = [...Array(W * H).keys()].filter((p) => where(p) === 'far' && a.readUInt32BE(p * 4) !== b.readUInt32BE(p * 4)).length;
    assert.ok(changedFar > 1000, `the model's drift is kept: ${changedFar} px`);
    assert.match((results.notes ?? []).join('\n'), /sprite\.edited-1\.png: outside the mask, [\d,.\s]+ of [\d,.\s]+ px changed, by up to \d+ levels/);
  });

  it('a mask file in either convention gives the same edit, and so does a backend that reads white = edit', async () => {
    const saves: Buffer[] = [];
    for (const [convention, backend] of [
      ['alpha', 'alpha'],
      ['luminance', 'alpha'],
      ['sent', 'luminance'],
    ] as const) {
      await emulator.reset();
      if (backend === 'luminance') await emulator.inject({ kind: 'mask_convention', convention: 'luminance' });
      const folder = await freshFolder(`convention-${convention}-${backend}`);
      await writeOriginal(folder, KINDS[0]);
      await edit(folder, 'sprite.png', await maskUri(convention));
      saves.push(Buffer.from(await vscode.workspace.fs.readFile(vscode.Uri.joinPath(folder, 'sprite.edited-1.png'))));
      session?.dispose();
      session = undefined;
    }
    assert.ok(saves[0].equals(saves[1]), 'alpha-convention file = black-and-white file');
    assert.ok(saves[0].equals(saves[2]), 'the same result from a backend that reads colour');
  });

  it('a mask that marks nothing is refused before any request; one that marks everything is allowed and said so', async () => {
    const folder = await freshFolder('exact-nothing');
    await writeOriginal(folder, KINDS[0]);
    session = await suite.open(vscode.Uri.joinPath(folder, 'sprite.png'));
    await session.next('init');
    const from = session.posted.length;
    await session.probe.receive({
      type: 'run',
      requestId: 1,
      prompt: 'Anything',
      options: DEFAULT_OPTIONS,
      mask: await maskUri('sent', { x: 0, y: 0, w: 0, h: 0 }),
    });
    const error = await session.next('error', from);
    assert.match(error.message, /marks nothing to edit/);
    assert.deepEqual(error.fields, ['mask_url']);
    assert.deepEqual(await emulator.runs(), []);
    assert.deepEqual(await listNames(folder), ['sprite.png']);
    session.dispose();
    const everything = await edit(folder, 'sprite.png', await maskUri('sent', { x: 0, y: 0, w: W, h: H }));
    assert.match((everything.notes ?? []).join('\n'), /covers the whole image/);
  });

  it('Fetch Results after a stopped wait composites through the recorded mask, like the panel; over a changed original it saves as returned', async () => {
    for (const changeOriginal of [false, true]) {
      await emulator.reset();
      await emulator.inject({ kind: 'delay', match: { method: 'GET', path: '/v1/runs/*' }, ms: 1000, times: 100 });
      const folder = await freshFolder(`exact-fetch-${changeOriginal}`);
      const original = await writeOriginal(folder, KINDS[0]);
      session = await suite.open(vscode.Uri.joinPath(folder, 'sprite.png'));
      await session.next('init');
      const from = session.posted.length;
      const running = session.probe.receive({ type: 'run', requestId: 1, prompt: 'A balloon', options: DEFAULT_OPTIONS, mask: await maskUri('sent') });
      const [run] = await waitForRuns(1);
      await session.probe.receive({ type: 'cancel' });
      await running;
      await session.next('canceled', from);
      session.dispose();
      session = undefined;
      if (changeOriginal) await vscode.workspace.fs.writeFile(vscode.Uri.joinPath(folder, 'sprite.png'), await sharp(original).negate().png().toBuffer());

      await vscode.commands.executeCommand('gptImageEdit.history.fetchResults', run.id);
      const saved = await vscode.workspace.fs.readFile(vscode.Uri.joinPath(folder, 'sprite.edited-1.png'));
      const meta = await sharp(saved).metadata();
      const sidecar = JSON.parse(Buffer.from(await vscode.workspace.fs.readFile(vscode.Uri.joinPath(folder, 'sprite.edited-1.png.json'))).toString('utf8'));
      if (changeOriginal) {
        assert.deepEqual([meta.width, meta.height], [1024, 683], 'not matched to an image it was not made from');
        assert.equal(sidecar.result, undefined);
        const record = (await suite.api().testing!.history.records()).find((r) => r.runId === run.id);
        assert.match(record?.message ?? '', /changed or moved since the edit was sent/);
        continue;
      }
      assert.deepEqual([meta.width, meta.height], [W, H]);
      assert.equal(sidecar.result.composited, true);
      const [a, b] = [await pixels(original), await pixels(saved)];
      const changedFar = [...Array(W * H).keys()].filter((p) => where(p) === 'far' && a.readUInt32BE(p * 4) !== b.readUInt32BE(p * 4)).length;
      assert.equal(changedFar, 0);
    }
  });

  it('a preset of another shape is not stretched: saved as returned, with a note', async () => {
    const folder = await freshFolder('exact-shape');
    await writeOriginal(folder, KINDS[0]);
    const results = await edit(folder, 'sprite.png', await maskUri('sent'), { matchOriginal: false, imageSize: 'square' });
    const meta = await sharp(await vscode.workspace.fs.readFile(vscode.Uri.joinPath(folder, 'sprite.edited-1.png'))).metadata();
    assert.deepEqual([meta.width, meta.height], [512, 512]);
    assert.match((results.notes ?? []).join('\n'), /another shape than the original’s 300×200, so it was not scaled or composited/);
  });
});
