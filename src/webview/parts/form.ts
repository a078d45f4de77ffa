import type { VscodeCheckbox } from '@vscode-elements/elements/dist/vscode-checkbox/vscode-checkbox.js';
import type { VscodeSingleSelect } from '@vscode-elements/elements/dist/vscode-single-select/vscode-single-select.js';
import type { VscodeTextfield } from '@vscode-elements/elements/dist/vscode-textfield/vscode-textfield.js';
import { MAX_PROMPT_LENGTH } from '../../shared/protocol';
import { OPTION_TABLE, defaultsOf, optionEntries, withChange, type EditOptions, type OptionDescriptor, type OptionTable } from '../../shared/options';
import type { WebviewStringKey } from '../../shared/webviewStrings';
import { estimateCost, formatReportedCost, formatUsd } from '../../shared/cost';
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
  private readonly controls: OptionInput[];
  private readonly cost = h('p', { id: 'cost', class: 'cost' });
  private readonly runButton = h('vscode-button', { id: 'run' }, t('run.label'));
  private readonly cancelButton = h('vscode-button', { id: 'cancel', secondary: true, hidden: true }, t('run.cancel'));
  private readonly emptyPromptNote = h('p', { id: 'run-hint', class: 'hint' }, t('prompt.empty'));
  /**
   * The options as chosen, kept here rather than read from the dropdowns: a dropdown's value reads
   * empty until it has processed its options, which happens after it is first rendered.
   */
  private values: EditOptions;
  private pricePerImage = 0;
  private running = false;

  /**
   * `imageCount` > 1 in batch mode: the same edit runs on each image, the estimate covers them all,
   * and only the options a batch offers are shown. One control per option of `table`.
   */
  constructor(
    private readonly events: FormEvents,
    private readonly imageCount = 1,
    table: OptionTable = OPTION_TABLE,
  ) {
    this.values = defaultsOf(table) as EditOptions;
    this.controls = optionEntries(table)
      .filter(([, d]) => imageCount === 1 || d.batch)
      .map(([name, d]) => optionInput(name, d, (value) => this.changed({ [name]: value })));
    this.promptInput.label = t('prompt.label');
    this.promptInput.maxLength = MAX_PROMPT_LENGTH;
    const promptField = h(
      'div',
      { class: 'field prompt-field' },
      h('label', { for: 'prompt', class: 'field-label' }, t('prompt.label')),
      this.promptInput,
      h('p', { id: 'prompt-hint', class: 'hint' }, t('prompt.hint')),
    );
    for (const c of this.controls) if (c.wire !== null) this.fieldTargets[c.wire] = { wrapper: c.wrapper, control: c.control };
    const inGroup = (group: OptionDescriptor['control']['group']) => this.controls.filter((c) => c.group === group).map((c) => c.wrapper);
    this.fieldTargets.prompt = { wrapper: promptField, control: this.promptInput };

    this.element = h(
      'section',
      { class: 'edit-form' },
      promptField,
      h('div', { class: 'options' }, ...inGroup('grid')),
      ...inGroup('line'),
      h('fieldset', { class: 'result-options' }, h('legend', {}, t('result.heading')), ...inGroup('result')),
      this.cost,
      h('div', { class: 'run-row' }, this.runButton, this.cancelButton, this.emptyPromptNote),
    );
    this.showValues();

    this.promptInput.addEventListener('input', () => this.changed());
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
    this.showValues();
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

  private changed(change: Partial<EditOptions> = {}): void {
    this.values = withChange(this.values, change);
    this.showValues();
    this.showEstimate();
    this.updateRunButton();
    this.events.change();
  }

  /** The controls follow the values (a format choice unticks matching the original). */
  private showValues(): void {
    for (const c of this.controls) c.show(this.values as Record<string, unknown>);
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
    this.cost.textContent = t('cost.estimate', formatUsd(estimateCost(this.pricePerImage, numImages)), numImages, formatUsd(this.pricePerImage));
  }

  /** Run is disabled, with a note saying why, while the prompt is blank; and during a run. */
  private updateRunButton(): void {
    this.runButton.disabled = !this.canRun;
    this.runButton.setAttribute('aria-disabled', String(!this.canRun));
    setShown(this.emptyPromptNote, this.prompt.trim() === '');
  }
}

/** One option's control, in its labelled wrapper. */
interface OptionInput {
  readonly wire: string | null;
  readonly group: OptionDescriptor['control']['group'];
  readonly wrapper: HTMLElement;
  readonly control: HTMLElement;
  /** Shows the option's value in `values` (and whether it is enabled). */
  show(values: Record<string, unknown>): void;
}

/** The control `d` describes; `onChange` gets each value the user picks, within its domain. */
function optionInput(name: string, d: OptionDescriptor, onChange: (value: string | number | boolean) => void): OptionInput {
  const { id, label, hint, group, valueLabels, enabledBy } = d.control;
  const hintLine = hint ? [h('p', { class: 'hint' }, t(hint))] : [];
  const base = { wire: d.wire, group };
  const enabled = (values: Record<string, unknown>) => !enabledBy || values[enabledBy] === true;
  if (d.domain.kind === 'flag') {
    const box: VscodeCheckbox = h('vscode-checkbox', { id }, t(label));
    box.addEventListener('change', () => onChange(box.checked));
    const wrapper = h('div', { class: group === 'line' ? 'line-field' : 'check-field' }, box, ...hintLine);
    const show = (v: Record<string, unknown>) => {
      box.checked = v[name] === true;
      box.disabled = !enabled(v);
    };
    return { ...base, wrapper, control: box, show };
  }
  const labelled = (control: HTMLElement) => h('div', { class: 'field' }, h('label', { for: id, class: 'field-label' }, t(label)), control, ...hintLine);
  const domain = d.domain;
  if (domain.kind === 'int' && !d.control.dropdown) {
    const { min, max } = domain;
    const field: VscodeTextfield = h('vscode-textfield', { id, type: 'number', min: String(min), max: String(max), class: 'number-field' });
    let shown = 0;
    field.addEventListener('change', () => onChange(clampInt(field.value, min, max, shown)));
    const show = (v: Record<string, unknown>) => {
      shown = v[name] as number;
      field.value = String(shown);
      field.disabled = !enabled(v);
    };
    return { ...base, wrapper: labelled(field), control: field, show };
  }
  const values = domain.kind === 'choice' ? domain.values : Array.from({ length: domain.max - domain.min + 1 }, (_, i) => String(domain.min + i));
  const valueLabel = (value: string) => (valueLabels ? t(`${valueLabels}.${value}` as WebviewStringKey) : value);
  const select: VscodeSingleSelect = h('vscode-single-select', { id }, ...values.map((value) => h('vscode-option', { value }, valueLabel(value))));
  select.label = t(label);
  select.addEventListener('change', () => onChange(domain.kind === 'int' ? Number(select.value) : select.value));
  const show = (v: Record<string, unknown>) => {
    select.value = String(v[name]);
    select.disabled = !enabled(v);
  };
  return { ...base, wrapper: labelled(select), control: select, show };
}

/** The integer typed, within [min, max]; `fallback` for anything that is not a number. */
function clampInt(text: string, min: number, max: number, fallback: number): number {
  const n = Math.round(Number(text));
  return Number.isFinite(n) && text.trim() !== '' ? Math.min(max, Math.max(min, n)) : fallback;
}
