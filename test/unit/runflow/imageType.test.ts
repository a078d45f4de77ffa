import assert from 'node:assert/strict';
import { test } from 'node:test';
import sharp from 'sharp';
import { sniffImageType } from '../../../src/runflow';

test('sniffImageType recognises real PNG, JPEG and WebP bytes', async () => {
  const base = sharp({ create: { width: 4, height: 4, channels: 3, background: '#123456' } });
  assert.equal(sniffImageType(await base.clone().png().toBuffer()), 'png');
  assert.equal(sniffImageType(await base.clone().jpeg().toBuffer()), 'jpeg');
  assert.equal(sniffImageType(await base.clone().webp().toBuffer()), 'webp');
});

test('sniffImageType rejects other bytes whatever they claim to be', () => {
  assert.equal(sniffImageType(new TextEncoder().encode('<html>not an image</html>')), undefined);
  assert.equal(sniffImageType(new Uint8Array([0x89, 0x50, 0x4e])), undefined, 'truncated PNG signature');
  assert.equal(sniffImageType(new TextEncoder().encode('RIFF\0\0\0\0WAVEfmt ')), undefined, 'RIFF but not WebP');
  assert.equal(sniffImageType(new TextEncoder().encode('GIF89a')), undefined);
  assert.equal(sniffImageType(new Uint8Array(0)), undefined);
});
