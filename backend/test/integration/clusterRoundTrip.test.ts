import { Kafka, logLevel, ConfigResourceTypes, type Admin } from "kafkajs";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { ensureKafkaJars, type KafkaJars } from "../../src/kafka/kafkaJars.ts";
import { runKafkaTool } from "../../src/kafka/kafkaTools.ts";
import { ensureTopic } from "../../src/kafka/topics.ts";
import { runCommand } from "../../src/lib/runCommand.ts";
import { waitFor } from "../../src/lib/waitFor.ts";
import { uniqueName } from "../support/testCluster.ts";

const brokers = inject("kafkaBrokers");
const bootstrap = brokers[0] ?? "";
const kafka = new Kafka({ clientId: "round-trip-test", brokers, logLevel: logLevel.NOTHING });
let admin: Admin;
let jars: KafkaJars;

beforeAll(async () => {
  jars = await ensureKafkaJars();
  admin = kafka.admin();
  await admin.connect();
});
afterAll(async () => {
  await admin.disconnect();
});

function createTopic(topic: string, partitions: number): Promise<void> {
  return ensureTopic(admin, {
    topic,
    partitions,
    replicationFactor: 3,
    configs: { "min.insync.replicas": "2" },
  });
}

describe("the local cluster", () => {
  it("forms with three brokers and creates a topic with RF 3 and min.insync.replicas=2", async () => {
    const { brokers: registered } = await admin.describeCluster();
    expect(registered.map((b) => b.nodeId).sort()).toEqual([1, 2, 3]);

    const topic = uniqueName("rf3");
    await createTopic(topic, 6);
    const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
    const partitions = metadata.topics[0]?.partitions ?? [];
    expect(partitions).toHaveLength(6);
    for (const partition of partitions) {
      expect(partition.replicas.sort()).toEqual([1, 2, 3]);
    }
    const configs = await admin.describeConfigs({
      resources: [
        { type: ConfigResourceTypes.TOPIC, name: topic, configNames: ["min.insync.replicas"] },
      ],
      includeSynonyms: false,
    });
    expect(configs.resources[0]?.configEntries[0]?.configValue).toBe("2");

    // Kafka's own tool must tell the same story.
    const described = await runKafkaTool(
      jars,
      "topics",
      ["--describe", "--topic", topic],
      bootstrap,
    );
    expect(described).toContain("ReplicationFactor: 3");
    expect(described).toContain("min.insync.replicas=2");
  });

  it("round-trips records with acks -1 through a consumer group", async () => {
    const topic = uniqueName("roundtrip");
    const groupId = uniqueName("group");
    await createTopic(topic, 3);
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const sent = Array.from({ length: 60 }, (_, i) => ({
      key: `producer-${i % 3}`,
      value: JSON.stringify({ producer: `producer-${i % 3}`, seq: Math.floor(i / 3) + 1 }),
    }));
    await producer.send({ topic, acks: -1, messages: sent });
    await producer.disconnect();

    const received: { key: string; value: string }[] = [];
    const consumer = kafka.consumer({ groupId });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        received.push({
          key: message.key?.toString() ?? "",
          value: message.value?.toString() ?? "",
        });
        return Promise.resolve();
      },
    });
    try {
      await waitFor(() => received.length >= sent.length, {
        what: `${sent.length} records`,
        timeoutMs: 60_000,
      });
    } finally {
      await consumer.disconnect();
    }
    expect(received).toHaveLength(sent.length);
    // Per key (one partition each) order is preserved.
    for (const key of ["producer-0", "producer-1", "producer-2"]) {
      expect(received.filter((r) => r.key === key)).toEqual(sent.filter((s) => s.key === key));
    }

    // The group committed everything it read: Kafka's own tool reports no lag.
    const groups = await runKafkaTool(
      jars,
      "consumer-groups",
      ["--describe", "--group", groupId],
      bootstrap,
    );
    const rows = groups.split("\n").filter((line) => line.includes(topic));
    expect(rows).toHaveLength(3);
    for (const row of rows) {
      const [, , , current, end, lag] = row.trim().split(/\s+/);
      expect({ current, lag }).toEqual({ current: end, lag: "0" });
    }
  });

  it("runs Kafka's own tools through `npm run kafka`", async () => {
    const topic = uniqueName("tools");
    await createTopic(topic, 1);
    const listed = await runCommand(
      "npm",
      ["run", "--silent", "kafka", "--", "topics", "--list", "--bootstrap-server", bootstrap],
      { missingHint: "npm is needed to run the project's scripts" },
    );
    expect(listed.split("\n")).toContain(topic);
  });
});
