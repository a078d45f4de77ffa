/** `photo.png` → `photo`: the stem that edited outputs are named after. */
export function stemOf(fileName: string): string {
  const dot = fileName.lastIndexOf('.');
  return dot > 0 ? fileName.slice(0, dot) : fileName;
}

/** The output name for variant number n: `<stem>.edited-<n>.<ext>`. */
export function outputName(stem: string, n: number, ext: string): string {
  return `${stem}.edited-${n}.${ext}`;
}

/** The lowest n ≥ 1 whose output name is not among `taken` (names compared case-insensitively). */
export function lowestFreeNumber(stem: string, ext: string, taken: ReadonlySet<string>): number {
  let n = 1;
  while (taken.has(outputName(stem, n, ext).toLowerCase())) n++;
  return n;
}
