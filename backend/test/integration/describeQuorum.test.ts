import { Kafka, logLevel, type Admin } from "kafkajs";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { describeQuorum } from "../../src/kafka/describeQuorum.ts";
import { ensureKafkaJars, type KafkaJars } from "../../src/kafka/kafkaJars.ts";
import { runKafkaTool } from "../../src/kafka/kafkaTools.ts";

const brokers = inject("kafkaBrokers");
const bootstrap = brokers[0] ?? "";
let jars: KafkaJars;
let admin: Admin;

beforeAll(async () => {
  jars = await ensureKafkaJars();
  admin = new Kafka({ clientId: "quorum-test", brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
});
afterAll(async () => {
  await admin.disconnect();
});

/** `Name: value` lines of `kafka-metadata-quorum describe --status`. */
function statusField(status: string, name: string): string | undefined {
  return new RegExp(`^${name}:\\s+(\\S+)`, "m").exec(status)?.[1];
}

describe("describeQuorum against the real cluster", () => {
  it("names the same active controller and epoch as kafka-metadata-quorum", async () => {
    const quorum = await describeQuorum(brokers);
    const status = await runKafkaTool(
      jars,
      "metadata-quorum",
      ["--bootstrap-server", bootstrap, "describe", "--status"],
      bootstrap,
    );
    expect(String(quorum.leaderId)).toBe(statusField(status, "LeaderId"));
    expect(String(quorum.leaderEpoch)).toBe(statusField(status, "LeaderEpoch"));
    expect(quorum.voters.map((v) => v.replicaId).sort()).toEqual([1, 2, 3]);
    expect(quorum.observers).toEqual([]);
    expect(quorum.highWatermark).toBeGreaterThan(0);
    for (const voter of quorum.voters) expect(voter.logEndOffset).toBeGreaterThan(0);
  });

  it("gets the same answer from every broker, since brokers forward it to the controller", async () => {
    const answers = await Promise.all(brokers.map((b) => describeQuorum([b])));
    expect(new Set(answers.map((a) => a.leaderId)).size).toBe(1);
  });

  it("skips a broker that refuses connections", async () => {
    const quorum = await describeQuorum(["127.0.0.1:1", ...brokers], { timeoutMs: 1000 });
    expect(quorum.voters).toHaveLength(3);
  });

  it("is needed: the Metadata controllerId kafkajs reports is a random live broker in KRaft", async () => {
    // KafkaApis answers Metadata with metadataCache.getRandomAliveBrokerId under KRaft, so asking
    // 30 times names more than one "controller" (all the same: chance 3 × 3^-30).
    const named = new Set<number | null>();
    for (let i = 0; i < 30; i++) named.add((await admin.describeCluster()).controller);
    expect(named.size).toBeGreaterThan(1);
  });
});
