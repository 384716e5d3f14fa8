import { randomUUID } from "node:crypto";
import type { Admin, Kafka } from "kafkajs";
import { deleteIdleGroups } from "../../kafka/idleGroups.ts";
import { decodeRecord } from "../../kafka/records.ts";
import type { Logger } from "../../lib/logger.ts";
import { waitFor } from "../../lib/waitFor.ts";

export interface OwnRecordsReaderOptions {
  kafka: Kafka;
  admin: Admin;
  topic: string;
  partition: number;
  producerId: string;
  logger: Logger;
  /** Called for each of this producer's numbers found in Kafka more than once. */
  onDuplicate: (seq: number) => void;
  /** kafkajs gave up on the reader: the process cannot trust its numbers any more. */
  onCrash: (error: Error) => void;
}

export interface OwnRecordsReader {
  /** Starts reading and resolves once everything in the partition at start has been read. */
  start(timeoutMs: number): Promise<void>;
  /** The highest of this producer's numbers that Kafka holds, as far as read. */
  lastSeq(): number;
  /** Resolves once the reader has read up to the partition's current high watermark. */
  catchUp(timeoutMs: number): Promise<number>;
  stop(): Promise<void>;
}

/** How far back the first look for this producer's last record goes before reading everything. */
const RECENT_WINDOW = 10_000;
/** Sequence numbers remembered for duplicate detection (a resend lands near the newest). */
const REMEMBERED = 100_000;
const SESSION_TIMEOUT_MS = 10_000;
/** When the group of an incarnation killed just before this start has lost its dead member. */
const SWEEP_AGAIN_MS = SESSION_TIMEOUT_MS + 5000;

/**
 * Follows this producer's own records in Kafka. It answers "what is the last number Kafka holds
 * for me?" (a restart continues after it; a failed send resends after it) and counts the numbers
 * Kafka holds twice, so that duplicates are measured, not guessed. It uses a consumer group of
 * its own per incarnation and never commits: its position is derived from Kafka each start. Its
 * group is deleted on a clean stop; the one a hard kill left behind is deleted by the next
 * incarnation once the dead member's session has expired, so restarts do not pile up groups.
 */
export function createOwnRecordsReader(options: OwnRecordsReaderOptions): OwnRecordsReader {
  const { kafka, admin, topic, partition, producerId, logger } = options;
  const groupPrefix = `${topic}.producer.${producerId}.`;
  const consumer = kafka.consumer({
    groupId: `${groupPrefix}${randomUUID()}`,
    sessionTimeout: SESSION_TIMEOUT_MS,
    heartbeatInterval: 1000,
    maxWaitTimeInMs: 250,
  });
  let position = -1;
  let maxSeq = 0;
  let scannedFrom = 0;
  let low = 0;
  const seen = new Set<number>();
  let sweepTimer: NodeJS.Timeout | undefined;

  /** Best effort: a group left behind costs a line in Kafka's listings, never a number. */
  async function sweepGroups(): Promise<void> {
    try {
      const deleted = await deleteIdleGroups(admin, groupPrefix);
      if (deleted.length > 0) logger.info({ groups: deleted }, "deleted idle read-back groups");
    } catch (error) {
      logger.warn({ err: error }, "could not delete idle read-back groups");
    }
  }

  async function highWatermark(): Promise<{ low: number; high: number }> {
    const offsets = await admin.fetchTopicOffsets(topic);
    const own = offsets.find((o) => o.partition === partition);
    if (!own) throw new Error(`${topic} has no partition ${partition}`);
    return { low: Number(own.low), high: Number(own.high) };
  }

  function remember(seq: number): void {
    if (seen.has(seq) || seq <= maxSeq - REMEMBERED) {
      options.onDuplicate(seq);
      return;
    }
    seen.add(seq);
    if (seq > maxSeq) maxSeq = seq;
    if (seen.size > REMEMBERED) {
      for (const old of seen) {
        if (old <= maxSeq - REMEMBERED) seen.delete(old);
        else break;
      }
    }
  }

  async function partitionsBesides(own: number): Promise<number[]> {
    const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
    return (metadata.topics[0]?.partitions ?? [])
      .map((p) => p.partitionId)
      .filter((p) => p !== own);
  }

  /** Seeks now if the consumer is in its group; otherwise the next GROUP_JOIN applies `position`. */
  function seekIfRunning(offset: number): void {
    try {
      consumer.seek({ topic, partition, offset: String(offset) });
    } catch {
      // Between a kafkajs restart and the next join; the join handler seeks to `position`.
    }
  }

  async function readUpTo(high: number, timeoutMs: number): Promise<void> {
    await waitFor(() => position >= high, {
      what: `${topic}[${partition}] to be read up to offset ${high}`,
      timeoutMs,
      intervalMs: 20,
    });
  }

  return {
    async start(timeoutMs) {
      const bounds = await highWatermark();
      low = bounds.low;
      scannedFrom = Math.max(bounds.low, bounds.high - RECENT_WINDOW);
      position = scannedFrom;
      const otherPartitions = await partitionsBesides(partition);
      consumer.on(consumer.events.CRASH, ({ payload }) => {
        if (!payload.restart) options.onCrash(payload.error);
      });
      // kafkajs restarts a crashed consumer by itself (e.g. "group coordinator not available" on a
      // fresh cluster) and forgets seeks and pauses then: apply them on every join.
      consumer.on(consumer.events.GROUP_JOIN, () => {
        consumer.seek({ topic, partition, offset: String(position) });
        if (otherPartitions.length > 0) consumer.pause([{ topic, partitions: otherPartitions }]);
      });
      await consumer.connect();
      await consumer.subscribe({ topic });
      await consumer.run({
        autoCommit: false,
        eachMessage: async ({ partition: from, message }) => {
          if (from !== partition) return;
          position = Number(message.offset) + 1;
          if (message.key?.toString() !== producerId) return;
          const record = decodeRecord(message.value);
          if (record?.producer === producerId) remember(record.seq);
          return Promise.resolve();
        },
      });

      await readUpTo(bounds.high, timeoutMs);
      if (maxSeq === 0 && scannedFrom > low) {
        // Not among the recent records: read the whole partition once.
        logger.info({ partition, from: low }, "no own record in the recent window; reading all");
        scannedFrom = low;
        position = low;
        seekIfRunning(low);
        await readUpTo(bounds.high, timeoutMs);
      }
      logger.info({ partition, lastSeq: maxSeq, offset: position }, "own records read back");
      await sweepGroups();
      sweepTimer = setTimeout(() => void sweepGroups(), SWEEP_AGAIN_MS);
    },
    lastSeq: () => maxSeq,
    async catchUp(timeoutMs) {
      const { high } = await highWatermark();
      await readUpTo(high, timeoutMs);
      return maxSeq;
    },
    async stop() {
      clearTimeout(sweepTimer);
      await consumer.disconnect();
      await sweepGroups();
    },
  };
}
