#!/usr/bin/env node
// `npm run typecheck`: the whole project (tsconfig.json: src, test, bench), then each layer of
// src/ with only what it may use: the host (vscode and Node, no DOM), the API client and image
// pipeline (Node only), the webview (DOM only) and the shared schemas (neither). Exits 1 if any fails.
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
let failed = 0;
for (const config of ['tsconfig.json', 'tsconfig.host.json', 'tsconfig.client.json', 'tsconfig.webview.json', 'tsconfig.shared.json']) {
  const result = spawnSync(process.execPath, [tsc, '-p', config, '--noEmit'], { cwd: root, stdio: 'inherit' });
  console.log(`typecheck ${config}: ${result.status === 0 ? 'ok' : 'FAILED'}`);
  if (result.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
