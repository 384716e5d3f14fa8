import type { Admin, Consumer, Kafka } from "kafkajs";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { describeQuorum } from "../../src/kafka/describeQuorum.ts";
import { createKafkaAdminView, type KafkaAdminView } from "../../src/kafka/kafkaAdminView.ts";
import { createKafkaClient } from "../../src/kafka/kafkaClient.ts";
import { ensureKafkaJars, type KafkaJars } from "../../src/kafka/kafkaJars.ts";
import { runKafkaTool } from "../../src/kafka/kafkaTools.ts";
import { createLagMetrics } from "../../src/kafka/lagMetrics.ts";
import { ensureTopic } from "../../src/kafka/topics.ts";
import { createLogger } from "../../src/lib/logger.ts";
import { createMetrics } from "../../src/lib/metrics.ts";
import { waitFor } from "../../src/lib/waitFor.ts";
import { uniqueName } from "../support/testCluster.ts";

const brokers = inject("kafkaBrokers");
const bootstrap = brokers[0] ?? "";
const PARTITIONS = 6;
const PER_PARTITION = 10;
const CONSUMED = 4;

const kafka: Kafka = createKafkaClient({
  clientId: "admin-view-test",
  brokers,
  logger: createLogger({ name: "admin-view-test", level: "silent" }),
});
const topic = uniqueName("view");
const prefix = `${uniqueName("view-group")}-`;
const group = `${prefix}consumer-0`;
let jars: KafkaJars;
let admin: Admin;
let consumer: Consumer;
let view: KafkaAdminView;

/**
 * A topic with PER_PARTITION records on each partition, and a group member that has read them all
 * but committed only the first CONSUMED of each partition (as a consumer behind would have).
 */
beforeAll(async () => {
  jars = await ensureKafkaJars();
  admin = kafka.admin();
  await admin.connect();
  await ensureTopic(admin, { topic, partitions: PARTITIONS, replicationFactor: 3 });
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({
    topic,
    acks: -1,
    messages: Array.from({ length: PARTITIONS * PER_PARTITION }, (_, i) => ({
      partition: i % PARTITIONS,
      value: String(i),
    })),
  });
  await producer.disconnect();

  consumer = kafka.consumer({ groupId: group });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const seen = new Map<number, number>();
  await consumer.run({
    autoCommit: false,
    eachMessage: ({ partition }) => {
      seen.set(partition, (seen.get(partition) ?? 0) + 1);
      return Promise.resolve();
    },
  });
  await waitFor(() => seen.size === PARTITIONS && [...seen.values()].every((n) => n >= CONSUMED), {
    what: `${group} to read its partitions`,
    timeoutMs: 60_000,
  });
  await consumer.commitOffsets(
    Array.from({ length: PARTITIONS }, (_, partition) => ({
      topic,
      partition,
      offset: String(CONSUMED),
    })),
  );
  view = createKafkaAdminView({ brokers, topic, groupPrefix: prefix });
});

afterAll(async () => {
  await view.close();
  await consumer.disconnect();
  await admin.disconnect();
});

describe("createKafkaAdminView against the real cluster", () => {
  it("shows the registered brokers, the active controller and who leads which partition", async () => {
    const snapshot = await view.snapshot();
    expect(snapshot.errors).toEqual({});
    expect(snapshot.brokers.map((b) => `${b.host}:${b.port}`).sort()).toEqual([...brokers].sort());
    expect(snapshot.controller).toBe((await describeQuorum(brokers)).leaderId);

    const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
    const expected = metadata.topics[0]?.partitions ?? [];
    expect(snapshot.partitions).toEqual(
      expected
        .map((p) => ({
          partition: p.partitionId,
          leader: p.leader,
          replicas: p.replicas,
          isr: p.isr,
          offlineReplicas: p.offlineReplicas ?? [],
        }))
        .sort((x, y) => x.partition - y.partition),
    );
    // Every broker has an entry, and the entries add up to the topic's partitions.
    expect(Object.keys(snapshot.leads).sort()).toEqual(["1", "2", "3"]);
    const led = Object.values(snapshot.leads).flat();
    expect(led.sort((x, y) => x - y)).toEqual([0, 1, 2, 3, 4, 5]);
    for (const { partitionId, leader } of expected) {
      expect(snapshot.leads[leader]).toContain(partitionId);
    }
  });

  it("shows a group's lag per partition as kafka-consumer-groups does", async () => {
    const snapshot = await view.snapshot();
    expect(snapshot.groups).toEqual([
      {
        group,
        state: "Stable",
        members: 1,
        lag: PARTITIONS * (PER_PARTITION - CONSUMED),
        partitions: Array.from({ length: PARTITIONS }, (_, partition) => ({
          partition,
          committed: CONSUMED,
          end: PER_PARTITION,
          lag: PER_PARTITION - CONSUMED,
        })),
      },
    ]);

    const described = await runKafkaTool(
      jars,
      "consumer-groups",
      ["--describe", "--group", group],
      bootstrap,
    );
    // GROUP TOPIC PARTITION CURRENT-OFFSET LOG-END-OFFSET LAG CONSUMER-ID HOST CLIENT-ID
    const rows = described
      .split("\n")
      .filter((line) => line.includes(topic))
      .map((line) => line.trim().split(/\s+/))
      .map(([, , partition, current, end, lag]) => ({
        partition: Number(partition),
        committed: Number(current),
        end: Number(end),
        lag: Number(lag),
      }))
      .sort((x, y) => x.partition - y.partition);
    expect(rows).toEqual(snapshot.groups[0]?.partitions);
  });

  it("exports that lag as kafka_consumergroup_lag", async () => {
    const metrics = createMetrics("control");
    createLagMetrics(metrics).update(await view.snapshot());
    const lines = (await metrics.metricsText())
      .split("\n")
      .filter((line) => line.startsWith("kafka_consumergroup_lag{"));
    expect(lines).toHaveLength(PARTITIONS);
    expect(lines).toContain(
      `kafka_consumergroup_lag{consumergroup="${group}",topic="${topic}",partition="0"} ${PER_PARTITION - CONSUMED}`,
    );
  });

  it("shows a group with no commits on the topic without inventing a lag", async () => {
    const idle = `${prefix}idle`;
    const other = uniqueName("other");
    // kafkajs commits these through a short-lived group member: seconds each, so at once.
    await Promise.all([
      admin.setOffsets({ groupId: idle, topic, partitions: [{ partition: 2, offset: "7" }] }),
      admin.setOffsets({ groupId: other, topic, partitions: [{ partition: 0, offset: "1" }] }),
    ]);

    const snapshot = await view.snapshot();
    expect(snapshot.groups.map((g) => g.group)).toEqual([group, idle]);
    const shown = snapshot.groups[1];
    expect(shown).toMatchObject({ state: "Empty", members: 0, lag: PER_PARTITION - 7 });
    expect(shown?.partitions.filter((p) => p.lag !== null)).toEqual([
      { partition: 2, committed: 7, end: PER_PARTITION, lag: PER_PARTITION - 7 },
    ]);
    expect(shown?.partitions.filter((p) => p.committed === null)).toHaveLength(PARTITIONS - 1);
  });

  it("reports a part that fails instead of failing the whole snapshot", async () => {
    const absent = createKafkaAdminView({
      brokers,
      topic: uniqueName("absent"),
      groupPrefix: prefix,
    });
    try {
      const snapshot = await absent.snapshot();
      expect(snapshot.brokers).toHaveLength(3);
      expect(snapshot.controller).toBeGreaterThan(0);
      expect(Object.keys(snapshot.errors).sort()).toEqual(["groups", "partitions"]);
    } finally {
      await absent.close();
    }
  });

  it("answers within its deadline, every part failed, when no broker can be reached", async () => {
    const nowhere = createKafkaAdminView({
      brokers: ["127.0.0.1:1"],
      topic,
      groupPrefix: prefix,
      partTimeoutMs: 1000,
    });
    try {
      const started = Date.now();
      const snapshot = await nowhere.snapshot();
      expect(Date.now() - started).toBeLessThan(2000);
      expect(snapshot).toMatchObject({ brokers: [], controller: null, partitions: [], groups: [] });
      expect(Object.keys(snapshot.errors).sort()).toEqual([
        "brokers",
        "controller",
        "groups",
        "partitions",
      ]);
    } finally {
      await nowhere.close();
    }
  });
});
