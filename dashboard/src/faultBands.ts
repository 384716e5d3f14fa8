import type { Fault } from "../../backend/src/contract/fault.ts";

/** A fault as the charts draw it: a band from t0 to recovery (ms epoch), labelled with its id. */
export interface FaultBand {
  readonly id: string;
  readonly target: string;
  readonly from: number;
  readonly to: number;
  /** Still recovering: the band grows until the report completes. */
  readonly open: boolean;
}

/**
 * When a fault is over as the lab saw it: t0 plus the longest of its three recovery times
 * (pod, the last client, lag); while open, now at least; a report that timed out ends with its
 * window.
 */
export function faultEnd(fault: Fault, now: number): number {
  const { report } = fault;
  const known = [report.podRecoveryMs, report.clientRecovery?.maxMs, report.lagRecoveryMs].filter(
    (ms): ms is number => typeof ms === "number",
  );
  const recovered = fault.t0 + Math.max(0, ...known);
  if (report.status === "open") return Math.max(recovered, now);
  return report.timedOut && report.windowEnd !== null ? report.windowEnd : recovered;
}

export function faultBands(faults: readonly Fault[], now: number): FaultBand[] {
  return faults.map((fault) => ({
    id: fault.id,
    target: fault.target,
    from: fault.t0,
    to: faultEnd(fault, now),
    open: fault.report.status === "open",
  }));
}

/** The charts' window for one fault: its band with a margin either side to see before and after. */
export function faultWindow(fault: Fault, now: number): { from: number; to: number } {
  const end = faultEnd(fault, now);
  const margin = Math.max(15_000, (end - fault.t0) / 4);
  return { from: fault.t0 - margin, to: end + margin };
}
