import { Kafka, logLevel } from "kafkajs";
import { decodeRecord, type NumberRecord } from "../../src/kafka/records.ts";
import { waitFor } from "../../src/lib/waitFor.ts";
import { uniqueName } from "./testCluster.ts";

/** Every record in a topic, read back from the beginning up to the high watermarks of now. */
export async function readTopic(brokers: string[], topic: string): Promise<NumberRecord[]> {
  const kafka = new Kafka({ clientId: "read-back", brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const ends = await admin.fetchTopicOffsets(topic);
  await admin.disconnect();
  const remaining = new Map(
    ends.filter((o) => Number(o.high) > Number(o.low)).map((o) => [o.partition, Number(o.high)]),
  );
  const records: NumberRecord[] = [];
  if (remaining.size === 0) return records;
  const consumer = kafka.consumer({ groupId: uniqueName("read-back") });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ partition, message }) => {
      const record = decodeRecord(message.value);
      if (record) records.push(record);
      if (Number(message.offset) + 1 >= (remaining.get(partition) ?? 0))
        remaining.delete(partition);
      return Promise.resolve();
    },
  });
  try {
    await waitFor(() => remaining.size === 0, {
      what: `${topic} read to its end`,
      timeoutMs: 120_000,
    });
  } finally {
    await consumer.disconnect();
  }
  return records;
}

/** Per producer: how often each number appears. */
export function countByProducer(records: NumberRecord[]): Map<string, Map<number, number>> {
  const counts = new Map<string, Map<number, number>>();
  for (const { producer, seq } of records) {
    const seqs = counts.get(producer) ?? new Map<number, number>();
    seqs.set(seq, (seqs.get(seq) ?? 0) + 1);
    counts.set(producer, seqs);
  }
  return counts;
}

/** Numbers from 1 to the highest that never appear. */
export function missingNumbers(seqs: Map<number, number>): number[] {
  const highest = Math.max(0, ...seqs.keys());
  const missing: number[] = [];
  for (let seq = 1; seq <= highest; seq++) if (!seqs.has(seq)) missing.push(seq);
  return missing;
}
