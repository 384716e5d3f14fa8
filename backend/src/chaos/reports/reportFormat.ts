import type { Fault } from "../../contract/fault.ts";
import { formatDuration } from "../../contract/formatDuration.ts";
import type { Scorecard, SloResult } from "../../contract/scorecard.ts";

/** An SLO's bound or actual in its unit; null is what could not be measured. */
export function formatSloValue(value: number | null, unit: SloResult["unit"]): string {
  if (value === null) return "not measured";
  return unit === "ms" ? formatDuration(value) : `${value} ${unit}`;
}

/** `2025-06-15 15:06:40Z`: UTC, so that reports from CI and from a laptop read the same. */
export function formatTime(epochMs: number | null): string {
  if (epochMs === null) return "–";
  return new Date(epochMs)
    .toISOString()
    .replace("T", " ")
    .replace(/\.\d+Z$/, "Z");
}

/** `PASSED`, `FAILED: 1 of 4 SLOs missed (missing)`, `ABORTED: <reason>`. */
export function verdictOf(scorecard: Scorecard): string {
  const { run, slos } = scorecard;
  const missed = slos.filter((slo) => !slo.passed);
  switch (run.status) {
    case "passed":
      return `PASSED: all ${slos.length} SLOs hold`;
    case "failed":
      return `FAILED: ${missed.length} of ${slos.length} SLOs missed (${missed.map((s) => s.name).join(", ")})`;
    case "aborted":
      return `ABORTED: ${run.abortReason ?? "no reason given"}`;
    case "error":
      return `ERROR: ${run.abortReason ?? "the run did not complete as written (see its steps)"}`;
    case "running":
      return "INCOMPLETE: the run had not ended when this report was written";
  }
}

/** `open`, `complete`, `timed out`. */
export function faultStatusOf(fault: Fault): string {
  if (fault.report.timedOut) return "timed out";
  return fault.report.status;
}

/** Client recovery as `p50 / p99 / max`, and how many clients had not recovered yet. */
export function clientRecoveryOf(fault: Fault): string {
  const client = fault.report.clientRecovery;
  if (client === null) return "–";
  const times = [client.p50Ms, client.p99Ms, client.maxMs]
    .map((ms) => formatDuration(ms))
    .join(" / ");
  return client.pending > 0 ? `${times} (${client.pending} pending)` : times;
}
