import { z } from "zod";

const brokerNodeSchema = z.object({ nodeId: z.number(), host: z.string(), port: z.number() });
export type BrokerNode = z.infer<typeof brokerNodeSchema>;

const partitionStateSchema = z.object({
  partition: z.number(),
  /** -1 while the partition has no leader. */
  leader: z.number(),
  replicas: z.array(z.number()),
  isr: z.array(z.number()),
  offlineReplicas: z.array(z.number()),
});
export type PartitionState = z.infer<typeof partitionStateSchema>;

const partitionLagSchema = z.object({
  partition: z.number(),
  /** Null when the group has committed nothing on the partition. */
  committed: z.number().nullable(),
  /** The high watermark: what a consumer can read up to. */
  end: z.number().nullable(),
  /**
   * end − committed, null without a commit: like `kafka-consumer-groups --describe`, which shows
   * "-" there rather than guessing where the group would start reading.
   */
  lag: z.number().nullable(),
});
export type PartitionLag = z.infer<typeof partitionLagSchema>;

const groupLagSchema = z.object({
  group: z.string(),
  /** Kafka's group state (Stable, Empty, PreparingRebalance, …), "Unknown" if it could not be read. */
  state: z.string(),
  members: z.number(),
  /** Sum of the partitions' known lags; null when none is known. */
  lag: z.number().nullable(),
  partitions: z.array(partitionLagSchema),
  /** Why this group could not be read (its coordinator may be the broker that is down). */
  error: z.string().optional(),
});
export type GroupLag = z.infer<typeof groupLagSchema>;

export const SNAPSHOT_PARTS = ["brokers", "controller", "partitions", "groups"] as const;
export type SnapshotPart = (typeof SNAPSHOT_PARTS)[number];

/** Kafka's own view of the lab, read with the admin API (`kafka/kafkaAdminView.ts`). */
export const kafkaSnapshotSchema = z.object({
  /** When the snapshot was started, ms since the epoch. */
  at: z.number(),
  topic: z.string(),
  /** Brokers in the metadata: registered and not fenced. A killed broker stays ~9 s (session). */
  brokers: z.array(brokerNodeSchema),
  /** The active KRaft controller, null if the quorum could not be asked. */
  controller: z.number().nullable(),
  partitions: z.array(partitionStateSchema),
  /** Partitions each broker leads; every broker in `brokers` has an entry, maybe empty. */
  leads: z.record(z.string(), z.array(z.number())),
  groups: z.array(groupLagSchema),
  /** The parts that failed and why; a failed part leaves its field empty (or partly filled). */
  errors: z.partialRecord(z.enum(SNAPSHOT_PARTS), z.string()),
});
export type KafkaSnapshot = z.infer<typeof kafkaSnapshotSchema>;

/**
 * One point of Kafka's side for the dashboard's charts, per view consumer (its group without the
 * prefix): lag and committed position in records, and the topic's end offset (all partitions'
 * high watermarks added up). A value Kafka's view could not give is null, a gap in the chart.
 */
export const kafkaSampleSchema = z.object({
  at: z.number(),
  lag: z.record(z.string(), z.number().nullable()),
  committed: z.record(z.string(), z.number().nullable()),
  endOffset: z.number().nullable(),
});
export type KafkaSample = z.infer<typeof kafkaSampleSchema>;
