import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startEmulator, type Emulator } from '../../emulator';
import { call, dataUri, testImage, waitTerminal } from './helpers';

const CREATE = '/v1/models/openai/gpt-image-2/edit/runs';

describe('emulator validation', () => {
  let emu: Emulator;
  let image: string;
  before(async () => {
    emu = await startEmulator({ modelTimeMs: 0 });
    image = dataUri(await testImage(16, 16));
  });
  after(() => emu.close());

  const cases: Array<[name: string, input: () => Record<string, unknown>, field: string]> = [
    ['missing prompt', () => ({ image_urls: [image] }), 'input.prompt'],
    ['empty prompt', () => ({ prompt: '  ', image_urls: [image] }), 'input.prompt'],
    ['unknown output_format', () => ({ prompt: 'p', image_urls: [image], output_format: 'gif' }), 'input.output_format'],
    ['unknown image_size', () => ({ prompt: 'p', image_urls: [image], image_size: 'huge' }), 'input.image_size'],
    ['unknown quality', () => ({ prompt: 'p', image_urls: [image], quality: 'ultra' }), 'input.quality'],
    ['num_images 0', () => ({ prompt: 'p', image_urls: [image], num_images: 0 }), 'input.num_images'],
    ['num_images 5', () => ({ prompt: 'p', image_urls: [image], num_images: 5 }), 'input.num_images'],
    ['num_images 1.5', () => ({ prompt: 'p', image_urls: [image], num_images: 1.5 }), 'input.num_images'],
    ['num_images as a string', () => ({ prompt: 'p', image_urls: [image], num_images: '2' }), 'input.num_images'],
    ['missing image_urls', () => ({ prompt: 'p' }), 'input.image_urls'],
    ['empty image_urls', () => ({ prompt: 'p', image_urls: [] }), 'input.image_urls'],
    ['unsupported scheme', () => ({ prompt: 'p', image_urls: ['ftp://example.com/a.png'] }), 'input.image_urls[0]'],
    ['undecodable data URI', () => ({ prompt: 'p', image_urls: ['data:image/png;base64,AAAAAAAA'] }), 'input.image_urls[0]'],
    ['non-base64 data URI', () => ({ prompt: 'p', image_urls: ['data:image/png,hello'] }), 'input.image_urls[0]'],
    ['unknown asset', () => ({ prompt: 'p', image_urls: ['runflow://assets/0f0f0f0f-0000-4000-8000-000000000000'] }), 'input.image_urls[0]'],
    ['unreachable URL', () => ({ prompt: 'p', image_urls: ['http://127.0.0.1:1/a.png'] }), 'input.image_urls[0]'],
    ['bad mask URL', () => ({ prompt: 'p', image_urls: [image], mask_url: 'data:image/png;base64,AAAA' }), 'input.mask_url'],
  ];

  for (const [name, input, field] of cases) {
    it(`answers 422 with errors[] for ${name}`, async () => {
      const res = await call(emu, 'POST', CREATE, { input: input() });
      assert.equal(res.status, 422, res.text);
      assert.equal(typeof res.json.code, 'string');
      assert.equal(typeof res.json.message, 'string');
      assert.ok(Array.isArray(res.json.errors));
      const hit = res.json.errors.find((e: { field?: string }) => e.field === field);
      assert.ok(hit, `no error for ${field}: ${res.text}`);
      assert.equal(typeof hit.code, 'string');
      assert.equal(typeof hit.message, 'string');
    });
  }

  it('lists every problem at once and creates no run', async () => {
    const res = await call(emu, 'POST', CREATE, { input: { num_images: 9, output_format: 'bmp' } });
    assert.equal(res.status, 422);
    const fields = res.json.errors.map((e: { field?: string }) => e.field).sort();
    assert.deepEqual(fields, ['input.image_urls', 'input.num_images', 'input.output_format', 'input.prompt']);
    assert.equal(emu.runs().length, 0);
  });

  it('answers 400 for a body that is not JSON and 422 without input', async () => {
    const notJson = await fetch(emu.baseUrl + CREATE, {
      method: 'POST',
      headers: { authorization: `Bearer ${emu.apiKey}`, 'content-type': 'application/json' },
      body: '{"input":',
    });
    assert.equal(notJson.status, 400);
    assert.equal((await notJson.json()).code, 'BAD_REQUEST');
    const noInput = await call(emu, 'POST', CREATE, { prompt: 'p' });
    assert.equal(noInput.status, 422);
  });

  it('accepts png, jpeg and webp inputs, and an http(s) image URL', async () => {
    for (const format of ['png', 'jpeg', 'webp'] as const) {
      const res = await call(emu, 'POST', CREATE, { input: { prompt: 'p', image_urls: [dataUri(await testImage(8, 8, { format }), `image/${format}`)] } });
      assert.equal(res.status, 201, res.text);
    }
    // A previous run's output link: fetched over HTTP like any remote image.
    const first = await waitTerminal(emu, (await call(emu, 'POST', CREATE, { input: { prompt: 'p', image_urls: [image] } })).json.id);
    const chained = await call(emu, 'POST', CREATE, { input: { prompt: 'again', image_urls: [first.output.outputs[0].url] } });
    assert.equal(chained.status, 201, chained.text);
  });
});
