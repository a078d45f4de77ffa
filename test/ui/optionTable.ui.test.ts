// The edit form is built from the option table: an option added to a copy of the table gets a
// labelled control in real Chromium, the value a user types there is the form's, and a batch
// form leaves out an option the table says a batch does not offer. (The schema, API and record
// sides of the same added option are in test/unit/edit/options.test.ts.)
import { after, before, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { firstPage, launchChromium, xdgEnv } from '../vscode/editorLaunch';
import { WEBVIEW_STRINGS } from '../../src/shared/webviewStrings';

let tmp: string;
let context: BrowserContext;
let page: Page;

before(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'option-form-'));
  context = await launchChromium({ profile: path.join(tmp, 'profile'), xdg: xdgEnv(path.join(tmp, 'xdg')), viewport: { width: 900, height: 900 } });
  page = await firstPage(context);
  await page.setContent('<!doctype html><html><body></body></html>');
  await page.addScriptTag({ path: path.join(__dirname, 'fixtures', 'optionForm.js') });
});

after(async () => {
  await context?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

it("renders a labelled control for an option added to the table, and the value typed is the form's", async () => {
  const edit = page.locator('section.edit-form').first();
  const field = edit.locator('.options .field', { has: page.locator('#strength') });
  assert.equal((await field.locator('label[for="strength"]').textContent())?.trim(), WEBVIEW_STRINGS['result.feather']);
  const input = field.locator('#strength input');
  assert.equal(await input.inputValue(), '3', 'it shows the declared default');
  await input.fill('7');
  await input.press('Tab');
  assert.equal(await page.evaluate(() => (window as unknown as { editForm: { options: Record<string, unknown> } }).editForm.options.strength), 7);
  await input.fill('99');
  await input.press('Tab');
  assert.equal(
    await page.evaluate(() => (window as unknown as { editForm: { options: Record<string, unknown> } }).editForm.options.strength),
    10,
    'kept within its domain',
  );
});

it('a batch form leaves out an option a batch does not offer, and keeps the others', async () => {
  const batch = page.locator('section.edit-form').nth(1);
  assert.equal(await batch.locator('#strength').count(), 0);
  for (const id of ['num-images', 'output-format', 'image-size', 'quality', 'match-original', 'lossy-quality']) {
    assert.equal(await batch.locator(`#${id}`).count(), 1, id);
  }
});
