import { z } from "zod";
import type { TopicSpec } from "./topics.ts";

/** DESIGN §1: the topic every producer writes and every consumer reads. */
export const NUMBERS_TOPIC = "blackout.numbers";

export function numbersTopicSpec(topic: string, partitions: number): TopicSpec {
  return {
    topic,
    partitions,
    replicationFactor: 3,
    configs: { "min.insync.replicas": "2", "unclean.leader.election.enable": "false" },
  };
}

/** A record's value: `{ "producer": "producer-0", "seq": 41, "ts": <ms epoch> }`, keyed by producer. */
export const numberRecordSchema = z.object({
  producer: z.string().min(1),
  seq: z.number().int().min(1),
  ts: z.number().int().nonnegative(),
});

export type NumberRecord = z.output<typeof numberRecordSchema>;

export function encodeRecord(record: NumberRecord): { key: string; value: string } {
  return { key: record.producer, value: JSON.stringify(record) };
}

/** The record in a Kafka message value, or undefined for anything that is not one (a poison record). */
export function decodeRecord(value: Buffer | null): NumberRecord | undefined {
  if (value === null) return undefined;
  try {
    const parsed = numberRecordSchema.safeParse(JSON.parse(value.toString("utf8")));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
