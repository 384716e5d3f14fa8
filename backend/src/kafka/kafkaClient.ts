import {
  Kafka,
  logLevel,
  type Consumer,
  type ConsumerConfig,
  type KafkaConfig,
  type LogEntry,
  type Producer,
  type ProducerConfig,
  type logCreator,
} from "kafkajs";
import { z } from "zod";
import { csv, positiveDurationMs, positiveInt } from "../lib/config.ts";
import type { Logger } from "../lib/logger.ts";
import { DEFAULT_KAFKA_NODES } from "./brokerProperties.ts";

/** `KAFKA_BROKERS`: host:port list, by default the local lab's three brokers (DESIGN §3). */
export function kafkaBrokersSetting() {
  return csv(z.string().regex(/^[^\s:]+:\d+$/, "expected host:port")).default(
    DEFAULT_KAFKA_NODES.map((node) => `127.0.0.1:${node.brokerPort}`),
  );
}

/**
 * How kafkajs copes with a failover: how it retries a failed request (a leader moved, a broker went
 * away: the first wait, the longest, and how many tries), how old its metadata may get, and how
 * long a fetch waits. The defaults are kafkajs's and outlast a typical leader election (about 30 s
 * of retries in all); the lab's `--tuned` retries sooner and more often and refreshes metadata
 * within a second, so that the first try after new leaders are elected comes within a few hundred
 * milliseconds.
 */
export function kafkaClientSettings() {
  return {
    KAFKA_RETRY_INITIAL_MS: positiveDurationMs().default(
      TYPICAL_KAFKA_CLIENT.KAFKA_RETRY_INITIAL_MS,
    ),
    KAFKA_RETRY_MAX_MS: positiveDurationMs().default(TYPICAL_KAFKA_CLIENT.KAFKA_RETRY_MAX_MS),
    KAFKA_RETRIES: positiveInt().default(TYPICAL_KAFKA_CLIENT.KAFKA_RETRIES),
    KAFKA_METADATA_MAX_AGE_MS: positiveDurationMs().default(
      TYPICAL_KAFKA_CLIENT.KAFKA_METADATA_MAX_AGE_MS,
    ),
    KAFKA_FETCH_MAX_WAIT_MS: positiveDurationMs().default(
      TYPICAL_KAFKA_CLIENT.KAFKA_FETCH_MAX_WAIT_MS,
    ),
  };
}

export interface KafkaClientTuning {
  readonly KAFKA_RETRY_INITIAL_MS: number;
  readonly KAFKA_RETRY_MAX_MS: number;
  readonly KAFKA_RETRIES: number;
  /**
   * Producers and consumers refresh metadata when it is this old (kafkajs: 5 min). kafkajs does
   * not refresh it when a leader's connection is refused, so until then a fetch keeps retrying the
   * dead broker: a short age lets a retry find the new leader soon after the election.
   */
  readonly KAFKA_METADATA_MAX_AGE_MS: number;
  /**
   * How long a consumer's fetch waits at a broker for new records (kafkajs: 5 s). When leaders
   * move, kafkajs rebuilds its fetchers only after every fetch in flight has returned, so a
   * failover waits up to this long once more.
   */
  readonly KAFKA_FETCH_MAX_WAIT_MS: number;
}

/** What a typical deployment has, and what is used when nothing else is set: 30 s of retries in all. */
export const TYPICAL_KAFKA_CLIENT: KafkaClientTuning = {
  KAFKA_RETRY_INITIAL_MS: 300,
  KAFKA_RETRY_MAX_MS: 5000,
  KAFKA_RETRIES: 10,
  KAFKA_METADATA_MAX_AGE_MS: 300_000,
  KAFKA_FETCH_MAX_WAIT_MS: 5000,
};

export interface KafkaClientOptions {
  clientId: string;
  brokers: string[];
  logger: Logger;
  /** The client settings (kafkaClientSettings); the typical ones when absent. */
  retry?: KafkaClientTuning;
  /** Sees every kafkajs log entry too: some events (a send being retried) exist only as logs. */
  onLog?: (entry: LogEntry) => void;
}

/**
 * A kafkajs client whose own retries outlast a leader election: a broker hard kill costs about
 * broker.session.timeout.ms (9 s) before a new leader is chosen, so by default a request is
 * retried for roughly 30 s (backoff 300 ms doubling to 5 s, with jitter) before it fails to the
 * caller.
 */
export function createKafkaClient(options: KafkaClientOptions): Kafka {
  const retry = options.retry ?? TYPICAL_KAFKA_CLIENT;
  return new TunedKafka(retry, {
    clientId: options.clientId,
    brokers: options.brokers,
    connectionTimeout: 3000,
    requestTimeout: 30_000,
    retry: {
      retries: retry.KAFKA_RETRIES,
      initialRetryTime: retry.KAFKA_RETRY_INITIAL_MS,
      maxRetryTime: retry.KAFKA_RETRY_MAX_MS,
      factor: 0.2,
      multiplier: 2,
    },
    logLevel: logLevel.WARN,
    logCreator: pinoLogCreator(options.logger, options.onLog),
  });
}

/** Every producer and consumer made by the client gets the metadata age, consumers the fetch wait. */
class TunedKafka extends Kafka {
  readonly #retry: KafkaClientTuning;
  constructor(retry: KafkaClientTuning, config: KafkaConfig) {
    super(config);
    this.#retry = retry;
  }
  override producer(config: ProducerConfig = {}): Producer {
    return super.producer({ metadataMaxAge: this.#retry.KAFKA_METADATA_MAX_AGE_MS, ...config });
  }
  override consumer(config: ConsumerConfig): Consumer {
    return super.consumer({
      metadataMaxAge: this.#retry.KAFKA_METADATA_MAX_AGE_MS,
      maxWaitTimeInMs: this.#retry.KAFKA_FETCH_MAX_WAIT_MS,
      ...config,
    });
  }
}

/** kafkajs logs through the service's pino logger, as JSON with trace ids like everything else. */
function pinoLogCreator(logger: Logger, onLog?: (entry: LogEntry) => void): logCreator {
  const child = logger.child({ component: "kafkajs" });
  return () => (entry: LogEntry) => {
    onLog?.(entry);
    const { level, log } = entry;
    const { message, ...fields } = log;
    if (level === logLevel.ERROR) child.error(fields, message);
    else if (level === logLevel.WARN) child.warn(fields, message);
    else if (level === logLevel.INFO) child.info(fields, message);
    else child.debug(fields, message);
  };
}
