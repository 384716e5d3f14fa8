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

export const MAX_PRODUCER_ID_LENGTH = 64;

/**
 * What a producer id may be: what a client's cursor can carry (`cursor.ts`). A record under any
 * other id could be served, but every client's next poll would then send a cursor its consumer
 * refuses, so such a record is poison like one that is not JSON.
 */
export const PRODUCER_ID = new RegExp(`^[A-Za-z0-9._-]{1,${MAX_PRODUCER_ID_LENGTH}}$`);

/** A record's value: `{ "producer": "producer-0", "seq": 41, "ts": <ms epoch> }`, keyed by producer. */
export interface NumberRecord {
  /** Matches PRODUCER_ID. */
  producer: string;
  /** A safe integer from 1. */
  seq: number;
  /** A safe integer from 0: ms since the epoch. */
  ts: number;
}

export function encodeRecord(record: NumberRecord): { key: string; value: string } {
  return { key: record.producer, value: JSON.stringify(record) };
}

/**
 * The record in a Kafka message value, or undefined for anything that is not one (a poison record).
 * Checked by hand rather than with a zod schema: a consumer decodes every record of the topic when
 * it rebuilds its view, and zod's generic parse showed in the profile of that replay
 * (docs/benchmarks.md, "Replay"); the rules are the ones the schema had.
 */
export function decodeRecord(value: Buffer | null): NumberRecord | undefined {
  if (value === null) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value.toString("utf8"));
  } catch {
    return undefined;
  }
  if (typeof parsed !== "object" || parsed === null) return undefined;
  const { producer, seq, ts } = parsed as Partial<Record<keyof NumberRecord, unknown>>;
  if (typeof producer !== "string" || !PRODUCER_ID.test(producer)) return undefined;
  if (typeof seq !== "number" || !Number.isSafeInteger(seq) || seq < 1) return undefined;
  if (typeof ts !== "number" || !Number.isSafeInteger(ts) || ts < 0) return undefined;
  // A new object of the record's fields only: nothing else the message held is kept in the view.
  return { producer, seq, ts };
}
