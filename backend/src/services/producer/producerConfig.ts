import { z } from "zod";
import { kafkaBrokersSetting, kafkaClientSettings } from "../../kafka/kafkaClient.ts";
import { NUMBERS_TOPIC } from "../../kafka/records.ts";
import { MAX_RATE_PER_SECOND } from "../../contract/producerRate.ts";
import {
  commonConfigSchema,
  durationMs,
  httpServerSettings,
  positiveInt,
} from "../../lib/config.ts";

/** What a producer reads from its environment (DESIGN §1 and §3 defaults). */
export const producerConfigSchema = commonConfigSchema.extend({
  /** Stable identity: the record key, and what its sequence continues from after a restart. */
  PRODUCER_ID: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, "expected lower-case letters, digits and dashes")
    .default("producer-0"),
  KAFKA_BROKERS: kafkaBrokersSetting(),
  ...kafkaClientSettings(),
  KAFKA_TOPIC: z.string().min(1).default(NUMBERS_TOPIC),
  KAFKA_TOPIC_PARTITIONS: positiveInt().default(6),
  ...httpServerSettings(7100),
  /** Records per second at start; changeable at runtime through the HTTP API. */
  RATE_PER_SECOND: z.coerce.number().min(0).max(MAX_RATE_PER_SECOND).default(20),
  /**
   * How long a send waits after the previous one began, so that records due meanwhile share a
   * request (Kafka's `linger.ms`): fewer, larger produce requests at high rates, that much
   * latency at low ones. 0 sends as soon as the previous send is acknowledged.
   */
  LINGER_MS: durationMs().default(0),
});

export type ProducerConfig = z.output<typeof producerConfigSchema>;
