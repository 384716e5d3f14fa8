import type { Kafka, KafkaMessage } from "kafkajs";
import { decodeRecord, numbersTopicSpec } from "../../kafka/records.ts";
import { ensureTopic } from "../../kafka/topics.ts";
import { retry } from "../../ledger/retry.ts";
import { createLogThrottle } from "../../lib/logThrottle.ts";
import type { Logger } from "../../lib/logger.ts";
import type { ConsumerMetrics } from "./consumerMetrics.ts";
import { inRecordSpan } from "./recordSpan.ts";
import type { RecordOrigin, View } from "./view.ts";

export interface ViewConsumerOptions {
  kafka: Kafka;
  topic: string;
  /** Partitions the topic is created with when it does not exist yet. */
  partitions: number;
  groupId: string;
  sessionTimeoutMs: number;
  /** kafkajs's fetch `minBytes` (1 unless given): see the consumer's FETCH_MIN_BYTES. */
  fetchMinBytes?: number;
  view: View;
  metrics: ConsumerMetrics;
  logger: Logger;
  /** The consumer crashed and kafkajs will not restart it: the process must be replaced. */
  onFatal(reason: string, error: unknown): void;
  /**
   * Removes members left in the group before this process joins it (TAKE_OVER_GROUP): a
   * predecessor killed without leaving would otherwise hold every partition until its session
   * expires. Only for a consumer whose name is never run twice at once (a StatefulSet ordinal, the
   * local supervisor's instance): a live member removed this way rejoins and splits the partitions.
   */
  takeOver?: (groupId: string, memberIds: readonly string[]) => Promise<unknown>;
  /** How often lag and view-size gauges are refreshed; 2 s unless a test wants otherwise. */
  refreshMs?: number;
}

export interface ViewConsumer {
  /** Creates the topic if needed, notes its high watermarks and starts reading every partition. */
  start(): Promise<void>;
  /** Leaves the consumer group and disconnects. */
  stop(): Promise<void>;
  /** The kafkajs consumer has not crashed for good. */
  alive(): boolean;
  /** Every partition has been assigned and read up to the high watermark seen at start. */
  ready(): boolean;
}

/**
 * How often the position is committed. kafkajs's autoCommit commits after every fetch that
 * brought records, which at tens of records a second is a replicated write to
 * `__consumer_offsets` per record or two: measured on 2 cores with one producer at 50 records/s,
 * three view consumers that way took the brokers from 43 % to 85 % of a core.
 * The offsets only show the group's lag to Kafka's tools and exporters (the view is rebuilt from
 * the earliest offset on start), so a second behind is fine.
 */
const COMMIT_INTERVAL_MS = 1000;

/** At most one warning per kind of odd record this often, so that a poisoned topic cannot flood the log. */
const ODD_RECORD_LOG_INTERVAL_MS = 10_000;

/** kafkajs's own count for a consumer's fetch loop, kept when a take-over hook is added. */
const KAFKAJS_CONSUMER_RETRIES = 5;
const TAKE_OVER_RETRY_MS = 250;

interface StartOffsets {
  low: number;
  high: number;
}

/**
 * Fills the view from Kafka (DESIGN §1): every partition of the topic, in the consumer's own group.
 *
 * The view lives in memory, so a (re)started consumer rebuilds it: the first time a partition is
 * assigned it is read from its earliest retained offset, whatever the group committed before. On
 * later assignments (a rebalance, a kafkajs restart) reading resumes at this process's own
 * position, so that nothing is skipped even if another member of the group committed further,
 * and records delivered again below that position are ignored rather than counted as duplicates.
 * Offsets are still committed so that Kafka's tools and exporters see the group's lag.
 */
export function createViewConsumer(options: ViewConsumerOptions): ViewConsumer {
  const { kafka, topic, view, metrics, logger } = options;
  const admin = kafka.admin();
  const { takeOver } = options;
  const consumer = kafka.consumer({
    groupId: options.groupId,
    sessionTimeout: options.sessionTimeoutMs,
    heartbeatInterval: Math.floor(options.sessionTimeoutMs / 10),
    minBytes: options.fetchMinBytes ?? 1,
    // kafkajs retries its fetch loop 5 times, then restarts the consumer, which joins as a new
    // member. That is how it gets over its group's coordinator dying: it keeps heartbeating the
    // dead broker (each failed heartbeat fails the batch) and only looks the coordinator up again
    // on a join. With a take-over, the member it was is removed first, so that the new join need
    // not wait out that member's session either.
    ...(takeOver === undefined
      ? {}
      : {
          retry: {
            retries: KAFKAJS_CONSUMER_RETRIES,
            restartOnFailure: async () => {
              await takeOverGroup(takeOver);
              return true;
            },
          },
        }),
  });
  let startOffsets: ReadonlyMap<number, StartOffsets> | undefined;
  /** Per partition, the offset after the last record processed (the position). */
  const positions = new Map<number, number>();
  const assignedOnce = new Set<number>();
  /** This member's partitions since its last join: only those are committed. */
  let assigned: readonly number[] = [];
  /** Per partition, the offset last committed by this process. */
  const committed = new Map<number, number>();
  let commitTimer: NodeJS.Timeout | undefined;
  let committing = false;
  let ready = false;
  let crashed = false;
  let stopping = false;
  let refreshTimer: NodeJS.Timeout | undefined;
  let refreshing = false;
  const throttle = createLogThrottle({ intervalMs: ODD_RECORD_LOG_INTERVAL_MS });

  consumer.on(consumer.events.CRASH, ({ payload }) => {
    if (stopping) return;
    if (payload.restart) {
      logger.warn({ err: payload.error }, "Kafka consumer crashed; kafkajs restarts it");
      return;
    }
    crashed = true;
    options.onFatal("the Kafka consumer crashed and will not restart", payload.error);
  });

  // kafkajs emits GROUP_JOIN synchronously after the sync, before the next fetch, and applies
  // seeks at the start of that fetch: the first records after a join come from these offsets.
  consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
    assigned = payload.memberAssignment[topic] ?? [];
    const firstTime = assigned.filter((partition) => !assignedOnce.has(partition));
    for (const partition of assigned) {
      // An offset below the log start (retention moved on) makes kafkajs reset to the earliest.
      const offset = positions.get(partition) ?? startOffsets?.get(partition)?.low ?? 0;
      consumer.seek({ topic, partition, offset: String(offset) });
      assignedOnce.add(partition);
    }
    logger.info(
      { groupId: options.groupId, assigned, firstTime },
      "joined the consumer group; first-time partitions are read from their earliest offset",
    );
    updateReady();
  });

  function caughtUp(): boolean {
    if (startOffsets === undefined) return false;
    for (const [partition, { low, high }] of startOffsets) {
      if (!assignedOnce.has(partition)) return false;
      // A partition empty at start is caught up as soon as it is assigned.
      if (high > low && (positions.get(partition) ?? low) < high) return false;
    }
    return true;
  }

  function updateReady(): void {
    if (ready || !caughtUp()) return;
    ready = true;
    metrics.ready.set(1);
    logger.info({ heads: view.heads() }, "caught up with the high watermarks seen at start: ready");
  }

  /**
   * One fetched batch of a partition, in offset order. Counters and gauges are updated once per
   * batch rather than per record: a replay reads the whole topic, and prom-client's labelled
   * `inc` per record showed in its profile.
   */
  function handleBatch(partition: number, messages: readonly KafkaMessage[]): void {
    const consumed = new Map<string, number>();
    const origin: RecordOrigin = {
      partitionTruncated: (startOffsets?.get(partition)?.low ?? 0) > 0,
    };
    let lastTs: number | undefined;
    for (const message of messages) {
      const offset = Number(message.offset);
      const position = positions.get(partition);
      if (position !== undefined && offset < position) continue;
      positions.set(partition, offset + 1);
      const ts = inRecordSpan(topic, partition, message.headers, () =>
        addMessage(partition, offset, message, origin, consumed),
      );
      if (ts !== undefined) lastTs = ts;
    }
    for (const [producer, count] of consumed) metrics.recordsConsumed.inc({ producer }, count);
    if (lastTs !== undefined) metrics.lagSeconds.set((Date.now() - lastTs) / 1000);
    updateReady();
  }

  /** Adds one message's record to the view, counted per producer; its ts, unless skipped. */
  function addMessage(
    partition: number,
    offset: number,
    message: KafkaMessage,
    origin: RecordOrigin,
    consumed: Map<string, number>,
  ): number | undefined {
    const record = decodeRecord(message.value);
    const key = message.key?.toString("utf8");
    if (record === undefined || key !== record.producer) {
      metrics.badRecords.inc({ partition: String(partition) });
      const what =
        record === undefined ? "not a number record" : "a record whose key is not its producer";
      throttle(`bad: ${what}`, (skipped) => {
        logger.warn(
          // The key only in part: a poison record's key may be as large as Kafka allows.
          { partition, offset, key: key?.slice(0, 100), skippedSinceLastWarning: skipped },
          `skipped ${what}`,
        );
      });
      return undefined;
    }
    const result = view.add(record, origin);
    if (result !== "added" && result !== "duplicate" && result !== "expired") {
      metrics.heldOutRecords.inc({ reason: result });
      throttle(`held out: ${result}`, (skipped) => {
        logger.warn(
          {
            partition,
            offset,
            record,
            head: view.heads()[record.producer] ?? null,
            skippedSinceLastWarning: skipped,
          },
          `held out a record no producer could have written (${result}); clients are not served it`,
        );
      });
      return undefined;
    }
    consumed.set(record.producer, (consumed.get(record.producer) ?? 0) + 1);
    if (result === "duplicate") {
      metrics.duplicateRecords.inc({ producer: record.producer });
    } else if (result === "expired") {
      logger.debug({ partition, offset, record }, "record older than the view's window");
    }
    return record.ts;
  }

  /** Commits the positions of the assigned partitions that moved since their last commit. */
  async function commitPositions(): Promise<void> {
    if (committing) return;
    const offsets = assigned.flatMap((partition) => {
      const position = positions.get(partition);
      return position === undefined || committed.get(partition) === position
        ? []
        : [{ topic, partition, offset: String(position) }];
    });
    if (offsets.length === 0) return;
    committing = true;
    try {
      await consumer.commitOffsets(offsets);
      for (const { partition, offset } of offsets) committed.set(partition, Number(offset));
    } finally {
      committing = false;
    }
  }

  /**
   * Never fails: without it the join only waits for the leftover member's session. Tried again
   * while the group's coordinator is moving (a broker just died), for at most one session.
   */
  async function takeOverGroup(
    takeOver: NonNullable<ViewConsumerOptions["takeOver"]>,
  ): Promise<void> {
    try {
      await retry(
        async () => {
          const { groups } = await admin.describeGroups([options.groupId]);
          const leftovers = groups.flatMap((group) => group.members.map((m) => m.memberId));
          if (leftovers.length === 0) return;
          const removed = await takeOver(options.groupId, leftovers);
          logger.info(
            { groupId: options.groupId, leftovers, removed },
            "removed the members a predecessor left in the group, so that the join need not wait for their session to expire",
          );
        },
        {
          initialMs: TAKE_OVER_RETRY_MS,
          maxMs: TAKE_OVER_RETRY_MS,
          deadline: Date.now() + options.sessionTimeoutMs,
          retriable: () => !stopping,
        },
      );
    } catch (error) {
      logger.warn(
        { err: error, groupId: options.groupId },
        "could not remove the members left in the group; the join waits for their session to expire",
      );
    }
  }

  async function refreshGauges(): Promise<void> {
    for (const [producer, size] of Object.entries(view.sizes())) {
      metrics.viewRecords.set({ producer }, size);
    }
    // A refresh held up by a broker outage must not pile up behind it.
    if (refreshing) return;
    refreshing = true;
    try {
      for (const { partition, low, high } of await admin.fetchTopicOffsets(topic)) {
        const position = positions.get(partition) ?? Number(low);
        metrics.lagRecords.set({ partition: String(partition) }, Number(high) - position);
      }
    } finally {
      refreshing = false;
    }
  }

  return {
    async start() {
      await admin.connect();
      await ensureTopic(admin, numbersTopicSpec(topic, options.partitions));
      const offsets = await admin.fetchTopicOffsets(topic);
      startOffsets = new Map(
        offsets.map(({ partition, low, high }) => [
          partition,
          { low: Number(low), high: Number(high) },
        ]),
      );
      logger.info(
        { topic, groupId: options.groupId, startOffsets: offsets },
        "rebuilding the view from Kafka up to the high watermarks seen now",
      );
      if (stopping) return;
      // Before joining: a join can wait for a hard-killed member's session to expire, and the lag
      // gauges are what shows that wait.
      refreshTimer = setInterval(() => {
        refreshGauges().catch((error: unknown) => {
          logger.warn({ err: error }, "could not refresh the lag gauges");
        });
      }, options.refreshMs ?? 2000);
      if (takeOver !== undefined) await takeOverGroup(takeOver);
      await consumer.connect();
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      commitTimer = setInterval(() => {
        commitPositions().catch((error: unknown) => {
          logger.warn({ err: error }, "could not commit the consumer's position; retrying");
        });
      }, COMMIT_INTERVAL_MS);
      await consumer.run({
        autoCommit: false,
        // Whole batches rather than eachMessage: kafkajs's per-message path (a resolved offset,
        // a seek check, a heartbeat check and their awaits for every record) was a large share of
        // a replay's CPU. The position is resolved here once a batch is handled.
        eachBatchAutoResolve: false,
        eachBatch: async (payload) => {
          const { batch } = payload;
          // A batch fetched before a join's seek is dropped: kafkajs fetches again from the seek.
          if (!payload.isRunning() || payload.isStale()) return;
          handleBatch(batch.partition, batch.messages);
          const last = batch.messages.at(-1);
          if (last !== undefined) payload.resolveOffset(last.offset);
          await payload.heartbeat();
        },
      });
    },

    async stop() {
      stopping = true;
      clearInterval(refreshTimer);
      clearInterval(commitTimer);
      // A graceful stop leaves no lag behind it in Kafka's view.
      await commitPositions().catch((error: unknown) => {
        logger.warn({ err: error }, "could not commit the consumer's last position");
      });
      try {
        await consumer.disconnect();
      } finally {
        await admin.disconnect();
      }
    },

    alive: () => !crashed,
    ready: () => ready,
  };
}
