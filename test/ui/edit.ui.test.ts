// UI tests: a real VS Code (server + web client) in headless Chromium, driven with Playwright the
// way a user would, against the Runflow emulator. One editor serves the four tests; each closes
// every editor and removes the outputs it made, so the next one starts from the fixture files.
//
//   1. explorer: right-click photo.png → "Edit Image with GPT Image 2…" → paint a mask → Run
//   2. image preview: open photo.webp → the editor-title button → Run
//   3. command palette: "GPT Image: Edit Image…" → quick pick photo.jpg → Run
//   4. batch: select photo.png, photo.jpg, photo.webp → right-click → "Edit Each Image…" → Run
import { after, afterEach, before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Frame, Locator, Page } from 'playwright-core';
import sharp from 'sharp';
import {
  COMMAND_TITLE,
  closeAllEditors,
  BATCH_COMMAND_TITLE,
  clickMenuItem,
  explorerContextMenuItem,
  explorerItem,
  FatalPollError,
  imagesDecoded,
  editFromPalette,
  distanceToSegment,
  paintStroke,
  poll,
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

/** Clicks `target` and waits for the edit panel to show `imageName`; reports how long that took. */
async function clickToPanel(page: Page, target: Locator, imageName: string, what: string): Promise<PanelShown> {
  const clickedAt = performance.now();
  // A context menu's item takes the click its way (see clickMenuItem); anything else is clicked once.
  if ((await target.getAttribute('role')) === 'menuitem') await clickMenuItem(page, target);
  else await target.click();
  const shown = await waitForPanel(page, imageName, clickedAt);
  report(`ui: ${what} → image shown: ${Math.round(performance.now() - clickedAt)} ms`);
  return shown;
}

/** Clicks Run and waits for the one result, `name`, and the panel's images; returns the result's uris. */
async function runToResult(frame: Frame, name = 'photo.edited-1.png'): Promise<string[]> {
  const runAt = Date.now();
  await frame.locator('#run').click();
  const uris = await waitForResults(frame, 1);
  report(`ui:   Run → results shown: ${Date.now() - runAt} ms`);
  assert.ok(uris[0].endsWith(`/${name}`), `${uris[0]} should be ${name}`);
  await imagesDecoded(frame);
  return uris;
}

/** Screenshots the before/after comparison as `shot` and waits for the output file; returns its path. */
async function compareAndSaved(page: Page, frame: Frame, workspace: string, shot: string, name = 'photo.edited-1.png'): Promise<string> {
  await frame.locator('#compare').scrollIntoViewIfNeeded();
  await screenshot(page, shot);
  const output = path.join(workspace, name);
  await waitForFile(output);
  return output;
}

describe('UI: edit an image in a real VS Code', () => {
  before(
    async () => {
      const t0 = Date.now();
      editor = await startEditor();
      report(`ui: editor started (emulator + VS Code server + Chromium + workbench): ${Date.now() - t0} ms`);
    },
    { timeout: 180_000 },
  );

  // Each test starts with no editor open and only the fixture files, whatever the previous one did.
  afterEach(
    async () => {
      if (!editor) return;
      await closeAllEditors(editor.page);
      removeOutputs(editor.workspace);
    },
    { timeout: 60_000 },
  );

  after(
    async () => {
      const leftovers = (await editor?.close()) ?? [];
      report(`ui: total: ${Date.now() - startedAt} ms`);
      assert.deepEqual(leftovers, [], 'processes of the editor were still running after it was stopped (killed now)');
    },
    { timeout: 60_000 },
  );

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
      // The emulator's model drifts every pixel; the panel says what was measured on the saved file.
      const measured = await poll('the measured result in the panel', async () => {
        const text = (await frame.locator('#status').textContent()) ?? '';
        return /outside the mask/.test(text) ? text : undefined;
      });
      assert.match(measured, /photo\.edited-1\.png: outside the mask, 0 px changed/);
      assert.match(measured, /^Done: 1 image saved\./, 'one image: the singular message');
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
      // Matching the original (the default): a WebP stays a WebP at its size.
      await runToResult(frame, 'photo.edited-1.webp');
      const output = await compareAndSaved(page, frame, workspace, 'preview-results.png', 'photo.edited-1.webp');
      await waitForFile(`${output}.json`);
      const run = onlyRun();
      assert.equal(run.input.mask_url, undefined, 'nothing was painted: no mask');
      const meta = await sharp(output).metadata();
      assert.deepEqual([meta.format, meta.width, meta.height], ['webp', 200, 200]);

      report(`ui: test image preview: ${Date.now() - t0} ms`);
    });
  });

  it('command palette → quick pick photo.jpg → panel → Run → photo.edited-1.jpg beside it', { timeout: 150_000 }, async () => {
    await withArtifacts(editor, 'palette', async () => {
      const t0 = Date.now();
      const { page, emulator, workspace } = editor;
      emulator.reset();

      // No editor is open (the previous test closed them all), so no image preview is active and
      // the command asks which workspace image to edit.
      assert.equal(await page.locator('.tabs-container .tab').count(), 0);
      // The quick pick of the workspace's images.
      const jpg = await editFromPalette(page, /photo\.jpg/);
      assert.ok(
        await quickPickRow(page, /photo\.png/)
          .first()
          .isVisible(),
        'the quick pick should list the workspace images',
      );
      const { frame, input: shown } = await clickToPanel(page, jpg, 'photo.jpg', 'quick pick');
      assert.equal(shown.naturalWidth, 256);
      assert.match(shown.info, /256 × 192/);

      await typePrompt(frame, 'Add a small red boat');
      await runToResult(frame, 'photo.edited-1.jpg');
      const output = await compareAndSaved(page, frame, workspace, 'palette-results.png', 'photo.edited-1.jpg');
      const meta = await sharp(output).metadata();
      assert.deepEqual([meta.format, meta.width, meta.height], ['jpeg', 256, 192], 'a .jpg stays a .jpg at its size');
      assert.deepEqual([onlyRun().input.output_format, onlyRun().input.image_size], ['png', 'auto'], 'the model is asked for its own size, losslessly');

      report(`ui: test command palette: ${Date.now() - t0} ms`);
    });
  });

  it('explorer multi-selection → "Edit Each Image…" → batch panel → Run → every image done, one output beside each', { timeout: 150_000 }, async () => {
    await withArtifacts(editor, 'batch', async () => {
      const t0 = Date.now();
      const { page, emulator, workspace } = editor;
      emulator.reset();
      // The previous tests' afterEach removed their outputs: the batch starts from the fixtures alone.
      assert.deepEqual(
        fs.readdirSync(workspace).filter((n) => /\.edited-/.test(n)),
        [],
      );

      const originals = ['photo.png', 'photo.jpg', 'photo.webp'];
      const sizes: Record<string, [number, number]> = { 'photo.png': [256, 192], 'photo.jpg': [256, 192], 'photo.webp': [200, 200] };
      const menuAt = Date.now();
      const { menuItem, tries } = await multiSelectContextMenuItem(page, originals, BATCH_COMMAND_TITLE);
      report(`ui: batch context menu item shown after ${Date.now() - menuAt} ms (${tries} try(s))`);
      const clickedAt = Date.now();
      const clicks = await clickMenuItem(page, menuItem);
      const frame = await waitForBatchPanel(page, 3);
      report(`ui: batch command → panel listing 3 images: ${Date.now() - clickedAt} ms (${clicks} click(s) on the menu item)`);
      await page
        .getByRole('tab', { name: /Edit 3 Images/ })
        .first()
        .waitFor({ state: 'visible', timeout: 10_000 });
      const listed = await frame.evaluate(() => [...document.querySelectorAll('.batch-cell .batch-name')].map((e) => e.textContent ?? ''));
      assert.deepEqual([...listed].sort(), [...originals].sort());
      await imagesDecoded(frame);

      await typePrompt(frame, 'Make it look like a postcard');
      const runAt = Date.now();
      await frame.locator('#run').click();
      const cells = await waitForBatchDone(frame, 3);
      report(`ui:   Run → all 3 images done: ${Date.now() - runAt} ms`);
      await imagesDecoded(frame);

      // Each output keeps its original's format and size (matching the original is the default),
      // so the three are photo.edited-1 in .png, .jpg and .webp.
      const outputs = new Map<string, string>();
      for (const cell of cells) {
        const original = decodeURIComponent(cell.uri.split('/').pop() ?? '');
        assert.equal(cell.outputs.length, 1, `${original} should have one output, got ${cell.outputs.join(', ')}`);
        outputs.set(original, cell.outputs[0]);
      }
      assert.deepEqual([...outputs.keys()].sort(), [...originals].sort());
      const formats: Record<string, string> = { 'photo.png': 'png', 'photo.jpg': 'jpeg', 'photo.webp': 'webp' };
      assert.deepEqual(Object.fromEntries(outputs), {
        'photo.png': 'photo.edited-1.png',
        'photo.jpg': 'photo.edited-1.jpg',
        'photo.webp': 'photo.edited-1.webp',
      });
      for (const [original, output] of outputs) {
        const file = path.join(workspace, output);
        await waitForFile(file);
        const meta = await sharp(file).metadata();
        assert.deepEqual([meta.format, meta.width, meta.height], [formats[original], ...sizes[original]], `${output} (from ${original})`);
      }
      const edited = fs
        .readdirSync(workspace)
        .filter((n) => /\.edited-\d+\.(png|jpg|webp)$/.test(n))
        .sort();
      assert.deepEqual(edited, ['photo.edited-1.jpg', 'photo.edited-1.png', 'photo.edited-1.webp'], 'nothing else was written');

      const runs = emulator.runs() as { id: string; input: Record<string, unknown> }[];
      assert.equal(runs.length, 3, `the emulator should have received exactly 3 runs for the batch, got ${runs.length}`);
      assert.equal(new Set(runs.map((r) => r.id)).size, 3);
      for (const run of runs) {
        assert.equal(run.input.prompt, 'Make it look like a postcard');
        assert.equal(run.input.output_format, 'png');
        assert.equal(run.input.mask_url, undefined, 'batch mode has no mask');
      }

      await screenshot(page, 'batch-results.png');
      report(`ui: test batch: ${Date.now() - t0} ms`);
    });
  });
});

/**
 * Selects `names` in the explorer (click the first, Ctrl+click the rest), right-clicks the last and
 * returns the context menu's item `label`. Until the item shows (the extension's menus arrive late,
 * or the selection was lost), closes the menu and selects again (bounded).
 */
async function multiSelectContextMenuItem(page: Page, names: string[], label: string, timeoutMs = 30_000): Promise<{ menuItem: Locator; tries: number }> {
  let tries = 0;
  const menu = page.locator('.context-view .monaco-menu').first();
  const menuItem = page.locator('.context-view .monaco-menu').getByRole('menuitem', { name: label }).first();
  return poll(
    `"${label}" in the context menu of ${names.length} selected files`,
    async () => {
      tries++;
      if (await menu.isVisible()) {
        await page.keyboard.press('Escape');
        await menu.waitFor({ state: 'hidden', timeout: 5000 }).catch(() => undefined);
      }
      await explorerItem(page, names[0]).click({ timeout: 5000 });
      // A plain click opens a preview of the file: let it become the active tab first, so the change
      // of context keys does not redraw the context menu under the next clicks.
      await page.locator('.tabs-container .tab.active').filter({ hasText: names[0] }).waitFor({ state: 'visible', timeout: 5000 });
      for (const name of names.slice(1)) await explorerItem(page, name).click({ modifiers: ['Control'], timeout: 5000 });
      for (const name of names) {
        const selected = await explorerItem(page, name).getAttribute('aria-selected');
        if (selected !== 'true') throw new Error(`${name} is not selected`);
      }
      await explorerItem(page, names.at(-1)!).click({ button: 'right', timeout: 5000 });
      await menu.waitFor({ state: 'visible', timeout: 5000 });
      return (await menuItem.isVisible()) ? { menuItem, tries } : undefined;
    },
    timeoutMs,
    250,
  );
}

/** Waits for the batch panel's frame to list `count` images; returns the frame. */
async function waitForBatchPanel(page: Page, count: number, timeoutMs = 30_000): Promise<Frame> {
  return poll(
    `the batch panel listing ${count} images`,
    async () => {
      for (const frame of page.frames()) {
        if (frame === page.mainFrame() || frame.isDetached()) continue;
        const cells = await frame.evaluate(() => document.querySelectorAll('.batch-grid .batch-cell').length).catch(() => -1);
        if (cells === count) return frame;
      }
      return undefined;
    },
    timeoutMs,
    50,
  );
}

interface CellState {
  uri: string;
  status: string;
  outputs: string[];
  message: string;
}

/**
 * Waits until every image in the batch panel is done and the panel is idle again (the summary says
 * "N of N done", Run is enabled). Stops at once when an image failed or was canceled, or the panel
 * shows an error. Returns each cell's final state.
 */
async function waitForBatchDone(frame: Frame, count: number, timeoutMs = 60_000): Promise<CellState[]> {
  const seen = new Set<string>();
  const cells = await poll(
    `all ${count} images done in the batch panel`,
    async () => {
      const state = await frame.evaluate(() => ({
        cells: [...document.querySelectorAll<HTMLElement>('.batch-grid .batch-cell')].map((c) => ({
          uri: c.dataset.uri ?? '',
          status: c.dataset.status ?? '',
          outputs: [...c.querySelectorAll('.batch-outputs button')].map((b) => b.textContent ?? ''),
          message: c.querySelector('.batch-message')?.textContent ?? '',
        })),
        summary: document.querySelector('#batch-summary')?.textContent ?? '',
        runDisabled: document.querySelector('#run')?.getAttribute('aria-disabled') !== 'false',
        error: (() => {
          const box = document.querySelector<HTMLElement>('#error');
          return box && !box.hidden ? (box.textContent ?? 'error') : '';
        })(),
      }));
      if (state.error) throw new FatalPollError(`the batch panel shows an error: ${state.error}`);
      for (const c of state.cells) {
        if (c.status) seen.add(c.status);
        if (c.status === 'failed' || c.status === 'canceled') throw new FatalPollError(`${c.uri} ended ${c.status}: ${c.message}`);
      }
      const allDone = state.cells.length === count && state.cells.every((c) => c.status === 'done');
      return allDone && state.summary.includes(`${count} of ${count}`) && !state.runDisabled ? state.cells : undefined;
    },
    timeoutMs,
    50,
  );
  report(`ui:   batch states seen: ${[...seen].join(', ')}`);
  return cells;
}
