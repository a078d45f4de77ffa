import type { VscodeSingleSelect } from '@vscode-elements/elements/dist/vscode-single-select/vscode-single-select.js';
import { IMAGE_SIZES, MAX_PROMPT_LENGTH, OUTPUT_FORMATS, QUALITIES, type EditOptions } from '../shared/protocol';
import { DEFAULT_OPTIONS, MAX_FEATHER_PX } from '../shared/options';
import { estimateCost, formatReportedCost, formatUsd } from '../shared/cost';
import { h, setShown } from './dom';
import type { FieldTarget } from './fieldErrors';
import { t } from './strings';

export interface FormEvents {
  /** The user asked to run (button or Ctrl/Cmd+Enter) and the form is ready to. */
  run(): void;
  cancel(): void;
  /** The prompt or an option changed, so the saved state should follow. */
  change(): void;
}

/** The prompt, the edit options, the cost line and the Run / Cancel buttons. */
export class EditForm {
  readonly element: HTMLElement;
  /** Form fields by the API names a rejected request uses for them. */
  readonly fieldTargets: Record<string, FieldTarget> = {};

  private readonly promptInput = h('vscode-textarea', {
    id: 'prompt',
    rows: 5,
    resize: 'vertical',
    placeholder: t('prompt.placeholder'),
    'aria-describedby': 'prompt-hint',
  });
  private readonly numImages = select('num-images', ['1', '2', '3', '4'], (n) => n);
  private readonly outputFormat = select('output-format', OUTPUT_FORMATS, (f) => t(`format.${f}`));
  private readonly imageSize = select('image-size', IMAGE_SIZES, (s) => t(`size.${s}`));
  private readonly quality = select('quality', QUALITIES, (q) => t(`quality.${q}`));
  private readonly privateBox = h('vscode-checkbox', { id: 'private' }, t('private.label'));
  private readonly matchOriginalBox = h('vscode-checkbox', { id: 'match-original' }, t('result.matchOriginal'));
  private readonly keepExactBox = h('vscode-checkbox', { id: 'keep-exact' }, t('result.keepExact'));
  private readonly featherInput = numberInput('feather', 0, MAX_FEATHER_PX);
  private readonly lossyQualityInput = numberInput('lossy-quality', 1, 100);
  private readonly cost = h('p', { id: 'cost', class: 'cost' });
  private readonly runButton = h('vscode-button', { id: 'run' }, t('run.label'));
  private readonly cancelButton = h('vscode-button', { id: 'cancel', secondary: true, hidden: true }, t('run.cancel'));
  private readonly emptyPromptNote = h('p', { id: 'run-hint', class: 'hint' }, t('prompt.empty'));
  /**
   * The options as chosen, kept here rather than read from the dropdowns: a dropdown's value reads
   * empty until it has processed its options, which happens after it is first rendered.
   */
  private values: EditOptions = { ...DEFAULT_OPTIONS };
  private pricePerImage = 0;
  private running = false;

  /** `imageCount` > 1 in batch mode: the same edit runs on each image, and the estimate covers them all. */
  constructor(
    private readonly events: FormEvents,
    private readonly imageCount = 1,
  ) {
    this.promptInput.label = t('prompt.label');
    this.promptInput.maxLength = MAX_PROMPT_LENGTH;
    const promptField = h(
      'div',
      { class: 'field prompt-field' },
      h('label', { for: 'prompt', class: 'field-label' }, t('prompt.label')),
      this.promptInput,
      h('p', { id: 'prompt-hint', class: 'hint' }, t('prompt.hint')),
    );
    const optionFields = (
      [
        ['num_images', this.numImages, 'options.numImages'],
        ['output_format', this.outputFormat, 'options.outputFormat'],
        ['image_size', this.imageSize, 'options.imageSize'],
        ['quality', this.quality, 'options.quality'],
      ] as const
    ).map(([apiName, control, labelKey]) => {
      control.label = t(labelKey);
      const wrapper = h('div', { class: 'field' }, h('label', { for: control.id, class: 'field-label' }, t(labelKey)), control);
      this.fieldTargets[apiName] = { wrapper, control };
      return wrapper;
    });
    this.fieldTargets.prompt = { wrapper: promptField, control: this.promptInput };

    this.element = h(
      'section',
      { class: 'edit-form' },
      promptField,
      h('div', { class: 'options' }, ...optionFields),
      h('div', { class: 'private-field' }, this.privateBox, h('p', { class: 'hint' }, t('private.note'))),
      h(
        'fieldset',
        { class: 'result-options' },
        h('legend', {}, t('result.heading')),
        h('div', { class: 'check-field' }, this.matchOriginalBox, h('p', { class: 'hint' }, t('result.matchOriginalNote'))),
        h('div', { class: 'check-field' }, this.keepExactBox, h('p', { class: 'hint' }, t('result.keepExactNote'))),
        h('div', { class: 'field' }, h('label', { for: 'feather', class: 'field-label' }, t('result.feather')), this.featherInput),
        h('div', { class: 'field' }, h('label', { for: 'lossy-quality', class: 'field-label' }, t('result.lossyQuality')), this.lossyQualityInput),
      ),
      this.cost,
      h('div', { class: 'run-row' }, this.runButton, this.cancelButton, this.emptyPromptNote),
    );

    this.promptInput.addEventListener('input', () => this.changed());
    this.numImages.addEventListener('change', () => this.changed({ numImages: Number(this.numImages.value) }));
    // Choosing a format, or a size other than auto, overrides matching the original.
    this.outputFormat.addEventListener('change', () => {
      const outputFormat = this.outputFormat.value as EditOptions['outputFormat'];
      if (outputFormat !== this.values.outputFormat) this.changed({ outputFormat, matchOriginal: false });
    });
    this.imageSize.addEventListener('change', () => {
      const imageSize = this.imageSize.value as EditOptions['imageSize'];
      if (imageSize !== this.values.imageSize) this.changed({ imageSize, ...(imageSize !== 'auto' ? { matchOriginal: false } : {}) });
    });
    this.matchOriginalBox.addEventListener('change', () =>
      this.changed(this.matchOriginalBox.checked ? { matchOriginal: true, imageSize: 'auto' } : { matchOriginal: false }),
    );
    this.keepExactBox.addEventListener('change', () => this.changed({ keepUnmaskedExact: this.keepExactBox.checked }));
    this.featherInput.addEventListener('change', () => this.changed({ featherPx: clampInt(this.featherInput.value, 0, MAX_FEATHER_PX, this.values.featherPx) }));
    this.lossyQualityInput.addEventListener('change', () => this.changed({ lossyQuality: clampInt(this.lossyQualityInput.value, 1, 100, this.values.lossyQuality) }));
    this.quality.addEventListener('change', () => this.changed({ quality: this.quality.value as EditOptions['quality'] }));
    this.privateBox.addEventListener('change', () => this.changed({ private: this.privateBox.checked }));
    this.runButton.addEventListener('click', () => this.requestRun());
    this.cancelButton.addEventListener('click', () => this.events.cancel());
    // Ctrl/Cmd+Enter runs from anywhere in the panel, the prompt included (the event leaves its shadow root).
    document.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
        e.preventDefault();
        this.requestRun();
      }
    });
  }

  /** The prompt as typed; `run` sends it trimmed. */
  get prompt(): string {
    return this.promptInput.value;
  }

  get options(): EditOptions {
    return { ...this.values };
  }

  setValues(prompt: string, options: EditOptions, pricePerImage: number): void {
    this.promptInput.value = prompt;
    this.values = { ...options };
    this.numImages.value = String(options.numImages);
    this.outputFormat.value = options.outputFormat;
    this.imageSize.value = options.imageSize;
    this.quality.value = options.quality;
    this.privateBox.checked = options.private;
    this.showResultOptions();
    this.pricePerImage = pricePerImage;
    this.showEstimate();
    this.updateRunButton();
  }

  setRunning(running: boolean): void {
    this.running = running;
    setShown(this.cancelButton, running);
    this.updateRunButton();
  }

  /** Shows what the run cost, as Runflow reported it, until an option changes the estimate. */
  showActualCost(cost: string | undefined): void {
    this.cost.textContent = cost === undefined ? t('cost.unknown') : t('cost.actual', formatReportedCost(cost));
  }

  private changed(option: Partial<EditOptions> = {}): void {
    this.values = { ...this.values, ...option };
    this.showResultOptions();
    this.showEstimate();
    this.updateRunButton();
    this.events.change();
  }

  /** The result options' controls follow the values (a format choice unticks matching). */
  private showResultOptions(): void {
    const v = this.values;
    this.matchOriginalBox.checked = v.matchOriginal;
    this.imageSize.value = v.imageSize;
    this.keepExactBox.checked = v.keepUnmaskedExact;
    this.featherInput.value = String(v.featherPx);
    this.featherInput.disabled = !v.keepUnmaskedExact;
    this.lossyQualityInput.value = String(v.lossyQuality);
  }

  private requestRun(): void {
    if (this.canRun) this.events.run();
  }

  private get canRun(): boolean {
    return !this.running && this.prompt.trim() !== '';
  }

  private showEstimate(): void {
    const { numImages } = this.values;
    if (this.imageCount > 1) {
      const total = estimateCost(this.pricePerImage, numImages * this.imageCount);
      this.cost.textContent = t('cost.batchEstimate', formatUsd(total), this.imageCount, numImages, formatUsd(this.pricePerImage));
      return;
    }
    this.cost.textContent = t(
      'cost.estimate',
      formatUsd(estimateCost(this.pricePerImage, numImages)),
      numImages,
      formatUsd(this.pricePerImage),
    );
  }

  /** Run is disabled, with a note saying why, while the prompt is blank; and during a run. */
  private updateRunButton(): void {
    this.runButton.disabled = !this.canRun;
    this.runButton.setAttribute('aria-disabled', String(!this.canRun));
    setShown(this.emptyPromptNote, this.prompt.trim() === '');
  }
}

function numberInput(id: string, min: number, max: number) {
  return h('vscode-textfield', { id, type: 'number', min: String(min), max: String(max), class: 'number-field' });
}

/** The integer typed, within [min, max]; `fallback` for anything that is not a number. */
function clampInt(text: string, min: number, max: number, fallback: number): number {
  const n = Math.round(Number(text));
  return Number.isFinite(n) && text.trim() !== '' ? Math.min(max, Math.max(min, n)) : fallback;
}

/** A labelled dropdown of `values`, each shown with `label(value)`. */
function select<V extends string>(id: string, values: readonly V[], label: (value: V) => string): VscodeSingleSelect {
  return h('vscode-single-select', { id }, ...values.map((value) => h('vscode-option', { value }, label(value))));
}
