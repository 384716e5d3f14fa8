/** What the dashboard shows for a value not known (yet); reports and the CLI use an en dash. */
export const UNKNOWN = "—";

/** A wall-clock time in the operator's own time zone, to the second. */
export function formatClock(ms: number): string {
  return new Date(ms).toLocaleTimeString([], { hour12: false });
}

/** A count, "—" when not known. */
export function formatCount(n: number | null | undefined): string {
  return n === null || n === undefined ? UNKNOWN : n.toLocaleString("en-US");
}
