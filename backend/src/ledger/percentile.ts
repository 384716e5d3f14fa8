/** Nearest-rank percentile (q in (0, 1]); sorts `values` in place; null when empty. */
export function percentile(values: number[], q: number): number | null {
  if (values.length === 0) return null;
  values.sort((a, b) => a - b);
  return values[Math.max(0, Math.ceil(q * values.length) - 1)] ?? null;
}
