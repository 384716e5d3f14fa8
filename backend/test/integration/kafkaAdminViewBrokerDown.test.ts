import type { Admin, Kafka } from "kafkajs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createKafkaAdminView, type KafkaAdminView } from "../../src/kafka/kafkaAdminView.ts";
import { type KafkaSnapshot } from "../../src/contract/kafkaSnapshot.ts";
import { createKafkaClient } from "../../src/kafka/kafkaClient.ts";
import { ensureTopic } from "../../src/kafka/topics.ts";
import { createLogger } from "../../src/lib/logger.ts";
import { waitFor } from "../../src/lib/waitFor.ts";
import { createTestCluster, uniqueName, type TestCluster } from "../support/testCluster.ts";

// Kills brokers, so it runs a cluster of its own (DESIGN §5).
let test: TestCluster;
let kafka: Kafka;
let admin: Admin;
let view: KafkaAdminView;
const topic = uniqueName("view-down");
const prefix = `${uniqueName("view-down")}-`;
const group = `${prefix}consumer-0`;
const PART_TIMEOUT_MS = 2000;

beforeAll(async () => {
  test = await createTestCluster("view-down");
  await test.cluster.start();
  const brokers = test.cluster.bootstrapServers;
  // Control's own client settings: 30 s request timeout, retries that outlast an election.
  kafka = createKafkaClient({
    clientId: "view-down-test",
    brokers,
    logger: createLogger({ name: "view-down-test", level: "silent" }),
  });
  admin = kafka.admin();
  await admin.connect();
  await ensureTopic(admin, { topic, partitions: 6, replicationFactor: 3 });
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({
    topic,
    acks: -1,
    messages: Array.from({ length: 60 }, (_, i) => ({ partition: i % 6, value: String(i) })),
  });
  await producer.disconnect();
  await admin.setOffsets({
    groupId: group,
    topic,
    partitions: Array.from({ length: 6 }, (_, partition) => ({ partition, offset: "4" })),
  });
  view = createKafkaAdminView({
    brokers,
    topic,
    groupPrefix: prefix,
    partTimeoutMs: PART_TIMEOUT_MS,
  });
});

afterAll(async () => {
  await view?.close();
  await admin?.disconnect();
  await test?.destroy();
});

/** How long each poll took, over the whole file: a poll must never wait out a 30 s request. */
const pollMs: number[] = [];

/** Polls every second as control does, until the view shows what `done` expects. */
async function pollUntil(done: (snapshot: KafkaSnapshot) => boolean, what: string) {
  return waitFor(
    async () => {
      const started = Date.now();
      const snapshot = await view.snapshot();
      pollMs.push(Date.now() - started);
      return done(snapshot) ? snapshot : undefined;
    },
    { what, timeoutMs: 90_000, intervalMs: 1000 },
  );
}

/** All three brokers registered, every replica in sync, every part read, the group's lag known. */
function healthy(s: KafkaSnapshot): boolean {
  return (
    s.brokers.length === 3 &&
    s.partitions.every((p) => p.leader > 0 && p.isr.length === 3) &&
    Object.keys(s.errors).length === 0 &&
    s.groups[0]?.lag === 6 * 6
  );
}

/** The view has noticed that `node` is gone: fenced, leading nothing, everything else readable. */
function without(node: number): (s: KafkaSnapshot) => boolean {
  return (s) =>
    s.controller !== null &&
    s.controller !== node &&
    !s.brokers.some((b) => b.nodeId === node) &&
    s.partitions.every((p) => p.leader > 0 && p.leader !== node) &&
    s.leads[node] === undefined &&
    Object.keys(s.errors).length === 0 &&
    s.groups[0]?.lag === 6 * 6;
}

describe("the admin view while a broker is down", () => {
  it("answers within its deadline while a broker is frozen, then sees it fenced and back", async () => {
    const before = await pollUntil(healthy, "a healthy cluster");
    const frozen = [1, 2, 3].find((id) => id !== before.controller) ?? 1;
    const pid = test.cluster.nodes().find((n) => n.id === frozen)?.pid;
    if (pid === undefined) throw new Error(`node ${frozen} has no pid`);
    process.kill(pid, "SIGSTOP");
    try {
      // A frozen broker accepts connections and never answers: without deadlines a poll would
      // wait for the client's 30 s request timeout.
      await pollUntil(without(frozen), `the view to show node ${frozen} fenced`);
    } finally {
      process.kill(pid, "SIGCONT");
    }
    await pollUntil(healthy, `node ${frozen} back in every ISR`);
    expect(Math.max(...pollMs)).toBeLessThan(PART_TIMEOUT_MS + 1500);
  });

  it("follows a hard kill of the active controller to the new one", async () => {
    const before = await pollUntil(healthy, "a healthy cluster");
    const victim = before.controller ?? -1;
    await test.cluster.killNode(victim, "SIGKILL");
    const after = await pollUntil(without(victim), `the view to show node ${victim} gone`);
    expect(after.controller).not.toBe(victim);
    expect(Object.values(after.leads).flat()).toHaveLength(6);
    expect(Math.max(...pollMs)).toBeLessThan(PART_TIMEOUT_MS + 1500);
  });
});
