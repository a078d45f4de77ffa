// The README's screenshots of what users would otherwise not find, from the real editor in the
// light and the dark theme: the variants gallery with its before/after slider, and the history
// view (Runflow Edits). Each shot is of something checked first: two variants shown and saved,
// the edit listed in the history. They are written to .test-output/ui/readme-*.png; docs/images
// holds the copies the README shows.
import { after, before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  chooseOption,
  closeAllEditors,
  imagesDecoded,
  openImagePanel,
  outputDir,
  paintStroke,
  removeOutputs,
  setColorTheme,
  startEditor,
  typePrompt,
  waitForResults,
  withArtifacts,
  type Editor,
} from './support';

let editor: Editor;

describe('UI: README screenshots', () => {
  before(
    async () => {
      editor = await startEditor();
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

  it('the variants gallery with before/after, and the history view, in light and dark', { timeout: 240_000 }, async () => {
    await withArtifacts(editor, 'readme', async () => {
      const { page, workspace } = editor;
      fs.mkdirSync(outputDir, { recursive: true });
      for (const [theme, suffix, prompt] of [
        ['Light Modern', 'light', 'Turn the grass into snow'],
        ['Dark Modern', 'dark', 'Turn the grass into sand'],
      ] as const) {
        // The panel first: its menu item is there once the extension host has registered the
        // extensions' contributions, the built-in themes among them.
        const frame = await openImagePanel(page, 'photo.png');
        await setColorTheme(page, theme);
        // The panel keeps each image's draft: start from an empty prompt and mask.
        const textarea = frame.locator('#prompt textarea');
        await textarea.click();
        await textarea.press('ControlOrMeta+a');
        await textarea.press('Backspace');
        await frame.locator('#mask-clear').click();
        await typePrompt(frame, prompt);
        await chooseOption(frame, 'num-images', '2');
        await paintStroke(
          page,
          frame,
          [
            { fx: 0.15, fy: 0.7 },
            { fx: 0.5, fy: 0.8 },
            { fx: 0.85, fy: 0.7 },
          ],
          { width: 256, height: 192 },
        );
        await frame.locator('#run').click();
        const uris = await waitForResults(frame, 2);
        assert.deepEqual(uris.map((u) => path.basename(u)).sort(), ['photo.edited-1.png', 'photo.edited-2.png']);
        await imagesDecoded(frame);
        await frame.locator('#compare').scrollIntoViewIfNeeded();
        const panel = await page.locator('.webview.ready').last().boundingBox();
        assert.ok(panel, 'the panel is on screen');
        await page.screenshot({ path: path.join(outputDir, `readme-variants-${suffix}.png`), clip: panel });

        const history = page.locator('.pane-header', { hasText: 'Runflow Edits' });
        if ((await history.getAttribute('aria-expanded')) !== 'true') await history.click();
        const pane = page.locator('.pane', { has: history });
        // An edit is listed by its prompt, with its state.
        const row = pane.locator('.monaco-list-row', { hasText: prompt }).first();
        await row.waitFor({ state: 'visible', timeout: 20_000 });
        await row.click();
        const sidebar = await page.locator('.part.sidebar').boundingBox();
        assert.ok(sidebar, 'the side bar is on screen');
        await page.screenshot({ path: path.join(outputDir, `readme-history-${suffix}.png`), clip: sidebar });

        await closeAllEditors(page);
        removeOutputs(workspace);
      }
    });
  });
});
