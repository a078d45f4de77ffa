/**
 * The edit model's options, declared once. The protocol's zod schemas, the client's API types, the
 * settings' defaults and the manifest's enums all follow from these (a unit test holds
 * package.json to them). Plain constants, no imports: the webview bundle and the client use it too.
 */
export const OUTPUT_FORMATS = ['png', 'jpeg', 'webp'] as const;
export const IMAGE_SIZES = ['auto', 'square_hd', 'square', 'portrait_4_3', 'portrait_16_9', 'landscape_4_3', 'landscape_16_9'] as const;
export const QUALITIES = ['low', 'medium', 'high'] as const;
export const MAX_NUM_IMAGES = 4;
/** The widest feathered band around a mask, in pixels. */
export const MAX_FEATHER_PX = 64;

export type OutputFormat = (typeof OUTPUT_FORMATS)[number];
export type ImageSize = (typeof IMAGE_SIZES)[number];
export type Quality = (typeof QUALITIES)[number];

/** The options the model is asked with (each one an API field, see editSpec.ts). */
export interface ModelOptions {
  numImages: number;
  outputFormat: OutputFormat;
  imageSize: ImageSize;
  quality: Quality;
  /** The API's sync_mode: outputs come back inline instead of as links. */
  private: boolean;
}

/** What the host does to each output before saving it; never sent. */
export interface ResultOptions {
  /** Save at the original's pixel size and in its format (the model is then asked for auto and PNG). */
  matchOriginal: boolean;
  /** With a mask: composite each output over the original, so pixels outside it stay the original's. */
  keepUnmaskedExact: boolean;
  /** The soft band around the mask where output and original blend, in pixels (0–MAX_FEATHER_PX). */
  featherPx: number;
  /** JPEG and WebP quality, 1–100; 100 saves WebP lossless. */
  lossyQuality: number;
}

/** The options a user picks for one edit (the panel's form, the batch's, a history record's). */
export interface EditOptions extends ModelOptions, ResultOptions {}

/** The options' defaults: the form's starting values and the manifest's setting defaults. */
export const DEFAULT_OPTIONS: Readonly<EditOptions> = {
  numImages: 1,
  outputFormat: 'png',
  imageSize: 'auto',
  quality: 'high',
  private: false,
  matchOriginal: true,
  keepUnmaskedExact: true,
  featherPx: 6,
  lossyQuality: 90,
};

/** What an edit recorded before these options existed did: it saved each output as it came. */
export const AS_RETURNED: Readonly<ResultOptions> = { matchOriginal: false, keepUnmaskedExact: false, featherPx: 0, lossyQuality: 90 };

/**
 * The user setting (under `gptImageEdit.`) that holds each option's default, or null for an option
 * that always starts at DEFAULT_OPTIONS (a private run is a choice per edit, never a default).
 */
export const OPTION_SETTINGS = {
  numImages: 'defaults.numImages',
  outputFormat: 'defaults.outputFormat',
  imageSize: 'defaults.imageSize',
  quality: 'defaults.quality',
  private: null,
  matchOriginal: 'defaults.matchOriginal',
  keepUnmaskedExact: 'defaults.keepUnmaskedExact',
  featherPx: 'defaults.featherPx',
  lossyQuality: 'defaults.lossyQuality',
} as const satisfies Record<keyof EditOptions, string | null>;
