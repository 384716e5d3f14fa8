import { TYPICAL_KAFKA_CLIENT, type KafkaClientTuning } from "../kafka/kafkaClient.ts";
import type { LabConfig } from "./labConfig.ts";

/** The settings that decide how fast the lab fails over. */
export interface LabTuning extends KafkaClientTuning {
  /** The consumers' session: how long a hard-killed one holds its partitions. */
  readonly SESSION_TIMEOUT_MS: number;
  /** A replacement consumer removes its killed predecessor from the group instead of waiting. */
  readonly TAKE_OVER_GROUP: boolean;
  /** KRaft: how long a broker may go without heartbeats before the controller fences it. */
  readonly BROKER_SESSION_TIMEOUT_MS: number;
  readonly BROKER_HEARTBEAT_INTERVAL_MS: number;
}

/**
 * What a typical deployment has (Kafka's and kafkajs's defaults, a 30 s consumer session), so that
 * the lab shows the gap between a fault and the floor Kafka sets.
 */
export const TYPICAL_TUNING: LabTuning = {
  SESSION_TIMEOUT_MS: 30_000,
  TAKE_OVER_GROUP: false,
  BROKER_SESSION_TIMEOUT_MS: 9000,
  BROKER_HEARTBEAT_INTERVAL_MS: 2000,
  ...TYPICAL_KAFKA_CLIENT,
};

/**
 * `--tuned`: the shortest that is still safe here. A replacement consumer takes its group over from
 * the member its killed predecessor left (consumerConfig.ts); the consumer session at the brokers' minimum
 * (group.min.session.timeout.ms, 6 s; heartbeats every 600 ms); brokers fenced after 3 s without a
 * heartbeat (every 500 ms: six missed beats, so a GC pause or a busy core does not fence one);
 * kafkajs retrying from 100 ms up to 1 s, 40 times (still about 35 s before a request fails), and
 * metadata refreshed once a second old (a fetch retry finds a new leader within a second of its
 * election), and consumers' fetches waiting at most 500 ms (kafkajs rebuilds its fetchers after a
 * leader move only once every fetch in flight has returned).
 */
export const FAST_FAILOVER_TUNING: LabTuning = {
  SESSION_TIMEOUT_MS: 6000,
  TAKE_OVER_GROUP: true,
  BROKER_SESSION_TIMEOUT_MS: 3000,
  BROKER_HEARTBEAT_INTERVAL_MS: 500,
  KAFKA_RETRY_INITIAL_MS: 100,
  KAFKA_RETRY_MAX_MS: 1000,
  KAFKA_RETRIES: 40,
  KAFKA_METADATA_MAX_AGE_MS: 1000,
  KAFKA_FETCH_MAX_WAIT_MS: 500,
};

/** The lab's tuning: the typical or the tuned set, with each setting given explicitly winning. */
export function labTuning(config: LabConfig): LabTuning {
  const base = config.TUNED ? FAST_FAILOVER_TUNING : TYPICAL_TUNING;
  const explicit = Object.fromEntries(
    (Object.keys(base) as (keyof LabTuning)[])
      .filter((key) => config[key] !== undefined)
      .map((key) => [key, config[key]]),
  );
  return { ...base, ...explicit };
}
