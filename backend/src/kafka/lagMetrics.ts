import type { Metrics } from "../lib/metrics.ts";
import type { KafkaSnapshot } from "../contract/kafkaSnapshot.ts";

export interface LagMetrics {
  /** Sets the gauge to exactly what the snapshot knows; everything else is removed. */
  update(snapshot: KafkaSnapshot): void;
}

type LagLabel = "consumergroup" | "topic" | "partition";

/**
 * `kafka_consumergroup_lag{consumergroup,topic,partition}`, the name and labels of the
 * kafka-exporter, so that the ecosystem's consumer-lag panels and alerts work on control's metrics.
 *
 * A partition whose lag is unknown (no commit, or its group could not be read this time) has no
 * series rather than a stale or invented value: Prometheus shows a gap, which is the truth.
 */
export function createLagMetrics(metrics: Metrics): LagMetrics {
  const gauge = metrics.gauge<LagLabel>({
    name: "kafka_consumergroup_lag",
    help: "Consumer group lag on a partition: high watermark minus committed offset.",
    labelNames: ["consumergroup", "topic", "partition"],
    rawName: true,
  });
  let exported = new Map<string, Record<LagLabel, string>>();

  return {
    update(snapshot) {
      const current = new Map<string, Record<LagLabel, string>>();
      for (const group of snapshot.groups) {
        for (const { partition, lag } of group.partitions) {
          if (lag === null) continue;
          const labels = {
            consumergroup: group.group,
            topic: snapshot.topic,
            partition: String(partition),
          };
          gauge.set(labels, lag);
          current.set(JSON.stringify(labels), labels);
        }
      }
      for (const [key, labels] of exported) if (!current.has(key)) gauge.remove(labels);
      exported = current;
    },
  };
}
