import { ConfigResourceTypes, Kafka, logLevel, type Admin } from "kafkajs";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { z } from "zod";
import {
  createJsonLogStore,
  latestByKey,
  type JsonLogStore,
  type SkippedRecord,
} from "../../src/kafka/jsonLogStore.ts";
import { uniqueName } from "../support/testCluster.ts";

const brokers = inject("kafkaBrokers");

/** The shape of a fault timeline entry, enough to show updates of one key. */
const faultSchema = z.object({
  id: z.string().min(1),
  t0: z.number().int(),
  target: z.string(),
  recoveredAt: z.number().int().optional(),
});
type Fault = z.output<typeof faultSchema>;

const kafka = new Kafka({ clientId: "log-store-test", brokers, logLevel: logLevel.NOTHING });
let admin: Admin;
const stores: JsonLogStore<Fault>[] = [];

/** A store as control would make it, each with its own client (a restarted control). */
function createStore(topic: string, onSkip?: (skipped: SkippedRecord) => void) {
  const store = createJsonLogStore({
    kafka: new Kafka({ clientId: "log-store", brokers, logLevel: logLevel.NOTHING }),
    topic,
    schema: faultSchema,
    keyOf: (fault) => fault.id,
    ...(onSkip ? { onSkip } : {}),
  });
  stores.push(store);
  return store;
}

beforeAll(async () => {
  admin = kafka.admin();
  await admin.connect();
});
afterAll(async () => {
  await Promise.all(stores.map((s) => s.close()));
  await admin.disconnect();
});

describe("createJsonLogStore against the real cluster", () => {
  it("creates a 1-partition, RF 3, min.insync 2, compacted topic, and ensure() may run again", async () => {
    const topic = uniqueName("faults");
    const store = createStore(topic);
    await store.ensure();
    await store.ensure();

    const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
    const partitions = metadata.topics[0]?.partitions ?? [];
    expect(partitions).toHaveLength(1);
    expect(partitions[0]?.replicas).toHaveLength(3);
    const { resources } = await admin.describeConfigs({
      resources: [
        {
          type: ConfigResourceTypes.TOPIC,
          name: topic,
          configNames: ["min.insync.replicas", "cleanup.policy"],
        },
      ],
      includeSynonyms: false,
    });
    const configs = Object.fromEntries(
      (resources[0]?.configEntries ?? []).map((c) => [c.configName, c.configValue]),
    );
    expect(configs).toEqual({ "min.insync.replicas": "2", "cleanup.policy": "compact" });
  });

  it("loads an empty log as [] without reading", async () => {
    const store = createStore(uniqueName("faults"));
    await store.ensure();
    const started = Date.now();
    expect(await store.load()).toEqual([]);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it("reads its own writes in log order, skips garbage, and a restarted store sees the same", async () => {
    const topic = uniqueName("faults");
    const skipped: SkippedRecord[] = [];
    const store = createStore(topic, (s) => skipped.push(s));
    await store.ensure();

    const first: Fault = { id: "f-1", t0: 1000, target: "broker-1" };
    await store.append(first);
    expect(await store.load()).toEqual([first]);

    // Garbage written by hand, as a person with kafka-console-producer might.
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic,
      acks: -1,
      messages: [
        { key: "junk", value: "not json {" },
        { key: "f-9", value: JSON.stringify({ id: "f-9", t0: "yesterday" }) },
        { key: "f-8", value: null },
      ],
    });
    await producer.disconnect();

    const second: Fault = { id: "f-2", t0: 2000, target: "consumer-0" };
    const firstRecovered: Fault = { ...first, recoveredAt: 5000 };
    await store.append(second);
    await store.append(firstRecovered);

    const history = await store.load();
    expect(history).toEqual([first, second, firstRecovered]);
    expect(skipped.map(({ offset, reason }) => ({ offset, reason }))).toEqual([
      { offset: "1", reason: "not JSON" },
      { offset: "2", reason: expect.stringContaining("t0") as string },
      { offset: "3", reason: "no value" },
    ]);
    expect(latestByKey(history, (f) => f.id)).toEqual([firstRecovered, second]);

    const restarted = createStore(topic);
    expect(await restarted.load()).toEqual(history);
  });

  it("refuses to append what load() would skip, commits no consumer offsets and leaves no group", async () => {
    const topic = uniqueName("faults");
    const store = createStore(topic);
    await store.ensure();
    await expect(store.append({ id: "", t0: 1, target: "x" })).rejects.toThrow("not a valid");
    await store.append({ id: "f-1", t0: 1, target: "x" });
    expect(await store.load()).toHaveLength(1);

    const offsets = await admin.fetchTopicOffsets(topic);
    expect(offsets.map((o) => o.high)).toEqual(["1"]);
    const { groups } = await admin.listGroups();
    for (const { groupId } of groups) {
      const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
      expect(committed?.partitions.map((p) => p.offset)).toEqual(["-1"]);
    }
    // The load's group was deleted once it was done: restarts leave nothing to pile up.
    expect(groups.map((g) => g.groupId).filter((id) => id.startsWith(`${topic}.load.`))).toEqual(
      [],
    );
  });
});
