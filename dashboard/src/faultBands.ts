import { faultEnd, type Fault } from "../../backend/src/contract/fault.ts";

/** A fault as the charts draw it: a band from t0 to recovery (ms epoch), labelled with its id. */
export interface FaultBand {
  readonly id: string;
  readonly target: string;
  readonly from: number;
  readonly to: number;
  /** Still recovering: the band grows until the report completes. */
  readonly open: boolean;
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
