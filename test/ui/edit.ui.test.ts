// UI tests: a real VS Code (server + web client) in headless Chromium, driven with Playwright the
// way a user would, against the Runflow emulator. One editor serves the three tests; each closes
// every editor and removes the outputs it made, so the next one starts from the fixture files.
//
//   1. explorer: right-click photo.png → "Edit Image with GPT Image 2…" → paint a mask → Run
//   2. image preview: open photo.webp → the editor-title button → Run
//   3. command palette: "GPT Image: Edit Image…" → quick pick photo.jpg → Run
import { after, afterEach, before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Frame, Locator, Page } from 'playwright-core';
import sharp from 'sharp';
import {
  COMMAND_TITLE,
  closeAllEditors,
  explorerContextMenuItem,
  explorerItem,
  imagesDecoded,
  openCommandPalette,
  paintStroke,
  quickPickRow,
  removeOutputs,
  screenshot,
  startEditor,
  typePrompt,
  waitForFile,
  waitForPanel,
  waitForResults,
  withArtifacts,
  type Editor,
  type PanelShown,
  type Stroke,
} from './support';

/** How far from the painted stroke (beyond the brush's radius) pixels must be untouched. */
const UNTOUCHED_BEYOND_PX = 20;

let editor: Editor;
const startedAt = Date.now();

function report(line: string): void {
  process.stdout.write(`${line}\n`);
}

/** The run the emulator received (exactly one per test: each test resets the emulator first). */
function onlyRun(): { id: string; input: Record<string, unknown> } {
  const runs = editor.emulator.runs();
  assert.equal(runs.length, 1, `the emulator should have received exactly one run, got ${runs.length}`);
  return runs[0] as { id: string; input: Record<string, unknown> };
}

async function rgba(file: string): Promise<{ data: Buffer; width: number; height: number }> {
  const { data, info } = await sharp(file).toColourspace('srgb').ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

/** Distance from (x, y) to the segment a–b. */
function distanceToSegment(x: number, y: number, a: { x: number; y: number }, b: { x: number; y: number }): number {
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  const len2 = dx * dx + dy * dy;
  const t = len2 === 0 ? 0 : Math.max(0, Math.min(1, ((x - a.x) * dx + (y - a.y) * dy) / len2));
  return Math.hypot(x - (a.x + t * dx), y - (a.y + t * dy));
}

/** Clicks `target` and waits for the edit panel to show `imageName`; reports how long that took. */
async function clickToPanel(page: Page, target: Locator, imageName: string, what: string): Promise<PanelShown> {
  const clickedAt = performance.now();
  await target.click();
  const shown = await waitForPanel(page, imageName, clickedAt);
  report(`ui: ${what} → image shown: ${Math.round(performance.now() - clickedAt)} ms`);
  return shown;
}

/** Clicks Run and waits for the one result, photo.edited-1.png, and the panel's images; returns the result's uris. */
async function runToResult(frame: Frame): Promise<string[]> {
  const runAt = Date.now();
  await frame.locator('#run').click();
  const uris = await waitForResults(frame, 1);
  report(`ui:   Run → results shown: ${Date.now() - runAt} ms`);
  assert.match(uris[0], /photo\.edited-1\.png$/);
  await imagesDecoded(frame);
  return uris;
}

/** Screenshots the before/after comparison as `shot` and waits for the output file; returns its path. */
async function compareAndSaved(page: Page, frame: Frame, workspace: string, shot: string): Promise<string> {
  await frame.locator('#compare').scrollIntoViewIfNeeded();
  await screenshot(page, shot);
  const output = path.join(workspace, 'photo.edited-1.png');
  await waitForFile(output);
  return output;
}

describe('UI: edit an image in a real VS Code', () => {
  before(async () => {
    const t0 = Date.now();
    editor = await startEditor();
    report(`ui: editor started (emulator + VS Code server + Chromium + workbench): ${Date.now() - t0} ms`);
  }, { timeout: 180_000 });

  // Each test starts with no editor open and only the fixture files, whatever the previous one did.
  afterEach(async () => {
    if (!editor) return;
    await closeAllEditors(editor.page);
    removeOutputs(editor.workspace);
  }, { timeout: 60_000 });

  after(async () => {
    const leftovers = (await editor?.close()) ?? [];
    report(`ui: total: ${Date.now() - startedAt} ms`);
    assert.deepEqual(leftovers, [], 'processes of the editor were still running after it was stopped (killed now)');
  }, { timeout: 60_000 });

  it('explorer context menu → panel → paint a mask → Run → results saved, only the masked area changed', { timeout: 150_000 }, async () => {
    await withArtifacts(editor, 'explorer', async () => {
      const t0 = Date.now();
      const { page, emulator, workspace } = editor;
      emulator.reset();

      const menuAt = Date.now();
      const { menuItem, tries } = await explorerContextMenuItem(page, 'photo.png', COMMAND_TITLE);
      report(`ui: context menu item shown after ${Date.now() - menuAt} ms (${tries} right-click(s))`);
      const { frame, input, timings } = await clickToPanel(page, menuItem, 'photo.png', 'command');
      report(`ui:   (webview document up ${timings.webview} ms, image info ${timings.info} ms, image decoded ${timings.image} ms after the click)`);
      assert.equal(input.naturalWidth, 256);
      assert.equal(input.naturalHeight, 192);
      assert.match(input.info, /photo\.png/);
      assert.match(input.info, /256 × 192/);

      await typePrompt(frame, 'Make the sky a sunset');
      // A stroke across the middle of the image, left to right with a dip.
      const stroke: Stroke = await paintStroke(
        page,
        frame,
        [
          { fx: 0.3, fy: 0.45 },
          { fx: 0.4, fy: 0.5 },
          { fx: 0.5, fy: 0.55 },
          { fx: 0.6, fy: 0.5 },
          { fx: 0.7, fy: 0.45 },
        ],
        { width: 256, height: 192 },
      );
      const uris = await runToResult(frame);
      assert.equal(uris.length, 1);
      // The explorer lists the new files (the editor's file watcher saw them).
      await explorerItem(page, 'photo.edited-1.png').waitFor({ state: 'visible', timeout: 20_000 });
      await explorerItem(page, 'photo.edited-1.png.json').waitFor({ state: 'visible', timeout: 20_000 });
      await screenshot(page, 'explorer-results.png');

      const output = path.join(workspace, 'photo.edited-1.png');
      await waitForFile(output);
      await waitForFile(`${output}.json`);
      const run = onlyRun();
      const sidecar = JSON.parse(fs.readFileSync(`${output}.json`, 'utf8')) as Record<string, unknown>;
      assert.equal(sidecar.prompt, 'Make the sky a sunset');
      assert.equal(sidecar.runId, run.id);

      assert.equal(typeof run.input.mask_url, 'string', 'the create request should carry a mask_url');
      assert.ok((run.input.mask_url as string).length > 0);

      // The output differs from the input only around the stroke.
      const [before, after] = await Promise.all([rgba(path.join(workspace, 'photo.png')), rgba(output)]);
      assert.deepEqual([after.width, after.height], [before.width, before.height]);
      let changedNear = 0;
      let changedFar = 0;
      let firstFar = '';
      const limit = stroke.radius + UNTOUCHED_BEYOND_PX;
      for (let y = 0; y < before.height; y++) {
        for (let x = 0; x < before.width; x++) {
          const o = (y * before.width + x) * 4;
          const same =
            before.data[o] === after.data[o] &&
            before.data[o + 1] === after.data[o + 1] &&
            before.data[o + 2] === after.data[o + 2] &&
            before.data[o + 3] === after.data[o + 3];
          if (same) continue;
          let d = Infinity;
          for (let i = 1; i < stroke.points.length; i++) d = Math.min(d, distanceToSegment(x + 0.5, y + 0.5, stroke.points[i - 1], stroke.points[i]));
          if (d <= limit) changedNear++;
          else {
            changedFar++;
            firstFar ||= `(${x}, ${y}) is ${d.toFixed(1)} px from the stroke`;
          }
        }
      }
      assert.equal(changedFar, 0, `pixels far from the stroke changed: ${changedFar}, e.g. ${firstFar}`);
      // The brush covers well over a thousand pixels along this stroke; the model edits them.
      assert.ok(changedNear > 1000, `the stroke's area should have changed, but only ${changedNear} pixels did`);

      report(`ui: test explorer: ${Date.now() - t0} ms`);
    });
  });

  it('image preview title button → panel → Run → result saved', { timeout: 150_000 }, async () => {
    await withArtifacts(editor, 'preview', async () => {
      const t0 = Date.now();
      const { page, emulator, workspace } = editor;
      emulator.reset();

      await explorerItem(page, 'photo.webp').dblclick();
      const button = page.locator('.editor-actions').getByRole('button', { name: COMMAND_TITLE });
      await button.waitFor({ state: 'visible', timeout: 30_000 });
      const { frame, input } = await clickToPanel(page, button, 'photo.webp', 'preview button');
      assert.equal(input.naturalWidth, 200);
      assert.match(input.info, /200 × 200/);

      await typePrompt(frame, 'Turn it into a watercolour');
      await runToResult(frame);
      const output = await compareAndSaved(page, frame, workspace, 'preview-results.png');
      await waitForFile(`${output}.json`);
      const run = onlyRun();
      assert.equal(run.input.mask_url, undefined, 'nothing was painted: no mask');
      const meta = await sharp(output).metadata();
      assert.deepEqual([meta.format, meta.width, meta.height], ['png', 200, 200]);

      report(`ui: test image preview: ${Date.now() - t0} ms`);
    });
  });

  it('command palette → quick pick photo.jpg → panel → Run → photo.edited-1.png beside it', { timeout: 150_000 }, async () => {
    await withArtifacts(editor, 'palette', async () => {
      const t0 = Date.now();
      const { page, emulator, workspace } = editor;
      emulator.reset();

      // No editor is open (the previous test closed them all), so no image preview is active and
      // the command asks which workspace image to edit.
      assert.equal(await page.locator('.tabs-container .tab').count(), 0);
      const input = await openCommandPalette(page);
      await input.fill('>GPT Image: Edit Image with GPT Image 2');
      const command = quickPickRow(page, /GPT Image: Edit Image with GPT Image 2/).first();
      await command.waitFor({ state: 'visible', timeout: 15_000 });
      await input.press('Enter');

      // The quick pick of the workspace's images.
      const jpg = quickPickRow(page, /photo\.jpg/).first();
      await jpg.waitFor({ state: 'visible', timeout: 15_000 });
      assert.ok(await quickPickRow(page, /photo\.png/).first().isVisible(), 'the quick pick should list the workspace images');
      const { frame, input: shown } = await clickToPanel(page, jpg, 'photo.jpg', 'quick pick');
      assert.equal(shown.naturalWidth, 256);
      assert.match(shown.info, /256 × 192/);

      await typePrompt(frame, 'Add a small red boat');
      await runToResult(frame);
      const output = await compareAndSaved(page, frame, workspace, 'palette-results.png');
      const meta = await sharp(output).metadata();
      assert.deepEqual([meta.format, meta.width, meta.height], ['png', 256, 192]);
      assert.equal(onlyRun().input.output_format, 'png');

      report(`ui: test command palette: ${Date.now() - t0} ms`);
    });
  });
});
