import * as vscode from 'vscode';
import { DEFAULT_OPTIONS, OPTION_TABLE, fitsDomain, optionEntries, type EditOptions } from '../shared/options';

export const SECTION = 'gptImageEdit';
const DEFAULT_API_BASE_URL = 'https://api.runflow.io';
const DEFAULT_PRICE_PER_IMAGE = 0.133;
const DEFAULT_BATCH_CONFIRM_ABOVE_USD = 2;
const DEFAULT_AGENT_ASK_ABOVE_USD = 2;

/**
 * The settings that move the key or the money, read from the user's settings (or the default)
 * only: a cloned repository's `.vscode/settings.json` must not redirect the key or switch off a
 * cost safeguard. The manifest lists the same names under `restrictedConfigurations`.
 */
export const USER_ONLY_SETTINGS = ['apiBaseUrl', 'pricePerImage', 'batchConfirmAboveUsd', 'agent.askAboveUsd'] as const;
type UserOnlySetting = (typeof USER_ONLY_SETTINGS)[number];

function userSetting<T>(name: UserOnlySetting, fallback: T, valid: (value: unknown) => value is T): T {
  const inspected = vscode.workspace.getConfiguration(SECTION).inspect<unknown>(name);
  const value = inspected?.globalValue ?? inspected?.defaultValue;
  return valid(value) ? value : fallback;
}

const isString = (v: unknown): v is string => typeof v === 'string';
const isAmount = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0;

/** The API base URL (a workspace value could redirect the key). */
export function apiBaseUrl(): string {
  return userSetting('apiBaseUrl', DEFAULT_API_BASE_URL, isString).replace(/\/+$/, '');
}

/** US dollars per output image, for the estimate shown before a run. */
export function pricePerImage(): number {
  return userSetting('pricePerImage', DEFAULT_PRICE_PER_IMAGE, isAmount);
}

/** Dollars agents may spend in a window before each further agent edit is asked about (0: ask every time). */
export function agentAskAboveUsd(): number {
  return userSetting('agent.askAboveUsd', DEFAULT_AGENT_ASK_ABOVE_USD, isAmount);
}

/** The edit options a new panel starts with: each option's setting when it holds one of its values, else its declared default. */
export function defaultOptions(): EditOptions {
  const c = vscode.workspace.getConfiguration(SECTION);
  const options: Record<string, unknown> = { ...DEFAULT_OPTIONS };
  for (const [name, d] of optionEntries(OPTION_TABLE)) {
    const value = d.setting === null ? undefined : c.get(d.setting);
    if (fitsDomain(d.domain, value)) options[name] = value;
  }
  return options as EditOptions;
}

/** Whether each output gets a `<output>.json` sidecar. */
export function writeSidecars(): boolean {
  return vscode.workspace.getConfiguration(SECTION).get<boolean>('writeSidecars', true);
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
    confirmAboveUsd: userSetting('batchConfirmAboveUsd', DEFAULT_BATCH_CONFIRM_ABOVE_USD, isAmount),
  };
}
