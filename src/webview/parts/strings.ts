import { WEBVIEW_STRINGS, type WebviewStringKey } from '../../shared/webviewStrings';

/** The host's localized strings (from `init`); English from WEBVIEW_STRINGS fills any gap. */
let localized: Record<string, string> = {};

export function setStrings(strings: Record<string, string>): void {
  localized = strings;
}

/** The localized text for `key`, with `{0}`, `{1}`… replaced by `args` in order. */
export function t(key: WebviewStringKey, ...args: (string | number)[]): string {
  const template = localized[key] ?? WEBVIEW_STRINGS[key];
  return template.replace(/\{(\d+)\}/g, (whole, index: string) => {
    const arg = args[Number(index)];
    return arg === undefined ? whole : String(arg);
  });
}
