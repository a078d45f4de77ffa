import * as vscode from 'vscode';
import { randomUUID } from 'crypto';
import {
  EDIT_MODEL_ID,
  RunflowError,
  assetIdOf,
  isFlagged,
  outcomeUnknown,
  type BatchCreator,
  type DurationModel,
  type ModelInput,
  type Run,
  type RunOutput,
  type RunflowClient,
} from '../runflow';
import type { RunPhase } from '../shared/protocol';
import type { EditOptions } from '../shared/options';
import type { RunHistory } from '../history/runHistory';
import type { RunLeases } from '../history/runLeases';
import { RECORD_VERSION, type RunRecord } from '../history/runRecord';
import { userMessage } from '../platform/showError';
import type { Clock } from '../platform/clock';
import { toEditInput, type EditSpec } from './editSpec';
import { saveVariant, type VariantSaving } from './variantSaver';
import { sidecarFor } from './sidecar';
import { baseName, stemOf } from '../image/outputNames';
import { ResultFinisher, prepareSentMask, sha256, type SentInputs, type SidecarResult } from './resultFinisher';
import { pixelLimitMessage } from './pixelLimit';

/**
 * Why a job's signal was aborted (its `reason`): the user stopped waiting, or the window is
 * closing (the run then stays in flight in the history and the next start resumes it).
 */
export type StopReason = 'user' | 'shutdown';

/** What a job tells its caller as it goes. */
export type EditEvent =
  | { type: 'phase'; phase: RunPhase; elapsedMs: number; runId?: string }
  | { type: 'runCreated'; runId: string }
  | { type: 'saved'; variant: number; uri: vscode.Uri };

export interface EditResult {
  runId: string;
  /** Every output of the run on disk, in variant order (saved now or by an earlier attempt). */
  saved: vscode.Uri[];
  cost?: string;
  /** Outputs asked for but not returned (partial success, entries without a link). */
  missing: number;
  /** What the user should know besides (a sidecar that could not be written). */
  notes: string[];
}

/** What a job works with; the caller builds the client (with its key and rate-limit gate). */
export interface JobServices {
  history: RunHistory;
  leases: RunLeases;
  client: RunflowClient;
  durations?: DurationModel;
  writeSidecars: boolean;
  /** Asked when the image's folder cannot be written; undefined = the user declined. */
  chooseOtherFolder: () => Promise<vscode.Uri | undefined>;
  /** Later look-ups wait on it. */
  clock: Clock;
}

/** The wait ended on request. `runId` is set when the run exists (it may still finish and bill). */
export class EditStoppedError extends Error {
  constructor(
    readonly runId: string | undefined,
    message: string,
  ) {
    super(message);
  }
}

/** Another window (or another call here) is settling this edit. */
export class EditBusyError extends Error {}

/** The key run durations are learned under: runs of one quality and size take alike. */
export function durationKeyOf(options: Pick<EditOptions, 'quality' | 'imageSize'>): string {
  return `${EDIT_MODEL_ID}|${options.quality}|${options.imageSize}`;
}

/** Tags every run this extension creates, alone or in a batch. */
export const RUN_METADATA = { source: 'vscode-gpt-image-edit' } as const;

/** How long the look-up after a stop may take: the user already asked to stop. */
const LOOKUP_AFTER_STOP_MS = 15_000;
/** After a stop during the create, an empty look-up is not believed at once: the run may not be listed yet. Looked up again this long after. */
const LOOK_AGAIN_AFTER_MS = [5_000, 30_000] as const;

/**
 * One user action, from before its create is sent until its files are saved. The record (with
 * the client_ref every attempt sends) is written before anything leaves the machine, so a run
 * that Runflow made is never lost: a stop, a closed panel, a reload or a failure leaves a record
 * that says how far it got, and the same job, or one started from that record, takes it on from
 * there: look the run up, wait, fetch, save. Nothing bills twice: a run that exists is never
 * created again, and a create whose outcome is unknown is re-sent only with its Idempotency-Key.
 */
export class EditJob {
  private readonly events = new vscode.EventEmitter<EditEvent>();
  readonly onEvent = this.events.event;
  private current: Promise<EditResult> | undefined;
  /** Whether this job sent its create at least once (so Runflow may have the run). */
  private createSent: boolean;
  private attempts = 0;
  /**
   * Inputs uploaded for this edit (by a batch's first stage or its own create), kept for the job's
   * life: Try Again after an unknown outcome sends the same body under the same Idempotency-Key
   * (new uploads would make another body, which the key's middleware refuses with a 409), and a run
   * that could not read a reference is made again from them.
   */
  private uploaded: UploadedInputs | undefined;
  /** Set once the inputs went as signed links: a refusal after that is not the references'. */
  private sentSigned = false;
  /** The create queued in a batch, until run() takes its answer. */
  private queued: Promise<void> | undefined;

  private constructor(
    private record: RunRecord,
    /** The inputs, for a job that may still have to create its run; a job from a record has none. */
    private readonly spec: EditSpec | undefined,
    private services: JobServices,
    /** Said with the results (a mask that covers the whole image). */
    private readonly startNotes: string[] = [],
    /** The original as read, hashed and size-checked at the start (the bytes uploaded and finished over), and the mask's area; let go once saved. */
    private sent?: SentInputs,
  ) {
    this.createSent = spec === undefined;
  }

  /**
   * A new edit, recorded before anything is sent. The mask is normalized first (and a mask that
   * cannot apply is refused here, before any record or run); the record keeps it and the
   * original's hash, so every later save composites over the very image that was sent.
   */
  static async start(given: EditSpec, services: JobServices): Promise<EditJob> {
    const original = await readInput(given.image);
    // Refused before any record or run: the result could never be composited over it.
    const tooLarge = pixelLimitMessage(baseName(given.image), original);
    if (tooLarge) throw new Error(tooLarge);
    const mask = given.mask && (await prepareSentMask(given.mask, original));
    const spec: EditSpec = { ...given, mask: mask?.png };
    const startNotes =
      mask && mask.edited === mask.width * mask.height ? [vscode.l10n.t('The mask covers the whole image, so the whole image was edited.')] : [];
    const record: RunRecord = {
      version: RECORD_VERSION,
      id: randomUUID(),
      idempotencyKey: randomUUID(),
      inputs: [spec.image, ...spec.references].map((u) => u.toString()),
      masked: spec.mask !== undefined,
      ...(mask ? { sentMask: Buffer.from(mask.png).toString('base64') } : {}),
      originalSha256: sha256(original),
      prompt: spec.prompt,
      options: spec.options,
      outputFolder: vscode.Uri.joinPath(spec.image, '..').toString(),
      status: 'creating',
      createdAt: Date.now(),
      outputs: [],
    };
    await services.history.put(record);
    return new EditJob(record, spec, services, startNotes, { original, maskArea: mask?.area });
  }

  /** The job of a recorded edit (resume, Fetch Results); undefined when the history has no such edit. */
  static async fromRecord(id: string, services: JobServices): Promise<EditJob | undefined> {
    const record = await services.history.get(id);
    return record && new EditJob(record, undefined, services);
  }

  get id(): string {
    return this.record.id;
  }

  /** Runflow's id for the run, once it exists. */
  get runId(): string | undefined {
    return this.record.runId;
  }

  get status(): RunRecord['status'] {
    return this.record.status;
  }

  /** Whether Runflow may have this edit's run: it has one, or a create went out. */
  get mayHaveRun(): boolean {
    return this.record.runId !== undefined || this.createSent;
  }

  /** The learned run durations this job updates (saved by the caller). */
  get durations(): DurationModel | undefined {
    return this.services.durations;
  }

  /** The same job, from now on run with `client` (a key set again, a batch's shared gate). */
  withClient(client: RunflowClient): this {
    this.services = { ...this.services, client };
    return this;
  }

  /**
   * A batch's first stage: uploads the inputs and queues this edit's create in `batch`, to go out
   * with others; resolves once it is queued (or was not). A run the batch names is adopted the moment the answer comes, so a cancel before
   * run() still knows it. Does nothing for a job whose run exists or may exist, or whose run() has
   * begun. run() takes the answer: goes on with the run, creates it alone when nothing was made,
   * or, when the batch's outcome is unknown, fails with the record kept to be looked up.
   */
  queueCreate(batch: BatchCreator, signal: AbortSignal): Promise<void> {
    if (this.current || this.queued || this.createSent || this.record.runId || !this.spec || !batch.accepting) return Promise.resolve();
    let handOver!: () => void;
    const handedOver = new Promise<void>((resolve) => (handOver = resolve));
    this.queued = this.createInBatch(batch, signal, handOver).finally(handOver);
    this.queued.catch(() => undefined); // run() takes the failure.
    return handedOver;
  }

  private async createInBatch(batch: BatchCreator, signal: AbortSignal, handOver: () => void): Promise<void> {
    const spec = this.spec!;
    const inputs = await this.uploadInputs(spec, signal);
    this.uploaded = inputs;
    const answering = batch.create(
      {
        clientRef: this.id,
        input: toEditInput(
          spec,
          inputs.images.map((i) => i.url),
          inputs.mask?.url,
        ),
      },
      () => (this.createSent = true),
    );
    handOver();
    const answer = await answering;
    if (!answer.made) {
      this.createSent = false; // A refused (422) or unsent batch made nothing.
      return;
    }
    this.uploaded = undefined;
    if (!answer.runId) {
      throw new RunflowError(
        'timeout',
        vscode.l10n.t("Runflow made this edit's run in a batch but did not name it in time; the history looks it up by its reference."),
      );
    }
    await this.adopt({ id: answer.runId }, 'inFlight');
    this.events.fire({ type: 'runCreated', runId: answer.runId });
  }

  /**
   * Waits for the batch answer of a queued create. Only a failure after the batch went out is
   * the edit's (its runs may exist); one before (an upload) leaves the create to run().
   */
  private async takeQueued(signal: AbortSignal): Promise<void> {
    const queued = this.queued;
    if (!queued) return;
    try {
      await abortable(queued, signal);
    } catch (e) {
      if (signal.aborted || this.createSent) throw e;
    }
    this.queued = undefined;
  }

  /**
   * Takes the edit as far as it can: creates the run if Runflow has none, waits, fetches and
   * saves what is not saved yet. Called again after a failure (Try Again) it resumes the same run.
   * A second call while one is going joins it.
   */
  run(signal: AbortSignal): Promise<EditResult> {
    this.current ??= this.execute(signal).finally(() => (this.current = undefined));
    return this.current;
  }

  /**
   * Settles a job that will not run (its batch was canceled before it started): a record with no
   * run is forgotten, a run that exists is recorded as stopped waiting (Fetch Results saves it).
   */
  async abandon(): Promise<EditStoppedError> {
    if (!(await this.services.leases.claim(this.id)))
      return new EditStoppedError(this.runId, vscode.l10n.t('This edit is already being saved in another window.'));
    try {
      return await this.afterStop();
    } finally {
      await this.services.leases.release(this.id);
    }
  }

  private async execute(signal: AbortSignal): Promise<EditResult> {
    const started = Date.now();
    const report = (phase: RunPhase): void => this.events.fire({ type: 'phase', phase, elapsedMs: Date.now() - started, runId: this.runId });
    const { leases, history } = this.services;
    if (!(await leases.claim(this.id))) throw new EditBusyError(vscode.l10n.t('This edit is already being saved in another window.'));
    this.attempts++;
    try {
      const stored = await history.get(this.id);
      if (stored) this.record = stored;
      else if (this.spec)
        await history.put(this.record); // Removed from the history meanwhile: record it again.
      else throw new Error(vscode.l10n.t('This edit is no longer in the history.'));
      if (!this.record.runId) await this.takeQueued(signal);
      if (!this.record.runId) await this.ensureRun(signal, report);
      const run = await this.waitOrResend(signal, report);
      report('downloading');
      return await this.saveOutputs(run, signal, report);
    } catch (e) {
      throw await this.afterFailure(e, signal);
    } finally {
      await leases.release(this.id);
    }
  }

  /** Finds the run Runflow made for this edit, or creates it (only a job with its inputs can). */
  private async ensureRun(signal: AbortSignal, report: (phase: RunPhase) => void): Promise<void> {
    let run = this.createSent ? await this.services.client.findRunByClientRef(this.id, signal) : undefined;
    if (!run && !this.spec) {
      await this.services.history.remove([this.id]);
      throw new EditStoppedError(undefined, vscode.l10n.t('Runflow has no run for this edit (looked up by its reference), so nothing was billed.'));
    }
    if (!run) {
      report('uploading');
      const inputs = (this.uploaded ??= await this.uploadInputs(this.spec!, signal));
      this.createSent = true;
      run = await this.create(inputs, signal);
    }
    await this.adoptNew(run, report);
  }

  /** Takes `run` as this edit's run, in flight, and says so. */
  private async adoptNew(run: Run, report: (phase: RunPhase) => void): Promise<void> {
    await this.adopt(run, 'inFlight');
    this.events.fire({ type: 'runCreated', runId: run.id });
    report('queued');
  }

  /**
   * Waits for the run. One that failed at dispatch because Runflow's worker could not read an
   * uploaded input's reference (not billed: it never ran) is made again, once, with signed links.
   */
  private async waitOrResend(signal: AbortSignal, report: (phase: RunPhase) => void): Promise<Run> {
    try {
      return await this.wait(signal, report);
    } catch (e) {
      const inputs = this.uploaded;
      if (!this.spec || !inputs || this.sentSigned || !refusedAtDispatch(e) || !sendsReferences(inputs)) throw e;
      report('uploading');
      await this.adoptNew(await this.createWithSignedLinks(inputs, signal), report);
      return this.wait(signal, report);
    }
  }

  /**
   * Creates the run with uploaded inputs as `runflow://assets/` references; if Runflow refuses a
   * reference (a 422 naming an input field, or the reference in its message), with signed links
   * instead. A 422 creates no run.
   */
  private async create(inputs: UploadedInputs, signal: AbortSignal): Promise<Run> {
    try {
      return await this.send(inputs, (input) => input.url, this.record.idempotencyKey, signal);
    } catch (e) {
      if (this.sentSigned || !refusedReference(e) || !sendsReferences(inputs)) throw e;
      return this.createWithSignedLinks(inputs, signal);
    }
  }

  /**
   * Creates the run with each uploaded input's link signed anew (GET /v1/assets/{id}; the upload's
   * own link is short-lived), under its own Idempotency-Key (a key names one body); both bodies
   * carry the edit's client_ref, so a lost answer is still found by the look-up.
   */
  private async createWithSignedLinks(inputs: UploadedInputs, signal: AbortSignal): Promise<Run> {
    this.sentSigned = true;
    const links = new Map<string, string>();
    for (const input of everyInput(inputs)) {
      const id = assetIdOf(input.url);
      if (!id || links.has(input.url)) continue;
      const fresh = await this.services.client.getAsset(id, signal).catch((e: unknown) => {
        if (signal.aborted) throw e;
        return { url: undefined };
      });
      const link = fresh.url ?? input.signedUrl;
      if (link) links.set(input.url, link);
    }
    this.startNotes.push(
      vscode.l10n.t(
        'Runflow could not use the uploaded images as references, so they were sent again as freshly signed links (the refused attempt was not billed).',
      ),
    );
    return this.send(inputs, (input) => links.get(input.url) ?? input.url, `${this.record.idempotencyKey}.signed-urls`, signal);
  }

  private send(inputs: UploadedInputs, use: (input: ModelInput) => string, idempotencyKey: string, signal: AbortSignal): Promise<Run> {
    return this.services.client.createEditRun(toEditInput(this.spec!, inputs.images.map(use), inputs.mask && use(inputs.mask)), {
      clientRef: this.id,
      idempotencyKey,
      metadata: RUN_METADATA,
      signal,
    });
  }

  private async adopt(run: Pick<Run, 'id' | 'cost'>, status: RunRecord['status'], message?: string): Promise<void> {
    await this.change((r) => ({ ...r, runId: run.id, status, cost: run.cost ?? r.cost, message }));
  }

  /** Changes the stored record, and this job's copy with it. */
  private async change(update: (record: RunRecord) => RunRecord): Promise<void> {
    this.record = (await this.services.history.update(this.id, update)) ?? update(this.record);
  }

  private async uploadInputs(spec: EditSpec, signal: AbortSignal): Promise<UploadedInputs> {
    const images: ModelInput[] = [];
    for (const [index, uri] of [spec.image, ...spec.references].entries()) {
      const bytes = index === 0 && this.sent ? this.sent.original : await readInput(uri);
      images.push(await this.services.client.toInputUrl(bytes, baseName(uri), signal));
    }
    const mask = spec.mask ? await this.services.client.toInputUrl(spec.mask, 'mask.png', signal) : undefined;
    return { images, mask };
  }

  private async wait(signal: AbortSignal, report: (phase: RunPhase) => void): Promise<Run> {
    const { options } = this.record;
    return this.services.client.waitForRun(this.runId!, {
      signal,
      durations: this.services.durations,
      durationKey: durationKeyOf(options),
      onUpdate: (update) => {
        if (update.status === 'queued' || update.status === 'dispatching' || update.status === 'running') report(update.status);
        else if (update.status === 'unknown') report('running');
      },
    });
  }

  /** Fetches and saves each output not saved yet, exactly once, then marks the record saved. */
  private async saveOutputs(run: Run, signal: AbortSignal, report: (phase: RunPhase) => void): Promise<EditResult> {
    const outputs = (run.output?.outputs ?? []).filter((o) => o.type === 'image');
    const finisher = await ResultFinisher.for(this.record, this.sent);
    const notes: string[] = [...this.startNotes, ...finisher.notes];
    const [original] = this.record.inputs.map((u) => vscode.Uri.parse(u));
    const saving: VariantSaving = {
      folder: vscode.Uri.parse(this.record.outputFolder),
      stem: stemOf(baseName(original)),
      // An earlier attempt (here or in another window) may have saved a variant and stopped before recording it.
      mayHaveSaved: this.attempts > 1 || this.spec === undefined,
    };
    for (const [index, output] of outputs.entries()) {
      const variant = index + 1;
      if (this.record.outputs.some((o) => o.variant === variant)) continue;
      const raw = await this.fetchOutput(run, index, output, signal);
      report('saving');
      const finished = await finisher.finish(raw);
      const sidecar = this.services.writeSidecars ? () => this.sidecar(run, variant, finished.result) : undefined;
      const chooseOtherFolder = this.record.outputs.length === 0 ? this.services.chooseOtherFolder : undefined;
      const saved = await saveVariant({ ...saving, chooseOtherFolder }, { runId: run.id, variant, image: finished.image, sidecar });
      saving.folder = saved.folder;
      notes.push(...finished.describe(baseName(saved.uri)));
      if (saved.note) notes.push(saved.note);
      if (isFlagged(run.output, index)) {
        notes.push(vscode.l10n.t('Runflow flagged {0} as possibly unsafe (nsfw_detected); it may be blank or filtered.', baseName(saved.uri)));
      }
      await this.change((r) => withOutput(r, variant, saved.uri));
      this.events.fire({ type: 'saved', variant, uri: saved.uri });
    }
    const missing = Math.max(0, this.record.options.numImages - this.record.outputs.length);
    if (missing > 0) notes.unshift(vscode.l10n.t('The model did not return {0} of the requested images.', missing));
    const message = notes.length ? notes.join(' ') : undefined;
    await this.change((r) => ({ ...r, status: 'saved', cost: run.cost ?? r.cost, message }));
    this.sent = undefined;
    return { runId: run.id, saved: this.record.outputs.map((o) => vscode.Uri.parse(o.uri)), cost: run.cost ?? undefined, missing, notes };
  }

  /**
   * Downloads one output. Signed links have a limited life that Runflow does not state: when one
   * no longer works, the run is read again, and its fresh link tried once.
   */
  private async fetchOutput(run: Run, index: number, output: RunOutput, signal: AbortSignal) {
    const { client } = this.services;
    try {
      return await client.fetchOutput(output, { signal });
    } catch (e) {
      if (!(e instanceof RunflowError && e.kind === 'expired_output')) throw e;
      const fresh = (await client.getRun(run.id, signal)).output?.outputs.filter((o) => o.type === 'image')[index];
      if (!fresh || fresh.url === output.url) throw gone(run.id);
      return await client.fetchOutput(fresh, { signal }).catch((again: unknown) => {
        throw again instanceof RunflowError && again.kind === 'expired_output' ? gone(run.id) : again;
      });
    }
  }

  private sidecar(run: Run, variant: number, result: SidecarResult | undefined): unknown {
    const { prompt, options, inputs, masked, originalSha256 } = this.record;
    return sidecarFor(
      { prompt, options, masked, clientRef: this.id, inputs: inputs.map((u) => baseName(vscode.Uri.parse(u))), originalSha256 },
      run,
      variant,
      result,
    );
  }

  /** Records how far the edit got, and turns `error` into what the caller is told. */
  private async afterFailure(error: unknown, signal: AbortSignal): Promise<unknown> {
    if (error instanceof EditBusyError || error instanceof EditStoppedError) return error;
    const { history } = this.services;
    if (signal.aborted && (signal.reason as StopReason) === 'shutdown')
      return new EditStoppedError(this.runId, vscode.l10n.t('The window is closing; the edit goes on when it opens again.'));
    if (signal.aborted) return this.afterStop();
    if (error instanceof RunflowError && this.runId && !error.runId) error.runId = this.runId;
    if (!this.runId) {
      // Runflow may have the run only if the create went out and its answer was never read, or
      // was a server error (which may follow the run's making).
      const mayExist = this.createSent && error instanceof RunflowError && outcomeUnknown(error);
      if (mayExist) await this.change((r) => ({ ...r, status: 'unknown', message: userMessage(error) }));
      else await history.remove([this.id]);
      return error;
    }
    const failed = error instanceof RunflowError && (error.kind === 'run_failed' || error.kind === 'run_canceled');
    const gone = error instanceof RunflowError && error.kind === 'expired_output';
    await this.change((r) => ({ ...r, status: failed ? 'failed' : gone ? 'interrupted' : 'notSaved', message: userMessage(error) }));
    return error;
  }

  /** The user stopped: say what exists, and only claim nothing was billed when that is known. */
  private async afterStop(): Promise<EditStoppedError> {
    const { history, client } = this.services;
    // A batch answer still on its way may name the run (or say nothing was made): take it first.
    await abortable(this.queued ?? Promise.resolve(), AbortSignal.timeout(LOOKUP_AFTER_STOP_MS)).catch(() => undefined);
    if (!this.runId && !this.createSent) {
      await history.remove([this.id]);
      return new EditStoppedError(undefined, vscode.l10n.t('Canceled before the run was created: nothing was billed.'));
    }
    if (!this.runId) {
      let found: Run | undefined;
      try {
        found = (await client.lookUpRun(this.id, AbortSignal.timeout(LOOKUP_AFTER_STOP_MS))).run;
      } catch {
        const message = vscode.l10n.t(
          'Canceled while the run was being created, and it could not be checked whether Runflow started it. The history keeps this edit and looks it up again on the next start.',
        );
        await this.change((r) => ({ ...r, status: 'unknown', message }));
        return new EditStoppedError(undefined, message);
      }
      if (!found) {
        const message = vscode.l10n.t(
          'Canceled while the run was being created. Runflow lists no run for this edit yet; the history looks again in 5 and 30 seconds before it says whether anything was billed.',
        );
        await this.change((r) => ({ ...r, status: 'unknown', message }));
        this.lookAgainLater();
        return new EditStoppedError(undefined, message);
      }
      await this.adopt(found, 'stoppedWaiting');
    }
    return this.stoppedWaiting();
  }

  /** The run exists and the user stopped waiting for it: the record says how to get its outputs. */
  private async stoppedWaiting(): Promise<EditStoppedError> {
    const message = vscode.l10n.t(
      'Stopped waiting. Runflow has no cancel, so run {0} may still finish and bill; Fetch Results in the history saves its outputs later.',
      this.runId!,
    );
    await this.change((r) => ({ ...r, status: 'stoppedWaiting', message }));
    return new EditStoppedError(this.runId, message);
  }

  /**
   * Looks the run up again 5 s and 30 s after a stop whose look-up found none. Found, it is kept as
   * stopped waiting (Fetch Results saves it). Still absent at the last look, by an answer that can
   * be believed (an empty list), the record goes: nothing was billed. A list that cannot tell
   * leaves it for the next window start's look-up.
   */
  private lookAgainLater(): void {
    const { clock, client, history } = this.services;
    const lookAgain = async (last: boolean): Promise<void> => {
      const record = await history.get(this.id);
      if (!record || record.runId) return;
      this.record = record;
      const looked = await client.lookUpRun(this.id, AbortSignal.timeout(LOOKUP_AFTER_STOP_MS)).catch(() => undefined);
      if (looked?.run) {
        await this.adopt(looked.run, 'stoppedWaiting');
        await this.stoppedWaiting();
      } else if (last && looked?.conclusive) {
        await history.remove([this.id]);
      } else if (last) {
        const message = vscode.l10n.t(
          'Canceled while the run was being created; Runflow could not tell whether it made the run. The history looks it up again on the next start.',
        );
        await this.change((r) => ({ ...r, message }));
      }
    };
    LOOK_AGAIN_AFTER_MS.forEach((ms, i) => clock.after(ms, () => void lookAgain(i === LOOK_AGAIN_AFTER_MS.length - 1)));
  }
}

/** A model input for each image, and the mask's, as sent in the create. */
interface UploadedInputs {
  images: ModelInput[];
  mask?: ModelInput;
}

/** `promise`, or an 'aborted' rejection as soon as `signal` aborts (the promise itself goes on). */
function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** Runflow no longer has a run's results: its links stopped working and a fresh read brought no working one. */
function gone(runId: string): RunflowError {
  return new RunflowError(
    'expired_output',
    vscode.l10n.t('Runflow no longer has the results of run {0}: its result links stopped working, and reading the run again brought no working ones.', runId),
    { runId, retryable: false },
  );
}

/** The record with one more output saved; the folder follows where outputs really went. */
function withOutput(record: RunRecord, variant: number, output: vscode.Uri): RunRecord {
  const outputs = [...record.outputs.filter((o) => o.variant !== variant), { variant, uri: output.toString() }];
  return { ...record, outputs: outputs.sort((a, b) => a.variant - b.variant), outputFolder: vscode.Uri.joinPath(output, '..').toString() };
}

async function readInput(uri: vscode.Uri): Promise<Uint8Array> {
  try {
    return await vscode.workspace.fs.readFile(uri);
  } catch (e) {
    if (e instanceof vscode.FileSystemError && e.code === 'FileNotFound') {
      throw new Error(vscode.l10n.t('{0} no longer exists. Pick the image again.', baseName(uri)), { cause: e });
    }
    throw e;
  }
}

/** Whether inputs include an uploaded asset sent by its `runflow://assets/` reference. */
const sendsReferences = (inputs: UploadedInputs): boolean => everyInput(inputs).some((i) => assetIdOf(i.url) !== undefined);

/** The images' inputs and the mask's. */
const everyInput = (inputs: UploadedInputs): ModelInput[] => [...inputs.images, ...(inputs.mask ? [inputs.mask] : [])];

/** A create Runflow refused for a reference: a 422 naming an input field, or naming the reference (or an asset) in its message. */
function refusedReference(e: unknown): boolean {
  if (!(e instanceof RunflowError) || e.kind !== 'validation') return false;
  return (
    (e.fieldErrors ?? []).some((f) => /(^|\.)(image_urls|mask_url)\b/.test(f.field ?? '')) || /runflow:\/\/|\basset\b/i.test(`${e.code ?? ''} ${e.message}`)
  );
}

/** A run that failed before the model ran because the worker could not read a `runflow://` input (Runflow's backend contract). */
const refusedAtDispatch = (e: unknown): boolean =>
  e instanceof RunflowError && e.kind === 'run_failed' && (e.failureStage === 'dispatch' || /got 'runflow'|must use HTTP\(S\) or data URI/i.test(e.message));
