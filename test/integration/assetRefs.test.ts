// Uploaded inputs go to the model as `runflow://assets/{id}` (resolved at dispatch, never expire),
// as Runflow's SDK recommends; an API that refuses the reference (422 on the input field) gets
// the uploads' signed links instead, in one more create that bills once.
import * as vscode from 'vscode';
import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import sharp from 'sharp';
import { CREATE_PATH, DEFAULT_OPTIONS, emulator, freshFolder, panelSuite } from './support';

/** A PNG over the 1 MiB inline limit: noise does not compress. */
async function writeLargeImage(folder: vscode.Uri): Promise<vscode.Uri> {
  const side = 720;
  const raw = randomBytes(side * side * 3);
  const bytes = await sharp(raw, { raw: { width: side, height: side, channels: 3 } })
    .png()
    .toBuffer();
  assert.ok(bytes.length > 1024 * 1024, `the image must be uploaded, not inlined: ${bytes.length} bytes`);
  const uri = vscode.Uri.joinPath(folder, 'noise.png');
  await vscode.workspace.fs.writeFile(uri, bytes);
  return uri;
}

describe('Uploaded inputs: runflow://assets/ references, signed links when refused', function () {
  this.timeout(90000);
  const suite = panelSuite();

  async function edit(image: vscode.Uri) {
    const session = await suite.open(image);
    await session.next('init');
    const from = session.posted.length;
    await session.probe.receive({ type: 'run', requestId: 1, prompt: 'Calm the noise', options: DEFAULT_OPTIONS });
    return session.next('results', from);
  }

  const creates = async () => (await emulator.requests()).filter((r) => r.method === 'POST' && r.path === CREATE_PATH);

  it('an uploaded image is sent as its runflow://assets/ reference, in one create', async () => {
    const image = await writeLargeImage(await freshFolder('asset-ref'));
    const results = await edit(image);
    assert.equal(results.results.length, 1);
    const [run] = await emulator.runs();
    assert.match((run.input as { image_urls: string[] }).image_urls[0], /^runflow:\/\/assets\/[0-9a-f-]{36}$/);
    assert.deepEqual(
      (await creates()).map((r) => r.status),
      [201],
    );
  });

  it('refused (422 on the reference): sent again with the signed link under a new Idempotency-Key; one run, one bill', async () => {
    await emulator.inject({ kind: 'refuse_asset_refs' });
    const image = await writeLargeImage(await freshFolder('asset-ref-refused'));
    const results = await edit(image);
    assert.equal(results.results.length, 1, 'saved');
    const runs = await emulator.runs();
    assert.equal(runs.length, 1, 'one run');
    assert.match((runs[0].input as { image_urls: string[] }).image_urls[0], /^http:\/\/127\.0\.0\.1:\d+\/assets\//);
    const sent = await creates();
    assert.deepEqual(
      sent.map((r) => r.status),
      [422, 201],
    );
    assert.notEqual(sent[0].headers['idempotency-key'], sent[1].headers['idempotency-key'], 'a key names one body');
    assert.equal(runs[0].clientRef, (await suite.api().testing!.history.records()).find((r) => r.runId === runs[0].id)?.id, "the edit's client_ref");
  });

  for (const how of ['message', 'dispatch'] as const) {
    const refusal = how === 'message' ? 'a 422 naming the reference only in its message (errors: null)' : 'a run failed at dispatch (cost 0)';
    it(`2. refused by ${refusal}: created again with links freshly signed by GET /v1/assets/{id}; the edit saved, one run billed, the note says so`, async () => {
      await emulator.inject({ kind: 'refuse_asset_refs', how });
      const image = await writeLargeImage(await freshFolder(`asset-ref-${how}`));
      const results = await edit(image);
      assert.equal(results.results.length, 1, 'saved');
      const runs = await emulator.runs();
      const billed = runs.filter((r) => r.status !== 'failed');
      assert.equal(billed.length, 1, `one billed run (${runs.map((r) => r.status).join(', ')})`);
      assert.equal(runs.length, how === 'message' ? 1 : 2, 'a 422 makes nothing; a run failed at dispatch is not billed');
      const shown = (billed[0].input as { image_urls: string[] }).image_urls[0];
      assert.match(shown, /^http:\/\/127\.0\.0\.1:\d+\/assets\/.*[?&]signature=/, 'sent as a signed link');
      const requests = await emulator.requests();
      const reSigned = requests.filter((r) => r.method === 'GET' && /^\/v1\/assets\/[^/]+$/.test(r.path) && r.path !== '/v1/assets/types');
      assert.equal(reSigned.length, 1, 'the link was signed anew just before the create');
      const sent = await creates();
      assert.equal(new Set(sent.map((r) => r.headers['idempotency-key'])).size, 2, 'the second body under its own key');
      assert.match((results.notes ?? []).join(' '), /sent again as freshly signed links/);
    });
  }
});
