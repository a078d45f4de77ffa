#!/usr/bin/env node
// `npm run manifest`: writes into package.json what follows from the sources, so it is never kept
// by hand: the agent tool's inputSchema (src/agent/toolInput.ts) and, for each option with a
// setting (OPTION_TABLE in src/shared/options.ts), its setting's default and its values. `--check` writes nothing and
// exits 1 when package.json is not what the sources give.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import * as esbuild from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const manifestPath = path.join(root, 'package.json');

/** A source module's exports, bundled and evaluated (zod included). */
function load(source) {
  const out = esbuild.buildSync({ entryPoints: [path.join(root, source)], bundle: true, format: 'cjs', platform: 'node', write: false, logLevel: 'error' });
  const module = { exports: {} };
  new Function('module', 'exports', 'require', out.outputFiles[0].text)(module, module.exports, createRequire(import.meta.url));
  return module.exports;
}

const { editImageInputSchema } = load('src/agent/toolInput.ts');
const { OPTION_TABLE } = load('src/shared/options.ts');

const text = fs.readFileSync(manifestPath, 'utf8');
const manifest = JSON.parse(text);
manifest.contributes.languageModelTools[0].inputSchema = editImageInputSchema();
const properties = manifest.contributes.configuration.properties;
for (const [option, { setting, domain, default: value }] of Object.entries(OPTION_TABLE)) {
  if (setting === null) continue;
  const property = (properties[`gptImageEdit.${setting}`] ??= { description: `%config.${option}%` });
  property.default = value;
  if (domain.kind === 'choice') property.enum = [...domain.values];
  if (domain.kind === 'int') Object.assign(property, { minimum: domain.min, maximum: domain.max });
}
const next = `${JSON.stringify(manifest, null, 2)}\n`;

if (process.argv.includes('--check')) {
  if (next !== text) {
    console.error('package.json is out of date with the sources: run `npm run manifest`.');
    process.exit(1);
  }
} else if (next !== text) {
  fs.writeFileSync(manifestPath, next);
  console.log('package.json: written from the sources');
} else {
  console.log('package.json: already what the sources give');
}
