/**
 * The edit options, declared once: one descriptor per option in OPTION_TABLE. The edit and batch
 * forms, the webview messages' schema, the API input, history records, the settings, the agent
 * tool's schema and package.json (`npm run manifest`) all iterate it, so an option is added here
 * (plus its strings and the pipeline step that applies it). No imports but types: the activation
 * bundle, the webview and the client all load it.
 */
import type { WebviewStringKey } from './webviewStrings';

/** The values an option takes. */
export type OptionDomain =
  | { readonly kind: 'choice'; readonly values: readonly string[] }
  | { readonly kind: 'int'; readonly min: number; readonly max: number }
  | { readonly kind: 'flag' };

/** How the edit panel's form shows an option. */
export interface OptionControl {
  /** The element's id (tests and accessibility tools address controls by it). */
  readonly id: string;
  readonly label: WebviewStringKey;
  /** A note under the control. */
  readonly hint?: WebviewStringKey;
  /** Where on the form: the options grid, a line of its own, or the Result group. */
  readonly group: 'grid' | 'line' | 'result';
  /** An int offered as a dropdown of each value rather than a number field. */
  readonly dropdown?: boolean;
  /** A choice's value labels: the strings `${valueLabels}.${value}`. */
  readonly valueLabels?: string;
  /** The flag option that must be on for this control to be enabled. */
  readonly enabledBy?: string;
}

export interface OptionDescriptor {
  readonly domain: OptionDomain;
  readonly default: string | number | boolean;
  /** The user setting (under `gptImageEdit.`) holding the default; null: it always starts at `default`. */
  readonly setting: string | null;
  /** The API input's field; null for an option the host applies to the outputs (never sent). */
  readonly wire: string | null;
  readonly control: OptionControl;
  /** Whether the batch form offers it (else a batch runs with its default). */
  readonly batch: boolean;
  /** The agent tool's field for it and what the agent is told, or null when agents cannot set it. */
  readonly agent: { readonly field: string; readonly description?: string } | null;
  /** What a history record written before the option existed meant by leaving it out; absent: every record has it. */
  readonly legacy?: string | number | boolean;
}

export type OptionTable = Readonly<Record<string, OptionDescriptor>>;

type DomainValue<D> = D extends { kind: 'choice'; values: readonly (infer V)[] } ? V : D extends { kind: 'int' } ? number : boolean;

/** One value per option of `T`, each of its domain's type. */
export type OptionValues<T extends OptionTable> = { -readonly [K in keyof T]: DomainValue<T[K]['domain']> };

const choice = <const V extends readonly string[]>(values: V) => ({ kind: 'choice', values }) as const;
const int = (min: number, max: number) => ({ kind: 'int', min, max }) as const;
const flag = { kind: 'flag' } as const;

const IGNORED_WHILE_MATCHING = 'Ignored while matchOriginal is true.';

export const OPTION_TABLE = {
  numImages: {
    domain: int(1, 4),
    default: 1,
    setting: 'defaults.numImages',
    wire: 'num_images',
    control: { id: 'num-images', label: 'options.numImages', group: 'grid', dropdown: true },
    batch: true,
    agent: { field: 'numImages', description: 'How many variants to make (each is billed).' },
  },
  outputFormat: {
    domain: choice(['png', 'jpeg', 'webp']),
    default: 'png',
    setting: 'defaults.outputFormat',
    wire: 'output_format',
    control: { id: 'output-format', label: 'options.outputFormat', group: 'grid', valueLabels: 'format' },
    batch: true,
    agent: { field: 'outputFormat', description: IGNORED_WHILE_MATCHING },
  },
  imageSize: {
    domain: choice(['auto', 'square_hd', 'square', 'portrait_4_3', 'portrait_16_9', 'landscape_4_3', 'landscape_16_9']),
    default: 'auto',
    setting: 'defaults.imageSize',
    wire: 'image_size',
    control: { id: 'image-size', label: 'options.imageSize', group: 'grid', valueLabels: 'size' },
    batch: true,
    agent: { field: 'size', description: `Output size; "auto" follows the input. ${IGNORED_WHILE_MATCHING}` },
  },
  quality: {
    domain: choice(['low', 'medium', 'high']),
    default: 'high',
    setting: 'defaults.quality',
    wire: 'quality',
    control: { id: 'quality', label: 'options.quality', group: 'grid', valueLabels: 'quality' },
    batch: true,
    agent: { field: 'quality' },
  },
  /** The API's sync_mode: outputs come back inline instead of as links. A choice per edit, never a default. */
  private: {
    domain: flag,
    default: false,
    setting: null,
    wire: 'sync_mode',
    control: { id: 'private', label: 'private.label', hint: 'private.note', group: 'line' },
    batch: true,
    agent: null,
  },
  /** Save at the original's pixel size and in its format (the model is then asked for auto and PNG). */
  matchOriginal: {
    domain: flag,
    default: true,
    setting: 'defaults.matchOriginal',
    wire: null,
    control: { id: 'match-original', label: 'result.matchOriginal', hint: 'result.matchOriginalNote', group: 'result' },
    batch: true,
    agent: { field: 'matchOriginal', description: "Save at the original's pixel size and in its format (default true)." },
    legacy: false,
  },
  /** With a mask: composite each output over the original, so pixels outside it stay the original's. */
  keepUnmaskedExact: {
    domain: flag,
    default: true,
    setting: 'defaults.keepUnmaskedExact',
    wire: null,
    control: { id: 'keep-exact', label: 'result.keepExact', hint: 'result.keepExactNote', group: 'result' },
    batch: true,
    agent: { field: 'keepUnmaskedExact', description: "With a mask, keep every pixel outside it (and its soft band) exactly the original's (default true)." },
    legacy: false,
  },
  /** The soft band around the mask where output and original blend, in pixels. */
  featherPx: {
    domain: int(0, 64),
    default: 6,
    setting: 'defaults.featherPx',
    wire: null,
    control: { id: 'feather', label: 'result.feather', group: 'result', enabledBy: 'keepUnmaskedExact' },
    batch: true,
    agent: null,
    legacy: 0,
  },
  /** JPEG and WebP quality; 100 saves WebP lossless. */
  lossyQuality: {
    domain: int(1, 100),
    default: 90,
    setting: 'defaults.lossyQuality',
    wire: null,
    control: { id: 'lossy-quality', label: 'result.lossyQuality', group: 'result' },
    batch: true,
    agent: null,
    legacy: 90,
  },
} as const satisfies OptionTable;

/** The options a user picks for one edit (the panel's form, the batch's, a history record's). */
export type EditOptions = OptionValues<typeof OPTION_TABLE>;
export type OutputFormat = EditOptions['outputFormat'];
export type ImageSize = EditOptions['imageSize'];
export type Quality = EditOptions['quality'];

/** The table's entries, typed (Object.entries loses the keys' type). */
export function optionEntries<T extends OptionTable>(table: T): [keyof T & string, T[keyof T]][] {
  return Object.entries(table) as [keyof T & string, T[keyof T]][];
}

/** Whether `value` is one of `domain`'s. */
export function fitsDomain(domain: OptionDomain, value: unknown): boolean {
  switch (domain.kind) {
    case 'choice':
      return typeof value === 'string' && domain.values.includes(value);
    case 'int':
      return Number.isInteger(value) && (value as number) >= domain.min && (value as number) <= domain.max;
    case 'flag':
      return typeof value === 'boolean';
  }
}

/** Each option's declared default. */
export function defaultsOf<T extends OptionTable>(table: T): OptionValues<T> {
  return Object.fromEntries(optionEntries(table).map(([name, d]) => [name, d.default])) as OptionValues<T>;
}

/** The options' defaults: the form's starting values and the manifest's setting defaults. */
export const DEFAULT_OPTIONS: Readonly<EditOptions> = defaultsOf(OPTION_TABLE);

/**
 * Options as stored (a history record, a draft): each value checked against its domain; an option
 * the record predates takes its `legacy` meaning. Undefined when any other value is missing or wrong.
 */
export function readOptions<T extends OptionTable>(stored: unknown, table: T): OptionValues<T> | undefined;
export function readOptions(stored: unknown): EditOptions | undefined;
export function readOptions(stored: unknown, table: OptionTable = OPTION_TABLE): Record<string, unknown> | undefined {
  if (typeof stored !== 'object' || stored === null || Array.isArray(stored)) return undefined;
  const values: Record<string, unknown> = {};
  for (const [name, d] of optionEntries(table)) {
    const value = (stored as Record<string, unknown>)[name];
    if (fitsDomain(d.domain, value)) values[name] = value;
    else if (d.legacy !== undefined) values[name] = d.legacy;
    else return undefined;
  }
  return values;
}

/**
 * The options after the user changes some: a format, or a size other than auto, is a choice
 * against matching the original; matching the original asks for the model's own size.
 */
export function withChange(values: EditOptions, change: Partial<EditOptions>): EditOptions {
  const next = { ...values, ...change };
  const choseFormat = change.outputFormat !== undefined && change.outputFormat !== values.outputFormat;
  const choseSize = change.imageSize !== undefined && change.imageSize !== values.imageSize && change.imageSize !== 'auto';
  if (choseFormat || choseSize) next.matchOriginal = false;
  if (change.matchOriginal === true) next.imageSize = 'auto';
  return next;
}
