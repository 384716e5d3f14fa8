import { createMetrics, observeWithTrace, type Metrics } from "../../lib/metrics.ts";
import type { Fault } from "./fault.ts";

export interface ControlMetrics {
  readonly metrics: Metrics;
  /** Counts a fault when it appears and its recovery times when it completes, once each. */
  faultChanged(fault: Fault): void;
}

type FaultLabel = "kind" | "action" | "actor";

/** Buckets from a blink to the 3-minute window: pod, client and lag recoveries span all of it. */
const RECOVERY_BUCKETS = [0.5, 1, 2, 5, 10, 15, 20, 30, 45, 60, 90, 120, 180];

export function createControlMetrics(): ControlMetrics {
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
  const counted = new Set<string>();
  const completed = new Set<string>();
  return {
    metrics,
    faultChanged(fault) {
      if (!counted.has(fault.id)) {
        counted.add(fault.id);
        faults.inc({ kind: fault.kind, action: fault.action, actor: fault.actor.split(":")[0] });
      }
      if (fault.report.status !== "complete" || completed.has(fault.id)) return;
      completed.add(fault.id);
      const { podRecoveryMs, clientRecovery, lagRecoveryMs } = fault.report;
      const times: [string, number | null | undefined][] = [
        ["pod", podRecoveryMs],
        ["client", clientRecovery?.p99Ms],
        ["lag", lagRecoveryMs],
      ];
      for (const [seenBy, ms] of times) {
        if (ms !== null && ms !== undefined) {
          observeWithTrace(recovery, ms / 1000, { kind: fault.kind, seen_by: seenBy });
        }
      }
    },
  };
}
