// UI tests: the edit panel never loses the user's work. A real VS Code in headless Chromium,
// driven as a user would: type a prompt, pick options, paint a stroke, then switch tabs, reload
// the window, hide the panel during a run, close and re-open it; what the panel shows afterwards
// is read back from its DOM and its mask canvas.
//
// Also prints what it costs: the panel's JS heap (a hidden panel keeps its page:
// retainContextWhenHidden is on) and the time to show a re-shown panel, median of 5.
import { afterEach, beforeEach, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Frame, Page } from 'playwright-core';
import sharp from 'sharp';
import { MAX_PROMPT_LENGTH } from '../../src/shared/messageParts';
import {
  chooseOption,
  closeAllEditors,
  explorerItem,
  openImagePanel,
  paintStroke,
  poll,
  runFromPalette,
  startEditor,
  typePrompt,
  waitForPanel,
  waitForResults,
  withArtifacts,
  type Editor,
} from './support';

let editor: Editor;

function report(line: string): void {
  process.stdout.write(`${line}\n`);
}

/** What the panel shows of the user's work: the prompt, the options, and the mask's pixels. */
interface Work {
  prompt: string;
  numImages: string;
  outputFormat: string;
  quality: string;
  /** Painted pixels (alpha ≥ 128) and a hash of the whole alpha channel. */
  painted: number;
  alphaHash: number;
}

async function workIn(frame: Frame): Promise<Work> {
  return frame.evaluate(() => {
    const value = (id: string) => (document.querySelector(`#${id}`) as unknown as { value: string } | null)?.value ?? '';
    const canvas = document.querySelector<HTMLCanvasElement>('#mask-canvas')!;
    const { data } = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height);
    let painted = 0;
    let alphaHash = 0;
    for (let i = 3; i < data.length; i += 4) {
      if (data[i] >= 128) painted++;
      alphaHash = (Math.imul(alphaHash, 31) + data[i]) | 0;
    }
    return { prompt: value('prompt'), numImages: value('num-images'), outputFormat: value('output-format'), quality: value('quality'), painted, alphaHash };
  });
}

const openPhotoPanel = (page: Page) => openImagePanel(page, 'photo.png');

/** The panel's tab in the editor area. */
const panelTab = (page: Page) => page.locator('.tabs-container .tab', { hasText: 'Edit photo.png' });

/** Shows another editor in the panel's group (the panel is hidden), then the panel again; returns its frame and how long it took. */
async function switchAwayAndBack(page: Page): Promise<{ frame: Frame; ms: number }> {
  await explorerItem(page, 'photo.jpg').click();
  await poll(
    'the preview of photo.jpg to be the active tab',
    async () => (await page.locator('.tabs-container .tab.active', { hasText: 'photo.jpg' }).count()) > 0 || undefined,
  );
  const clickedAt = performance.now();
  await panelTab(page).click();
  const { frame } = await waitForPanel(page, 'photo.png', clickedAt);
  // Shown = the image decoded and the host's state applied (the prompt is back).
  await poll('the restored prompt', async () => ((await workIn(frame)).prompt !== '' ? true : undefined), 10_000, 10);
  return { frame, ms: performance.now() - clickedAt };
}

const STROKE = [
  { fx: 0.2, fy: 0.3 },
  { fx: 0.45, fy: 0.5 },
  { fx: 0.7, fy: 0.4 },
];

/**
 * Starts from an empty prompt and mask (the panel keeps each image's draft, so an earlier test's
 * is there), as a user would clear them.
 */
async function startOver(frame: Frame): Promise<void> {
  const textarea = frame.locator('#prompt textarea');
  await textarea.click();
  await textarea.press('ControlOrMeta+a');
  await textarea.press('Backspace');
  await frame.locator('#mask-clear').click();
  await poll(
    'an empty prompt and mask',
    async () => {
      const work = await workIn(frame);
      return work.prompt === '' && work.painted === 0 ? true : undefined;
    },
    5000,
  );
}

/** Types, picks 2 images + JPEG + Low and paints a stroke; returns what the panel then shows. */
async function doSomeWork(page: Page, frame: Frame): Promise<Work> {
  await startOver(frame);
  await typePrompt(frame, 'Turn the grass into snow');
  await chooseOption(frame, 'num-images', '2');
  await chooseOption(frame, 'output-format', 'JPEG');
  await chooseOption(frame, 'quality', 'Low');
  await paintStroke(page, frame, STROKE, { width: 256, height: 192 });
  const work = await workIn(frame);
  assert.deepEqual([work.numImages, work.outputFormat, work.quality], ['2', 'jpeg', 'low']);
  assert.ok(work.painted > 500, `the stroke painted ${work.painted} pixels`);
  return work;
}

/** The JS heap of the panel's webview page, in MB (Chromium's performance.memory). */
async function heapMb(frame: Frame): Promise<number> {
  const bytes = await frame.evaluate(() => (performance as unknown as { memory?: { usedJSHeapSize: number } }).memory?.usedJSHeapSize ?? 0);
  return Math.round((bytes / 1024 / 1024) * 10) / 10;
}

// Each test gets its own editor and workspace: the panel keeps each image's draft in the
// workspace's storage, and a test must not start from another's.
describe("UI: the panel never loses the user's work", () => {
  beforeEach(
    async () => {
      editor = await startEditor();
    },
    { timeout: 180_000 },
  );

  afterEach(
    async () => {
      const leftovers = (await editor?.close()) ?? [];
      assert.deepEqual(leftovers, [], 'processes of the editor were still running after it was stopped');
    },
    { timeout: 60_000 },
  );

  it("switching to another tab and back keeps the prompt, the options and the mask's pixels", { timeout: 150_000 }, async () => {
    await withArtifacts(editor, 'tab-switch', async () => {
      const { page } = editor;
      const frame = await openPhotoPanel(page);
      // The prompt box itself stops at the protocol's limit (the host drops a longer prompt).
      const prompt = frame.locator('#prompt textarea');
      await prompt.fill('x'.repeat(MAX_PROMPT_LENGTH + 5));
      assert.equal((await prompt.inputValue()).length, MAX_PROMPT_LENGTH);
      const before = await doSomeWork(page, frame);
      const firstHeap = await heapMb(frame);
      // A mark only this page has: a rebuilt page would not (VS Code makes a new one unless the panel keeps it).
      await frame.evaluate(() => ((window as unknown as { keptPage?: boolean }).keptPage = true));
      const times: number[] = [];
      let shown: Frame = frame;
      for (let i = 0; i < 5; i++) {
        const back = await switchAwayAndBack(page);
        times.push(back.ms);
        shown = back.frame;
        assert.deepEqual(await workIn(shown), before, `after switch ${i + 1}`);
        assert.equal(
          await shown.evaluate(() => (window as unknown as { keptPage?: boolean }).keptPage),
          true,
          `after switch ${i + 1}, the panel's page was rebuilt instead of kept`,
        );
      }
      times.sort((a, b) => a - b);
      report(`ui: panel re-shown (tab click → image decoded, state applied): median ${Math.round(times[2])} ms of 5 (${times.map(Math.round).join(', ')})`);
      report(`ui: panel webview JS heap: ${firstHeap} MB at first open, ${await heapMb(shown)} MB after 5 re-shows (kept while hidden)`);
    });
  });

  it('a real window reload ("Developer: Reload Window") keeps the prompt, the options and the mask', { timeout: 150_000 }, async () => {
    await withArtifacts(editor, 'reload', async () => {
      const { page } = editor;
      const frame = await openPhotoPanel(page);
      const before = await doSomeWork(page, frame);
      await runFromPalette(page, 'Developer: Reload Window');
      await explorerItem(page, 'photo.png').waitFor({ state: 'visible', timeout: 60_000 });
      await poll("the panel's tab back after the reload", async () => (await panelTab(page).count()) > 0 || undefined, 30_000);
      await panelTab(page).click();
      const { frame: revived } = await waitForPanel(page, 'photo.png', performance.now(), 30_000);
      await poll('the restored work', async () => ((await workIn(revived)).painted > 0 ? true : undefined), 15_000);
      assert.deepEqual(await workIn(revived), before);
    });
  });

  it('a run started before the panel was hidden goes on: coming back shows its result, one run', { timeout: 150_000 }, async () => {
    await withArtifacts(editor, 'hidden-run', async () => {
      const { page, emulator, workspace } = editor;
      emulator.reset();
      // Each status read answers late, so the run is still going when the panel is hidden.
      emulator.inject({ kind: 'delay', match: { method: 'GET', path: '/v1/runs/*' }, ms: 1200, times: 3 });
      const frame = await openPhotoPanel(page);
      await startOver(frame);
      // The image's draft keeps the options an earlier test chose: one PNG here.
      await chooseOption(frame, 'num-images', '1');
      await chooseOption(frame, 'output-format', 'PNG');
      await typePrompt(frame, 'Add a red kite in the sky');
      await frame.locator('#run').click();
      await poll('the run on the emulator', () => emulator.runs().length > 0 || undefined, 20_000);
      await explorerItem(page, 'photo.jpg').click();
      await poll('the output saved while the panel was hidden', () => fs.existsSync(path.join(workspace, 'photo.edited-1.png')) || undefined, 60_000);
      await panelTab(page).click();
      const { frame: shown } = await waitForPanel(page, 'photo.png');
      const uris = await waitForResults(shown, 1);
      assert.match(uris[0], /photo\.edited-1\.png$/);
      assert.equal(emulator.runs().length, 1, 'one run');
    });
  });

  it('closing and re-opening the panel brings the mask back; after the image changed it does not, and says why', { timeout: 150_000 }, async () => {
    await withArtifacts(editor, 'reopen', async () => {
      const { page, workspace } = editor;
      const photo = path.join(workspace, 'photo.png');
      const original = fs.readFileSync(photo);
      try {
        let frame = await openPhotoPanel(page);
        await startOver(frame);
        await paintStroke(page, frame, STROKE, { width: 256, height: 192 });
        const painted = await workIn(frame);
        await closeAllEditors(page);
        frame = await openPhotoPanel(page);
        await poll('the mask back', async () => ((await workIn(frame)).painted > 0 ? true : undefined), 10_000);
        assert.equal((await workIn(frame)).alphaHash, painted.alphaHash, 'the same pixels');

        await closeAllEditors(page);
        fs.writeFileSync(photo, await sharp(original).negate({ alpha: false }).png().toBuffer());
        frame = await openPhotoPanel(page);
        const note = await poll('the note', async () => (await frame.locator('#mask-message').textContent())?.trim() || undefined, 10_000);
        assert.match(note, /changed since the mask was painted/);
        assert.equal((await workIn(frame)).painted, 0, 'the stale mask is gone');
      } finally {
        fs.writeFileSync(photo, original);
      }
    });
  });
});
