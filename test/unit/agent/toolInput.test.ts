import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { EditImageInput, editImageInputSchema } from '../../../src/agent/toolInput';

const manifest = JSON.parse(fs.readFileSync(path.join(__dirname, '../../../../package.json'), 'utf8')) as {
  contributes: { languageModelTools: { name: string; toolReferenceName: string; canBeReferencedInPrompt: boolean; inputSchema: object }[] };
};

test("package.json is what `npm run manifest` writes from the sources (the tool's schema, the option settings' defaults and enums)", () => {
  const root = path.join(__dirname, '../../../..');
  const check = spawnSync(process.execPath, [path.join(root, 'scripts', 'manifest.mjs'), '--check'], { cwd: root, encoding: 'utf8' });
  assert.equal(check.status, 0, check.stderr);
});

test('package.json declares the tool with the schema the tool validates with (regenerate it with `npm run manifest` when they differ)', () => {
  const [tool] = manifest.contributes.languageModelTools;
  assert.equal(tool.name, 'gptImageEdit_editImage');
  assert.equal(tool.toolReferenceName, 'editImage');
  assert.equal(tool.canBeReferencedInPrompt, true);
  assert.deepEqual(tool.inputSchema, editImageInputSchema(), `expected inputSchema:\n${JSON.stringify(editImageInputSchema(), null, 2)}`);
});

test("the input takes an image, a prompt, shapes in pixels and the panel's options, and nothing malformed", () => {
  const ok = EditImageInput.safeParse({
    image: 'assets/hero.png',
    prompt: 'A red balloon',
    mask: { rectangles: [{ x: 10, y: 20, width: 30, height: 40 }], ellipses: [{ x: 0, y: 0, width: 5, height: 5 }] },
    numImages: 2,
    size: 'auto',
    quality: 'high',
    matchOriginal: true,
    keepUnmaskedExact: true,
  });
  assert.equal(ok.success, true);
  for (const bad of [
    { prompt: 'no image' },
    { image: 'a.png', prompt: 'x', numImages: 9 },
    { image: 'a.png', prompt: 'x', mask: { rectangles: [{ x: 0, y: 0, width: 0, height: 5 }] } },
    { image: 'a.png', prompt: 'x', size: 'huge' },
  ]) {
    assert.equal(EditImageInput.safeParse(bad).success, false, JSON.stringify(bad));
  }
});
