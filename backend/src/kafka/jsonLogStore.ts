import { randomUUID } from "node:crypto";
import { Partitioners, type Kafka, type Producer } from "kafkajs";
import { z } from "zod";
import type { Logger } from "../lib/logger.ts";
import { deleteIdleGroups } from "./idleGroups.ts";
import { ensureTopic } from "./topics.ts";

export interface SkippedRecord {
  partition: number;
  offset: string;
  reason: string;
}

export interface JsonLogStoreOptions<T> {
  kafka: Kafka;
  topic: string;
  schema: z.ZodType<T>;
  /** The record key; with compaction, the last record of a key is the one Kafka keeps. */
  keyOf: (value: T) => string;
  logger?: Logger;
  /** Called for every record load() skips, for the caller's counter. */
  onSkip?: (skipped: SkippedRecord) => void;
  /** How long load() may take before it gives up (default 60 s). */
  loadTimeoutMs?: number;
}

export interface JsonLogStore<T> {
  /** Creates the topic unless it exists: 1 partition, RF min(3, brokers), compacted. */
  ensure(): Promise<void>;
  /**
   * Every valid record from the beginning up to the end offsets of the moment load() starts, in
   * log order. Records appended meanwhile are left for the next load.
   */
  load(): Promise<T[]>;
  /** Resolves once every in-sync replica has the record, so a load() after it sees it. */
  append(value: T): Promise<void>;
  close(): Promise<void>;
}

/**
 * A durable, replayable log of JSON records in one Kafka topic (control's fault timeline,
 * `blackout.faults`), so that history survives a restart of the process that writes it.
 *
 * One partition keeps one order for all keys. The topic is compacted: an updated record (a fault
 * whose recovery times came in) supersedes the earlier one of its key, and compaction keeps the
 * latest of every key forever instead of deleting history after the default 7 days.
 */
export function createJsonLogStore<T>(options: JsonLogStoreOptions<T>): JsonLogStore<T> {
  const { kafka, topic, schema, keyOf, logger, onSkip } = options;
  const loadTimeoutMs = options.loadTimeoutMs ?? 60_000;
  let producer: Promise<Producer> | undefined;

  function connectedProducer(): Promise<Producer> {
    if (producer === undefined) {
      const created = kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        // ensure() makes the topic with its settings; a typo must not make one with defaults.
        allowAutoTopicCreation: false,
        // One partition: the partitioner is moot, and naming it silences kafkajs's v2 warning.
        createPartitioner: Partitioners.DefaultPartitioner,
      });
      const connecting = created.connect().then(() => created);
      producer = connecting;
      // A failed connect must not stick: the next append tries again.
      connecting.catch(() => {
        if (producer === connecting) producer = undefined;
      });
    }
    return producer;
  }

  async function discardProducer(): Promise<void> {
    const old = producer;
    producer = undefined;
    await old?.then((p) => p.disconnect()).catch(() => undefined);
  }

  function skip(skipped: SkippedRecord): void {
    logger?.warn({ topic, ...skipped }, "skipped a record that is not a valid log entry");
    onSkip?.(skipped);
  }

  function parse(value: Buffer | null, partition: number, offset: string): T | undefined {
    if (value === null) {
      skip({ partition, offset, reason: "no value" });
      return undefined;
    }
    let json: unknown;
    try {
      json = JSON.parse(value.toString("utf8"));
    } catch {
      skip({ partition, offset, reason: "not JSON" });
      return undefined;
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      skip({ partition, offset, reason: z.prettifyError(parsed.error) });
      return undefined;
    }
    return parsed.data;
  }

  async function endOffsets(): Promise<Map<number, number>> {
    const admin = kafka.admin();
    await admin.connect();
    try {
      const offsets = await admin.fetchTopicOffsets(topic);
      // Partitions with nothing retained need no reading; an empty log then costs no group join.
      return new Map(
        offsets
          .filter((o) => Number(o.high) > Number(o.low))
          .map((o) => [o.partition, Number(o.high)]),
      );
    } finally {
      await admin.disconnect();
    }
  }

  /**
   * Best effort: deletes this load's group and any a killed control left behind (the load's
   * result does not depend on it; an empty group that outlives this is left to the coordinator's
   * cleanup).
   */
  async function deleteLoadGroups(): Promise<void> {
    const admin = kafka.admin();
    try {
      await admin.connect();
      await deleteIdleGroups(admin, `${topic}.load.`);
    } catch (error) {
      options.logger?.warn({ err: error, topic }, "could not delete the load's consumer groups");
    } finally {
      await admin.disconnect();
    }
  }

  return {
    async ensure() {
      const admin = kafka.admin();
      await admin.connect();
      try {
        const { brokers } = await admin.describeCluster();
        const replicationFactor = Math.min(3, brokers.length);
        await ensureTopic(admin, {
          topic,
          partitions: 1,
          replicationFactor,
          configs: {
            // 2 as DESIGN §1 asks; less only on a cluster too small to ever satisfy it.
            "min.insync.replicas": String(Math.min(2, replicationFactor)),
            "cleanup.policy": "compact",
          },
        });
      } finally {
        await admin.disconnect();
      }
      // Connected now rather than at the first append (kafkajs's idempotent producer asks for its
      // id, which on a fresh cluster waits for the coordinator to load): the first record is then
      // written in milliseconds. A failure here is the first append's to retry.
      await connectedProducer().catch((error: unknown) =>
        logger?.warn({ err: error, topic }, "cannot connect the producer yet"),
      );
    },

    async load() {
      const ends = await endOffsets();
      if (ends.size === 0) return [];
      const remaining = new Set(ends.keys());
      const read: { partition: number; offset: number; value: T }[] = [];
      // kafkajs reads only through a group: a fresh one that never commits, deleted once the
      // load is done (with any a killed control left), so that control's restarts do not pile up
      // groups in Kafka's listings. maxWaitTimeInMs keeps disconnect() from waiting out a long
      // fetch once all is read.
      const consumer = kafka.consumer({
        groupId: `${topic}.load.${randomUUID()}`,
        maxWaitTimeInMs: 100,
      });
      const finished = new Promise<void>((resolve, reject) => {
        // The end of a batch, not the last message: the record just before an end offset may be
        // one that compaction removed, and then no message carries that offset.
        consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
          const end = ends.get(payload.partition);
          if (end !== undefined && Number(payload.lastOffset) + 1 >= end) {
            remaining.delete(payload.partition);
            if (remaining.size === 0) resolve();
          }
        });
        consumer.on(consumer.events.CRASH, ({ payload }) => {
          if (!payload.restart) reject(payload.error);
        });
      });
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          reject(new Error(`loading ${topic} took longer than ${loadTimeoutMs} ms`));
        }, loadTimeoutMs);
      });
      try {
        await consumer.connect();
        await consumer.subscribe({ topic, fromBeginning: true });
        await consumer.run({
          autoCommit: false,
          eachMessage: ({ partition, message }) => {
            const offset = Number(message.offset);
            if (offset < (ends.get(partition) ?? 0)) {
              const value = parse(message.value, partition, message.offset);
              if (value !== undefined) read.push({ partition, offset, value });
            }
            return Promise.resolve();
          },
        });
        await Promise.race([finished, timeout]);
      } finally {
        clearTimeout(timer);
        await consumer.disconnect();
        await deleteLoadGroups();
      }
      return read
        .sort((x, y) => x.partition - y.partition || x.offset - y.offset)
        .map((r) => r.value);
    },

    async append(value) {
      // What is written must be what load() accepts, or it would vanish on the next restart.
      const checked = schema.safeParse(JSON.parse(JSON.stringify(value)));
      if (!checked.success) {
        throw new Error(`not a valid ${topic} record: ${z.prettifyError(checked.error)}`);
      }
      const connected = await connectedProducer();
      try {
        await connected.send({
          topic,
          acks: -1,
          messages: [{ key: keyOf(value), value: JSON.stringify(value) }],
        });
      } catch (error) {
        // kafkajs's idempotent producer can stay stuck on a sequence error after a broker restart
        // (kafkajs#598); the caller's retry gets a fresh one.
        void discardProducer();
        throw error;
      }
    },

    close: discardProducer,
  };
}

/**
 * The last value of each key, in the order the keys first appeared: a fault stays where it was
 * injected in the timeline while its record is updated.
 */
export function latestByKey<T>(values: readonly T[], keyOf: (value: T) => string): T[] {
  const latest = new Map<string, T>();
  for (const value of values) latest.set(keyOf(value), value);
  return [...latest.values()];
}
