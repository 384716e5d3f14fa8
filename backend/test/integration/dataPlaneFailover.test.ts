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

  // Both producers publish again after the faults: a second's worth more than they had when the
  // last broker came back. How soon is a benchmark's question, not this test's: with default
  // kafkajs retries a stall after a broker kill lasts from the fencing (9 s) to the next retry
  // step (up to ~19 s), so a rate threshold here only measured the machine's load.
  const acknowledged = async (producer: ServiceProcess) =>
    (await json<{ lastAcknowledged: number }>(`${producer.url}/api/state`)).lastAcknowledged;
  for (const producer of producers) {
    const atRestart = await acknowledged(producer);
    await waitFor(async () => (await acknowledged(producer)) > atRestart + 200, {
      what: `${producer.url} to publish again after the brokers came back`,
      timeoutMs: 60_000,
      intervalMs: 500,
    });
  }

  const last = new Map<string, number>();
  for (const [i, producer] of producers.entries()) {
    const state = await json<{ lastAcknowledged: number }>(`${producer.url}/api/pause`, {
      method: "POST",
    });
    last.set(producerIds[i] ?? "", state.lastAcknowledged);
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
