// The packaged extension, not the checkout: the .vsix that `npm run package` builds is installed
// into the real editor with its CLI (`--install-extension`) and one exact edit runs through it in
// Chromium. A file the package leaves out (the WebAssembly codec, its loader) fails here.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import sharp from 'sharp';
import {
  type Editor,
  distanceToSegment,
  editFromPalette,
  imagesDecoded,
  paintStroke,
  poll,
  root,
  startEditor,
  typePrompt,
  waitForFile,
  waitForPanel,
  waitForResults,
  withArtifacts,
} from './support';

const VSIX = path.join(root, 'gpt-image-edit.vsix');
let editor: Editor | undefined;

describe('UI: the packaged .vsix, installed into a real VS Code', () => {
  before(
    async () => {
      editor = await startEditor({ vsix: VSIX });
    },
    { timeout: 180_000 },
  );

  after(
    async () => {
      const leftovers = (await editor?.close()) ?? [];
      assert.deepEqual(leftovers, [], 'processes of the editor were still running after it was stopped');
    },
    { timeout: 60_000 },
  );

  it('paint a stroke on a JPEG → Run → a .jpg of the original size, exact far from the stroke, the measure shown', { timeout: 150_000 }, async () => {
    await withArtifacts(editor!, 'packaged', async () => {
      const { page, emulator, workspace } = editor!;
      emulator.reset();
      const extensions = fs.readdirSync(path.join(path.dirname(workspace), 'extensions')).filter((n) => n.startsWith('runflow-tools.gpt-image-edit'));
      assert.equal(extensions.length, 1, 'the extension is the installed package');

      const row = await editFromPalette(page, /photo\.jpg/);
      const since = performance.now();
      await row.click();
      const { frame, input } = await waitForPanel(page, 'photo.jpg', since);
      assert.deepEqual([input.naturalWidth, input.naturalHeight], [256, 192]);
      await typePrompt(frame, 'A red balloon');
      const stroke = await paintStroke(
        page,
        frame,
        [
          { fx: 0.35, fy: 0.5 },
          { fx: 0.5, fy: 0.5 },
          { fx: 0.65, fy: 0.5 },
        ],
        { width: 256, height: 192 },
      );
      await frame.locator('#run').click();
      const [uri] = await waitForResults(frame, 1);
      assert.match(uri, /photo\.edited-1\.jpg$/);
      await imagesDecoded(frame);
      const status = await poll('the measured result in the panel', async () => {
        const text = (await frame.locator('#status').textContent()) ?? '';
        return /outside the mask/.test(text) ? text : undefined;
      });
      assert.match(status, /photo\.edited-1\.jpg: outside the mask, [\d,.\s]+ of [\d,.\s]+ px differ only by the JPEG re-encoding \(PSNR \d+\.\d dB/);

      const output = path.join(workspace, 'photo.edited-1.jpg');
      await waitForFile(output);
      const meta = await sharp(output).metadata();
      assert.deepEqual([meta.format, meta.width, meta.height], ['jpeg', 256, 192], 'a .jpg stays a .jpg at its size');
      const [run] = emulator.runs();
      assert.equal(typeof (run.input as Record<string, unknown>).mask_url, 'string');

      // Far from the stroke (beyond the brush, the soft band and a margin) only JPEG re-encoding differs.
      const original = path.join(workspace, 'photo.jpg');
      const [a, b, again] = await Promise.all(
        [sharp(original), sharp(output), sharp(await sharp(original).jpeg({ quality: 90 }).toBuffer())].map((s) => s.removeAlpha().raw().toBuffer()),
      );
      const far = (p: number) => {
        const x = (p % 256) + 0.5;
        const y = Math.floor(p / 256) + 0.5;
        const d = Math.min(...stroke.points.slice(1).map((q, i) => distanceToSegment(x, y, stroke.points[i], q)));
        return d > stroke.radius + 12;
      };
      const psnr = (u: Buffer, v: Buffer) => {
        let sum = 0;
        let n = 0;
        for (let p = 0; p < 256 * 192; p++) {
          if (!far(p)) continue;
          for (let c = 0; c < 3; c++) sum += (u[p * 3 + c] - v[p * 3 + c]) ** 2;
          n += 3;
        }
        return 10 * Math.log10((255 * 255) / (sum / n));
      };
      const [result, reencode] = [psnr(a, b), psnr(a, again)];
      assert.ok(result >= reencode - 0.5, `far from the stroke: PSNR ${result.toFixed(2)} dB; a plain re-encode: ${reencode.toFixed(2)} dB`);
      let changedNear = 0;
      for (let p = 0; p < 256 * 192; p++) if (!far(p) && Math.abs(a[p * 3] - b[p * 3]) + Math.abs(a[p * 3 + 1] - b[p * 3 + 1]) > 40) changedNear++;
      assert.ok(changedNear > 500, `the stroke's area changed: ${changedNear} px`);
    });
  });
});
