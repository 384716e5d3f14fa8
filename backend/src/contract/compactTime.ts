/** `20250615T150640Z`: a UTC timestamp for a file name, a directory name or a fault's id. */
export function compactTime(epochMs: number): string {
  return new Date(epochMs)
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z");
}
