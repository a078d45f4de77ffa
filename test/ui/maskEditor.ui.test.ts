// UI tests of the mask editor: a real VS Code in headless Chromium, driven with the mouse and the
// keyboard as a user would, asserting on the mask that reaches the emulator (the run's mask_url,
// downloaded and decoded) and on the mask files exported beside the image.
//
//   1. rectangle, ellipse and lasso, a subtracted rectangle, undo and redo → the mask sent
//   2. zoom 200 % → a stroke lands on the same natural pixels as at 100 %; ] and [ size the brush
//   3. keyboard only: a rectangle placed and sized with the arrow keys; export, then Mask from file → sent
//   4. a 4096 × 4096 image: how long from a stroke's pointer event to the frame that shows it
//   5. screenshots in light, dark and high-contrast themes
import { after, afterEach, before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Frame, Page } from 'playwright-core';
import sharp from 'sharp';
import { editArea } from '../../src/shared/maskConvention';
import {
  closeAllEditors,
  openImagePanel,
  outputDir,
  poll,
  removeOutputs,
  quickPickRow,
  screenshot,
  setColorTheme,
  startEditor,
  typePrompt,
  waitForResults,
  withArtifacts,
  type Editor,
} from './support';

const W = 256;
const H = 192;

let editor: Editor;

function report(line: string): void {
  process.stdout.write(`${line}\n`);
}

/** A mask as a set of edit pixels, from PNG bytes, read by the same rule as the host. */
interface MaskPixels {
  width: number;
  height: number;
  edit: Uint8Array;
}

async function decodeMask(bytes: Buffer): Promise<MaskPixels> {
  const { data, info } = await sharp(bytes).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, edit: editArea(new Uint8Array(data.buffer, data.byteOffset, data.length)) };
}

/** The mask the emulator received with the only run since its reset. */
async function sentMask(): Promise<MaskPixels> {
  const runs = editor.emulator.runs();
  assert.equal(runs.length, 1, `exactly one run, got ${runs.length}`);
  const url = (runs[0].input as Record<string, unknown>).mask_url;
  assert.equal(typeof url, 'string', 'the run carries a mask');
  const response = await fetch(url as string);
  assert.equal(response.status, 200);
  return decodeMask(Buffer.from(await response.arrayBuffer()));
}

/**
 * Checks `mask` against a shape given as a function of a pixel's centre: every pixel more than
 * `slack` px inside is edit, every one more than `slack` px outside is kept. `signedDistance` is
 * negative inside.
 */
function assertShape(mask: MaskPixels, what: string, signedDistance: (cx: number, cy: number) => number, slack = 1): void {
  const wrong: string[] = [];
  for (let y = 0; y < mask.height; y++) {
    for (let x = 0; x < mask.width; x++) {
      const d = signedDistance(x + 0.5, y + 0.5);
      const edit = mask.edit[y * mask.width + x] === 1;
      if ((d < -slack && !edit) || (d > slack && edit)) wrong.push(`(${x}, ${y}) ${edit ? 'edit' : 'kept'} at ${d.toFixed(1)} px`);
    }
  }
  assert.equal(wrong.length, 0, `${what}: ${wrong.length} pixels wrong, e.g. ${wrong.slice(0, 5).join('; ')}`);
}

/** Signed distance to a box: negative inside. */
const boxDistance = (b: { x0: number; y0: number; x1: number; y1: number }) => (cx: number, cy: number) => {
  const dx = Math.max(b.x0 - cx, cx - b.x1);
  const dy = Math.max(b.y0 - cy, cy - b.y1);
  return dx > 0 || dy > 0 ? Math.hypot(Math.max(dx, 0), Math.max(dy, 0)) : Math.max(dx, dy);
};

/** Where a natural pixel position is on the page, at the canvas's current zoom and scroll. */
async function pagePoint(frame: Frame, p: { x: number; y: number }): Promise<{ x: number; y: number }> {
  const box = await frame.locator('#mask-canvas').boundingBox();
  if (!box) throw new Error('the mask canvas is not shown');
  return { x: box.x + (p.x * box.width) / W, y: box.y + (p.y * box.height) / H };
}

/** A drag with the mouse through natural positions (down at the first, up at the last). */
async function drag(page: Page, frame: Frame, points: { x: number; y: number }[], steps = 6): Promise<void> {
  const first = await pagePoint(frame, points[0]);
  await page.mouse.move(first.x, first.y);
  await page.mouse.down();
  for (const p of points.slice(1)) {
    const q = await pagePoint(frame, p);
    await page.mouse.move(q.x, q.y, { steps });
  }
  await page.mouse.up();
}

/** Presses a key in the panel (its document has the focus after a click on the canvas). */
async function press(page: Page, key: string, times = 1): Promise<void> {
  for (let i = 0; i < times; i++) await page.keyboard.press(key);
}

/** The panel's text of `selector`, once it matches `pattern`. */
async function textMatching(frame: Frame, selector: string, pattern: RegExp): Promise<string> {
  return poll(
    `${selector} to read ${pattern}`,
    async () => {
      const text = (await frame.locator(selector).textContent()) ?? '';
      return pattern.test(text) ? text : undefined;
    },
    15_000,
  );
}

/** Clicks Export mask and returns the decoded file the panel says it saved. */
async function exportMask(frame: Frame): Promise<{ name: string; bytes: Buffer; mask: MaskPixels }> {
  await frame.locator('#mask-message').evaluate((el) => (el.textContent = ''));
  await frame.getByRole('button', { name: 'Export mask' }).click();
  const message = await textMatching(frame, '#mask-message', /Mask saved as /);
  const name = /Mask saved as (.+)\.$/.exec(message)![1];
  const bytes = fs.readFileSync(path.join(editor.workspace, name));
  return { name, bytes, mask: await decodeMask(bytes) };
}

async function runAndGetMask(frame: Frame): Promise<MaskPixels> {
  await frame.locator('#run').click();
  await waitForResults(frame, 1);
  return sentMask();
}

/**
 * Opens `name`'s panel with an empty mask and prompt: the host keeps each image's draft (mask,
 * prompt, tools) across closing the panel, so an earlier test's work would be there.
 */
async function freshPanel(page: Page, name: string): Promise<Frame> {
  const frame = await openImagePanel(page, name);
  await frame.getByRole('button', { name: 'Clear' }).click();
  const subtract = frame.getByRole('button', { name: 'Subtract shapes' });
  if ((await subtract.getAttribute('aria-pressed')) === 'true') await subtract.click();
  await frame.locator('#prompt textarea').fill('');
  await textMatching(frame, '#mask-description', /Nothing is masked/);
  return frame;
}

interface Latency {
  segments: number;
  brush: number;
  medianMs: number;
  p95Ms: number;
  drawMedianMs: number;
  drawP95Ms: number;
}

/** Paints one long stroke across the canvas (150 moves) and reads the panel's performance measures of it. */
async function strokeLatency(page: Page, frame: Frame): Promise<Latency> {
  await frame.evaluate(() => {
    performance.clearMeasures('mask-segment');
    performance.clearMeasures('mask-segment-draw');
  });
  const box = (await frame.locator('#mask-canvas').boundingBox())!;
  const points = Array.from({ length: 7 }, (_, i) => ({ x: box.x + box.width * (0.1 + i * 0.13), y: box.y + box.height * (0.3 + 0.2 * Math.sin(i)) }));
  await page.mouse.move(points[0].x, points[0].y);
  await page.mouse.down();
  for (const p of points.slice(1)) await page.mouse.move(p.x, p.y, { steps: 25 });
  await page.mouse.up();
  const read = (name: string) => frame.evaluate((n) => performance.getEntriesByName(n).map((e) => e.duration), name);
  const toPaint = await poll(
    "the stroke's measures",
    async () => {
      const d = await read('mask-segment');
      return d.length >= 100 ? d : undefined;
    },
    30_000,
  );
  const draw = await read('mask-segment-draw');
  const quantile = (values: number[], q: number) => {
    const sorted = [...values].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  };
  return {
    segments: toPaint.length,
    brush: Number(await frame.locator('#brush-size').inputValue()),
    medianMs: quantile(toPaint, 0.5),
    p95Ms: quantile(toPaint, 0.95),
    drawMedianMs: quantile(draw, 0.5),
    drawP95Ms: quantile(draw, 0.95),
  };
}

/** A square PNG with some texture, `side` px. */
async function largeImage(side: number): Promise<Buffer> {
  const pixels = Buffer.alloc(side * side * 3);
  for (let p = 0; p < side * side; p++) pixels.set([p % 251, Math.floor(p / side) % 253, 128], p * 3);
  return sharp(pixels, { raw: { width: side, height: side, channels: 3 } })
    .png({ compressionLevel: 1 })
    .toBuffer();
}

function countEdit(mask: MaskPixels): number {
  return mask.edit.reduce((n, v) => n + v, 0);
}

describe('UI: the mask editor', () => {
  before(
    async () => {
      editor = await startEditor({ files: { 'big.png': await largeImage(4096) } });
    },
    { timeout: 180_000 },
  );

  afterEach(
    async () => {
      if (!editor) return;
      await closeAllEditors(editor.page);
      removeOutputs(editor.workspace);
      for (const name of fs.readdirSync(editor.workspace)) if (/\.mask(-\d+)?\.png$/.test(name)) fs.rmSync(path.join(editor.workspace, name));
    },
    { timeout: 60_000 },
  );

  after(
    async () => {
      const leftovers = (await editor?.close()) ?? [];
      assert.deepEqual(leftovers, [], 'processes of the editor were still running after it was stopped');
    },
    { timeout: 60_000 },
  );

  it('rectangle, ellipse and lasso add; a subtracted rectangle takes away; undo and redo; the mask sent is those shapes', { timeout: 150_000 }, async () => {
    await withArtifacts(editor, 'mask-shapes', async () => {
      const { page, emulator } = editor;
      emulator.reset();
      const frame = await freshPanel(page, 'photo.png');
      await typePrompt(frame, 'A red balloon');

      // Tools by their buttons' accessible names, then by their keys.
      await frame.getByRole('button', { name: 'Rectangle' }).click();
      assert.equal(await frame.getByRole('button', { name: 'Rectangle' }).getAttribute('aria-pressed'), 'true');
      await drag(page, frame, [
        { x: 20, y: 20 },
        { x: 100, y: 80 },
      ]);
      await press(page, 'o');
      await drag(page, frame, [
        { x: 140, y: 20 },
        { x: 240, y: 100 },
      ]);
      await press(page, 'l');
      await drag(page, frame, [
        { x: 30, y: 110 },
        { x: 120, y: 110 },
        { x: 75, y: 180 },
      ]);
      // X: shapes subtract. A hole in the rectangle.
      await press(page, 'r');
      await press(page, 'x');
      assert.equal(await frame.getByRole('button', { name: 'Subtract shapes' }).getAttribute('aria-pressed'), 'true');
      await drag(page, frame, [
        { x: 40, y: 40 },
        { x: 60, y: 60 },
      ]);
      await textMatching(frame, '#mask-description', /Masked: [\d.]+ % of the image/);

      // Undo takes the hole away (the exported file has none), redo puts it back.
      await press(page, 'Control+z');
      const undone = await exportMask(frame);
      assert.equal(undone.name, 'photo.mask.png');
      assert.equal(undone.mask.edit[50 * W + 50], 1, 'after undo, the hole is painted again');
      await press(page, 'Control+Shift+z');

      const mask = await runAndGetMask(frame);
      assert.deepEqual([mask.width, mask.height], [W, H]);
      const rect = boxDistance({ x0: 20, y0: 20, x1: 100, y1: 80 });
      const hole = boxDistance({ x0: 40, y0: 40, x1: 60, y1: 60 });
      const ellipse = (cx: number, cy: number) => {
        // Not a true distance, but within a pixel of it near this ellipse's edge (radii 50 and 40).
        const k = Math.hypot((cx - 190) / 50, (cy - 60) / 40);
        return (k - 1) * 40;
      };
      const tri = [
        { x: 30, y: 110 },
        { x: 120, y: 110 },
        { x: 75, y: 180 },
      ];
      const triangle = (cx: number, cy: number) => {
        let inside = -Infinity;
        for (let k = 0; k < 3; k++) {
          const a = tri[k];
          const b = tri[(k + 1) % 3];
          const len = Math.hypot(b.x - a.x, b.y - a.y);
          // Positive outside this edge (the triangle is clockwise on screen).
          inside = Math.max(inside, -((b.x - a.x) * (cy - a.y) - (b.y - a.y) * (cx - a.x)) / len);
        }
        return inside;
      };
      const union = (cx: number, cy: number) => Math.min(Math.max(rect(cx, cy), -hole(cx, cy)), ellipse(cx, cy), triangle(cx, cy));
      assertShape(mask, 'the three shapes less the hole', union, 1.5);
      assert.equal(mask.edit[20 * W + 20], 1, "the rectangle's corner pixel is in");
      assert.equal(mask.edit[79 * W + 99], 1, 'and its opposite corner');
      assert.equal(mask.edit[50 * W + 50], 0, 'the subtracted hole is kept');
      report(`ui: shapes mask: ${countEdit(mask)} px edit of ${W * H}`);
      await screenshot(page, 'mask-shapes.png');
    });
  });

  it('at 200 % a stroke lands on the same natural pixels as at 100 %; ] and [ size the brush', { timeout: 150_000 }, async () => {
    await withArtifacts(editor, 'mask-zoom', async () => {
      const { page } = editor;
      const frame = await freshPanel(page, 'photo.png');
      const stroke = [
        { x: 30, y: 40 },
        { x: 90, y: 60 },
        { x: 150, y: 50 },
      ];
      await frame.getByRole('button', { name: 'Brush' }).click();
      assert.equal(await frame.locator('#zoom-level').textContent(), '100 %');
      await drag(page, frame, stroke);
      const atFit = await exportMask(frame);
      await frame.getByRole('button', { name: 'Clear' }).click();

      await press(page, '+', 2);
      assert.equal(await frame.locator('#zoom-level').textContent(), '200 %');
      const box = await frame.locator('#mask-canvas').boundingBox();
      assert.equal(Math.round(box!.width), 2 * W, 'the canvas is shown at twice its size');
      await drag(page, frame, stroke);
      const zoomed = await exportMask(frame);
      assert.equal(zoomed.name, 'photo.mask-2.png', 'the second export does not replace the first');
      assert.deepEqual(fs.readFileSync(path.join(editor.workspace, 'photo.mask.png')), atFit.bytes);
      let same = 0;
      let differ = 0;
      for (let p = 0; p < W * H; p++) {
        if (atFit.mask.edit[p] && zoomed.mask.edit[p]) same++;
        else if (atFit.mask.edit[p] !== zoomed.mask.edit[p]) differ++;
      }
      report(`ui: stroke at 100 % vs 200 %: ${same} px in both, ${differ} px in one only`);
      assert.ok(same > 3000, `the stroke painted ${same} px`);
      assert.ok(differ / (same + differ) < 0.03, `${differ} px differ between the zooms (of ${same + differ})`);

      // ] twice: a bigger brush, and the stroke is as wide as the brush says.
      const size = async () => Number(await frame.locator('#brush-size').inputValue());
      const before = await size();
      await press(page, ']', 2);
      const bigger = await size();
      assert.ok(bigger > before + 5, `] grows the brush: ${before} → ${bigger}`);
      await press(page, '[');
      const smaller = await size();
      assert.ok(smaller < bigger, `[ shrinks it: ${bigger} → ${smaller}`);
      await press(page, '0');
      await frame.getByRole('button', { name: 'Clear' }).click();
      await drag(page, frame, [
        { x: 40, y: 100 },
        { x: 200, y: 100 },
      ]);
      const wide = await exportMask(frame);
      let column = 0;
      for (let y = 0; y < H; y++) column += wide.mask.edit[y * W + 120];
      assert.ok(Math.abs(column - smaller) <= 2, `the stroke is ${column} px wide, the brush ${smaller} px`);
    });
  });

  it("a pen's pressure scales the brush: a light stroke is thinner than a firm one", { timeout: 150_000 }, async () => {
    await withArtifacts(editor, 'mask-pen', async () => {
      const { page } = editor;
      const frame = await freshPanel(page, 'photo.png');
      await frame.getByRole('button', { name: 'Brush' }).click();
      const brush = Number(await frame.locator('#brush-size').inputValue());
      // Pen input as a tablet sends it, through Chromium's own input pipeline.
      const cdp = await page.context().newCDPSession(page);
      const pen = async (y: number, force: number) => {
        const at = async (x: number) => pagePoint(frame, { x, y });
        const send = async (type: 'mouseMoved' | 'mousePressed' | 'mouseReleased', x: number, buttons: number) => {
          const p = await at(x);
          await cdp.send('Input.dispatchMouseEvent', { type, x: p.x, y: p.y, button: 'left', buttons, clickCount: 1, pointerType: 'pen', force });
        };
        await send('mouseMoved', 30, 0);
        await send('mousePressed', 30, 1);
        for (let x = 40; x <= 220; x += 10) await send('mouseMoved', x, 1);
        await send('mouseReleased', 220, 0);
      };
      await pen(50, 0.25);
      await pen(140, 1);
      await cdp.detach();
      const { mask } = await exportMask(frame);
      const thickness = (from: number, to: number) => {
        let n = 0;
        for (let y = from; y < to; y++) n += mask.edit[y * W + 128];
        return n;
      };
      const light = thickness(0, 96);
      const firm = thickness(96, H);
      report(`ui: pen stroke, brush ${brush} px: ${light} px wide at pressure 0.25, ${firm} px at 1`);
      assert.ok(Math.abs(firm - brush) <= 2, `full pressure paints the brush's size: ${firm} px, brush ${brush}`);
      assert.ok(Math.abs(light - brush / 4) <= 2, `a quarter of the pressure, a quarter of the size: ${light} px`);
    });
  });

  it(
    'keyboard only: a rectangle placed and sized with the arrow keys; exported, cleared, loaded from the file and sent as it was',
    { timeout: 150_000 },
    async () => {
      await withArtifacts(editor, 'mask-keyboard', async () => {
        const { page, emulator } = editor;
        emulator.reset();
        const frame = await freshPanel(page, 'photo.png');
        await typePrompt(frame, 'Make it night');
        // Tab from the prompt until the canvas has the focus, as a keyboard user does.
        await frame.locator('#prompt textarea').focus();
        await poll(
          'the mask canvas to get the focus',
          async () => {
            if (await frame.evaluate(() => document.activeElement?.id === 'mask-canvas')) return true;
            await page.keyboard.press('Shift+Tab');
            return undefined;
          },
          20_000,
          10,
        );
        await press(page, 'r');
        await press(page, 'Enter');
        const placed = await textMatching(frame, '#shape-status', /Rectangle at/);
        assert.match(placed, /Rectangle at 96, 72, 64 × 48 px/);
        await press(page, 'ArrowRight', 5);
        await press(page, 'Shift+ArrowDown', 10);
        await press(page, 'Control+ArrowLeft');
        await textMatching(frame, '#shape-status', /Rectangle at 91, 72, 64 × 58 px/);
        await press(page, 'Enter');
        await textMatching(frame, '#shape-status', /Applied: 64 × 58 px at 91, 72/);
        const exported = await exportMask(frame);
        const exact = (mask: MaskPixels) => {
          for (let y = 0; y < H; y++) {
            for (let x = 0; x < W; x++) {
              const want = x >= 91 && x < 155 && y >= 72 && y < 130 ? 1 : 0;
              assert.equal(mask.edit[y * W + x], want, `(${x}, ${y})`);
            }
          }
        };
        exact(exported.mask);

        await frame.getByRole('button', { name: 'Clear' }).click();
        await textMatching(frame, '#mask-description', /Nothing is masked/);
        await frame.getByRole('button', { name: 'Mask from file…' }).click();
        // VS Code's own file dialog lists the image's folder (its path box fills in a moment after it
        // opens, so typing a path races it): pick the exported file from the list.
        const file = quickPickRow(page, new RegExp(`^${exported.name.replace(/[.]/g, '\\.')}`)).first();
        await file.waitFor({ state: 'visible', timeout: 15_000 });
        await file.click();
        // A click on a file accepts it; should the dialog only have taken the name, Enter accepts it.
        const dialog = page.locator('.quick-input-widget');
        const closed = await dialog.waitFor({ state: 'hidden', timeout: 3000 }).then(
          () => true,
          () => false,
        );
        if (!closed) await dialog.locator('.quick-input-box input').press('Enter');
        await textMatching(frame, '#mask-message', /Mask loaded from photo\.mask\.png/);
        exact(await runAndGetMask(frame));
      });
    },
  );

  it(
    'on a 4096 × 4096 image a stroke segment is drawn within a frame (pointer event → painted, measured against a 256 × 192 image)',
    { timeout: 150_000 },
    async () => {
      await withArtifacts(editor, 'mask-large', async () => {
        const { page } = editor;
        const figures: Record<string, Latency> = {};
        // The small image first: what the same stroke costs when the image's size costs nothing.
        for (const [name, label] of [
          ['photo.png', '256x192'],
          ['big.png', '4096x4096'],
        ] as const) {
          const frame = await freshPanel(page, name);
          await frame.getByRole('button', { name: 'Brush' }).click();
          figures[label] = await strokeLatency(page, frame);
          report(
            `ui: ${label} stroke, ${figures[label].segments} segments, brush ${figures[label].brush} px: pointer event → painted median ${figures[label].medianMs.toFixed(1)} ms, 95th percentile ${figures[label].p95Ms.toFixed(1)} ms; drawing alone median ${figures[label].drawMedianMs.toFixed(1)} ms, 95th percentile ${figures[label].drawP95Ms.toFixed(1)} ms`,
          );
          if (name === 'big.png') assert.match(await textMatching(frame, '#mask-description', /Masked: /), /big\.png, 4096 × 4096 px\. Masked: [\d.]+ %/);
          await closeAllEditors(page);
        }
        fs.mkdirSync(outputDir, { recursive: true });
        fs.writeFileSync(path.join(outputDir, 'mask-latency.json'), JSON.stringify(figures, null, 2));
      });
    },
  );

  it('looks right in light, dark and high-contrast themes (screenshots)', { timeout: 150_000 }, async () => {
    await withArtifacts(editor, 'mask-themes', async () => {
      const { page } = editor;
      for (const [theme, file] of [
        ['Light Modern', 'mask-editor-light.png'],
        ['Dark High Contrast', 'mask-editor-high-contrast.png'],
        ['Dark Modern', 'mask-editor-dark.png'],
      ] as const) {
        await setColorTheme(page, theme);
        const frame = await freshPanel(page, 'photo.png');
        await frame.getByRole('button', { name: 'Ellipse' }).click();
        await drag(page, frame, [
          { x: 60, y: 40 },
          { x: 200, y: 150 },
        ]);
        await frame.getByRole('button', { name: 'Brush' }).click();
        await drag(page, frame, [
          { x: 20, y: 170 },
          { x: 120, y: 150 },
          { x: 240, y: 175 },
        ]);
        const panel = page.locator('.webview.ready').last();
        await screenshot(page, file);
        const clip = await panel.boundingBox();
        if (clip) await page.screenshot({ path: path.join(outputDir, file.replace('.png', '-panel.png')), clip });
        await closeAllEditors(page);
      }
    });
  });
});
