import { setTimeout as sleep } from "node:timers/promises";
import { Kafka, logLevel, type Admin, type Message, type Producer } from "kafkajs";
import type { Counter } from "prom-client";
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from "vitest";
import { createKafkaClient } from "../../src/kafka/kafkaClient.ts";
import { encodeRecord, numbersTopicSpec, type NumberRecord } from "../../src/kafka/records.ts";
import { ensureTopic } from "../../src/kafka/topics.ts";
import { listen, type RunningServer } from "../../src/lib/httpApp.ts";
import { createLogger } from "../../src/lib/logger.ts";
import { waitFor } from "../../src/lib/waitFor.ts";
import { createConsumerApp } from "../../src/services/consumer/consumerApp.ts";
import {
  createConsumerMetrics,
  type ConsumerMetrics,
} from "../../src/services/consumer/consumerMetrics.ts";
import { createView, type View } from "../../src/services/consumer/view.ts";
import { createViewConsumer, type ViewConsumer } from "../../src/services/consumer/viewConsumer.ts";
import { uniqueName } from "../support/testCluster.ts";

const brokers = inject("kafkaBrokers");
const kafka = new Kafka({ clientId: "consumer-test", brokers, logLevel: logLevel.NOTHING });
// Silent: the poison test makes the consumer warn on purpose; assertions say what went wrong.
const logger = createLogger({ name: "consumer-test", level: "silent" });
const PARTITIONS = 6;
const WAIT_MS = 90_000;
let admin: Admin;
let producer: Producer;

interface RunningConsumer {
  id: string;
  groupId: string;
  view: View;
  viewConsumer: ViewConsumer;
  metrics: ConsumerMetrics;
  url: string;
  /** Failures kafkajs could not recover from (the process would exit); must stay empty. */
  fatal: unknown[];
}

const running: { viewConsumer: ViewConsumer; server: RunningServer }[] = [];

beforeAll(async () => {
  admin = kafka.admin();
  await admin.connect();
  producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
});
afterEach(async () => {
  for (const { viewConsumer, server } of running.splice(0)) {
    await server.close();
    await viewConsumer.stop();
  }
});
afterAll(async () => {
  await producer.disconnect();
  await admin.disconnect();
});

async function createTopic(): Promise<string> {
  const topic = uniqueName("numbers");
  await ensureTopic(admin, numbersTopicSpec(topic, PARTITIONS));
  return topic;
}

/** A consumer wired as main.ts wires it, on port 0, not yet started. */
async function createConsumer(
  topic: string,
  options: { maxRecordsPerAnswer?: number } = {},
): Promise<RunningConsumer> {
  const id = uniqueName("consumer");
  const groupId = `blackout-view-${id}`;
  const metrics = createConsumerMetrics();
  const view = createView({ window: 100_000 });
  const fatal: unknown[] = [];
  const viewConsumer = createViewConsumer({
    kafka: createKafkaClient({ clientId: id, brokers, logger }),
    topic,
    partitions: PARTITIONS,
    groupId,
    sessionTimeoutMs: 10_000,
    view,
    metrics,
    logger,
    onFatal: (_reason, error) => fatal.push(error),
    refreshMs: 250,
  });
  const app = createConsumerApp({
    consumerId: id,
    view,
    probes: { alive: () => viewConsumer.alive(), ready: () => viewConsumer.ready() },
    metrics,
    logger,
    maxRecordsPerAnswer: options.maxRecordsPerAnswer ?? 1000,
  });
  const server = await listen(app, "127.0.0.1", 0);
  running.push({ viewConsumer, server });
  return { id, groupId, view, viewConsumer, metrics, url: server.url, fatal };
}

function numbers(producerId: string, from: number, to: number, ts = Date.now()): Message[] {
  const messages: Message[] = [];
  for (let seq = from; seq <= to; seq += 1) {
    messages.push(encodeRecord({ producer: producerId, seq, ts }));
  }
  return messages;
}

async function send(topic: string, messages: Message[]): Promise<void> {
  await producer.send({ topic, acks: -1, messages });
}

function allRecords(view: View): NumberRecord[] {
  return view.after(new Map(), Number.MAX_SAFE_INTEGER).records;
}

function seqsOf(view: View, producerId: string): number[] {
  return allRecords(view)
    .filter((r) => r.producer === producerId)
    .map((r) => r.seq);
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

async function total(counter: Counter, labels: Record<string, string> = {}): Promise<number> {
  const { values } = await counter.get();
  return values
    .filter((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l))
    .reduce((sum, v) => sum + v.value, 0);
}

async function getJson(url: string): Promise<{ status: number; body: unknown }> {
  const response = await fetch(url);
  return { status: response.status, body: await response.json() };
}

/** Waits until a group has committed every partition up to `highs` (empty ones need nothing). */
async function waitCommitted(
  groupId: string,
  topic: string,
  highs: Map<number, number>,
  what: string,
): Promise<void> {
  await waitFor(
    async () => {
      const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
      return committed?.partitions.every(
        (p) => Number(p.offset) === highs.get(p.partition) || highs.get(p.partition) === 0,
      );
    },
    { what, timeoutMs: WAIT_MS },
  );
}

async function highWatermarks(topic: string): Promise<Map<number, number>> {
  const offsets = await admin.fetchTopicOffsets(topic);
  return new Map(offsets.map((o) => [o.partition, Number(o.high)]));
}

describe("the consumer against the real cluster", () => {
  it("rebuilds its view from the earliest offsets and is ready only once it reached the start high watermarks", async () => {
    const topic = await createTopic();
    for (const p of ["producer-0", "producer-1", "producer-2"]) {
      await send(topic, numbers(p, 1, 200));
    }
    const consumer = await createConsumer(topic);
    // A previous instance of the group committed everything: the view is in memory, so the new
    // one must read from the earliest offsets all the same.
    const highs = await highWatermarks(topic);
    await admin.setOffsets({
      groupId: consumer.groupId,
      topic,
      partitions: [...highs].map(([partition, high]) => ({ partition, offset: String(high) })),
    });

    expect(await getJson(`${consumer.url}/readyz`)).toEqual({
      status: 503,
      body: { ready: false },
    });
    await consumer.viewConsumer.start();
    // The group is joined, no record is processed yet.
    expect(consumer.viewConsumer.ready()).toBe(false);

    // The view as it is at the moment readiness is first seen, in the same tick.
    const viewWhenReady = await waitFor(
      () => consumer.viewConsumer.ready() && allRecords(consumer.view),
      { what: "the consumer to be ready", timeoutMs: WAIT_MS, intervalMs: 5 },
    );
    expect(viewWhenReady).toHaveLength(600);
    for (const p of ["producer-0", "producer-1", "producer-2"]) {
      expect(seqsOf(consumer.view, p)).toEqual(range(1, 200));
    }
    expect(await getJson(`${consumer.url}/readyz`)).toEqual({
      status: 200,
      body: { ready: true },
    });
    expect(await total(consumer.metrics.recordsConsumed)).toBe(600);
    expect(await total(consumer.metrics.duplicateRecords)).toBe(0);
    const metricsText = await (await fetch(`${consumer.url}/metrics`)).text();
    expect(metricsText).toContain("blackout_consumer_ready 1");

    // It commits what it read, so Kafka (and its exporters) see no lag; its own gauge agrees.
    await waitCommitted(consumer.groupId, topic, highs, "the group's offsets to reach the ends");
    await waitFor(
      async () => {
        const { values } = await consumer.metrics.lagRecords.get();
        return values.length === PARTITIONS && values.every((v) => v.value === 0);
      },
      { what: "lag_records to be 0 on every partition", timeoutMs: WAIT_MS },
    );
    expect(consumer.fatal).toEqual([]);
  });

  it("counts and skips poison records and stays ready, reading on", async () => {
    const topic = await createTopic();
    await send(topic, numbers("producer-0", 1, 5));
    await send(topic, [{ key: "producer-0", value: "not json" }]);
    await send(topic, numbers("producer-0", 6, 10));
    const consumer = await createConsumer(topic);
    await consumer.viewConsumer.start();
    await waitFor(() => consumer.viewConsumer.ready(), {
      what: "the consumer to be ready",
      timeoutMs: WAIT_MS,
    });
    expect(seqsOf(consumer.view, "producer-0")).toEqual(range(1, 10));
    expect(await total(consumer.metrics.badRecords)).toBe(1);

    await send(topic, [
      { key: "producer-0", value: "not json" },
      { key: "producer-0", value: JSON.stringify({ producer: "producer-0", seq: 0, ts: 1 }) },
      { key: "producer-0", value: JSON.stringify({ producer: "producer-0", seq: "11" }) },
      { key: "producer-0", value: null },
      // Well formed, but under another producer's key.
      { key: "producer-1", value: JSON.stringify({ producer: "producer-0", seq: 11, ts: 1 }) },
    ]);
    await send(topic, numbers("producer-0", 11, 15));
    await waitFor(
      async () =>
        seqsOf(consumer.view, "producer-0").length === 15 &&
        (await total(consumer.metrics.badRecords)) === 6,
      { what: "the records after the poison and 6 bad records counted", timeoutMs: WAIT_MS },
    );
    expect(seqsOf(consumer.view, "producer-0")).toEqual(range(1, 15));
    expect(allRecords(consumer.view).every((r) => r.ts !== 1)).toBe(true);
    expect(consumer.viewConsumer.ready()).toBe(true);
    expect(consumer.viewConsumer.alive()).toBe(true);
    expect(await getJson(`${consumer.url}/healthz`)).toEqual({
      status: 200,
      body: { alive: true },
    });
    const metricsText = await (await fetch(`${consumer.url}/metrics`)).text();
    expect(metricsText).toMatch(/blackout_consumer_bad_records_total\{partition="\d+"\} \d/);
    expect(consumer.fatal).toEqual([]);
  });

  it("holds a record Kafka has twice once, and counts the duplicate", async () => {
    const topic = await createTopic();
    await send(topic, numbers("producer-0", 1, 10));
    await send(topic, numbers("producer-0", 5, 5, 123));
    const consumer = await createConsumer(topic);
    await consumer.viewConsumer.start();
    await waitFor(() => consumer.viewConsumer.ready(), {
      what: "the consumer to be ready",
      timeoutMs: WAIT_MS,
    });
    // Live, after the rebuild: a resend of an older number and of the newest.
    await send(topic, numbers("producer-0", 7, 7, 456));
    await send(topic, numbers("producer-0", 11, 11));
    await send(topic, numbers("producer-0", 11, 11, 789));
    await waitFor(async () => (await total(consumer.metrics.recordsConsumed)) === 14, {
      what: "14 records consumed",
      timeoutMs: WAIT_MS,
    });
    expect(seqsOf(consumer.view, "producer-0")).toEqual(range(1, 11));
    expect(allRecords(consumer.view).map((r) => r.ts)).not.toContain(123);
    expect(await total(consumer.metrics.duplicateRecords, { producer: "producer-0" })).toBe(3);
    const metricsText = await (await fetch(`${consumer.url}/metrics`)).text();
    expect(metricsText).toContain(
      'blackout_consumer_duplicate_records_total{producer="producer-0"} 3',
    );
  });

  it("builds, in a consumer started later while records flow, the same view as the first one", async () => {
    const topic = await createTopic();
    const producers = ["producer-0", "producer-1", "producer-2"];
    for (const p of producers) await send(topic, numbers(p, 1, 300));
    const first = await createConsumer(topic);
    await first.viewConsumer.start();
    await waitFor(() => first.viewConsumer.ready(), {
      what: "the first consumer to be ready",
      timeoutMs: WAIT_MS,
    });

    let last = 300;
    let flowing = true;
    const flow = (async () => {
      while (flowing) {
        last += 1;
        await send(
          topic,
          producers.flatMap((p) => numbers(p, last, last)),
        );
        await sleep(20);
      }
    })();
    let second: RunningConsumer;
    try {
      await waitFor(() => seqsOf(first.view, "producer-0").length > 330, {
        what: "the first consumer to see records flowing",
        timeoutMs: WAIT_MS,
      });
      second = await createConsumer(topic);
      const atStart = [...(await highWatermarks(topic)).values()].reduce((a, b) => a + b, 0);
      await second.viewConsumer.start();
      expect(second.viewConsumer.ready()).toBe(false);
      const consumer = second;
      const heldWhenReady = await waitFor(
        () => consumer.viewConsumer.ready() && allRecords(consumer.view).length,
        { what: "the second consumer to be ready", timeoutMs: WAIT_MS, intervalMs: 5 },
      );
      // Everything Kafka held before it started was in its view by the time it said ready.
      expect(heldWhenReady).toBeGreaterThanOrEqual(atStart);
      await waitFor(() => seqsOf(second.view, "producer-0").length > heldWhenReady / 3 + 20, {
        what: "the second consumer to keep up with the flow",
        timeoutMs: WAIT_MS,
      });
    } finally {
      flowing = false;
      await flow;
    }

    await waitFor(
      () => [first, second].every((c) => producers.every((p) => c.view.heads()[p] === last)),
      { what: `both views to reach ${last}`, timeoutMs: WAIT_MS },
    );
    for (const p of producers) expect(seqsOf(second.view, p)).toEqual(range(1, last));
    expect(allRecords(second.view)).toEqual(allRecords(first.view));
    expect(second.view.heads()).toEqual(first.view.heads());
    expect([...first.fatal, ...second.fatal]).toEqual([]);
  });

  it("is not ready while another member of its group holds partitions, and reads those from the earliest offset once they are its own", async () => {
    const topic = await createTopic();
    const producers = range(0, 5).map((i) => `producer-${i}`);
    for (const p of producers) await send(topic, numbers(p, 1, 50));
    const consumer = await createConsumer(topic);
    const highs = await highWatermarks(topic);

    // A predecessor that is still in the group (as a hard-killed one is until its session
    // expires) and that has read and committed everything.
    const predecessor = kafka.consumer({ groupId: consumer.groupId });
    await predecessor.connect();
    try {
      await predecessor.subscribe({ topics: [topic], fromBeginning: true });
      await predecessor.run({ eachMessage: () => Promise.resolve() });
      await waitCommitted(consumer.groupId, topic, highs, "the predecessor to commit everything");

      await consumer.viewConsumer.start();
      await waitFor(
        async () =>
          (await admin.describeGroups([consumer.groupId])).groups[0]?.members.length === 2,
        { what: "both members in the group", timeoutMs: WAIT_MS },
      );
      // Whatever it has read of its share, it must not say ready without the other partitions.
      await sleep(3000);
      expect(consumer.viewConsumer.ready()).toBe(false);
      expect(await getJson(`${consumer.url}/readyz`)).toMatchObject({ status: 503 });
      expect(allRecords(consumer.view).length).toBeLessThan(300);
    } finally {
      await predecessor.disconnect();
    }

    // The predecessor left: every partition is assigned now, the new ones from the earliest
    // offset although the group committed them at the end.
    await waitFor(() => consumer.viewConsumer.ready(), {
      what: "the consumer to be ready",
      timeoutMs: WAIT_MS,
    });
    for (const p of producers) expect(seqsOf(consumer.view, p)).toEqual(range(1, 50));
    // Partitions it kept through the rebalance were not read twice.
    expect(await total(consumer.metrics.recordsConsumed)).toBe(300);
    expect(await total(consumer.metrics.duplicateRecords)).toBe(0);
    expect(consumer.fatal).toEqual([]);
  });

  it("answers GET /api/records with the records after a cursor, in pages, and 400 for a bad cursor", async () => {
    const topic = await createTopic();
    await send(topic, numbers("producer-0", 1, 8, 1000));
    await send(topic, numbers("producer-1", 1, 3, 2000));
    const consumer = await createConsumer(topic, { maxRecordsPerAnswer: 5 });
    await consumer.viewConsumer.start();
    await waitFor(() => consumer.viewConsumer.ready(), {
      what: "the consumer to be ready",
      timeoutMs: WAIT_MS,
    });
    const api = `${consumer.url}/api/records`;
    const heads = { "producer-0": 8, "producer-1": 3 };

    // No cursor: from now.
    expect(await getJson(api)).toEqual({
      status: 200,
      body: {
        consumer: consumer.id,
        ready: true,
        records: [],
        cursor: "producer-0:8,producer-1:3",
        heads,
        truncated: false,
      },
    });

    expect(await getJson(`${api}?cursor=producer-0:6,producer-1:1`)).toEqual({
      status: 200,
      body: {
        consumer: consumer.id,
        ready: true,
        records: [
          { producer: "producer-0", seq: 7, ts: 1000 },
          { producer: "producer-0", seq: 8, ts: 1000 },
          { producer: "producer-1", seq: 2, ts: 2000 },
          { producer: "producer-1", seq: 3, ts: 2000 },
        ],
        cursor: "producer-0:8,producer-1:3",
        heads,
        truncated: false,
      },
    });

    // Paging from the start of the window: follow the cursor until an answer is not truncated.
    const pages: { seqs: string[]; cursor: string; truncated: boolean }[] = [];
    let cursor = "producer-0:0";
    for (;;) {
      const { status, body } = await getJson(`${api}?cursor=${cursor}`);
      expect(status).toBe(200);
      const answer = body as { records: NumberRecord[]; cursor: string; truncated: boolean };
      pages.push({
        seqs: answer.records.map((r) => `${r.producer}:${r.seq}`),
        cursor: answer.cursor,
        truncated: answer.truncated,
      });
      cursor = answer.cursor;
      if (!answer.truncated) break;
    }
    expect(pages).toEqual([
      {
        seqs: ["producer-0:1", "producer-0:2", "producer-0:3", "producer-0:4", "producer-0:5"],
        cursor: "producer-0:5",
        truncated: true,
      },
      {
        seqs: ["producer-0:6", "producer-0:7", "producer-0:8", "producer-1:1", "producer-1:2"],
        cursor: "producer-0:8,producer-1:2",
        truncated: true,
      },
      { seqs: ["producer-1:3"], cursor: "producer-0:8,producer-1:3", truncated: false },
    ]);

    // A client ahead of this consumer (it saw more elsewhere) keeps its position: a stale view.
    expect(await getJson(`${api}?cursor=producer-0:12,producer-1:3`)).toMatchObject({
      status: 200,
      body: { records: [], cursor: "producer-0:12,producer-1:3", heads },
    });

    for (const [query, error] of [
      ["cursor=producer-0:abc", 'cursor: "producer-0:abc" has a seq that is not a whole number'],
      ["cursor=producer-0:1,", "cursor: pair 2 is empty (a doubled, leading or trailing comma)"],
      ["cursor=producer-0:1&cursor=producer-1:1", "cursor: given more than once"],
    ] as const) {
      expect(await getJson(`${api}?${query}`)).toEqual({ status: 400, body: { error } });
    }
    expect(await total(consumer.metrics.apiRequests, { status: "400" })).toBe(3);
    expect(consumer.view.heads()).toEqual(heads);
  });
});
