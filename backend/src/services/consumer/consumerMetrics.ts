import type { Counter, Gauge } from "prom-client";
import { createMetrics, type Metrics } from "../../lib/metrics.ts";

export interface ConsumerMetrics {
  metrics: Metrics;
  recordsConsumed: Counter<"producer">;
  duplicateRecords: Counter<"producer">;
  badRecords: Counter<"partition">;
  heldOutRecords: Counter<"reason">;
  lagRecords: Gauge<"partition">;
  lagSeconds: Gauge;
  ready: Gauge;
  viewRecords: Gauge<"producer">;
  apiRequests: Counter<"status" | "ready">;
}

/** The consumer's metrics, named `blackout_consumer_<what>` (DESIGN §2). */
export function createConsumerMetrics(): ConsumerMetrics {
  const metrics = createMetrics("consumer");
  const ready = metrics.gauge({
    name: "ready",
    help: "1 once the view has caught up with the high watermarks seen at start.",
  });
  ready.set(0);
  return {
    metrics,
    recordsConsumed: metrics.counter({
      name: "records_consumed_total",
      help: "Well-formed records read from Kafka, duplicates included, held-out ones not.",
      labelNames: ["producer"],
    }),
    duplicateRecords: metrics.counter({
      name: "duplicate_records_total",
      help: "Records Kafka holds more than once (same producer and seq), held once in the view.",
      labelNames: ["producer"],
    }),
    badRecords: metrics.counter({
      name: "bad_records_total",
      help: "Records that are not a number record or whose key is not their producer; skipped.",
      labelNames: ["partition"],
    }),
    heldOutRecords: metrics.counter({
      name: "held_out_records_total",
      help: "Well-formed records not served because no producer could have written them: far-ahead, unknown-producer, too-many-producers.",
      labelNames: ["reason"],
    }),
    lagRecords: metrics.gauge({
      name: "lag_records",
      help: "High watermark minus this consumer's position, per partition (refreshed every 2 s).",
      labelNames: ["partition"],
    }),
    lagSeconds: metrics.gauge({
      name: "lag_seconds",
      help: "Now minus the timestamp of the record just consumed.",
    }),
    ready,
    viewRecords: metrics.gauge({
      name: "view_records",
      help: "Records the view holds per producer (refreshed every 2 s).",
      labelNames: ["producer"],
    }),
    apiRequests: metrics.counter({
      name: "api_requests_total",
      help: "Requests to /api/* by HTTP status, and whether the consumer was ready when they came.",
      labelNames: ["status", "ready"],
    }),
  };
}
