import type { LedgerSnapshot } from "./ledger.ts";
import { percentile } from "./percentile.ts";

/**
 * Clients' ledgers added up: what a fleet process or one browser page reports to control each
 * second. The counters sum over clients (stalls: outages finished or going on), `longestStallMs`
 * is the longest of any client. Times in ms.
 */
export interface ClientSummary extends Pick<
  LedgerSnapshot,
  | "at"
  | "polls"
  | "failedPolls"
  | "freshRecords"
  | "missing"
  | "duplicates"
  | "staleReads"
  | "reordered"
  | "stalls"
  | "longestStallMs"
> {
  readonly clients: number;
  /** Clients in an outage right now. */
  readonly stalledClients: number;
  /** How many clients each consumer answered last: who serves whom now. */
  readonly clientsByConsumer: Readonly<Record<string, number>>;
  /** The median of the clients' own latency p50s; null before any client received records. */
  readonly latencyP50Ms: number | null;
  /** The p99 of the clients' own latency p99s: the latency the worst 1 % of clients exceed. */
  readonly latencyP99Ms: number | null;
}

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
