import type { Slo } from "./scenario.ts";
import type { SloName } from "../../contract/scorecard.ts";
import type { Scorecard, SloResult } from "../../contract/scorecard.ts";

const SLO_UNITS: Readonly<Record<SloName, SloResult["unit"]>> = {
  missing: "records",
  duplicates: "records",
  staleReads: "records",
  failedPolls: "polls",
  clientRecoveryP99: "ms",
  podRecovery: "ms",
  lagRecovery: "ms",
};

/**
 * A run's scorecard judged against its scenario's SLOs, in the order they are written: counts
 * from the run's totals, times as the worst over its faults. A value that could not be measured
 * (no totals, a fault whose time is still unknown) is null, which fails its SLO.
 */
export function sloVerdicts(
  slo: Slo,
  totals: Scorecard["totals"],
  faults: Scorecard["faults"],
): SloResult[] {
  const worst = (
    pick: (f: Scorecard["faults"][number]) => number | null | undefined,
  ): number | null => {
    let max = 0;
    for (const fault of faults) {
      const value = pick(fault);
      if (value === null || value === undefined) return null;
      max = Math.max(max, value);
    }
    return max;
  };
  const actuals: Record<SloName, number | null> = {
    missing: totals?.missing ?? null,
    duplicates: totals?.duplicates ?? null,
    staleReads: totals?.staleReads ?? null,
    failedPolls: totals?.failedPolls ?? null,
    clientRecoveryP99: worst((f) => f.report.clientRecovery?.p99Ms),
    podRecovery: worst((f) => f.report.podRecoveryMs),
    lagRecovery: worst((f) => f.report.lagRecoveryMs),
  };
  return Object.entries(slo).map(([name, bound]) => {
    const sloName = name as SloName;
    const actual = actuals[sloName];
    return {
      name: sloName,
      bound,
      actual,
      unit: SLO_UNITS[sloName],
      passed: actual !== null && actual <= bound,
    };
  });
}
