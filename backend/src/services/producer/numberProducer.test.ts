import type { Kafka } from "kafkajs";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { waitFor } from "../../lib/waitFor.ts";
import { createNumberProducer, type NumberProducer } from "./numberProducer.ts";
import type { OwnRecordsReader } from "./ownRecordsReader.ts";

interface SentBatch {
  producer: number;
  seqs: number[];
}

/**
 * A kafkajs stand-in whose producers record what they were asked to send; `failOn` makes one
 * producer's n-th send fail the way kafkajs's idempotent producer does after a broker restart.
 */
function fakeKafka(failOn: { producer: number; send: number; error: Error }) {
  const sent: SentBatch[] = [];
  const failed: number[] = [];
  let producers = 0;
  const kafka = {
    producer: () => {
      const id = ++producers;
      let sends = 0;
      return {
        connect: () => Promise.resolve(),
        disconnect: () => Promise.resolve(),
        send: ({ messages }: { messages: { value: string }[] }) => {
          sends += 1;
          const seqs = messages.map((m) => (JSON.parse(m.value) as { seq: number }).seq);
          if (id === failOn.producer && sends === failOn.send) {
            failed.push(...seqs);
            return Promise.reject(failOn.error);
          }
          sent.push({ producer: id, seqs });
          return Promise.resolve([{ errorCode: 0 }]);
        },
      };
    },
  } as unknown as Kafka;
  return { kafka, sent, failed, producers: () => producers };
}

function fakeReader(lastSeq: number, inKafkaAfterFailure: () => number): OwnRecordsReader {
  return {
    start: () => Promise.resolve(),
    lastSeq: () => lastSeq,
    catchUp: () => Promise.resolve(inKafkaAfterFailure()),
    stop: () => Promise.resolve(),
  };
}

function outOfOrderSequence(): Error {
  const error = new Error("The broker received an out of order sequence number");
  error.name = "KafkaJSProtocolError";
  return error;
}

/** Starts a producer at 200/s and resolves once its replacement (after the failure) has sent. */
async function runUntilReplaced(
  fake: ReturnType<typeof fakeKafka>,
  reader: OwnRecordsReader,
  onSendFailure: (reason: string) => void = () => undefined,
): Promise<NumberProducer> {
  const producer = createNumberProducer({
    kafka: fake.kafka,
    reader,
    topic: "t",
    partition: 0,
    producerId: "producer-0",
    ratePerSecond: 200,
    logger: pino({ level: "silent" }),
    onAcknowledged: () => undefined,
    onSendFailure,
    onGiveUp: (error) => {
      throw error;
    },
  });
  await producer.start();
  await waitFor(() => fake.sent.some((b) => b.producer === 2), {
    what: "the replacement producer to send",
    timeoutMs: 5000,
    intervalMs: 5,
  });
  return producer;
}

describe("createNumberProducer", () => {
  it("continues after the last number Kafka holds, and after kafkajs#598 resends from Kafka's truth", async () => {
    const fake = fakeKafka({ producer: 1, send: 3, error: outOfOrderSequence() });
    const failures: string[] = [];
    // The failed send did reach Kafka after all: the read-back finds its numbers there.
    const producer = await runUntilReplaced(
      fake,
      fakeReader(40, () => Math.max(...fake.failed)),
      (reason) => failures.push(reason),
    );
    await producer.pause();
    await producer.stop();

    expect(fake.producers()).toBe(2);
    expect(failures).toEqual(["KafkaJSProtocolError"]);
    const seqs = fake.sent.flatMap((b) => b.seqs);
    expect(seqs[0]).toBe(41);
    const lastOfFirst = Math.max(
      ...fake.sent.filter((b) => b.producer === 1).flatMap((b) => b.seqs),
    );
    const firstOfSecond = Math.min(
      ...fake.sent.filter((b) => b.producer === 2).flatMap((b) => b.seqs),
    );
    // The failed send's numbers are in Kafka: neither skipped nor sent again.
    expect(fake.failed[0]).toBe(lastOfFirst + 1);
    expect(firstOfSecond).toBe(Math.max(...fake.failed) + 1);
    expect(producer.state().lastAcknowledged).toBe(Math.max(...seqs));
    // Within one producer, numbers follow each other without a hole.
    for (const id of [1, 2]) {
      const own = fake.sent.filter((b) => b.producer === id).flatMap((b) => b.seqs);
      expect(own).toEqual(own.map((_, i) => (own[0] ?? 0) + i));
    }
  });

  it("resends the numbers of a failed send that never reached Kafka", async () => {
    const fake = fakeKafka({ producer: 1, send: 2, error: outOfOrderSequence() });
    const producer = await runUntilReplaced(
      fake,
      fakeReader(0, () => Math.max(0, ...fake.sent.flatMap((b) => b.seqs))),
    );
    await producer.stop();
    const seqs = fake.sent.flatMap((b) => b.seqs);
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
  });

  it("with a linger, sends what became due meanwhile in one request, at most one a linger", async () => {
    const sendsIn = async (lingerMs: number) => {
      const fake = fakeKafka({ producer: 0, send: 0, error: new Error("never") });
      const producer = createNumberProducer({
        kafka: fake.kafka,
        reader: fakeReader(0, () => 0),
        topic: "t",
        partition: 0,
        producerId: "producer-0",
        ratePerSecond: 2000,
        lingerMs,
        logger: pino({ level: "silent" }),
        onAcknowledged: () => undefined,
        onSendFailure: () => undefined,
        onGiveUp: (error) => {
          throw error;
        },
      });
      await producer.start();
      await new Promise((done) => setTimeout(done, 500));
      await producer.pause();
      await producer.stop();
      const seqs = fake.sent.flatMap((b) => b.seqs);
      // Nothing skipped or repeated, whatever the batching.
      expect(seqs).toEqual(seqs.map((_, i) => i + 1));
      return { sends: fake.sent.length, records: seqs.length };
    };
    const lingering = await sendsIn(100);
    // 500 ms at one send per 100 ms: the first at once, then about four more.
    expect(lingering.sends).toBeGreaterThanOrEqual(3);
    expect(lingering.sends).toBeLessThanOrEqual(7);
    expect(lingering.records).toBeGreaterThan(500);
    const eager = await sendsIn(0);
    expect(eager.sends).toBeGreaterThan(3 * lingering.sends);
  });
});
