import type { KafkaSnapshot } from "../contract/kafkaSnapshot.ts";

/** A snapshot of Kafka's view with nothing in it but what a test gives. */
export function kafkaSnapshot(fields: Partial<KafkaSnapshot> = {}): KafkaSnapshot {
  return {
    at: 0,
    topic: "blackout.numbers",
    brokers: [],
    controller: 1,
    partitions: [],
    leads: {},
    groups: [],
    errors: {},
    ...fields,
  };
}
