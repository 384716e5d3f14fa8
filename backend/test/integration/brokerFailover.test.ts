import { Kafka, logLevel, type Admin, type Producer } from "kafkajs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureTopic } from "../../src/kafka/topics.ts";
import { waitFor } from "../../src/lib/waitFor.ts";
import { processesMentioning } from "../support/processes.ts";
import { createTestCluster, uniqueName, type TestCluster } from "../support/testCluster.ts";

// Kills brokers, so it runs a cluster of its own (DESIGN §5).
let test: TestCluster;
let kafka: Kafka;
let admin: Admin;
const topic = uniqueName("failover");

beforeAll(async () => {
  test = await createTestCluster("failover");
  await test.cluster.start();
  kafka = new Kafka({
    clientId: "failover-test",
    brokers: test.cluster.bootstrapServers,
    logLevel: logLevel.NOTHING,
    // Retries that outlast a leader election (broker.session.timeout.ms is 9 s).
    retry: { retries: 12, initialRetryTime: 300, maxRetryTime: 3000 },
  });
  admin = kafka.admin();
  await admin.connect();
  await ensureTopic(admin, {
    topic,
    partitions: 3,
    replicationFactor: 3,
    configs: { "min.insync.replicas": "2" },
  });
});

afterAll(async () => {
  await admin?.disconnect();
  await test?.destroy();
});

async function partitionZero(): Promise<{ leader: number; isr: number[] }> {
  const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
  const partition = metadata.topics[0]?.partitions.find((p) => p.partitionId === 0);
  if (!partition) throw new Error(`${topic} has no partition 0`);
  return { leader: partition.leader, isr: [...partition.isr].sort() };
}

async function sendToPartitionZero(producer: Producer, value: string): Promise<void> {
  const [result] = await producer.send({ topic, acks: -1, messages: [{ partition: 0, value }] });
  expect(result?.errorCode).toBe(0);
}

async function waitForBrokers(ids: number[]): Promise<void> {
  await waitFor(
    async () => {
      const answers = await Promise.all(ids.map(() => test.cluster.registeredBrokers()));
      return answers.every((answer) => answer.join() === ids.join());
    },
    { what: `registered brokers to be ${ids.join(", ")}`, timeoutMs: 60_000, intervalMs: 300 },
  );
}

describe("a broker failure", () => {
  it("SIGKILL of the leader: acks=-1 writes resume after the election, and the node rejoins the ISR", async () => {
    const before = await partitionZero();
    expect(before.isr).toEqual([1, 2, 3]);
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    try {
      await sendToPartitionZero(producer, "before");

      await test.cluster.killNode(before.leader, "SIGKILL");
      expect(test.cluster.nodes().find((n) => n.id === before.leader)?.running).toBe(false);

      const after = await waitFor(
        async () => {
          const p = await partitionZero();
          return p.leader >= 0 && p.leader !== before.leader ? p : undefined;
        },
        { what: "a new leader of partition 0", timeoutMs: 60_000, intervalMs: 500 },
      );
      expect(after.isr).not.toContain(before.leader);
      await sendToPartitionZero(producer, "after-election");

      await test.cluster.startNode(before.leader);
      await waitFor(
        async () => {
          const p = await partitionZero();
          return p.isr.length === 3 ? p : undefined;
        },
        {
          what: `node ${before.leader} back in the ISR of partition 0`,
          timeoutMs: 90_000,
          intervalMs: 500,
        },
      );
      await sendToPartitionZero(producer, "after-rejoin");
    } finally {
      await producer.disconnect();
    }

    const consumer = kafka.consumer({ groupId: uniqueName("failover-group") });
    const values: string[] = [];
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        values.push(message.value?.toString() ?? "");
        return Promise.resolve();
      },
    });
    try {
      await waitFor(() => values.length >= 3, {
        what: "the three acknowledged records",
        timeoutMs: 60_000,
      });
    } finally {
      await consumer.disconnect();
    }
    expect(values).toEqual(["before", "after-election", "after-rejoin"]);
  });

  it("SIGTERM stops a node gracefully and it restarts with the same id and data", async () => {
    const node = test.cluster.nodes().find((n) => n.id === 2);
    expect(node?.running).toBe(true);
    await test.cluster.killNode(2, "SIGTERM");
    expect(test.cluster.nodes().find((n) => n.id === 2)?.running).toBe(false);
    // Brokers learn of the change from the metadata log, one after another: ask until all agree.
    await waitForBrokers([1, 3]);
    await test.cluster.startNode(2);
    await waitForBrokers([1, 2, 3]);
    const newPid = test.cluster.nodes().find((n) => n.id === 2)?.pid;
    expect(newPid).toBeDefined();
    expect(newPid).not.toBe(node?.pid);
  });

  it("stop leaves no JVM behind", async () => {
    const pids = test.cluster.nodes().map((n) => n.pid);
    expect(pids.every((pid) => pid !== undefined)).toBe(true);
    expect(processesMentioning(test.cluster.dir)).toHaveLength(3);
    await test.cluster.stop();
    expect(test.cluster.nodes().every((n) => !n.running)).toBe(true);
    expect(processesMentioning(test.cluster.dir)).toEqual([]);
  });
});
