/**
 * A duration at the precision a reader of recovery times cares about: `850 ms`, `31.8 s`,
 * `2 min 05 s`. What is not known (null, undefined, not finite) reads as `unknown`: reports, the
 * CLI and the client page write an en dash, the dashboard its own em dash.
 */
export function formatDuration(ms: number | null | undefined, unknown = "–"): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return unknown;
  if (Math.abs(ms) < 1000) return `${Math.round(ms)} ms`;
  if (Math.abs(ms) < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const seconds = Math.round(ms / 1000);
  return `${Math.floor(seconds / 60)} min ${String(seconds % 60).padStart(2, "0")} s`;
}
