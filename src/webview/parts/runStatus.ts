import type { ErrorAction, RetryReason, RunPhase } from '../../shared/protocol';
import { h, setShown } from './dom';
import { t } from './strings';

/**
 * The run's status line (phase and elapsed seconds, with a progress ring) and the error box.
 * Only the phase text is in the live region: announcing every second that ticks by would drown
 * a screen reader user.
 */
export class RunStatus {
  readonly element: HTMLElement;

  private readonly ring = h('vscode-progress-ring', { class: 'progress', 'aria-hidden': 'true', hidden: true });
  private readonly text = h('span', { class: 'status-text' });
  private readonly elapsed = h('span', { class: 'status-elapsed', 'aria-hidden': 'true' });
  private readonly errorMessage = h('p', { class: 'error-message' });
  private readonly errorButton = h('vscode-button', { id: 'error-action' });
  private readonly errorBox = h(
    'div',
    { id: 'error', class: 'error-box', role: 'alert', hidden: true },
    h('h2', {}, t('error.heading')),
    this.errorMessage,
    this.errorButton,
  );
  private errorAction: ErrorAction | undefined;
  /** Elapsed time as last reported, and when: the seconds keep counting between reports. */
  private clock: { elapsedMs: number; at: number; timer: number } | undefined;

  constructor(onAction: (action: ErrorAction) => void) {
    const status = h('div', { id: 'status', class: 'status', role: 'status', 'aria-live': 'polite' }, this.ring, this.text, this.elapsed);
    this.element = h('div', { class: 'run-status' }, status, this.errorBox);
    this.errorButton.addEventListener('click', () => {
      if (this.errorAction) onAction(this.errorAction);
    });
  }

  /** A run was just posted; the host's first `progress` follows. */
  started(): void {
    this.clearError();
    this.showRunning(t('status.starting'), 0);
  }

  /** `resuming`: after a reload, the history is finishing the run; the panel shows it when it is done. */
  progress(phase: RunPhase, elapsedMs: number, resuming: boolean): void {
    this.clearError();
    this.showRunning(resuming ? t('status.resuming') : t(`phase.${phase}`), elapsedMs);
  }

  /** A request waits before it is tried again: say for how long, so a pause is not taken for a hang. */
  waiting(delayMs: number, reason: RetryReason): void {
    this.text.textContent = t(`status.retryWait.${reason}`, Math.max(1, Math.round(delayMs / 1000)));
  }

  /** The run ended (results, cancel or error): stop the clock and say `text`, if anything. */
  finished(text: string): void {
    this.stopClock();
    setShown(this.ring, false);
    this.text.textContent = text;
    this.elapsed.textContent = '';
  }

  showError(message: string, action: ErrorAction | undefined): void {
    this.finished('');
    this.errorMessage.textContent = message;
    this.errorAction = action;
    if (action) this.errorButton.textContent = t(`action.${action}`);
    setShown(this.errorButton, action !== undefined);
    setShown(this.errorBox, true);
  }

  clearError(): void {
    setShown(this.errorBox, false);
  }

  private showRunning(text: string, elapsedMs: number): void {
    setShown(this.ring, true);
    this.text.textContent = text;
    this.stopClock();
    this.clock = { elapsedMs, at: performance.now(), timer: window.setInterval(() => this.showElapsed(), 1000) };
    this.showElapsed();
  }

  private showElapsed(): void {
    if (!this.clock) return;
    const ms = this.clock.elapsedMs + performance.now() - this.clock.at;
    this.elapsed.textContent = t('status.elapsed', Math.floor(ms / 1000));
  }

  private stopClock(): void {
    if (this.clock) window.clearInterval(this.clock.timer);
    this.clock = undefined;
  }
}
