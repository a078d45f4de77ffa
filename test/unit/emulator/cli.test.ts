import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { describe, it } from 'node:test';

// Built next to this test: <out>/test/unit/emulator/cli.test.js → <out>/test/emulator/cli.js.
const CLI = path.join(__dirname, '../../emulator/cli.js');

describe('emulator CLI', () => {
  it('prints its URL and key, serves, and stops cleanly on SIGTERM', async () => {
    const child = spawn(process.execPath, [CLI, '--port', '0', '--model-time', '100', '--latency', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.setEncoding('utf8');
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no URL line in: ${stdout}`)), 5000);
      child.stdout.on('data', (chunk: string) => {
        stdout += chunk;
        const match = /^RUNFLOW_EMULATOR_URL=(\S+)$/m.exec(stdout);
        if (match) {
          clearTimeout(timer);
          resolve(match[1]);
        }
      });
      child.once('exit', (code) => reject(new Error(`exited ${code}: ${stdout}`)));
    });
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.match(stdout, /rf_live_emulator/);
    const me = await fetch(`${url}/v1/auth/me`, { headers: { authorization: 'Bearer rf_live_emulator' } });
    assert.equal(me.status, 200);

    child.kill('SIGTERM');
    const [code] = await once(child, 'exit');
    assert.equal(code, 0);
  });

  it('refuses unknown arguments', async () => {
    const child = spawn(process.execPath, [CLI, '--bogus', '1'], { stdio: 'ignore' });
    const [code] = await once(child, 'exit');
    assert.notEqual(code, 0);
  });
});
