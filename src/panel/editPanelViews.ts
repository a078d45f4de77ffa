import * as vscode from 'vscode';
import * as z from 'zod/mini';
import { createHash } from 'crypto';
import { BatchItem, EditOptions, MAX_PROMPT_LENGTH, OutcomeView, RunPhase } from '../shared/protocol';
import { defaultOptions } from '../settings/config';
import { MaskTools } from '../shared/maskTools';
import { PaintFiles, type PaintKept } from './paintFiles';

const KEY_PREFIX = 'gptImageEdit.panel/';
const BATCH_KEY_PREFIX = 'gptImageEdit.batchPanel/';
const VERSION = 1;

/** What the host keeps of one image's panel: its draft and, for a window reload, what it showed. */
const StoredView = z.object({
  version: z.literal(VERSION),
  /** The image's content when the paint was made: a changed file drops the stale paint. */
  imageSignature: z.string(),
  references: z.array(z.string()),
  prompt: z.string().check(z.maxLength(MAX_PROMPT_LENGTH)),
  options: EditOptions,
  /** Only in drafts stored before the paint had its own file (moved there on first read); the host keeps it in memory. */
  paint: z.optional(z.string().check(z.startsWith('data:image/png;base64,'))),
  maskTools: z.optional(MaskTools),
  results: z.optional(
    z.object({
      runId: z.optional(z.string()),
      cost: z.optional(z.string()),
      missing: z.int(),
      notes: z.optional(z.array(z.string())),
      uris: z.array(z.string()),
    }),
  ),
  outcome: z.optional(OutcomeView),
  /** The edit that was in progress (its history id), to show it resuming after a reload. */
  run: z.optional(z.object({ jobId: z.string(), phase: RunPhase, runId: z.optional(z.string()) })),
});
export type StoredView = z.infer<typeof StoredView>;

/** What the host keeps of a batch panel, per selection: its draft and its list. */
const StoredBatch = z.object({
  prompt: z.string().check(z.maxLength(MAX_PROMPT_LENGTH)),
  options: EditOptions,
  items: z.array(BatchItem),
});
export type StoredBatch = z.infer<typeof StoredBatch>;

/** A stored panel as read back: absent, unreadable (an older version, damaged), or valid. */
export type StoredRead = { kind: 'none' } | { kind: 'invalid' } | { kind: 'ok'; view: StoredView };

/**
 * Each image's panel state, in the workspace's own storage (workspaceState): the draft the user
 * was working on survives closing the panel, and everything it showed survives a window reload.
 * The mask's paint layer goes to its own file (PaintFiles). Also the host's record of which
 * images (and references) it has shown: a revived panel may show only those, or files inside the
 * workspace.
 */
export class PanelViewStore {
  /** The paint each image's file holds (or is being written with), so an unchanged layer is not written again. */
  private static readonly written = new Map<string, string | undefined>();
  private readonly memento: vscode.Memento;
  private readonly paints: PaintFiles;

  constructor(context: vscode.ExtensionContext) {
    this.memento = context.workspaceState;
    this.paints = PaintFiles.of(context);
  }

  /** The stored draft, without its paint (see readPaint) unless it was stored before paint files. */
  read(image: vscode.Uri): StoredRead {
    const raw = this.memento.get<unknown>(KEY_PREFIX + image.toString());
    if (raw === undefined) return { kind: 'none' };
    const parsed = StoredView.safeParse(raw);
    return parsed.success ? { kind: 'ok', view: parsed.data } : { kind: 'invalid' };
  }

  /**
   * The paint layer of `image`: a draft stored before paint files carries it, and it moves to its
   * file now (so no one loses a mask on update); otherwise it is read from its file.
   */
  async readPaint(image: vscode.Uri): Promise<string | undefined> {
    const stored = this.read(image);
    if (stored.kind === 'ok' && stored.view.paint) {
      await this.write(image, stored.view);
      return stored.view.paint;
    }
    const paint = await this.paints.read(image);
    PanelViewStore.written.set(image.toString(), paint);
    return paint;
  }

  /** For tests: the draft as stored, and the file its paint goes to. */
  stored(image: vscode.Uri): { raw: unknown; paintFile: vscode.Uri } {
    return { raw: this.memento.get<unknown>(KEY_PREFIX + image.toString()), paintFile: this.paints.fileOf(image) };
  }

  /** For tests: stores a draft as given (one an earlier version wrote). */
  storeRaw(image: vscode.Uri, raw: unknown): Thenable<void> {
    PanelViewStore.written.delete(image.toString());
    return this.memento.update(KEY_PREFIX + image.toString(), raw);
  }

  /** Stores the draft; its paint goes to its file. Resolves where the paint is kept. */
  async write(image: vscode.Uri, view: StoredView): Promise<PaintKept> {
    const key = image.toString();
    const { paint, ...rest } = view;
    const kept = PanelViewStore.written.has(key) && PanelViewStore.written.get(key) === paint ? undefined : this.writePaint(image, paint);
    await this.memento.update(KEY_PREFIX + key, rest);
    return (await kept) ?? 'file';
  }

  private writePaint(image: vscode.Uri, paint: string | undefined): Promise<PaintKept> {
    PanelViewStore.written.set(image.toString(), paint);
    return this.paints.write(image, paint);
  }

  readBatch(selection: string): StoredBatch | undefined {
    const parsed = StoredBatch.safeParse(this.memento.get<unknown>(batchKey(selection)));
    return parsed.success ? parsed.data : undefined;
  }

  writeBatch(selection: string, batch: StoredBatch): Thenable<void> {
    return this.memento.update(batchKey(selection), batch);
  }

  /** Whether this host showed a batch panel for exactly this selection. */
  hasShownBatch(selection: string): boolean {
    return this.memento.get(batchKey(selection)) !== undefined;
  }

  /** Whether a panel of this host showed `file` (as its image or one of its references). */
  hasShown(file: vscode.Uri): boolean {
    const target = file.toString();
    return this.memento.keys().some((key) => {
      if (!key.startsWith(KEY_PREFIX)) return false;
      if (key === KEY_PREFIX + target) return true;
      const stored = this.read(vscode.Uri.parse(key.slice(KEY_PREFIX.length)));
      return stored.kind === 'ok' && stored.view.references.includes(target);
    });
  }
}

function batchKey(selection: string): string {
  return `${BATCH_KEY_PREFIX}${createHash('sha256').update(selection).digest('hex').slice(0, 32)}`;
}

/** Whether `file` may be shown by a revived panel: inside an open workspace folder, or shown by this host before. */
export function mayRevive(file: vscode.Uri, store: PanelViewStore): boolean {
  return vscode.workspace.getWorkspaceFolder(file) !== undefined || store.hasShown(file);
}

/** Form values a panel takes instead of its draft's (re-opening an edit from the history). */
export interface RestoredForm {
  prompt: string;
  options?: EditOptions;
}

/** How a panel comes to be: opened by a command (with the history's prompt and options, if any), or revived after a reload. */
export type Opening = { kind: 'open'; references: vscode.Uri[]; restored?: RestoredForm } | { kind: 'revive' };

/**
 * The draft a panel starts from: the stored one for this image (all of it after a reload; without
 * the last results and outcome when opened again), or a fresh one, with a note when the stored one
 * could not be read.
 */
export function startingDraft(views: PanelViewStore, image: vscode.Uri, opening: Opening): { draft: StoredView; note?: string } {
  const stored = views.read(image);
  const fresh: StoredView = { version: 1, imageSignature: '', references: [], prompt: '', options: defaultOptions() };
  let draft = stored.kind === 'ok' ? stored.view : fresh;
  if (opening.kind === 'open') draft = { ...draft, results: undefined, outcome: undefined, run: undefined };
  if (opening.kind === 'open' && opening.restored) draft = { ...draft, prompt: opening.restored.prompt, options: opening.restored.options ?? draft.options };
  const note =
    stored.kind === 'invalid' ? vscode.l10n.t("The panel's saved state could not be read (it may be from an older version), so it starts fresh.") : undefined;
  return { draft, note };
}
