import { h } from './dom';
import { t } from './strings';

/** A form field a rejected request can name: the wrapper gets the message, the control the mark. */
export interface FieldTarget {
  wrapper: HTMLElement;
  control: HTMLElement;
}

/**
 * Marks the fields a 422 named (by their API names: `prompt`, `num_images`, `mask_url`…) with an
 * inline message, until the next run clears them.
 */
export class FieldErrors {
  private marked: { target: FieldTarget; message: HTMLElement }[] = [];

  constructor(private readonly targets: Record<string, FieldTarget>) {}

  mark(fieldNames: readonly string[]): void {
    this.clear();
    for (const name of new Set(fieldNames)) {
      const target = this.targets[name];
      if (!target) continue;
      const message = h('p', { class: 'field-error' }, t('field.invalid'));
      target.wrapper.classList.add('invalid');
      target.wrapper.append(message);
      // vscode-elements draw their error border from `invalid`; aria-invalid tells screen readers.
      target.control.toggleAttribute('invalid', true);
      target.control.setAttribute('aria-invalid', 'true');
      this.marked.push({ target, message });
    }
  }

  clear(): void {
    for (const { target, message } of this.marked) {
      target.wrapper.classList.remove('invalid');
      target.control.removeAttribute('invalid');
      target.control.removeAttribute('aria-invalid');
      message.remove();
    }
    this.marked = [];
  }
}
