import { Kafka, logLevel, type LogEntry, type logCreator } from "kafkajs";
import { z } from "zod";
import { csv } from "../lib/config.ts";
import type { Logger } from "../lib/logger.ts";
import { DEFAULT_KAFKA_NODES } from "./brokerProperties.ts";

/** `KAFKA_BROKERS`: host:port list, by default the local lab's three brokers (DESIGN §3). */
export function kafkaBrokersSetting() {
  return csv(z.string().regex(/^[^\s:]+:\d+$/, "expected host:port")).default(
    DEFAULT_KAFKA_NODES.map((node) => `127.0.0.1:${node.brokerPort}`),
  );
}

export interface KafkaClientOptions {
  clientId: string;
  brokers: string[];
  logger: Logger;
  /** Sees every kafkajs log entry too: some events (a send being retried) exist only as logs. */
  onLog?: (entry: LogEntry) => void;
}

/**
 * A kafkajs client whose own retries outlast a leader election: a broker hard kill costs about
 * broker.session.timeout.ms (9 s) before a new leader is chosen, so a request is retried for
 * roughly 30 s (backoff 300 ms doubling to 5 s, with jitter) before it fails to the caller.
 */
export function createKafkaClient(options: KafkaClientOptions): Kafka {
  return new Kafka({
    clientId: options.clientId,
    brokers: options.brokers,
    connectionTimeout: 3000,
    requestTimeout: 30_000,
    retry: { retries: 10, initialRetryTime: 300, maxRetryTime: 5000, factor: 0.2, multiplier: 2 },
    logLevel: logLevel.WARN,
    logCreator: pinoLogCreator(options.logger, options.onLog),
  });
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
