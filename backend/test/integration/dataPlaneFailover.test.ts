import { afterAll, beforeAll, expect, it } from "vitest";
import { freePorts } from "../../src/lib/freePorts.ts";
import { waitFor } from "../../src/lib/waitFor.ts";
import { countByProducer, missingNumbers, readTopic } from "../support/readTopic.ts";
import { json, metric, wholeView, type RecordsAnswer } from "../support/serviceApi.ts";
import { startService, type ServiceProcess } from "../support/serviceProcess.ts";
import { createTestCluster, uniqueName, type TestCluster } from "../support/testCluster.ts";

// Kills brokers under a running data plane, so it has a cluster of its own (DESIGN §5).
let test: TestCluster;
const services: ServiceProcess[] = [];
const topic = uniqueName("numbers");
const producerIds = ["producer-0", "producer-1"];

beforeAll(async () => {
  test = await createTestCluster("dataplane");
  await test.cluster.start();
});

afterAll(async () => {
  await Promise.all(services.map((service) => service.kill("SIGKILL")));
  await test?.destroy();
});

it("two producers at 200/s through two broker hard kills: nothing missing, duplicates counted, views exactly once", async () => {
  const ports = await freePorts(4);
  const common = {
    KAFKA_BROKERS: test.cluster.bootstrapServers.join(","),
    KAFKA_TOPIC: topic,
    LOG_LEVEL: "warn",
  };
  const consumers = ["consumer-0", "consumer-1"].map((id, i) =>
    startService("consumer", ports[i] ?? 0, {
      ...common,
      CONSUMER_ID: id,
      SESSION_TIMEOUT_MS: "10000",
    }),
  );
  const producers = producerIds.map((id, i) =>
    startService("producer", ports[i + 2] ?? 0, {
      ...common,
      PRODUCER_ID: id,
      RATE_PER_SECOND: "200",
    }),
  );
  services.push(...consumers, ...producers);
  await Promise.all([...consumers, ...producers].map((service) => service.waitReady()));

  const settle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  await settle(3000);
  await test.cluster.killNode(1, "SIGKILL");
  await settle(12_000);
  await test.cluster.startNode(1);
  await settle(5000);
  await test.cluster.killNode(2, "SIGKILL");
  await settle(12_000);
  await test.cluster.startNode(2);
  await settle(3000);

  const last = new Map<string, number>();
  for (const [i, producer] of producers.entries()) {
    const state = await json<{ lastAcknowledged: number }>(`${producer.url}/api/pause`, {
      method: "POST",
    });
    last.set(producerIds[i] ?? "", state.lastAcknowledged);
    // Both producers kept publishing through the faults.
    expect(state.lastAcknowledged).toBeGreaterThan(200 * 30);
  }

  // Kafka holds every acknowledged number at least once, and nothing past the last one.
  const inKafka = countByProducer(await readTopic(test.cluster.bootstrapServers, topic));
  for (const [i, id] of producerIds.entries()) {
    const seqs = inKafka.get(id) ?? new Map<number, number>();
    expect(missingNumbers(seqs)).toEqual([]);
    expect(Math.max(...seqs.keys())).toBe(last.get(id));
    const duplicatesInKafka = [...seqs.values()].reduce((sum, n) => sum + n - 1, 0);
    // The producer's own count of duplicates (read back from Kafka) matches Kafka.
    const producer = producers[i];
    if (!producer) throw new Error("no producer");
    await waitFor(
      async () =>
        (await metric(producer, "blackout_producer_kafka_duplicate_records_total")) ===
        duplicatesInKafka,
      { what: `${id}'s duplicate metric to equal ${duplicatesInKafka}`, timeoutMs: 30_000 },
    );
    for (const consumer of consumers) {
      await waitFor(
        async () =>
          (await metric(
            consumer,
            "blackout_consumer_duplicate_records_total",
            `producer="${id}"`,
          )) === duplicatesInKafka,
        { what: `a consumer to count ${duplicatesInKafka} duplicates of ${id}`, timeoutMs: 60_000 },
      );
    }
  }

  // Each consumer's view holds every number exactly once.
  for (const consumer of consumers) {
    await waitFor(
      async () => {
        const { heads } = await json<RecordsAnswer>(`${consumer.url}/api/records`);
        return producerIds.every((id) => heads[id] === last.get(id));
      },
      { what: "the consumers to reach the last numbers", timeoutMs: 60_000 },
    );
    const view = await wholeView(consumer, producerIds);
    for (const id of producerIds) {
      const expected = Array.from({ length: last.get(id) ?? 0 }, (_, k) => k + 1);
      expect(view.get(id)).toEqual(expected);
    }
  }
});
