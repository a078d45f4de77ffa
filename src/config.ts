import * as vscode from 'vscode';

export const SECTION = 'gptImageEdit';
const DEFAULT_API_BASE_URL = 'https://api.runflow.io';

/** The API base URL from user (or default) settings only: a workspace value could redirect the key. */
export function apiBaseUrl(): string {
  const inspected = vscode.workspace.getConfiguration(SECTION).inspect<string>('apiBaseUrl');
  return (inspected?.globalValue ?? inspected?.defaultValue ?? DEFAULT_API_BASE_URL).replace(/\/+$/, '');
}

export type OutputFormat = 'png' | 'jpeg' | 'webp';
export type ImageSize = 'auto' | 'square_hd' | 'square' | 'portrait_4_3' | 'portrait_16_9' | 'landscape_4_3' | 'landscape_16_9';
export type Quality = 'low' | 'medium' | 'high';

export interface EditDefaults {
  numImages: number;
  outputFormat: OutputFormat;
  imageSize: ImageSize;
  quality: Quality;
  pricePerImage: number;
  writeSidecars: boolean;
}

/** The edit options' defaults, as the user set them. */
export function editDefaults(): EditDefaults {
  const c = vscode.workspace.getConfiguration(SECTION);
  return {
    numImages: c.get<number>('defaults.numImages', 1),
    outputFormat: c.get<OutputFormat>('defaults.outputFormat', 'png'),
    imageSize: c.get<ImageSize>('defaults.imageSize', 'auto'),
    quality: c.get<Quality>('defaults.quality', 'high'),
    pricePerImage: c.get<number>('pricePerImage', 0.133),
    writeSidecars: c.get<boolean>('writeSidecars', true),
  };
}

export interface BatchSettings {
  /** Images in flight at once, 1–8. */
  concurrency: number;
  /** A batch estimated above this many dollars asks before it starts. */
  confirmAboveUsd: number;
}

/** How "Edit Each Image…" fans out, and when it asks about the cost first. */
export function batchSettings(): BatchSettings {
  const c = vscode.workspace.getConfiguration(SECTION);
  const concurrency = Math.round(c.get<number>('batchConcurrency', 4));
  return {
    concurrency: Number.isFinite(concurrency) ? Math.min(8, Math.max(1, concurrency)) : 4,
    confirmAboveUsd: c.get<number>('batchConfirmAboveUsd', 2),
  };
}
