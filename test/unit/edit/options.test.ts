// The options are declared once (OPTION_TABLE in src/shared/options.ts): the manifest's settings,
// the API input, the protocol and history records follow from that one place, and the settings
// that move the key or the money can only come from the user.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { DEFAULT_OPTIONS, OPTION_TABLE, readOptions } from '../../../src/shared/options';
import { EditOptions, optionsSchema } from '../../../src/shared/protocol';
import { toEditInput } from '../../../src/edit/editSpec';
import { lowestFreeNumber } from '../../../src/image/outputNames';
import { WITH_STRENGTH } from '../../support/optionTableWithStrength';

const manifest = JSON.parse(readFileSync(path.join(__dirname, '..', '..', '..', '..', 'package.json'), 'utf8'));
const properties: Record<string, { default?: unknown; enum?: unknown[]; minimum?: number; maximum?: number; scope?: string }> =
  manifest.contributes.configuration.properties;

test("the manifest's option settings have the declared values and defaults", () => {
  const declared: string[] = [];
  for (const [option, { setting, domain, default: value }] of Object.entries(OPTION_TABLE)) {
    if (setting === null) continue;
    declared.push(`gptImageEdit.${setting}`);
    const property = properties[`gptImageEdit.${setting}`];
    assert.ok(property, `gptImageEdit.${setting} is contributed`);
    assert.deepEqual(property.default, value, `${setting} default`);
    if (domain.kind === 'choice') assert.deepEqual(property.enum, [...domain.values], `${setting} enum`);
    if (domain.kind === 'int') assert.deepEqual([property.minimum, property.maximum], [domain.min, domain.max], `${option} range`);
  }
  assert.deepEqual(properties['gptImageEdit.defaults.numImages'].maximum, 4);
  const contributed = Object.keys(properties).filter((k) => k.startsWith('gptImageEdit.defaults.'));
  assert.deepEqual(contributed.sort(), declared.sort(), 'no default setting without an option');
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
  assert.equal(EditOptions.safeParse({ ...DEFAULT_OPTIONS, numImages: 5 }).success, false);
  assert.equal(EditOptions.safeParse({ ...DEFAULT_OPTIONS, featherPx: 65 }).success, false);
});

test('toEditInput maps every option to its API field', () => {
  const input = toEditInput(
    {
      prompt: 'p',
      options: { ...DEFAULT_OPTIONS, numImages: 3, outputFormat: 'webp', imageSize: 'square', quality: 'low', private: true, matchOriginal: false },
    },
    ['data:a'],
    'data:m',
  );
  assert.deepEqual(input, {
    prompt: 'p',
    image_urls: ['data:a'],
    mask_url: 'data:m',
    num_images: 3,
    output_format: 'webp',
    image_size: 'square',
    quality: 'low',
    sync_mode: true,
  });
  assert.equal('mask_url' in toEditInput({ prompt: 'p', options: DEFAULT_OPTIONS }, ['data:a']), false);
});

test('an option added to the table is accepted by the message schema, sent in its API field and kept by records', () => {
  const values = { ...DEFAULT_OPTIONS, strength: 7 };
  const schema = optionsSchema(WITH_STRENGTH);
  assert.deepEqual(schema.safeParse(values).data, values, 'the message schema accepts it');
  assert.equal(schema.safeParse({ ...values, strength: 11 }).success, false, 'within its domain only');
  assert.equal(schema.safeParse(DEFAULT_OPTIONS).success, false, 'a message must carry it');

  const input = toEditInput({ prompt: 'p', options: values }, ['data:a'], undefined, WITH_STRENGTH);
  assert.equal((input as unknown as Record<string, unknown>).strength, 7, 'the API input carries its wire field');

  const stored = JSON.parse(JSON.stringify(values));
  assert.deepEqual(readOptions(stored, WITH_STRENGTH), values, 'a record with it round-trips');
  assert.deepEqual(readOptions(DEFAULT_OPTIONS, WITH_STRENGTH), { ...DEFAULT_OPTIONS, strength: 5 }, 'a record from before it takes its legacy meaning');
});

test('records from before the result options existed still load, as saved as the model returned them', () => {
  const { numImages, outputFormat, imageSize, quality } = DEFAULT_OPTIONS;
  const old = { numImages, outputFormat, imageSize, quality, private: false };
  assert.deepEqual(readOptions(old), { ...old, matchOriginal: false, keepUnmaskedExact: false, featherPx: 0, lossyQuality: 90 });
  assert.equal(readOptions({ ...old, quality: 'ultra' }), undefined, 'a model option out of its domain makes the record unreadable');
});

test('an output number is free only when its image and its sidecar names both are', () => {
  assert.equal(lowestFreeNumber('photo', 'png', new Set(['photo.png'])), 1);
  assert.equal(lowestFreeNumber('photo', 'png', new Set(['photo.edited-1.png.json'])), 2, 'a leftover sidecar');
  assert.equal(lowestFreeNumber('photo', 'png', new Set(['photo.edited-1.png', 'photo.edited-2.png.json'])), 3);
  assert.equal(lowestFreeNumber('Photo', 'png', new Set(['photo.edited-1.png.json'])), 2, 'case-insensitively');
});
