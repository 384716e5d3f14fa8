import { z } from "zod";
import { kafkaBrokersSetting, kafkaClientSettings } from "../../kafka/kafkaClient.ts";
import { NUMBERS_TOPIC } from "../../kafka/records.ts";
import { viewGroupSettings } from "../../kafka/viewGroupSettings.ts";
import {
  commonConfigSchema,
  httpServerSettings,
  loadConfig,
  baseUrl,
  pollingSettings,
  positiveInt,
  stallMsOf,
  type Env,
} from "../../lib/config.ts";

/** What a consumer reads from its environment (DESIGN §1 and §3 defaults). */
export const consumerConfigSchema = commonConfigSchema.extend({
  /** Stable identity (StatefulSet ordinal / local instance name); names its consumer group. */
  CONSUMER_ID: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]*$/, "expected lower-case letters, digits and dashes")
    .default("consumer-0"),
  KAFKA_BROKERS: kafkaBrokersSetting(),
  ...kafkaClientSettings(),
  KAFKA_TOPIC: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,249}$/, "expected a Kafka topic name")
    .default(NUMBERS_TOPIC),
  /** Used when the consumer creates the topic, so that either service may start first. */
  KAFKA_TOPIC_PARTITIONS: positiveInt().default(6),
  ...httpServerSettings(7200),
  /** Records kept per producer. */
  VIEW_WINDOW: positiveInt().default(100_000),
  ...viewGroupSettings(),
  MAX_RECORDS_PER_ANSWER: positiveInt().default(1000),
  /**
   * The view consumer's fetch `minBytes`: a broker holds a fetch until this much has arrived or
   * KAFKA_FETCH_MAX_WAIT_MS has passed. 1 answers at the first record; more means fewer fetches at
   * high rates and, at low ones, up to the fetch wait of latency.
   */
  FETCH_MIN_BYTES: positiveInt().default(1),
  /** How the client page polls. */
  ...pollingSettings,
  /** Control, which client pages report their ledger's summary to; unset, they report nothing. */
  CONTROL_URL: baseUrl("http://127.0.0.1:8081").optional(),
});

export type ConsumerConfig = Omit<z.output<typeof consumerConfigSchema>, "STALL_MS"> & {
  STALL_MS: number;
};

/** The consumer's configuration, with STALL_MS derived from POLL_MS when unset (DESIGN §1). */
export function loadConsumerConfig(env?: Env): ConsumerConfig {
  const config = loadConfig(consumerConfigSchema, env);
  return { ...config, STALL_MS: stallMsOf(config) };
}
