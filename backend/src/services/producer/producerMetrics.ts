import type { LogEntry } from "kafkajs";
import { createMetrics, type Metrics } from "../../lib/metrics.ts";

export interface ProducerMetrics {
  metrics: Metrics;
  acknowledged(count: number, lastSeq: number): void;
  sendFailures: ReturnType<Metrics["counter"]>;
  kafkaDuplicates: ReturnType<Metrics["counter"]>;
  ready: ReturnType<Metrics["gauge"]>;
  /** A kafkajs log entry of a produce request that is being retried. */
  countKafkaRetry: (entry: LogEntry) => void;
}

export function createProducerMetrics(producerId: string): ProducerMetrics {
  const metrics = createMetrics("producer");
  const labels = { producer: producerId };
  const records = metrics.counter({
    name: "records_acknowledged_total",
    help: "Records Kafka acknowledged (acks=-1): the numbers that count as produced.",
    labelNames: ["producer"],
  });
  const lastSeq = metrics.gauge({
    name: "last_acknowledged_seq",
    help: "The highest number Kafka acknowledged.",
    labelNames: ["producer"],
  });
  const retries = metrics.counter({
    name: "send_retries_total",
    help: "Produce requests kafkajs retried (a leader moved, a broker went away).",
    labelNames: ["producer"],
  });
  const sendFailures = metrics.counter({
    name: "send_failures_total",
    help: "Sends that failed for good; the producer was replaced and resent from Kafka's last number.",
    labelNames: ["reason"],
  });
  const kafkaDuplicates = metrics.counter({
    name: "kafka_duplicate_records_total",
    help: "This producer's numbers that Kafka holds more than once (read back from Kafka).",
  });
  const ready = metrics.gauge({ name: "ready", help: "1 when producing." });
  ready.set(0);
  return {
    metrics,
    acknowledged(count, seq) {
      records.inc(labels, count);
      lastSeq.set(labels, seq);
    },
    sendFailures,
    kafkaDuplicates,
    ready,
    countKafkaRetry: (entry) => {
      if (entry.namespace === "Producer" && typeof entry.log.retryCount === "number") {
        retries.inc(labels);
      }
    },
  };
}
