import * as vscode from 'vscode';
import { MAX_INPUT_BYTES, sniffImageType } from '../runflow';
import { defaultOptions, pricePerImage } from '../settings/config';
import { pixelLimitMessage } from '../edit/pixelLimit';
import { estimateCost, formatUsd } from '../shared/cost';
import { rasterise, type Box, type Shape } from '../shared/maskShapes';
import type { EditOptions } from '../shared/options';
import { imagePipeline } from '../image/pipeline';
import type { EditSpec } from '../edit/editSpec';
import { EditImageInput, agentOptions } from './toolInput';
import { isUnchanged, readWorkspaceFile, resolveWorkspaceFile, type WorkspaceFile } from './workspaceFiles';

/** An agent's request, checked and resolved: what the job runs, and what the person is asked to agree to. */
export interface ToolRequest {
  spec: EditSpec;
  /** The image as the agent and the person know it: its workspace-relative path. */
  imagePath: string;
  referencePaths: string[];
  /** What the mask marks, in words ("2 rectangles, 1 ellipse"), if there is one. */
  maskSummary?: string;
  estimateUsd: number;
  /** Every file the request reads, as checked: invoke refuses the request if one has changed since. */
  files: WorkspaceFile[];
}

/** Why a request cannot run, in words the agent can act on (and pass on to the person). */
export class ToolRefusal {
  constructor(readonly message: string) {}

  /** `shown` (a path as given, or as the person reads it) lies outside every workspace folder. */
  static outside(shown: string): ToolRefusal {
    return new ToolRefusal(vscode.l10n.t('{0} is outside the workspace folders; the tool edits only files inside them.', shown));
  }

  /** A file the request was resolved from is not the file that was checked any more. */
  static changed(shown: string): ToolRefusal {
    return new ToolRefusal(vscode.l10n.t('{0} changed after the request was checked, so nothing was run. Call the tool again.', shown));
  }
}

/**
 * Checks an agent's input and resolves it into an edit, reading files but changing nothing (it
 * serves prepareInvocation, which must be free of side effects, and invoke). Refuses: an
 * untrusted workspace, input outside the schema, an empty prompt, a path outside the workspace
 * (by its real path), a missing file, a non-image, a file over 50 MiB or 64 MP, a mask shape
 * outside the image.
 */
export async function resolveToolRequest(raw: unknown): Promise<ToolRequest | ToolRefusal> {
  if (!vscode.workspace.isTrusted) {
    return new ToolRefusal(
      vscode.l10n.t(
        'This workspace is not trusted, so images are not edited here on an agent\'s request. The user can trust it with "Workspaces: Manage Workspace Trust".',
      ),
    );
  }
  const parsed = EditImageInput.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || 'input'}: ${i.message}`).join('; ');
    return new ToolRefusal(vscode.l10n.t("The input does not match the tool's schema: {0}", issues));
  }
  const input = parsed.data;
  const prompt = input.prompt.trim();
  if (!prompt) return new ToolRefusal(vscode.l10n.t('The prompt is empty: say how the image should change.'));

  const image = await readWorkspaceImage(input.image);
  if (image instanceof ToolRefusal) return image;
  const tooLarge = pixelLimitRefusal(image);
  if (tooLarge) return tooLarge;
  const files = [image.file];
  const references: vscode.Uri[] = [];
  const referencePaths: string[] = [];
  for (const path of input.referenceImages ?? []) {
    const reference = await readWorkspaceImage(path);
    if (reference instanceof ToolRefusal) return reference;
    references.push(reference.file.uri);
    referencePaths.push(reference.file.path);
    files.push(reference.file);
  }

  const options: EditOptions = { ...defaultOptions(), ...agentOptions(input) };

  let mask: Uint8Array | undefined;
  let maskSummary: string | undefined;
  if (input.mask) {
    const made = await maskFor(input.mask, image);
    if (made instanceof ToolRefusal) return made;
    ({ png: mask, summary: maskSummary } = made);
    if (made.file) files.push(made.file);
  }
  return {
    spec: { image: image.file.uri, references, prompt, options, mask },
    imagePath: image.file.path,
    referencePaths,
    maskSummary,
    estimateUsd: estimateCost(pricePerImage(), options.numImages),
    files,
  };
}

/** A refusal when a file the request was resolved from is no longer the file that was checked (a link switched, a file replaced). */
export async function changedSinceChecked(request: ToolRequest): Promise<ToolRefusal | undefined> {
  for (const file of request.files) {
    if (!(await isUnchanged(file))) {
      return ToolRefusal.changed(file.path);
    }
  }
  return undefined;
}

/** The cost line of a confirmation: "about $0.266 (2 × $0.133)". */
export function describeEstimate(request: ToolRequest): string {
  return vscode.l10n.t('about {0} ({1} × {2})', formatUsd(request.estimateUsd), request.spec.options.numImages, formatUsd(pricePerImage()));
}

interface WorkspaceImage {
  file: WorkspaceFile;
  bytes: Uint8Array;
}

/** A file inside an open workspace folder (by its real path), named by a relative path or a file URI, that is a PNG, JPEG or WebP of at most 50 MiB. */
async function readWorkspaceImage(given: string): Promise<WorkspaceImage | ToolRefusal> {
  const file = await resolveWorkspaceFile(given);
  if ('reason' in file) {
    switch (file.reason) {
      case 'outside':
        return ToolRefusal.outside(given);
      case 'missing':
        return new ToolRefusal(vscode.l10n.t('There is no file {0} in the workspace.', file.path));
      case 'folder':
        return new ToolRefusal(vscode.l10n.t('{0} is a folder, not an image.', file.path));
    }
  }
  let bytes: Uint8Array;
  try {
    const { size } = await vscode.workspace.fs.stat(file.uri);
    if (size > MAX_INPUT_BYTES) {
      return new ToolRefusal(vscode.l10n.t('{0} is {1} MB; Runflow takes images up to 50 MiB.', file.path, (size / 1_000_000).toFixed(1)));
    }
    bytes = await readWorkspaceFile(file);
  } catch {
    return ToolRefusal.changed(file.path);
  }
  if (!sniffImageType(bytes)) return new ToolRefusal(vscode.l10n.t('{0} is not a PNG, JPEG or WebP image.', file.path));
  return { file, bytes };
}

/** Refuses an image above the editor's pixel limit from its header, before anything decodes it. */
function pixelLimitRefusal(image: WorkspaceImage): ToolRefusal | undefined {
  const message = pixelLimitMessage(image.file.path, image.bytes);
  return message === undefined ? undefined : new ToolRefusal(message);
}

/** The mask PNG for the agent's shapes or file, at the image's size; a shape outside the image is refused. */
async function maskFor(
  mask: NonNullable<EditImageInput['mask']>,
  image: WorkspaceImage,
): Promise<{ png: Uint8Array; summary: string; file?: WorkspaceFile } | ToolRefusal> {
  const pipeline = imagePipeline();
  let size: { width: number; height: number };
  try {
    size = await pipeline.measure(image.bytes);
  } catch {
    return new ToolRefusal(vscode.l10n.t('{0} could not be decoded, so no mask can be applied to it.', image.file.path));
  }
  const shapes: Shape[] = [];
  const parts: string[] = [];
  for (const [kind, boxes] of [
    ['rectangle', mask.rectangles ?? []],
    ['ellipse', mask.ellipses ?? []],
  ] as const) {
    for (const [index, box] of boxes.entries()) {
      if (!inside(box, size)) {
        const args = [index + 1, box.x, box.y, box.width, box.height, size.width, size.height] as const;
        return new ToolRefusal(
          kind === 'rectangle'
            ? vscode.l10n.t(
                "Mask rectangle {0} (x {1}, y {2}, {3} × {4}) reaches outside the image, which is {5} × {6} px. Give shapes in the image's pixels, within it.",
                ...args,
              )
            : vscode.l10n.t(
                "Mask ellipse {0} (x {1}, y {2}, {3} × {4}) reaches outside the image, which is {5} × {6} px. Give shapes in the image's pixels, within it.",
                ...args,
              ),
        );
      }
      shapes.push({ kind, box });
    }
    if (boxes.length) parts.push(shapeCount(kind, boxes.length));
  }
  if (mask.file !== undefined) {
    const file = await readWorkspaceImage(mask.file);
    if (file instanceof ToolRefusal) return file;
    if (shapes.length > 0) return new ToolRefusal(vscode.l10n.t('Give the mask as shapes or as a file, not both.'));
    const tooLarge = pixelLimitRefusal(file);
    if (tooLarge) return tooLarge;
    try {
      const prepared = await pipeline.prepareMask(file.bytes, size, { scale: true });
      return { png: prepared.png, summary: vscode.l10n.t('the mask file {0}', file.file.path), file: file.file };
    } catch {
      return new ToolRefusal(vscode.l10n.t('The mask {0} could not be read as an image.', file.file.path));
    }
  }
  if (shapes.length === 0)
    return new ToolRefusal(vscode.l10n.t('The mask has no rectangles, ellipses or file. Leave the mask out to let the whole image change.'));
  const edit = new Uint8Array(size.width * size.height);
  for (const shape of shapes) {
    const c = rasterise(shape, size.width, size.height);
    for (let j = 0; j < c.height; j++) for (let i = 0; i < c.width; i++) if (c.covered[j * c.width + i]) edit[(c.y + j) * size.width + c.x + i] = 1;
  }
  return { png: await pipeline.encodeMask(edit, size.width, size.height), summary: parts.join(', ') };
}

function inside(box: Box, size: { width: number; height: number }): boolean {
  return box.x >= 0 && box.y >= 0 && box.width > 0 && box.height > 0 && box.x + box.width <= size.width && box.y + box.height <= size.height;
}

/** "1 rectangle", "3 ellipses": one message per form, so each language can word its plural. */
function shapeCount(kind: 'rectangle' | 'ellipse', n: number): string {
  if (kind === 'rectangle') return n === 1 ? vscode.l10n.t('1 rectangle') : vscode.l10n.t('{0} rectangles', n);
  return n === 1 ? vscode.l10n.t('1 ellipse') : vscode.l10n.t('{0} ellipses', n);
}
