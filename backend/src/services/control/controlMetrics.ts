import { createMetrics, observeWithTrace, type Metrics } from "../../lib/metrics.ts";
import type { Fault } from "../../contract/fault.ts";
import type { AnnotationResult } from "./grafanaAnnotations.ts";

export interface ControlMetrics {
  readonly metrics: Metrics;
  /** Counts one Grafana annotation request's outcome. */
  annotationResult(result: AnnotationResult): void;
  /** Counts an operator call refused by the fault rate limit (429). */
  rateLimited(route: string): void;
  /** Counts a fault when it appears and its recovery times when it completes, once each. */
  faultChanged(fault: Fault): void;
}

type FaultLabel = "kind" | "action" | "actor";

/** Completed faults whose recovery times stay on /metrics one by one (the newest). */
const RECENT_FAULTS = 50;

/** Buckets from a blink to the 3-minute window: pod, client and lag recoveries span all of it. */
const RECOVERY_BUCKETS = [0.5, 1, 2, 5, 10, 15, 20, 30, 45, 60, 90, 120, 180];

export interface ControlMetricsOptions {
  /** How long a fault is followed before its report times out (FAULT_WINDOW_MS). */
  readonly faultWindowMs: number;
}

export function createControlMetrics(options: ControlMetricsOptions): ControlMetrics {
  const metrics = createMetrics("control");
  const faults = metrics.counter<FaultLabel>({
    name: "faults_total",
    help: "Faults on the timeline: injected through control or observed (actor=external).",
    labelNames: ["kind", "action", "actor"],
  });
  const recovery = metrics.histogram<"kind" | "seen_by">({
    name: "fault_recovery_seconds",
    help: "Recovery time of completed faults, as Kubernetes (pod), users (client p99) and Kafka (lag) see it.",
    labelNames: ["kind", "seen_by"],
    buckets: RECOVERY_BUCKETS,
    // The fault's recovery span, when one is active (see traceRecovery).
    enableExemplars: true,
  });
  // A series per fault while it recovers: what Grafana draws as a region without an API token,
  // and what the fault-open-too-long alert compares with the window.
  const open = metrics.gauge<"fault_id" | "target" | "kind" | "action">({
    name: "open_fault_start_timestamp_seconds",
    help: "One series per fault still recovering (from its t0 until its report completes), valued at its t0 in Unix seconds.",
    labelNames: ["fault_id", "target", "kind", "action"],
  });
  // Per fault, for a table of recent faults; bounded, as a fault id is a label.
  const recent = metrics.gauge<"fault_id" | "target" | "kind" | "seen_by">({
    name: "recent_fault_recovery_seconds",
    help: `Recovery times of the ${RECENT_FAULTS} newest completed faults, one series per fault and seen_by (pod, client p99, lag).`,
    labelNames: ["fault_id", "target", "kind", "seen_by"],
  });
  const recentLabels: Record<"fault_id" | "target" | "kind" | "seen_by", string>[][] = [];
  metrics
    .gauge({
      name: "fault_window_seconds",
      help: "How long control follows a fault before its report times out (FAULT_WINDOW_MS).",
    })
    .set(options.faultWindowMs / 1000);
  const annotations = metrics.counter<"result">({
    name: "grafana_annotations_total",
    help: "Requests to Grafana's annotations API (with GRAFANA_URL and GRAFANA_TOKEN) by result: created, found (after a restart), updated, failed, dropped (queue full).",
    labelNames: ["result"],
  });
  const limited = metrics.counter<"route">({
    name: "rate_limited_total",
    help: "Operator calls refused with 429 by the fault rate limit (FAULT_RATE_BURST, FAULT_RATE_INTERVAL_MS), by route.",
    labelNames: ["route"],
  });
  const counted = new Set<string>();
  const completed = new Set<string>();
  return {
    metrics,
    annotationResult: (result) => annotations.inc({ result }),
    rateLimited: (route) => limited.inc({ route }),
    faultChanged(fault) {
      if (!counted.has(fault.id)) {
        counted.add(fault.id);
        faults.inc({ kind: fault.kind, action: fault.action, actor: fault.actor.split(":")[0] });
      }
      const labels = {
        fault_id: fault.id,
        target: fault.target,
        kind: fault.kind,
        action: fault.action,
      };
      if (fault.report.status === "open") open.set(labels, fault.t0 / 1000);
      else open.remove(labels);
      if (fault.report.status !== "complete" || completed.has(fault.id)) return;
      completed.add(fault.id);
      const { podRecoveryMs, clientRecovery, lagRecoveryMs } = fault.report;
      const times: [string, number | null | undefined][] = [
        ["pod", podRecoveryMs],
        ["client", clientRecovery?.p99Ms],
        ["lag", lagRecoveryMs],
      ];
      const shown = [];
      for (const [seenBy, ms] of times) {
        if (ms !== null && ms !== undefined) {
          observeWithTrace(recovery, ms / 1000, { kind: fault.kind, seen_by: seenBy });
          const series = {
            fault_id: fault.id,
            target: fault.target,
            kind: fault.kind,
            seen_by: seenBy,
          };
          recent.set(series, ms / 1000);
          shown.push(series);
        }
      }
      recentLabels.push(shown);
      if (recentLabels.length > RECENT_FAULTS) {
        for (const series of recentLabels.shift() ?? []) recent.remove(series);
      }
    },
  };
}
