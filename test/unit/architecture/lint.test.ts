// The house's rules as ESLint holds them (eslint.config.mjs): imports go down the floors (no two
// rooms import each other, nothing imports the entry), the client and the webview keep to what
// they may use, and only the edit runner assembles an edit. Each is shown failing on a fixture
// placed where it breaks the rule, and the same import passing where it is allowed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';

const root = path.join(__dirname, '../../../..');

/** The rule ids ESLint reports for `source` as if it were the file `file` (relative to the root). */
async function problems(file: string, source: string): Promise<string[]> {
  const { ESLint } = await import('eslint');
  const [result] = await new ESLint({ cwd: root }).lintText(source, { filePath: path.join(root, file) });
  return result.messages.map((m) => m.ruleId ?? m.message);
}

test('an import that runs up a floor fails, and down passes', { timeout: 60_000 }, async () => {
  const up = "import { EditPanel } from '../panel/editPanel';\nexport const panel = EditPanel;\n";
  assert.deepEqual(await problems('src/edit/fixture.ts', up), ['house/floors']);
  assert.deepEqual(await problems('src/agent/fixture.ts', up), []);
  assert.deepEqual(await problems('src/runflow/fixture.ts', "import { DEFAULT_OPTIONS } from '../shared/options';\nexport const o = DEFAULT_OPTIONS;\n"), []);
  assert.deepEqual(await problems('src/shared/fixture.ts', "import { RunflowClient } from '../runflow';\nexport const c = RunflowClient;\n"), ['house/floors']);
});

test('nothing imports the entry file', { timeout: 60_000 }, async () => {
  assert.deepEqual(await problems('src/main.ts', "import { activate } from './extension';\nexport const a = activate;\n"), ['house/floors']);
});

test('the client cannot import vscode, nor the webview Node or the client', { timeout: 60_000 }, async () => {
  assert.deepEqual(await problems('src/runflow/fixture.ts', "import * as vscode from 'vscode';\nexport const v = vscode.version;\n"), [
    'no-restricted-imports',
  ]);
  assert.deepEqual(await problems('src/webview/fixture.ts', "import { readFileSync } from 'node:fs';\nexport const r = readFileSync;\n"), [
    'no-restricted-imports',
  ]);
  assert.deepEqual(await problems('src/webview/fixture.ts', "import { RunflowClient } from '../runflow';\nexport const c = RunflowClient;\n"), [
    'house/floors',
  ]);
});

test("only the edit runner makes a client or a job's services", { timeout: 60_000 }, async () => {
  const client = "import { RunflowClient } from '../runflow';\nexport const c = new RunflowClient({ baseUrl: 'https://x', apiKey: 'k' });\n";
  assert.deepEqual(await problems('src/panel/fixture.ts', client), ['no-restricted-syntax']);
  const leases = "import { RunLeases } from '../history/runLeases';\nexport const l = RunLeases;\n";
  assert.deepEqual(await problems('src/panel/fixture.ts', leases), ['@typescript-eslint/no-restricted-imports']);
  assert.deepEqual(await problems('src/panel/fixture.ts', "import type { RunLeases } from '../history/runLeases';\nexport type L = RunLeases;\n"), []);
});
