import type { Counter } from "prom-client";
import { createMetrics, type Metrics } from "../../lib/metrics.ts";
import type { ComponentInfo } from "./supervisedComponent.ts";

export interface SupervisorMetrics {
  readonly metrics: Metrics;
  readonly restarts: Counter<"component" | "reason">;
  /** Where the backoff gauge reads the components at each scrape: the supervisor's own state. */
  showBackoffOf(components: () => readonly ComponentInfo[]): void;
}

/** The local supervisor's metrics, `blackout_supervisor_<what>` (DESIGN §2), on its API's /metrics. */
export function createSupervisorMetrics(): SupervisorMetrics {
  const metrics = createMetrics("supervisor");
  let components: () => readonly ComponentInfo[] = () => [];
  metrics.gauge({
    name: "restart_backoff_seconds",
    help: "While a component is crash-looping: how long its last restart waited, backed off from RESTART_DELAY_MS; 0 otherwise.",
    labelNames: ["component"],
    collect() {
      this.reset();
      for (const { name, crashLoop } of components()) {
        this.set({ component: name }, (crashLoop?.backoffMs ?? 0) / 1000);
      }
    },
  });
  return {
    metrics,
    restarts: metrics.counter({
      name: "restarts_total",
      help: "Replacements started, by component and reason: killed (by the lab, a fault) or exited (of its own: a crash, a signal from outside the lab, a failed spawn).",
      labelNames: ["component", "reason"],
    }),
    showBackoffOf(read) {
      components = read;
    },
  };
}
