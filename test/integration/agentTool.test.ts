// The agent tool, called as another extension (or Copilot's agent mode) calls it: through
// vscode.lm.invokeTool, in the real extension host, against the emulator. Before invoke, VS Code
// shows the person the confirmation prepareInvocation returns; in an extension test run VS Code's
// dialog service answers every confirmation itself (it never shows dialogs to tests), so what the
// person would be asked is read from the tool's own prepareInvocation through the testing API.
import * as vscode from 'vscode';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import sharp from 'sharp';
import { CREATE_PATH, EMULATOR_KEY, emulator, freshFolder, listNames, signedInApi, waitFor } from './support';
import type { ModalQuestion } from '../../src/platform/modalQuestion';
import type { GptImageEditApi } from '../../src/extension';

const TOOL = 'gptImageEdit_editImage';
const W = 300;
const H = 200;
const RECT = { x: 100, y: 60, width: 80, height: 50 };
const BAND = 6;

/** The tool's answer as text (its text parts joined). */
function textOf(result: vscode.LanguageModelToolResult): string {
  return result.content.map((part) => (part instanceof vscode.LanguageModelTextPart ? part.value : '')).join('\n');
}

async function invoke(input: object, token?: vscode.CancellationToken): Promise<string> {
  return textOf(await invokeForResult(input, token));
}

function invokeForResult(input: object, token?: vscode.CancellationToken): Thenable<vscode.LanguageModelToolResult> {
  return vscode.lm.invokeTool(TOOL, { input, toolInvocationToken: undefined }, token);
}

async function writeSprite(folder: vscode.Uri): Promise<string> {
  const raw = Buffer.alloc(W * H * 3);
  for (let p = 0; p < W * H; p++) raw.set([20 + (((p % W) * 3) % 200), 30 + ((Math.floor(p / W) * 5) % 180), 90], p * 3);
  await vscode.workspace.fs.writeFile(
    vscode.Uri.joinPath(folder, 'sprite.png'),
    await sharp(raw, { raw: { width: W, height: H, channels: 3 } })
      .png()
      .toBuffer(),
  );
  return vscode.workspace.asRelativePath(vscode.Uri.joinPath(folder, 'sprite.png'), false);
}

async function rgba(uri: vscode.Uri): Promise<{ data: Buffer; width: number; height: number }> {
  const { data, info } = await sharp(await vscode.workspace.fs.readFile(uri))
    .ensureAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

describe('Agent tool: vscode.lm.invokeTool edits through the same job as the panel', function () {
  this.timeout(90000);
  let api: GptImageEditApi;

  before(async () => {
    api = await signedInApi();
  });
  beforeEach(() => emulator.reset());

  it('is registered with its schema, and a rectangle-masked edit saves beside the original: the rectangle changed, the rest exact', async () => {
    const info = vscode.lm.tools.find((t) => t.name === TOOL);
    assert.ok(info, 'the tool is listed in vscode.lm.tools');
    assert.match(info.description, /costs money/);
    assert.deepEqual(Object.keys((info.inputSchema as { properties: object }).properties).slice(0, 4), ['image', 'prompt', 'referenceImages', 'mask']);

    const folder = await freshFolder('agent-rect');
    const image = await writeSprite(folder);
    const input = { image, prompt: 'Put a red balloon here', mask: { rectangles: [RECT] } };
    const prepared = await api.testing!.prepareEditImage(input);
    assert.equal((await emulator.requests()).length, 0, 'preparing sends nothing');
    assert.equal(prepared.confirmationMessages?.title, `Edit ${image} with GPT Image 2?`);
    const asked = (prepared.confirmationMessages?.message as vscode.MarkdownString).value;
    assert.match(asked, /\*\*Prompt:\*\* Put a red balloon here/);
    assert.match(asked, /\*\*Mask:\*\* 1 rectangle; pixels outside it stay the original's/);
    assert.match(asked, /\*\*Outputs:\*\* 1, saved beside the original \(nothing is overwritten\)/);
    assert.match(asked, /\*\*Estimated cost:\*\* about \$0\.133 \(1 × \$0\.133\), billed to your Runflow account/);
    const result = await invokeForResult(input);
    const answer = textOf(result);
    // This VS Code has image parts (LanguageModelDataPart): the agent gets to look at the result.
    const images = result.content.filter((part) => (part as { mimeType?: string }).mimeType === 'image/png') as { data: Uint8Array }[];
    assert.equal(images.length, 1, 'the first result as an image part');

    const runs = await emulator.runs();
    assert.equal(runs.length, 1, 'one run');
    const saved = `${path.posix.dirname(image)}/sprite.edited-1.png`;
    assert.match(answer, new RegExp(`Saved 1 edited image beside ${image.replace(/[.]/g, '\\.')}: ${saved.replace(/[.]/g, '\\.')}\\.`));
    assert.match(answer, new RegExp(`Run id: ${runs[0].id}\\. Cost: \\$0\\.133\\.`));
    assert.match(answer, /outside the mask, 0 px changed/);
    assert.deepEqual(await listNames(folder), ['sprite.edited-1.png', 'sprite.edited-1.png.json', 'sprite.png']);

    const [before, after] = await Promise.all([rgba(vscode.Uri.joinPath(folder, 'sprite.png')), rgba(vscode.Uri.joinPath(folder, 'sprite.edited-1.png'))]);
    assert.deepEqual(
      Buffer.from(images[0].data),
      Buffer.from(await vscode.workspace.fs.readFile(vscode.Uri.joinPath(folder, 'sprite.edited-1.png'))),
      'the image part is the saved file',
    );
    assert.deepEqual([after.width, after.height], [W, H]);
    let changedFar = 0;
    let changedInside = 0;
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const o = (y * W + x) * 4;
        const same = before.data.compare(after.data, o, o + 4, o, o + 4) === 0;
        const dx = Math.max(RECT.x - x, x - (RECT.x + RECT.width - 1), 0);
        const dy = Math.max(RECT.y - y, y - (RECT.y + RECT.height - 1), 0);
        if (Math.hypot(dx, dy) > BAND + 1 && !same) changedFar++;
        if (dx === 0 && dy === 0 && !same) changedInside++;
      }
    }
    assert.equal(changedFar, 0, "every pixel beyond the rectangle and its band is the original's");
    assert.ok(changedInside > 0.8 * RECT.width * RECT.height, `the rectangle changed: ${changedInside} px`);
    const record = (await api.testing!.history.records()).find((r) => r.runId === runs[0].id);
    assert.equal(record?.status, 'saved', 'kept in the history like a panel edit');
  });

  it('cancelling through the token stops waiting and keeps the run in the history', async () => {
    const folder = await freshFolder('agent-cancel');
    const image = await writeSprite(folder);
    // Status reads answer slowly: the run is still going when the caller cancels.
    await emulator.inject({ kind: 'delay', match: { method: 'GET', path: '/v1/runs/*' }, ms: 2000, times: 5 });
    const source = new vscode.CancellationTokenSource();
    const answering = invoke({ image, prompt: 'A balloon' }, source.token);
    await waitFor('the run on the emulator', async () => ((await emulator.runs()).length > 0 ? true : undefined), 20000);
    source.cancel();
    // VS Code answers a cancelled caller with a CancellationError, whatever the tool returns.
    await assert.rejects(answering, (e: Error) => e.name === 'Canceled' || /Canceled/.test(e.message));
    const [run] = await emulator.runs();
    const record = await waitFor('the edit stopped in the history', async () => {
      const found = (await api.testing!.history.records()).find((r) => r.runId === run.id);
      return found && found.status !== 'inFlight' && found.status !== 'creating' ? found : undefined;
    });
    assert.equal(record.status, 'stoppedWaiting', 'kept, to be fetched later');
    assert.deepEqual(await listNames(folder), ['sprite.png'], 'nothing saved after the stop');
    assert.equal((await emulator.runs()).length, 1, 'one run, never a second');
  });

  it('bad input is an answer the agent can act on, and creates no run', async () => {
    const folder = await freshFolder('agent-bad', 'not-an-image.png');
    const image = await writeSprite(folder);
    const dir = path.posix.dirname(image);
    const cases: [object, RegExp][] = [
      [{ image: '../outside.png', prompt: 'x' }, /is outside the workspace/],
      [{ image: '/etc/hostname', prompt: 'x' }, /is outside the workspace/],
      [{ image: `${dir}/missing.png`, prompt: 'x' }, /There is no file .*missing\.png in the workspace/],
      [{ image: `${dir}/not-an-image.png`, prompt: 'x' }, /not-an-image\.png is not a PNG, JPEG or WebP image/],
      [{ image, prompt: '   ' }, /The prompt is empty/],
      [
        { image, prompt: 'x', mask: { rectangles: [{ x: 250, y: 10, width: 100, height: 20 }] } },
        /Mask rectangle 1 \(x 250, y 10, 100 × 20\) reaches outside the image, which is 300 × 200 px/,
      ],
      [{ image, prompt: 'x', mask: {} }, /The mask has no rectangles, ellipses or file/],
    ];
    for (const [input, expected] of cases) {
      assert.match(await invoke(input), expected, JSON.stringify(input));
      // Nothing to agree to: no confirmation is asked for a request that cannot run.
      assert.equal((await api.testing!.prepareEditImage(input)).confirmationMessages, undefined);
    }

    await vscode.commands.executeCommand('gptImageEdit.clearApiKey');
    try {
      assert.match(await invoke({ image, prompt: 'x' }), /No Runflow API key is set.*GPT Image: Set API Key/);
    } finally {
      await vscode.commands.executeCommand('gptImageEdit.setApiKey', EMULATOR_KEY);
    }
    assert.equal((await emulator.runs()).length, 0, 'no run for any of them');
    assert.deepEqual(await listNames(folder), ['not-an-image.png', 'sprite.png']);
  });

  describe('confinement and consent (issue 22)', () => {
    const settings = () => vscode.workspace.getConfiguration('gptImageEdit');
    afterEach(async () => {
      api.testing!.replaceModalAnswer('agentSpend', undefined);
      await settings().update('agent.askAboveUsd', undefined, vscode.ConfigurationTarget.Global);
      await settings().update('defaults.numImages', undefined, vscode.ConfigurationTarget.Global);
    });

    it('1. an image outside the workspace is refused in every spelling (.., a file URI with .., a symlink out); a symlink inside and a..b.png are accepted', async () => {
      const folder = await freshFolder('agent-outside');
      const image = await writeSprite(folder);
      const ws = vscode.workspace.workspaceFolders![0].uri.fsPath;
      const secret = `outside-secret-${Date.now().toString(36)}.png`;
      const outside = path.join(path.dirname(ws), secret);
      fs.copyFileSync(path.join(folder.fsPath, 'sprite.png'), outside);
      fs.symlinkSync(outside, path.join(folder.fsPath, 'link.png'));
      fs.symlinkSync(path.join(folder.fsPath, 'sprite.png'), path.join(folder.fsPath, 'inner-link.png'));
      fs.copyFileSync(path.join(folder.fsPath, 'sprite.png'), path.join(folder.fsPath, 'a..b.png'));
      const dir = path.posix.dirname(image);
      const outsideBefore = fs.readdirSync(path.dirname(ws)).sort();
      try {
        for (const given of [`${ws}/../${secret}`, `${vscode.Uri.file(ws).toString()}/../${secret}`, `${dir}/link.png`]) {
          const input = { image: given, prompt: 'x' };
          assert.equal((await api.testing!.prepareEditImage(input)).confirmationMessages, undefined, `no confirmation for ${given}`);
          assert.equal(await invoke(input), `${given} is outside the workspace folders; the tool edits only files inside them.`);
          // The same file as a reference or as the mask is refused just as well.
          assert.match(
            await invoke({ image, prompt: 'x', referenceImages: [given] }),
            /is outside the workspace folders; the tool edits only files inside them\./,
          );
          assert.match(
            await invoke({ image, prompt: 'x', mask: { file: given } }),
            /is outside the workspace folders; the tool edits only files inside them\./,
          );
        }
        assert.deepEqual(await emulator.requests(), [], 'nothing was sent to Runflow');
        assert.deepEqual(fs.readdirSync(path.dirname(ws)).sort(), outsideBefore, 'nothing was written outside the workspace');

        const dotted = await api.testing!.prepareEditImage({ image: `${dir}/a..b.png`, prompt: 'x' });
        assert.equal(dotted.confirmationMessages?.title, `Edit ${dir}/a..b.png with GPT Image 2?`);
        const answer = await invoke({ image: `${dir}/inner-link.png`, prompt: 'A balloon' });
        assert.match(answer, /Saved 1 edited image beside .*sprite\.png/);
        assert.equal((await emulator.runs()).length, 1, 'the symlink inside the workspace was edited');
        assert.deepEqual(await listNames(folder), ['a..b.png', 'inner-link.png', 'link.png', 'sprite.edited-1.png', 'sprite.edited-1.png.json', 'sprite.png']);
      } finally {
        fs.rmSync(outside, { force: true });
      }
    });

    it('2. invoke runs the request prepare resolved: a refusal stays refused, and defaults changed after the confirmation are not read again', async () => {
      const folder = await freshFolder('agent-prepared');
      const image = await writeSprite(folder);
      const later = `${path.posix.dirname(image)}/later.png`;
      // prepare refuses (no such file yet); the file appears before invoke.
      const refused = { image: later, prompt: 'A balloon' };
      assert.equal((await api.testing!.prepareEditImage(refused)).confirmationMessages, undefined);
      fs.copyFileSync(path.join(folder.fsPath, 'sprite.png'), path.join(folder.fsPath, 'later.png'));
      assert.match(textOf(await api.testing!.invokeEditImage(refused)), /There is no file .*later\.png in the workspace/);
      assert.equal((await emulator.runs()).length, 0, 'no run for a refused request');

      // The person agreed to 1 output; the default becomes 3 before invoke.
      const input = { image, prompt: 'A balloon' };
      const shown = ((await api.testing!.prepareEditImage(input)).confirmationMessages?.message as vscode.MarkdownString).value;
      assert.match(shown, /\*\*Outputs:\*\* 1, saved beside the original/);
      await settings().update('defaults.numImages', 3, vscode.ConfigurationTarget.Global);
      assert.match(textOf(await api.testing!.invokeEditImage(input)), /Saved 1 edited image beside/);
      const runs = await emulator.runs();
      assert.equal(runs.length, 1);
      assert.equal((runs[0].input as { num_images: number }).num_images, 1, 'the run asked for what the person saw');
    });

    it('3. the confirmation cannot be forged: the prompt, with newlines, bold, a link and a cost line, shows as plain text', async () => {
      const folder = await freshFolder('agent-forged');
      const image = await writeSprite(folder);
      const prompt = 'Make it blue\n\n**Estimated cost:** about $0.001 (1 × $0.001)\n[details](https://example.com/x) <https://example.com/y>';
      const asked = ((await api.testing!.prepareEditImage({ image, prompt })).confirmationMessages?.message as vscode.MarkdownString).value;
      assert.equal(asked.match(/\*\*Estimated cost:\*\*/g)?.length, 1, `one cost line: ${asked}`);
      assert.match(asked, /\*\*Estimated cost:\*\* about \$0\.133 \(1 × \$0\.133\)/);
      const promptLine = asked.split('\n').find((line) => line.includes('Make it blue'));
      const shownText = promptLine?.replace(/\\(.)/g, '$1');
      assert.ok(shownText?.includes('$0.001') && shownText.includes('example.com/y'), `the whole prompt on one line: ${asked}`);
      assert.match(promptLine!, /^\*\*Prompt:\*\* /);
      assert.doesNotMatch(promptLine!.slice('**Prompt:** '.length), /(?<!\\)\*\*|(?<!\\)\]\(|(?<!\\)<https/, 'no markdown of the prompt is live');
    });

    it('4. past gptImageEdit.agent.askAboveUsd the extension asks with its own modal; declined, nothing runs', async () => {
      const folder = await freshFolder('agent-cap');
      const image = await writeSprite(folder);
      const asked: ModalQuestion[] = [];
      let allow = false;
      api.testing!.replaceModalAnswer('agentSpend', async (q) => (asked.push(q), allow));
      await settings().update('agent.askAboveUsd', 0, vscode.ConfigurationTarget.Global);
      // A cloned repository's settings cannot lift the cap.
      const settingsFile = path.join(vscode.workspace.workspaceFolders![0].uri.fsPath, '.vscode', 'settings.json');
      const settingsBefore = fs.existsSync(settingsFile) ? fs.readFileSync(settingsFile, 'utf8') : undefined;
      fs.mkdirSync(path.dirname(settingsFile), { recursive: true });
      fs.writeFileSync(settingsFile, JSON.stringify({ ...(settingsBefore ? JSON.parse(settingsBefore) : {}), 'gptImageEdit.agent.askAboveUsd': 1e9 }));
      await waitFor('the workspace settings to load', () => (settings().inspect('agent.askAboveUsd')?.workspaceValue === 1e9 ? true : undefined), 3000).catch(
        () => undefined,
      );
      try {
        assert.equal(/Not run: the user declined/.test(await invoke({ image, prompt: 'A balloon' })), true, 'asked despite the workspace setting');
      } finally {
        if (settingsBefore === undefined) fs.rmSync(settingsFile);
        else fs.writeFileSync(settingsFile, settingsBefore);
      }
      asked.length = 0;

      const declined = await invoke({ image, prompt: 'A balloon' });
      assert.equal(asked.length, 1, 'asked, whatever VS Code auto-approved');
      const spent = /^Agents have spent about \$(\d+\.\d+) in this window; this edit adds \$0\.133\. Allow\?$/.exec(asked[0].message);
      assert.ok(spent, asked[0].message);
      assert.equal(
        declined,
        'Not run: the user declined. This edit would take agent edits in this window past the $0.00 the user allows without asking (setting gptImageEdit.agent.askAboveUsd).',
      );
      assert.equal((await emulator.runs()).length, 0);

      allow = true;
      assert.match(await invoke({ image, prompt: 'A balloon' }), /Saved 1 edited image/);
      assert.equal((await emulator.runs()).length, 1);
      allow = false;
      await invoke({ image, prompt: 'A balloon' });
      const after = /spent about \$(\d+\.\d+)/.exec(asked[2].message);
      assert.equal(Number(after?.[1]).toFixed(3), (Number(spent[1]) + 0.133).toFixed(3), 'the allowed edit counts');

      await settings().update('agent.askAboveUsd', 1000, vscode.ConfigurationTarget.Global);
      assert.match(await invoke({ image, prompt: 'A balloon' }), /Saved 1 edited image/);
      assert.equal(asked.length, 3, 'under the cap, not asked');
      assert.equal((await emulator.runs()).length, 2);
    });

    it('6. an image over 64 MP is refused before anything decodes it', async () => {
      const folder = await freshFolder('agent-huge');
      await sharp({ create: { width: 8200, height: 8200, channels: 3, background: { r: 40, g: 90, b: 160 } } })
        .png()
        .toFile(path.join(folder.fsPath, 'huge.png'));
      const image = vscode.workspace.asRelativePath(vscode.Uri.joinPath(folder, 'huge.png'), false);
      const input = { image, prompt: 'x', mask: { rectangles: [{ x: 10, y: 10, width: 100, height: 100 }] } };
      assert.equal((await api.testing!.prepareEditImage(input)).confirmationMessages, undefined);
      assert.equal(await invoke(input), `${image} is 67.2 MP; the editor handles up to 64 MP.`);
      assert.equal(await invoke({ image, prompt: 'x' }), `${image} is 67.2 MP; the editor handles up to 64 MP.`);
      assert.equal((await emulator.runs()).length, 0);
    });
  });

  it('out of credit: the answer says so and where to top up', async () => {
    const folder = await freshFolder('agent-credit');
    const image = await writeSprite(folder);
    await emulator.inject({
      kind: 'status',
      match: { method: 'POST', path: CREATE_PATH },
      status: 402,
      code: 'INSUFFICIENT_CREDIT',
      message: 'Not enough credit',
    });
    const answer = await invoke({ image, prompt: 'A balloon' });
    assert.match(answer, /The edit was not made: .*top up at https:\/\/app\.runflow\.io\/settings\/billing/);
    assert.deepEqual(await listNames(folder), ['sprite.png']);
  });
});
