import { setTimeout as sleep } from "node:timers/promises";
import type { Kafka, Producer } from "kafkajs";
import { encodeRecord } from "../../kafka/records.ts";
import { retry } from "../../ledger/retry.ts";
import { isRetriable } from "../../lib/errors.ts";
import type { Logger } from "../../lib/logger.ts";
import type { OwnRecordsReader } from "./ownRecordsReader.ts";

export interface NumberProducerOptions {
  kafka: Kafka;
  reader: OwnRecordsReader;
  topic: string;
  partition: number;
  producerId: string;
  ratePerSecond: number;
  /**
   * A send waits until this long after the previous one began, so that records due meanwhile go
   * in one request (Kafka's `linger.ms`); 0 sends whatever is due as soon as the last send is
   * acknowledged. A send of MAX_BATCH records does not wait.
   */
  lingerMs?: number;
  logger: Logger;
  now?: () => number;
  /** Records acknowledged by Kafka (all in-sync replicas). */
  onAcknowledged: (count: number, lastSeq: number) => void;
  /** A send that failed for good; the producer is replaced and the unacknowledged numbers resent. */
  onSendFailure: (reason: string) => void;
  /** Recovery has not succeeded for `recoveryDeadlineMs`: the process should exit for a restart. */
  onGiveUp: (error: unknown) => void;
  recoveryDeadlineMs?: number;
}

export interface ProducerState {
  producer: string;
  ratePerSecond: number;
  paused: boolean;
  /** The highest number Kafka acknowledged; the next record carries this + 1. */
  lastAcknowledged: number;
  running: boolean;
}

export interface NumberProducer {
  /** Continues the sequence after the last number Kafka holds for this producer. */
  start(): Promise<void>;
  setRate(perSecond: number): void;
  /** Resolves once the send in flight (if any) is settled: nothing is published after that. */
  pause(): Promise<void>;
  resume(): void;
  state(): ProducerState;
  /** Stops after the send in flight (if any) is acknowledged, then disconnects. */
  stop(): Promise<void>;
}

/**
 * At most this many records go into one send, so that a catch-up never builds a huge request
 * (about 2 000 × 140 bytes with the trace header, well under a broker's 1 MB batch limit). With
 * one send in flight a producer carries at most MAX_BATCH per round trip: 500 capped it near
 * 6 000/s once a loaded machine's acks=all round trip reached 80 ms (docs/benchmarks.md,
 * "Throughput").
 */
const MAX_BATCH = 2000;

/**
 * Publishes `{producer, seq, ts}` at a steady rate with settings that keep data through a broker
 * hard kill: acks -1, idempotent, one request in flight, and kafkajs retries (~60 s) that outlast
 * a leader election. Only acknowledged numbers count as produced. When a send fails for good —
 * including kafkajs's idempotent producer failing with OUT_OF_ORDER_SEQUENCE_NUMBER after a broker
 * restart (tulios/kafkajs#598) — a fresh producer takes over and continues after the last number
 * Kafka really holds, read back from Kafka, so a number is neither skipped nor (knowingly) repeated.
 */
export function createNumberProducer(options: NumberProducerOptions): NumberProducer {
  const { kafka, reader, topic, partition, producerId, logger } = options;
  const now = options.now ?? Date.now;
  const recoveryDeadlineMs = options.recoveryDeadlineMs ?? 120_000;
  const lingerMs = options.lingerMs ?? 0;
  let lastSendAt = Number.NEGATIVE_INFINITY;
  let rate = options.ratePerSecond;
  let paused = false;
  let running = false;
  let lastAcknowledged = 0;
  let producer: Producer | undefined;
  let loop: Promise<void> | undefined;
  let inFlight: Promise<void> | undefined;
  // The schedule: `sent` records were due between `epoch` and now at `rate`.
  let epoch = now();
  let sent = 0;
  const resetSchedule = (): void => {
    epoch = now();
    sent = 0;
  };

  async function connectProducer(): Promise<Producer> {
    const fresh = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      retry: { retries: 15, initialRetryTime: 300, maxRetryTime: 5000 },
    });
    await fresh.connect();
    return fresh;
  }

  async function sendBatch(active: Producer, count: number): Promise<void> {
    const first = lastAcknowledged + 1;
    const ts = now();
    const messages = Array.from({ length: count }, (_, i) => ({
      ...encodeRecord({ producer: producerId, seq: first + i, ts }),
      partition,
    }));
    await active.send({ topic, acks: -1, messages });
    lastAcknowledged = first + count - 1;
    sent += count;
    options.onAcknowledged(count, lastAcknowledged);
  }

  /** Replaces the producer and learns from Kafka which numbers it really holds. */
  async function recover(cause: unknown): Promise<Producer> {
    const reason = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
    options.onSendFailure(cause instanceof Error ? cause.name : "unknown");
    logger.warn({ err: cause, lastAcknowledged }, "send failed; replacing the producer");
    const old = producer;
    producer = undefined;
    await old?.disconnect().catch(() => undefined);
    return retry(
      async (attempt) => {
        const fresh = await connectProducer();
        const inKafka = await reader.catchUp(30_000);
        if (inKafka > lastAcknowledged) {
          logger.info({ lastAcknowledged, inKafka }, "the failed send reached Kafka after all");
        }
        lastAcknowledged = Math.max(lastAcknowledged, inKafka);
        resetSchedule();
        logger.info({ attempt, lastAcknowledged, reason }, "producer recovered");
        return fresh;
      },
      {
        initialMs: 500,
        maxMs: 5000,
        deadline: now() + recoveryDeadlineMs,
        now,
        retriable: isRetriable,
        onRetry: (error, attempt) =>
          logger.warn({ err: error, attempt }, "recovery failed; retrying"),
      },
    );
  }

  async function run(): Promise<void> {
    while (running) {
      if (paused || rate <= 0) {
        await sleep(50);
        continue;
      }
      const due = Math.floor(((now() - epoch) / 1000) * rate) - sent;
      if (due <= 0) {
        await sleep(Math.max(1, Math.min(50, 1000 / rate)));
        continue;
      }
      const lingerLeft = lastSendAt + lingerMs - now();
      if (lingerLeft > 0 && due < MAX_BATCH) {
        await sleep(lingerLeft);
        continue;
      }
      lastSendAt = now();
      const attempt = (async () => {
        try {
          producer ??= await connectProducer();
          await sendBatch(producer, Math.min(due, MAX_BATCH));
        } catch (error) {
          producer = await recover(error);
        }
      })();
      inFlight = attempt;
      await attempt;
      inFlight = undefined;
    }
  }

  return {
    async start() {
      lastAcknowledged = reader.lastSeq();
      producer = await connectProducer();
      running = true;
      resetSchedule();
      loop = run().catch((error: unknown) => {
        running = false;
        options.onGiveUp(error);
      });
      logger.info({ next: lastAcknowledged + 1, rate }, "producing");
    },
    setRate(perSecond) {
      rate = perSecond;
      resetSchedule();
    },
    async pause() {
      paused = true;
      await inFlight?.catch(() => undefined);
    },
    resume() {
      paused = false;
      resetSchedule();
    },
    state: () => ({ producer: producerId, ratePerSecond: rate, paused, lastAcknowledged, running }),
    async stop() {
      running = false;
      await loop;
      await producer?.disconnect();
      producer = undefined;
    },
  };
}
