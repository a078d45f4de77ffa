import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const root = path.join(__dirname, '..', '..', '..', '..');
/** The translations that must exist and be complete. */
const LANGUAGES = ['de', 'fr', 'es', 'ja', 'zh-cn'];

const read = (file: string): Record<string, string> => JSON.parse(fs.readFileSync(path.join(root, file), 'utf8'));
/** `{0}`, `{1}`…, `(command:…)` links and `code` spans: what a translation must keep as it is. */
const kept = (text: string): string[] => [...text.matchAll(/\{\d+\}|\(command:[^)]+\)|`[^`]+`|#editImage/g)].map((m) => m[0]).sort();

test('l10n/bundle.l10n.json is what the sources give (npm run l10n)', () => {
  const check = spawnSync(process.execPath, [path.join(root, 'scripts', 'l10n.mjs'), '--check'], { cwd: root, encoding: 'utf8' });
  assert.equal(check.status, 0, check.stderr);
});

for (const [english, translated] of [
  ['l10n/bundle.l10n.json', (lang: string) => `l10n/bundle.l10n.${lang}.json`],
  ['package.nls.json', (lang: string) => `package.nls.${lang}.json`],
] as const) {
  test(`every translation of ${english} has every key, no other, with the same placeholders and links`, () => {
    const source = read(english);
    for (const lang of LANGUAGES) {
      const target = read(translated(lang));
      assert.deepEqual(Object.keys(target).sort(), Object.keys(source).sort(), `${translated(lang)}: keys`);
      for (const [key, value] of Object.entries(source)) {
        assert.deepEqual(kept(target[key]), kept(value), `${translated(lang)}: "${key}" keeps ${kept(value).join(' ') || 'nothing'}`);
        if (value.trim() !== '') assert.notEqual(target[key].trim(), '', `${translated(lang)}: "${key}" is empty`);
      }
    }
  });
}

/** Code spans, link targets and the tool's reference: what a translated page must keep as it is. */
const keptInPage = (text: string): string[] => [...text.matchAll(/`[^`]+`|\]\([^)]+\)|#editImage/g)].map((m) => m[0]).sort();

test('every walkthrough page has a translation in each language, named by its package.nls file, keeping the code, links and keys', () => {
  const english = read('package.nls.json');
  const pages = Object.keys(english).filter((key) => key.startsWith('walkthrough.') && key.endsWith('.media'));
  const manifest = fs.readFileSync(path.join(root, 'package.json'), 'utf8');
  assert.equal(pages.length, 4, 'the walkthrough has four pages');
  for (const key of pages) {
    assert.ok(manifest.includes(`"%${key}%"`), `package.json's walkthrough takes its page from %${key}%`);
    const source = fs.readFileSync(path.join(root, english[key]), 'utf8');
    for (const lang of LANGUAGES) {
      const file = read(`package.nls.${lang}.json`)[key];
      assert.notEqual(file, english[key], `${lang}: ${key} names a page of its own`);
      const page = fs.readFileSync(path.join(root, file), 'utf8');
      assert.deepEqual(keptInPage(page), keptInPage(source), `${file} keeps ${keptInPage(source).join(' ')}`);
      assert.equal(page.split('\n').filter((l) => l.startsWith('# ')).length, 1, `${file} has one title`);
    }
  }
});
