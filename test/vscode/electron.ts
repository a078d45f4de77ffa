// `npm run test:electron`: the same integration suites in desktop VS Code (Electron) through
// @vscode/test-electron. It DOWNLOADS VS Code at run time, so it only works on a machine with
// internet access; CI here uses test/vscode/run.ts (code-server + Chromium) instead.
// Build entry: dist-test/test/vscode/electron.js (esbuild.js must list test/vscode/electron.ts).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runTests } from '@vscode/test-electron';
import { startEmulator } from '../emulator';
import { copyDir, projectRoot, quietSettings, writeUserSettings } from './common';
import { MANUAL_CLOCK_ENV } from '../../src/platform/clock';

async function main(): Promise<number> {
  const root = projectRoot();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gie-electron-'));
  const emulator = await startEmulator({ port: 0 });
  try {
    const userData = path.join(tmp, 'user-data');
    const workspace = path.join(tmp, 'workspace');
    fs.mkdirSync(workspace, { recursive: true });
    copyDir(path.join(root, 'test/fixtures/workspace'), workspace);
    writeUserSettings(userData, { ...quietSettings, 'gptImageEdit.apiBaseUrl': emulator.baseUrl });
    const env: Record<string, string | undefined> = { RUNFLOW_EMULATOR_URL: emulator.baseUrl, RUNFLOW_API_KEY: undefined, [MANUAL_CLOCK_ENV]: '1' };
    if (process.env.MOCHA_GREP) env.MOCHA_GREP = process.env.MOCHA_GREP;
    await runTests({
      version: process.env.VSCODE_VERSION || 'stable',
      extensionDevelopmentPath: root,
      extensionTestsPath: path.join(root, 'dist-test/test/integration/index.js'),
      extensionTestsEnv: env,
      launchArgs: [
        workspace,
        '--user-data-dir',
        userData,
        '--extensions-dir',
        path.join(tmp, 'extensions'),
        '--disable-workspace-trust',
        '--skip-welcome',
        '--skip-release-notes',
        '--disable-gpu',
        '--no-sandbox',
      ],
    });
    return 0;
  } catch (e) {
    console.error(`test:electron: ${(e as Error).message}`);
    return 1;
  } finally {
    await emulator.close();
    fs.rmSync(tmp, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
  }
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
