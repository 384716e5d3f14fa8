import type { ClientSummary } from "../contract/fleet.ts";
import type { LedgerSnapshot } from "./ledger.ts";
import { percentile } from "./percentile.ts";

/** Sums ledger snapshots taken at `at`; a client without fresh data for over `stallMs` is stalled. */
export function summarizeLedgers(
  snapshots: readonly LedgerSnapshot[],
  at: number,
  stallMs: number,
): ClientSummary {
  const summary = {
    at,
    clients: snapshots.length,
    polls: 0,
    failedPolls: 0,
    freshRecords: 0,
    missing: 0,
    duplicates: 0,
    staleReads: 0,
    reordered: 0,
    fellBehind: 0,
    stalls: 0,
    stalledClients: 0,
    longestStallMs: 0,
  };
  const clientsByConsumer: Record<string, number> = {};
  const p50s: number[] = [];
  const p99s: number[] = [];
  for (const snapshot of snapshots) {
    summary.polls += snapshot.polls;
    summary.failedPolls += snapshot.failedPolls;
    summary.freshRecords += snapshot.freshRecords;
    summary.missing += snapshot.missing;
    summary.duplicates += snapshot.duplicates;
    summary.staleReads += snapshot.staleReads;
    summary.reordered += snapshot.reordered;
    summary.fellBehind += snapshot.fellBehind;
    summary.stalls += snapshot.stalls;
    if (snapshot.currentStallMs > stallMs) summary.stalledClients += 1;
    summary.longestStallMs = Math.max(summary.longestStallMs, snapshot.longestStallMs);
    if (snapshot.lastConsumer !== undefined) {
      clientsByConsumer[snapshot.lastConsumer] =
        (clientsByConsumer[snapshot.lastConsumer] ?? 0) + 1;
    }
    if (snapshot.latency !== undefined) {
      p50s.push(snapshot.latency.p50);
      p99s.push(snapshot.latency.p99);
    }
  }
  return {
    ...summary,
    clientsByConsumer,
    latencyP50Ms: percentile(p50s, 0.5),
    latencyP99Ms: percentile(p99s, 0.99),
  };
}
