const msPerUnit: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000 };

/**
 * Milliseconds from a bare number ("500") or one with a unit ("500ms", "2s", "1.5m"), rounded to
 * a whole ms; undefined for anything else, so that each caller words its own error. Shared by the
 * environment settings and the scenario files, so that a duration reads the same in both.
 */
export function parseDuration(raw: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(raw);
  if (match === null) return undefined;
  const [, amount = "", unit = "ms"] = match;
  const ms = Math.round(Number(amount) * (msPerUnit[unit] ?? 1));
  return Number.isSafeInteger(ms) ? ms : undefined;
}
