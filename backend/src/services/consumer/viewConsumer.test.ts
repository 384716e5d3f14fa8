import type { Kafka, KafkaMessage } from "kafkajs";
import { describe, expect, it } from "vitest";
import { createLogger } from "../../lib/logger.ts";
import { createConsumerMetrics, type ConsumerMetrics } from "./consumerMetrics.ts";
import { createView, type View } from "./view.ts";
import { createViewConsumer, type ViewConsumer } from "./viewConsumer.ts";

// The Kafka side is covered against real brokers in test/integration/consumer.test.ts; this
// drives the seek, position and readiness logic through kafkajs's callbacks deterministically
// (`deliver` hands over a batch of one message).

const TOPIC = "test.numbers";

interface PartitionOffsets {
  partition: number;
  low: number;
  high: number;
}

type Handler = (event: { payload: unknown }) => void;
type EachBatch = (payload: {
  batch: { partition: number; messages: KafkaMessage[] };
  resolveOffset(offset: string): void;
  heartbeat(): Promise<void>;
  isRunning(): boolean;
  isStale(): boolean;
}) => Promise<void>;

/** A message as a test writes it: its offset, key and value. */
type Delivered = [offset: number, key: string | null, value: string | null];

interface FakeKafka {
  kafka: Kafka;
  seeks: { partition: number; offset: string }[];
  calls: string[];
  emit(event: "consumer.group_join" | "consumer.crash", payload: unknown): void;
  deliver(partition: number, offset: number, key: string | null, value: string | null): void;
  /** Hands kafkajs's batch to the consumer; returns the offsets it resolved. */
  deliverBatch(partition: number, messages: Delivered[], options?: { stale?: boolean }): string[];
}

function fakeKafka(offsets: PartitionOffsets[]): FakeKafka {
  const handlers = new Map<string, Handler>();
  const seeks: { partition: number; offset: string }[] = [];
  const calls: string[] = [];
  let eachBatch: EachBatch | undefined;
  const admin = {
    connect: () => Promise.resolve(),
    disconnect: () => {
      calls.push("admin.disconnect");
      return Promise.resolve();
    },
    listTopics: () => Promise.resolve([]),
    createTopics: () => Promise.resolve(false),
    fetchTopicMetadata: () =>
      Promise.resolve({
        topics: [
          {
            name: TOPIC,
            partitions: offsets.map(({ partition }) => ({
              partitionId: partition,
              leader: 1,
              isr: [1, 2, 3],
            })),
          },
        ],
      }),
    fetchTopicOffsets: () =>
      Promise.resolve(
        offsets.map(({ partition, low, high }) => ({
          partition,
          low: String(low),
          high: String(high),
          offset: String(high),
        })),
      ),
  };
  const consumer = {
    events: { GROUP_JOIN: "consumer.group_join", CRASH: "consumer.crash" },
    on: (event: string, handler: Handler) => handlers.set(event, handler),
    connect: () => Promise.resolve(),
    subscribe: () => Promise.resolve(),
    run: (config: { eachBatch: EachBatch }) => {
      eachBatch = config.eachBatch;
      return Promise.resolve();
    },
    seek: ({ partition, offset }: { topic: string; partition: number; offset: string }) => {
      seeks.push({ partition, offset });
    },
    disconnect: () => {
      calls.push("consumer.disconnect");
      return Promise.resolve();
    },
  };
  return {
    kafka: { admin: () => admin, consumer: () => consumer } as unknown as Kafka,
    seeks,
    calls,
    emit: (event, payload) => handlers.get(event)?.({ payload }),
    deliver(partition, offset, key, value) {
      this.deliverBatch(partition, [[offset, key, value]]);
    },
    deliverBatch(partition, delivered, options = {}) {
      const messages = delivered.map(
        ([offset, key, value]) =>
          ({
            offset: String(offset),
            key: key === null ? null : Buffer.from(key),
            value: value === null ? null : Buffer.from(value),
          }) as KafkaMessage,
      );
      const resolved: string[] = [];
      // The batch is handled before eachBatch's first await, as kafkajs sees it.
      void eachBatch?.({
        batch: { partition, messages },
        resolveOffset: (offset) => resolved.push(offset),
        heartbeat: () => Promise.resolve(),
        isRunning: () => true,
        isStale: () => options.stale === true,
      });
      return resolved;
    },
  };
}

interface Setup {
  fake: FakeKafka;
  view: View;
  metrics: ConsumerMetrics;
  viewConsumer: ViewConsumer;
  fatal: { reason: string; error: unknown }[];
}

async function started(offsets: PartitionOffsets[]): Promise<Setup> {
  const fake = fakeKafka(offsets);
  const view = createView({ window: 1000 });
  const metrics = createConsumerMetrics();
  const fatal: { reason: string; error: unknown }[] = [];
  const viewConsumer = createViewConsumer({
    kafka: fake.kafka,
    topic: TOPIC,
    partitions: offsets.length,
    groupId: "blackout-view-test",
    sessionTimeoutMs: 30_000,
    view,
    metrics,
    logger: createLogger({ name: "test", level: "silent" }),
    onFatal: (reason, error) => fatal.push({ reason, error }),
    refreshMs: 60_000,
  });
  await viewConsumer.start();
  return { fake, view, metrics, viewConsumer, fatal };
}

function join(fake: FakeKafka, partitions: number[]): void {
  fake.emit("consumer.group_join", { memberAssignment: { [TOPIC]: partitions } });
}

function record(producer: string, seq: number): string {
  return JSON.stringify({ producer, seq, ts: 1000 + seq });
}

async function total(
  counter:
    | ConsumerMetrics["recordsConsumed"]
    | ConsumerMetrics["badRecords"]
    | ConsumerMetrics["heldOutRecords"],
): Promise<number> {
  return (await counter.get()).values.reduce((sum, v) => sum + v.value, 0);
}

describe("createViewConsumer", () => {
  it("reads a partition from its earliest offset the first time it is assigned", async () => {
    const { fake, viewConsumer } = await started([
      { partition: 0, low: 5, high: 8 },
      { partition: 1, low: 0, high: 0 },
    ]);
    join(fake, [0, 1]);
    expect(fake.seeks).toEqual([
      { partition: 0, offset: "5" },
      { partition: 1, offset: "0" },
    ]);
    expect(viewConsumer.ready()).toBe(false);
    await viewConsumer.stop();
    expect(fake.calls).toEqual(["consumer.disconnect", "admin.disconnect"]);
  });

  it("is ready once every partition reached its start high watermark, empty ones at once", async () => {
    const { fake, view, metrics, viewConsumer } = await started([
      { partition: 0, low: 0, high: 3 },
      { partition: 1, low: 0, high: 0 },
      { partition: 2, low: 10, high: 12 },
    ]);
    join(fake, [0, 1, 2]);
    for (let offset = 0; offset < 3; offset += 1) {
      fake.deliver(0, offset, "producer-0", record("producer-0", offset + 1));
    }
    fake.deliver(2, 10, "producer-1", record("producer-1", 1));
    expect(viewConsumer.ready()).toBe(false);
    expect((await metrics.ready.get()).values[0]?.value).toBe(0);
    fake.deliver(2, 11, "producer-1", record("producer-1", 2));
    expect(viewConsumer.ready()).toBe(true);
    expect((await metrics.ready.get()).values[0]?.value).toBe(1);
    expect(view.heads()).toEqual({ "producer-0": 3, "producer-1": 2 });
  });

  it("is not ready while a partition has never been assigned to it, even an empty one", async () => {
    const { fake, viewConsumer } = await started([
      { partition: 0, low: 0, high: 1 },
      { partition: 1, low: 0, high: 0 },
    ]);
    join(fake, [0]);
    fake.deliver(0, 0, "producer-0", record("producer-0", 1));
    expect(viewConsumer.ready()).toBe(false);
    join(fake, [0, 1]);
    expect(viewConsumer.ready()).toBe(true);
  });

  it("resumes at its own position on a later assignment and ignores records delivered again", async () => {
    const { fake, view, metrics } = await started([
      { partition: 0, low: 0, high: 0 },
      { partition: 1, low: 0, high: 0 },
    ]);
    join(fake, [0, 1]);
    for (let offset = 0; offset < 4; offset += 1) {
      fake.deliver(0, offset, "producer-0", record("producer-0", offset + 1));
    }
    fake.seeks.length = 0;
    join(fake, [0, 1]);
    expect(fake.seeks).toEqual([
      { partition: 0, offset: "4" },
      { partition: 1, offset: "0" },
    ]);
    fake.deliver(0, 2, "producer-0", record("producer-0", 3));
    fake.deliver(0, 3, "producer-0", record("producer-0", 4));
    expect(await total(metrics.recordsConsumed)).toBe(4);
    expect(await total(metrics.duplicateRecords)).toBe(0);
    // A real duplicate in Kafka is a new offset with a number already held.
    fake.deliver(0, 4, "producer-0", record("producer-0", 2));
    expect(await total(metrics.duplicateRecords)).toBe(1);
    expect(view.sizes()).toEqual({ "producer-0": 4 });
  });

  it("counts and skips poison records, which still move its position on", async () => {
    const { fake, view, metrics, viewConsumer } = await started([
      { partition: 0, low: 0, high: 5 },
    ]);
    join(fake, [0]);
    fake.deliver(0, 0, "producer-0", record("producer-0", 1));
    fake.deliver(0, 1, "producer-0", "not json");
    fake.deliver(0, 2, "producer-0", JSON.stringify({ producer: "producer-0", seq: -1, ts: 1 }));
    fake.deliver(0, 3, null, null);
    fake.deliver(0, 4, "producer-1", record("producer-0", 2));
    expect(viewConsumer.ready()).toBe(true);
    expect(viewConsumer.alive()).toBe(true);
    expect((await metrics.badRecords.get()).values).toEqual([
      { value: 4, labels: { partition: "0" } },
    ]);
    expect(view.heads()).toEqual({ "producer-0": 1 });
  });

  it("counts a producer id no cursor could carry as a bad record, not as a producer", async () => {
    const { fake, view, metrics } = await started([{ partition: 0, low: 0, high: 0 }]);
    join(fake, [0]);
    for (const [offset, producer] of ["bad producer", "x".repeat(65), "prödücer"].entries()) {
      fake.deliver(0, offset, producer, record(producer, 1));
    }
    expect(view.heads()).toEqual({});
    expect(await total(metrics.badRecords)).toBe(3);
  });

  it("holds out records no producer could have written, counts them by reason, and serves the real ones", async () => {
    const { fake, view, metrics, viewConsumer } = await started([
      { partition: 0, low: 0, high: 0 },
      { partition: 1, low: 40, high: 50 },
    ]);
    join(fake, [0, 1]);
    fake.deliverBatch(0, [
      [0, "producer-0", record("producer-0", 1)],
      [1, "producer-0", record("producer-0", 1 + 1_000_000_000)],
      [
        2,
        "producer-0",
        JSON.stringify({ producer: "producer-0", seq: Number.MAX_SAFE_INTEGER, ts: 1 }),
      ],
      [3, "producer-7", record("producer-7", 1_000_000_000)],
      [4, "producer-0", record("producer-0", 2)],
    ]);
    // Retention took the start of partition 1: its producers may start anywhere.
    fake.deliver(1, 40, "producer-1", record("producer-1", 5_000_000));
    expect(view.heads()).toEqual({ "producer-0": 2, "producer-1": 5_000_000 });
    expect(viewConsumer.alive()).toBe(true);
    expect((await metrics.heldOutRecords.get()).values).toEqual([
      { value: 2, labels: { reason: "far-ahead" } },
      { value: 1, labels: { reason: "unknown-producer" } },
    ]);
    // Neither a metric label nor a count for records that were not served.
    expect((await metrics.recordsConsumed.get()).values).toEqual([
      { value: 2, labels: { producer: "producer-0" } },
      { value: 1, labels: { producer: "producer-1" } },
    ]);
    expect(await total(metrics.badRecords)).toBe(0);
  });

  it("handles a batch of several producers and resolves its last offset", async () => {
    const { fake, view, metrics, viewConsumer } = await started([
      { partition: 0, low: 0, high: 4 },
    ]);
    join(fake, [0]);
    const resolved = fake.deliverBatch(0, [
      [0, "producer-0", record("producer-0", 1)],
      [1, "producer-1", record("producer-1", 1)],
      [2, "producer-0", "not json"],
      [3, "producer-0", record("producer-0", 2)],
    ]);
    expect(resolved).toEqual(["3"]);
    expect(viewConsumer.ready()).toBe(true);
    expect(view.heads()).toEqual({ "producer-0": 2, "producer-1": 1 });
    expect((await metrics.recordsConsumed.get()).values).toEqual([
      { value: 2, labels: { producer: "producer-0" } },
      { value: 1, labels: { producer: "producer-1" } },
    ]);
    expect(await total(metrics.badRecords)).toBe(1);
    // The lag is the last record's: its ts is 1002 ms after the epoch.
    const lag = (await metrics.lagSeconds.get()).values[0]?.value ?? 0;
    expect(lag).toBeCloseTo((Date.now() - 1002) / 1000, 0);
  });

  it("drops a batch fetched before a seek and resolves nothing from it", async () => {
    const { fake, view, metrics } = await started([{ partition: 0, low: 0, high: 2 }]);
    join(fake, [0]);
    const resolved = fake.deliverBatch(0, [[0, "producer-0", record("producer-0", 1)]], {
      stale: true,
    });
    expect(resolved).toEqual([]);
    expect(view.heads()).toEqual({});
    expect(await total(metrics.recordsConsumed)).toBe(0);
    // The fetch from the seek delivers it again, and then it counts.
    fake.deliver(0, 0, "producer-0", record("producer-0", 1));
    expect(view.heads()).toEqual({ "producer-0": 1 });
  });

  it("stays alive through a crash kafkajs restarts from, and fails on one it does not", async () => {
    const { fake, viewConsumer, fatal } = await started([{ partition: 0, low: 0, high: 0 }]);
    const error = new Error("coordinator gone");
    fake.emit("consumer.crash", { error, groupId: "g", restart: true });
    expect(viewConsumer.alive()).toBe(true);
    expect(fatal).toEqual([]);
    fake.emit("consumer.crash", { error, groupId: "g", restart: false });
    expect(viewConsumer.alive()).toBe(false);
    expect(fatal).toEqual([{ reason: "the Kafka consumer crashed and will not restart", error }]);
  });
});
