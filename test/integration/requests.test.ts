// Requests the page awaits are paired with their answers: each request gets one answer, or one
// error that names it; a request from a page that has since reloaded is answered to no one, and the
// new page (whose request ids start again) learns how the panel's edit ended as the panel's own.
import * as vscode from 'vscode';
import * as assert from 'node:assert/strict';
import { DEFAULT_OPTIONS, emulator, freshFolder, listNames, panelSuite, type PanelSession } from './support';
import type { ToWebview } from '../../src/shared/protocol';

type Answered = Extract<ToWebview, { type: 'answer' | 'error' }>;

/** What the panel posted with request id `requestId` after position `from`. */
const answersTo = (session: PanelSession, requestId: number, from = 0): Answered[] =>
  session.posted.slice(from).filter((m): m is Answered => (m.type === 'answer' || m.type === 'error') && m.requestId === requestId);

describe('Requests paired with answers', function () {
  this.timeout(60000);
  const suite = panelSuite();

  it('each request gets one answer: Export mask the file it wrote, Run once its results are shown, Open Result once opened', async () => {
    const folder = await freshFolder('requests-answered', 'photo.png');
    const session = await suite.open(vscode.Uri.joinPath(folder, 'photo.png'));
    const init = await session.next('init');
    const mask = `data:image/png;base64,${Buffer.from(await vscode.workspace.fs.readFile(vscode.Uri.joinPath(folder, 'photo.png'))).toString('base64')}`;

    await session.probe.receive({ type: 'exportMask', requestId: 101, mask });
    assert.deepEqual(answersTo(session, 101), [{ type: 'answer', request: 'exportMask', requestId: 101, name: 'photo.mask.png' }]);

    await session.probe.receive({ type: 'run', requestId: 102, prompt: 'Make it snow', options: DEFAULT_OPTIONS });
    const results = await session.next('results');
    assert.deepEqual(answersTo(session, 102), [{ type: 'answer', request: 'run', requestId: 102 }]);
    assert.ok(session.posted.indexOf(results) < session.posted.indexOf(answersTo(session, 102)[0]), 'answered after the results were shown');

    await session.probe.receive({ type: 'openResult', requestId: 103, uri: results.results[0].uri });
    assert.deepEqual(answersTo(session, 103), [{ type: 'answer', request: 'openResult', requestId: 103 }]);

    await session.probe.receive({ type: 'openResult', requestId: 104, uri: `${init.image.uri}.never-shown.png` });
    const refused = answersTo(session, 104);
    assert.equal(refused.length, 1);
    assert.equal(refused[0].type, 'error', 'an error rejects the request, and nothing answers it besides');
  });

  it('a request that fails its schema is refused with an error naming it, not left waiting', async () => {
    const folder = await freshFolder('requests-invalid', 'photo.png');
    const session = await suite.open(vscode.Uri.joinPath(folder, 'photo.png'));
    await session.next('init');
    await session.probe.receive({ type: 'exportMask', requestId: 105, mask: 'not a data: URI' });
    const refused = answersTo(session, 105);
    assert.equal(refused.length, 1);
    assert.equal(refused[0].type, 'error');
    assert.match((refused[0] as Extract<Answered, { type: 'error' }>).message, /could not be read/);
    assert.deepEqual(await listNames(folder), ['photo.png'], 'nothing written');
  });

  it("a page reloaded during a run: the run's failure is the panel's (no request id), and no answer reaches the new page", async () => {
    const folder = await freshFolder('requests-reloaded', 'photo.png');
    const session = await suite.open(vscode.Uri.joinPath(folder, 'photo.png'));
    await session.next('init');
    await emulator.inject([
      { kind: 'delay', match: { method: 'GET', path: '/v1/runs/*' }, ms: 1500, times: 1 },
      { kind: 'run_outcome', outcome: 'failed', failureMessage: 'The model could not edit this image.' },
    ]);
    const finished = session.probe.receive({ type: 'run', requestId: 1, prompt: 'Make it snow', options: DEFAULT_OPTIONS });
    await session.next('progress');
    const reloadedAt = session.posted.length;
    await session.probe.receive({ type: 'ready' });
    const init = await session.next('init', reloadedAt);
    assert.ok(init.view.run, 'the new page shows the run in progress');
    await finished;
    const error = await session.next('error', reloadedAt);
    assert.match(error.message, /could not edit this image/);
    assert.equal(error.requestId, undefined, "the new page's own request 1 is not this run");
    assert.deepEqual(answersTo(session, 1, reloadedAt), [], 'nothing after the reload names request 1');
  });
});
