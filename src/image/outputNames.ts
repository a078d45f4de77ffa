/** `photo.png` → `photo`: the stem that edited outputs are named after. */
export function stemOf(fileName: string): string {
  const dot = fileName.lastIndexOf('.');
  return dot > 0 ? fileName.slice(0, dot) : fileName;
}

/** The output name for variant number n: `<stem>.edited-<n>.<ext>`. */
export function outputName(stem: string, n: number, ext: string): string {
  return `${stem}.edited-${n}.${ext}`;
}

/** An exported mask's name for try number n: `<stem>.mask.png`, then `<stem>.mask-2.png`… */
export function maskFileName(stem: string, n: number): string {
  return n === 1 ? `${stem}.mask.png` : `${stem}.mask-${n}.png`;
}

/**
 * The lowest n ≥ 1 whose output name and sidecar name (`<output>.json`) are both not among
 * `taken` (names compared case-insensitively): a leftover sidecar must not be inherited by a new
 * output.
 */
export function lowestFreeNumber(stem: string, ext: string, taken: ReadonlySet<string>): number {
  let n = 1;
  const isTaken = (name: string): boolean => taken.has(name.toLowerCase()) || taken.has(`${name}.json`.toLowerCase());
  while (isTaken(outputName(stem, n, ext))) n++;
  return n;
}

/** The file name of a URI (its last path segment). */
export function baseName(uri: { path: string }): string {
  return uri.path.slice(uri.path.lastIndexOf('/') + 1);
}
