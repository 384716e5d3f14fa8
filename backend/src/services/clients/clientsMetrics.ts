import type { Counter, Gauge, Histogram } from "prom-client";
import { createMetrics, type Metrics } from "../../lib/metrics.ts";

/** How one poll ended, as `polls_total{result}` counts it. */
export type PollResult = "ok" | "failed" | "timeout" | "refused" | "stale";

export interface ClientsMetrics {
  metrics: Metrics;
  polls: Counter<"result">;
  missingRecords: Gauge;
  fellBehindRecords: Gauge;
  duplicateRecords: Counter;
  staleReads: Counter;
  stallSeconds: Histogram;
  latencySeconds: Histogram;
  pollSeconds: Histogram;
  recoverySeconds: Histogram;
  clients: Gauge;
  pushes: Counter<"kind" | "result">;
  pushDropped: Counter<"kind">;
  staleConnections: Counter;
}

/** The fleet's metrics, named `blackout_client_<what>` (DESIGN §2). */
export function createClientsMetrics(): ClientsMetrics {
  const metrics = createMetrics("client");
  const polls = metrics.counter({
    name: "polls_total",
    help: "Polls by result: ok, stale (answered, but behind what the client had), timeout, refused, failed (any other error, an HTTP error status, a bad answer).",
    labelNames: ["result"],
  });
  // Every result from the start, so that rate() over a fresh process sees zeros, not gaps.
  for (const result of ["ok", "failed", "timeout", "refused", "stale"] as const) {
    polls.inc({ result }, 0);
  }
  const pushes = metrics.counter({
    name: "pushes_total",
    help: "POSTs to control by kind (summary, events) and result (ok, failed).",
    labelNames: ["kind", "result"],
  });
  const pushDropped = metrics.counter({
    name: "push_dropped_total",
    help: "Summaries and events dropped unsent because control was unreachable (oldest first).",
    labelNames: ["kind"],
  });
  return {
    metrics,
    polls,
    missingRecords: metrics.gauge({
      name: "missing_records",
      help: "Numbers missing right now, summed over clients: later numbers arrived, these did not. Must be 0.",
    }),
    fellBehindRecords: metrics.gauge({
      name: "fell_behind_records",
      help: "Numbers clients skipped because they fell behind the consumers' view window (overload, not a failover), summed over clients.",
    }),
    staleConnections: metrics.counter({
      name: "stale_connections_total",
      help: "Polls sent again on a new connection because the kept-alive one they went out on had just been closed by the gateway (ECONNRESET on a reused connection), as a browser does; such a poll does not fail.",
    }),
    duplicateRecords: metrics.counter({
      name: "duplicate_records_total",
      help: "Numbers delivered to a client more than once, summed over clients.",
    }),
    staleReads: metrics.counter({
      name: "stale_reads_total",
      help: "Answers whose consumer view was behind what the client already had.",
    }),
    stallSeconds: metrics.histogram({
      name: "stall_seconds",
      help: "Lengths of finished outages: stretches without fresh data longer than STALL_MS.",
      buckets: [1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144],
    }),
    latencySeconds: metrics.histogram({
      name: "latency_seconds",
      help: "End-to-end latency (receive time - record ts), sampled: one observation per poll that brought fresh records, the age of its newest record (of the producer furthest behind).",
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 0.6, 0.75, 1, 2, 5, 10, 30, 60],
      // The poll's trace, when it was sampled (see pollSpans.ts).
      enableExemplars: true,
    }),
    pollSeconds: metrics.histogram({
      name: "poll_seconds",
      help: "Round trip of answered polls, from the request to the whole answer; a long-poll's includes the wait.",
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5],
    }),
    recoverySeconds: metrics.histogram({
      name: "recovery_seconds",
      help: "Client recovery times of faults, one observation per client when the fault's window closes (0: the client never noticed the fault).",
      buckets: [0, 0.5, 1, 2, 3, 5, 8, 13, 21, 34, 55, 89],
    }),
    clients: metrics.gauge({ name: "clients", help: "Simulated clients running." }),
    pushes,
    pushDropped,
  };
}
