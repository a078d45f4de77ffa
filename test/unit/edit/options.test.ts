// The options are declared once (src/shared/options.ts): the manifest's settings, the API input
// and the protocol follow from that one place, and the settings that move the key or the money
// can only come from the user.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { DEFAULT_OPTIONS, IMAGE_SIZES, MAX_NUM_IMAGES, OPTION_SETTINGS, OUTPUT_FORMATS, QUALITIES } from '../../../src/shared/options';
import { EditOptions } from '../../../src/shared/protocol';
import { toEditInput } from '../../../src/edit/editSpec';
import { lowestFreeNumber } from '../../../src/edit/outputNames';

const manifest = JSON.parse(readFileSync(path.join(__dirname, '..', '..', '..', '..', 'package.json'), 'utf8'));
const properties: Record<string, { default?: unknown; enum?: unknown[]; minimum?: number; maximum?: number; scope?: string }> =
  manifest.contributes.configuration.properties;

test("the manifest's option settings have the declared enums and defaults", () => {
  const enums: Record<string, readonly unknown[]> = { outputFormat: OUTPUT_FORMATS, imageSize: IMAGE_SIZES, quality: QUALITIES };
  for (const [option, setting] of Object.entries(OPTION_SETTINGS)) {
    if (setting === null) continue;
    const property = properties[`gptImageEdit.${setting}`];
    assert.ok(property, `gptImageEdit.${setting} is contributed`);
    assert.deepEqual(property.default, DEFAULT_OPTIONS[option as keyof typeof DEFAULT_OPTIONS], `${setting} default`);
    if (enums[option]) assert.deepEqual(property.enum, [...enums[option]], `${setting} enum`);
  }
  assert.equal(properties['gptImageEdit.defaults.numImages'].maximum, MAX_NUM_IMAGES);
  const contributed = Object.keys(properties).filter((k) => k.startsWith('gptImageEdit.defaults.'));
  assert.deepEqual(contributed.sort(), Object.values(OPTION_SETTINGS).filter((s) => s !== null).map((s) => `gptImageEdit.${s}`).sort(), 'no default setting without an option');
});

test('settings that move the key or the money are application-scoped and restricted in untrusted workspaces', () => {
  const restricted: string[] = manifest.capabilities.untrustedWorkspaces.restrictedConfigurations;
  for (const name of ['apiBaseUrl', 'pricePerImage', 'batchConfirmAboveUsd', 'agent.askAboveUsd']) {
    assert.equal(properties[`gptImageEdit.${name}`].scope, 'application', name);
    assert.ok(restricted.includes(`gptImageEdit.${name}`), name);
  }
});

test('the protocol accepts exactly the declared option values', () => {
  assert.equal(EditOptions.safeParse(DEFAULT_OPTIONS).success, true);
  assert.equal(EditOptions.safeParse({ ...DEFAULT_OPTIONS, outputFormat: 'gif' }).success, false);
  assert.equal(EditOptions.safeParse({ ...DEFAULT_OPTIONS, numImages: MAX_NUM_IMAGES + 1 }).success, false);
});

test('toEditInput maps every option to its API field', () => {
  const input = toEditInput({ prompt: 'p', options: { ...DEFAULT_OPTIONS, numImages: 3, outputFormat: 'webp', imageSize: 'square', quality: 'low', private: true, matchOriginal: false } }, ['data:a'], 'data:m');
  assert.deepEqual(input, { prompt: 'p', image_urls: ['data:a'], mask_url: 'data:m', num_images: 3, output_format: 'webp', image_size: 'square', quality: 'low', sync_mode: true });
  assert.equal('mask_url' in toEditInput({ prompt: 'p', options: DEFAULT_OPTIONS }, ['data:a']), false);
});

test('an output number is free only when its image and its sidecar names both are', () => {
  assert.equal(lowestFreeNumber('photo', 'png', new Set(['photo.png'])), 1);
  assert.equal(lowestFreeNumber('photo', 'png', new Set(['photo.edited-1.png.json'])), 2, 'a leftover sidecar');
  assert.equal(lowestFreeNumber('photo', 'png', new Set(['photo.edited-1.png', 'photo.edited-2.png.json'])), 3);
  assert.equal(lowestFreeNumber('Photo', 'png', new Set(['photo.edited-1.png.json'])), 2, 'case-insensitively');
});
