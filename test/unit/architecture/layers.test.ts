// Each layer of src/ is type-checked with only what it may use (tsconfig.<layer>.json): a file
// under the API client's config cannot import vscode, one under the webview's cannot import Node.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const root = path.join(__dirname, '../../../..');

/** tsc's answer for one fixture file checked under `layer`'s config. */
function check(layer: string, source: string): { status: number | null; output: string } {
  const dir = fs.mkdtempSync(path.join(root, '.test-output', `layer-${layer}-`));
  try {
    fs.writeFileSync(path.join(dir, 'fixture.ts'), source);
    fs.writeFileSync(
      path.join(dir, 'tsconfig.json'),
      JSON.stringify({ extends: path.join(root, `tsconfig.${layer}.json`), include: [], files: ['fixture.ts'] }),
    );
    const result = spawnSync(process.execPath, [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', dir, '--noEmit'], { encoding: 'utf8' });
    return { status: result.status, output: result.stdout + result.stderr };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

test("the API client's layer cannot import vscode, and may import Node", { timeout: 60_000 }, () => {
  fs.mkdirSync(path.join(root, '.test-output'), { recursive: true });
  const vscode = check('client', "import * as vscode from 'vscode';\nexport const version: string = vscode.version;\n");
  assert.notEqual(vscode.status, 0);
  assert.match(vscode.output, /no-vscode/);
  assert.equal(check('client', "import { readFileSync } from 'node:fs';\nexport const read = readFileSync;\n").status, 0);
});

test("the webview's layer cannot import Node, and may use the DOM", { timeout: 60_000 }, () => {
  fs.mkdirSync(path.join(root, '.test-output'), { recursive: true });
  const node = check('webview', "import { readFileSync } from 'node:fs';\nexport const read = readFileSync;\n");
  assert.notEqual(node.status, 0);
  assert.match(node.output, /Cannot find module 'node:fs'/);
  assert.equal(check('webview', 'export const root = document.body;\n').status, 0);
});

test('the shared layer has neither the DOM nor Node', { timeout: 60_000 }, () => {
  fs.mkdirSync(path.join(root, '.test-output'), { recursive: true });
  assert.match(check('shared', 'export const root = document.body;\n').output, /Cannot find name 'document'/);
  assert.match(check('shared', 'export const b = Buffer.from([]);\n').output, /Cannot find name 'Buffer'/);
});
