import type { Counter, Gauge } from "prom-client";
import { createMetrics, type Metrics } from "../../lib/metrics.ts";

export interface GatewayMetrics {
  metrics: Metrics;
  requests: Counter<"backend" | "status">;
  backendTransitions: Counter<"backend" | "to">;
  backendsReady: Gauge;
  noBackend: Counter;
  retries: Counter<"from" | "to">;
  staleConnections: Counter<"backend">;
}

/** The gateway's metrics, named `blackout_gateway_<what>` (DESIGN §2). */
export function createGatewayMetrics(): GatewayMetrics {
  const metrics = createMetrics("gateway");
  return {
    metrics,
    requests: metrics.counter({
      name: "requests_total",
      help:
        "Proxied attempts per consumer by the status the gateway answered: the consumer's own, " +
        "502 (failed), 504 (timed out), `retried` (failed and tried on another consumer) or " +
        "`aborted` (the client left before an answer).",
      labelNames: ["backend", "status"],
    }),
    backendTransitions: metrics.counter({
      name: "backend_transitions_total",
      help: "Consumers entering (up) or leaving (down) rotation.",
      labelNames: ["backend", "to"],
    }),
    backendsReady: metrics.gauge({
      name: "backends_ready",
      help: "Consumers in rotation: last probe ready and no refused connection since.",
    }),
    noBackend: metrics.counter({
      name: "no_backend_total",
      help: "Requests answered 503 because no consumer was ready.",
    }),
    retries: metrics.counter({
      name: "retries_total",
      help: "Failed GETs tried again on another consumer (RETRY_ON_OTHER_BACKEND=true only).",
      labelNames: ["from", "to"],
    }),
    staleConnections: metrics.counter({
      name: "stale_connections_total",
      help:
        "Requests sent again to the same consumer on a new connection because the kept-alive " +
        "one they went out on had just been closed (ECONNRESET on a reused connection); the " +
        "consumer stays in rotation.",
      labelNames: ["backend"],
    }),
  };
}
