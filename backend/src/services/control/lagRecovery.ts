import { STEADY_STATE_MS } from "../../contract/steadyState.ts";
import { percentile } from "../../ledger/percentile.ts";

/** Consumer-group lag at one moment: records behind, per group (all partitions added up). */
export interface LagSample {
  readonly at: number;
  readonly lag: Readonly<Record<string, number>>;
}

/**
 * Lag recovery for a fault at t0 (what Kafka sees), in the ledger's terms: each group's bound is
 * max(p99 of its lag in the minute before t0, `floor`); a sample after t0 where some group is
 * above its bound is degraded; recovery is the first sample within bound after the last degraded
 * one. Never degraded: 0. Degraded at the latest sample: undefined. A sample that lacks one of
 * `groups` (Kafka's view failed then) says nothing and is skipped.
 */
export function lagRecoveryMs(
  samples: readonly LagSample[],
  t0: number,
  groups: readonly string[],
  floor: number,
): number | undefined {
  const bounds = new Map<string, number>();
  for (const group of groups) {
    const steady = samples
      .filter((s) => s.at >= t0 - STEADY_STATE_MS && s.at < t0)
      .map((s) => s.lag[group])
      .filter((lag): lag is number => lag !== undefined);
    bounds.set(group, Math.max(floor, percentile(steady, 0.99) ?? 0));
  }
  let degraded = false;
  let recoveredAt: number | undefined;
  for (const sample of samples) {
    if (sample.at <= t0) continue;
    const lags = groups.map((group) => sample.lag[group]);
    if (lags.some((lag) => lag === undefined)) continue;
    const within = groups.every((group, i) => (lags[i] ?? 0) <= (bounds.get(group) ?? floor));
    if (!within) {
      degraded = true;
      recoveredAt = undefined;
    } else if (degraded && recoveredAt === undefined) {
      recoveredAt = sample.at;
    }
  }
  if (!degraded) return 0;
  return recoveredAt === undefined ? undefined : recoveredAt - t0;
}
