/**
 * The one place that assembles and runs edits: the key, the client, the job's services (history,
 * leases, learned durations, sidecars), the window's shutdown signal, progress as localized text,
 * and which action fixes an error. The edit panel, the batch panel, the agent tool and the
 * recorded edits (resume, Fetch Results) call it and keep only their own concern.
 */
import * as vscode from 'vscode';
import { RunflowClient, RunflowError, type RunflowClientOptions } from '../runflow';
import { apiBaseUrl, writeSidecars } from '../settings/config';
import type { Host } from '../platform/host';
import type { ErrorAction, RunPhase } from '../shared/protocol';
import { WEBVIEW_STRINGS } from '../shared/webviewStrings';
import { RunLeases } from '../history/runLeases';
import { EditJob, type EditResult, type JobServices, type StopReason } from './editJob';
import type { EditSpec } from './editSpec';
import { loadDurations, saveDurations } from './durationStore';

/** What a caller may share between its clients: a batch's rate-limit gate, a panel's retry-wait display. */
export type ClientSharing = Pick<RunflowClientOptions, 'rateLimitGate' | 'onRetryWait'>;

/** A client for the configured API with this key; the key is also registered for log redaction. */
export function createClient(host: Host, apiKey: string, sharing: ClientSharing = {}): RunflowClient {
  host.log.addSecret(apiKey);
  return new RunflowClient({
    baseUrl: apiBaseUrl(),
    apiKey,
    log: (level, message) => host.log.write(level, message),
    ...sharing,
  });
}

export interface SessionOptions extends ClientSharing {
  /** A user's action asks for a key when none is set; a background one (resume) does not. */
  askForKey: boolean;
  /** Asked when the image's folder cannot be written; undefined = the user declined. */
  chooseOtherFolder?: JobServices['chooseOtherFolder'];
}

const runners = new WeakMap<Host, EditRunner>();

/** The window's edit runner: its leases and its shutdown signal, shared by every edit. */
export class EditRunner implements vscode.Disposable {
  readonly leases: RunLeases;
  /** Aborted (reason 'shutdown') when the window closes: jobs stop and stay resumable. */
  private readonly closing = new AbortController();

  static of(host: Host): EditRunner {
    let runner = runners.get(host);
    if (!runner) {
      runner = new EditRunner(host);
      runners.set(host, runner);
      host.context.subscriptions.push(runner);
    }
    return runner;
  }

  private constructor(private readonly host: Host) {
    this.leases = new RunLeases(host.history.store);
  }

  /**
   * A session for one action's edits: one key and one client. Undefined when there is no key
   * (and none was given when asked).
   */
  async session(options: SessionOptions): Promise<EditSession | undefined> {
    const key = await this.apiKey(options.askForKey);
    if (!key) return undefined;
    const services: JobServices = {
      history: this.host.history,
      leases: this.leases,
      client: createClient(this.host, key, { rateLimitGate: options.rateLimitGate, onRetryWait: options.onRetryWait }),
      durations: loadDurations(this.host.context),
      writeSidecars: writeSidecars(),
      chooseOtherFolder: options.chooseOtherFolder ?? (async () => undefined),
      clock: this.host.clock,
    };
    return new EditSession(this.host, services, this.closing.signal);
  }

  /** The stored key; when none and `ask`, the key the user sets now (through the command, which checks it). */
  private async apiKey(ask: boolean): Promise<string | undefined> {
    const stored = await this.host.keys.get();
    if (stored || !ask) return stored;
    return (await vscode.commands.executeCommand<boolean>('gptImageEdit.setApiKey')) ? this.host.keys.get() : undefined;
  }

  dispose(): void {
    this.closing.abort('shutdown' satisfies StopReason);
    this.leases.dispose();
  }
}

/** One action's edits: they share its client, and learn run durations together. */
export class EditSession {
  constructor(
    private readonly host: Host,
    readonly services: JobServices,
    private readonly shutdown: AbortSignal,
  ) {}

  get client(): RunflowClient {
    return this.services.client;
  }

  /** A new edit, recorded before anything is sent. */
  start(spec: EditSpec): Promise<EditJob> {
    return EditJob.start(spec, this.services);
  }

  /** The job of a recorded edit; undefined when the history has no such edit. */
  fromRecord(id: string): Promise<EditJob | undefined> {
    return EditJob.fromRecord(id, this.services);
  }

  /** An earlier job, from now on with this session's client (Try Again after the key was set again). */
  adopt(job: EditJob): EditJob {
    return job.withClient(this.services.client);
  }

  /** A job's signal: the caller's stop (reason 'user'), or the window's shutdown. */
  signal(stop: AbortSignal): AbortSignal {
    return AbortSignal.any([stop, this.shutdown]);
  }

  /**
   * Runs a job to its end. With `progress`, a notification shows its phases (localized); a
   * cancellable one's Cancel stops the wait like `stop` does.
   */
  async run(job: EditJob, stop: AbortController, progress?: { title: string; cancellable: boolean }): Promise<EditResult> {
    try {
      if (!progress) return await job.run(this.signal(stop.signal));
      const { title, cancellable } = progress;
      return await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable }, (report, token) => {
        token.onCancellationRequested(() => stop.abort('user' satisfies StopReason));
        const reporting = job.onEvent((e) => e.type === 'phase' && report.report({ message: phaseText(e.phase, e.elapsedMs) }));
        return job.run(this.signal(stop.signal)).finally(() => reporting.dispose());
      });
    } finally {
      this.keepDurations();
    }
  }

  /** Saves what the session's runs taught the duration model. */
  keepDurations(): void {
    if (this.services.durations) saveDurations(this.host.context, this.services.durations);
  }
}

/** A phase as the progress notification says it: "Editing… · 12 s", in the user's language. */
export function phaseText(phase: RunPhase, elapsedMs: number): string {
  return `${vscode.l10n.t(WEBVIEW_STRINGS[`phase.${phase}`])} · ${Math.round(elapsedMs / 1000)} s`;
}

/**
 * The action that fixes an error: set the key after a 401, top up after a 402, Try Again when it
 * can help (a passing failure, or `job`'s run exists and is not saved yet), else the log.
 */
export function errorAction(e: unknown, job?: EditJob): ErrorAction {
  const kind = e instanceof RunflowError ? e.kind : undefined;
  if (kind === 'unauthorized') return 'setApiKey';
  if (kind === 'insufficient_credit') return 'openBilling';
  const resumable = job?.runId !== undefined && ['notSaved', 'inFlight', 'interrupted'].includes(job.status);
  return resumable || (e instanceof RunflowError && e.retryable) ? 'retry' : 'showLog';
}
