import type { KafkaJars } from "./kafkaJars.ts";
import { runKafkaTool } from "./kafkaTools.ts";
import { decodeRecord, type NumberRecord } from "./records.ts";

/** One partition of a read-back: its offsets when the read began, and how far it got. */
export interface PartitionReadBack {
  readonly partition: number;
  /** The log start offset. */
  readonly earliest: number;
  /** The end offset (high watermark) when the read-back began: it reads up to here. */
  readonly latest: number;
  /** The highest offset read; null when nothing was. */
  readonly readUpTo: number | null;
}

export interface TopicReadBack {
  readonly partitions: readonly PartitionReadBack[];
  readonly records: readonly NumberRecord[];
  /** Messages that are not a number record (poison): counted, not judged here. */
  readonly undecodable: number;
  /** Every partition was read up to the end offset it had when the read-back began. */
  readonly complete: boolean;
}

export interface ReadBackOptions {
  readonly jars: KafkaJars;
  readonly bootstrap: string;
  readonly topic: string;
  /** How long the console consumer waits for a next message before it gives up. */
  readonly idleTimeoutMs?: number;
}

/** `GetOffsetShell`'s `topic:partition:offset` lines, for one topic. */
export function parseOffsets(text: string, topic: string): Map<number, number> {
  const offsets = new Map<number, number>();
  for (const line of text.split("\n")) {
    const match = /^(.*):(\d+):(\d+)$/.exec(line.trim());
    if (match?.[1] === topic) offsets.set(Number(match[2]), Number(match[3]));
  }
  return offsets;
}

/**
 * The console consumer's output with `print.offset=true`: `Offset:<n>` and the value, separated
 * by a tab, one message a line; anything else it prints (warnings) is not a message.
 */
export function parseConsoleLines(text: string): { offset: number; value: string }[] {
  const messages: { offset: number; value: string }[] = [];
  for (const line of text.split("\n")) {
    const match = /^Offset:(\d+)\t(.*)$/.exec(line);
    if (match !== null) messages.push({ offset: Number(match[1]), value: match[2] ?? "" });
  }
  return messages;
}

/**
 * Every message of a topic up to its end offsets of now, read with Kafka's own tools: the offsets
 * with `GetOffsetShell`, then each partition with the console consumer assigned to it (no
 * consumer group, so none is left behind), from its log start for exactly the messages it holds.
 * What Kafka holds, judged apart from the lab's own consumers: the soak's and the failover tests'
 * check that nothing acknowledged was lost.
 */
export async function readBackTopic(options: ReadBackOptions): Promise<TopicReadBack> {
  const { jars, bootstrap, topic } = options;
  const offsetsAt = async (time: string) =>
    parseOffsets(
      await runKafkaTool(jars, "get-offsets", ["--topic", topic, "--time", time], bootstrap),
      topic,
    );
  const earliest = await offsetsAt("-2");
  const latest = await offsetsAt("-1");
  const partitions: PartitionReadBack[] = [];
  const records: NumberRecord[] = [];
  let undecodable = 0;
  for (const [partition, end] of [...latest].sort(([a], [b]) => a - b)) {
    const start = earliest.get(partition) ?? 0;
    let readUpTo: number | null = null;
    if (end > start) {
      const output = await runKafkaTool(
        jars,
        "console-consumer",
        [
          ...["--topic", topic, "--partition", String(partition)],
          ...["--offset", String(start), "--max-messages", String(end - start)],
          ...["--formatter-property", "print.offset=true"],
          ...["--timeout-ms", String(options.idleTimeoutMs ?? 30_000)],
        ],
        bootstrap,
      );
      for (const { offset, value } of parseConsoleLines(output)) {
        if (offset >= end) continue;
        readUpTo = Math.max(readUpTo ?? offset, offset);
        const record = decodeRecord(Buffer.from(value, "utf8"));
        if (record === undefined) undecodable++;
        else records.push(record);
      }
    }
    partitions.push({ partition, earliest: start, latest: end, readUpTo });
  }
  return {
    partitions,
    records,
    undecodable,
    complete: partitions.every((p) => p.latest <= p.earliest || p.readUpTo === p.latest - 1),
  };
}
