#!/usr/bin/env node
// `npm run l10n`: writes l10n/bundle.l10n.json, the English bundle translators work from: every
// string the host passes to vscode.l10n.t (found in src/ by @vscode/l10n-dev), plus the webview's
// strings (src/shared/webviewStrings.ts), which the host localizes by value and sends in `init`.
// `--check` writes nothing and exits 1 when the file is not what the sources give.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import * as esbuild from 'esbuild';
import { getL10nJson } from '@vscode/l10n-dev';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bundlePath = path.join(root, 'l10n', 'bundle.l10n.json');

function sourceFiles(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return /\.tsx?$/.test(entry.name) ? [full] : [];
  });
}

/** WEBVIEW_STRINGS, evaluated from its source (a plain object of literals). */
function webviewStrings() {
  const out = esbuild.buildSync({
    entryPoints: [path.join(root, 'src/shared/webviewStrings.ts')],
    bundle: true,
    format: 'cjs',
    platform: 'node',
    write: false,
  });
  const module = { exports: {} };
  new Function('module', 'exports', 'require', out.outputFiles[0].text)(module, module.exports, createRequire(import.meta.url));
  return module.exports.WEBVIEW_STRINGS;
}

export async function englishBundle() {
  const files = sourceFiles(path.join(root, 'src')).map((file) => ({ extension: path.extname(file), contents: fs.readFileSync(file, 'utf8') }));
  const host = await getL10nJson(files);
  const bundle = { ...host };
  for (const value of Object.values(webviewStrings())) bundle[value] ??= value;
  return Object.fromEntries(Object.entries(bundle).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

const text = `${JSON.stringify(await englishBundle(), null, 2)}\n`;
if (process.argv.includes('--check')) {
  const current = fs.existsSync(bundlePath) ? fs.readFileSync(bundlePath, 'utf8') : '';
  if (current !== text) {
    console.error('l10n/bundle.l10n.json is out of date: run `npm run l10n` (and translate the new strings).');
    process.exit(1);
  }
} else {
  fs.mkdirSync(path.dirname(bundlePath), { recursive: true });
  fs.writeFileSync(bundlePath, text);
  console.log(`l10n/bundle.l10n.json: ${Object.keys(JSON.parse(text)).length} strings`);
}
