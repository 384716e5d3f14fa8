import { Kafka, logLevel } from "kafkajs";
import { afterAll, expect, inject, it } from "vitest";
import type { ClientSummary } from "../../src/contract/fleet.ts";
import type { ProducerFacts } from "../../src/contract/targets.ts";
import type { LedgerSnapshot } from "../../src/ledger/ledger.ts";
import { freePorts } from "../../src/lib/freePorts.ts";
import { waitFor } from "../../src/lib/waitFor.ts";
import { json, metric, wholeView } from "../support/serviceApi.ts";
import { createServiceLauncher } from "../support/serviceProcess.ts";
import { uniqueName } from "../support/testCluster.ts";

// Issue 18: records in the topic that no producer of the lab wrote (poison, oversized, from an
// unknown producer, far ahead of a real producer) never stop a consumer or corrupt a ledger. A
// real producer, consumer and client fleet on the shared cluster; the odd records are written
// into the same topic with kafkajs while the client polls.
const brokers = inject("kafkaBrokers");
const { launch, killAll } = createServiceLauncher();
const kafka = new Kafka({ clientId: "odd-records-test", brokers, logLevel: logLevel.NOTHING });
const writer = kafka.producer();
afterAll(async () => {
  await writer.disconnect();
  await killAll();
});

const PRODUCER = "producer-0";

it("a consumer stays up through odd records, serves every real one, and a client's ledger of the real producer stays exact", async () => {
  const [producerPort = 0, consumerPort = 0, fleetPort = 0] = await freePorts(3);
  const topic = uniqueName("numbers");
  const kafkaEnv = { KAFKA_BROKERS: brokers.join(","), KAFKA_TOPIC: topic };
  const producer = launch("producer", producerPort, {
    ...kafkaEnv,
    PRODUCER_ID: PRODUCER,
    RATE_PER_SECOND: "50",
  });
  const consumer = launch("consumer", consumerPort, { ...kafkaEnv, CONSUMER_ID: "consumer-0" });
  await Promise.all([producer.waitReady(), consumer.waitReady()]);
  const fleet = launch("clients", fleetPort, {
    TARGET_URL: consumer.url,
    CLIENTS: "1",
    POLL_MS: "200",
  });
  await fleet.waitReady();
  const client = (): Promise<LedgerSnapshot> => json(`${fleet.url}/api/clients/client-0`);
  await waitFor(async () => ((await client()).producers[PRODUCER]?.received ?? 0) > 20, {
    what: "the client to receive the producer's records",
    timeoutMs: 30_000,
    intervalMs: 200,
  });

  const { lastAcknowledged } = await json<ProducerFacts>(`${producer.url}/api/state`);
  const ts = Date.now();
  const value = (fields: Record<string, unknown>): string => JSON.stringify({ ts, ...fields });
  await writer.connect();
  await writer.send({
    topic,
    acks: -1,
    messages: [
      // Bad: not a number record.
      { key: PRODUCER, value: "not json" },
      { key: PRODUCER, value: Buffer.from([0xff, 0xfe, 0x00, 0x7b, 0x80]) },
      { key: PRODUCER, value: "" },
      { key: PRODUCER, value: null },
      { key: PRODUCER, value: value({ producer: PRODUCER, seq: String(lastAcknowledged + 1) }) },
      { key: "bad producer", value: value({ producer: "bad producer", seq: 1 }) },
      // Held out: numbers no producer could have written.
      { key: PRODUCER, value: value({ producer: PRODUCER, seq: lastAcknowledged + 1e9 }) },
      { key: PRODUCER, value: value({ producer: PRODUCER, seq: Number.MAX_SAFE_INTEGER }) },
      { key: "producer-77", value: value({ producer: "producer-77", seq: 1e9 }) },
    ],
  });
  // Oversized, as large as the broker takes by default (1 MB), far ahead too.
  await writer.send({
    topic,
    acks: -1,
    messages: [
      {
        key: PRODUCER,
        value: value({ producer: PRODUCER, seq: lastAcknowledged + 2e9, pad: "x".repeat(900_000) }),
      },
    ],
  });

  await waitFor(
    async () =>
      (await metric(consumer, "blackout_consumer_bad_records_total")) === 6 &&
      (await metric(consumer, "blackout_consumer_held_out_records_total")) === 4,
    { what: "the odd records to be counted", timeoutMs: 30_000, intervalMs: 200 },
  );
  expect(await metric(consumer, "blackout_consumer_held_out_records_total", "far-ahead")).toBe(3);
  expect(
    await metric(consumer, "blackout_consumer_held_out_records_total", "unknown-producer"),
  ).toBe(1);

  // The real producer goes on, and the client gets its numbers after the odd records too.
  const after = await json<ProducerFacts>(`${producer.url}/api/state`);
  await waitFor(
    async () => ((await client()).producers[PRODUCER]?.highest ?? 0) >= after.lastAcknowledged,
    { what: "the client to receive what the producer wrote after", timeoutMs: 30_000 },
  );
  const ledger = await client();
  expect(Object.keys(ledger.producers)).toEqual([PRODUCER]);
  expect(ledger.producers[PRODUCER]).toMatchObject({ missing: 0, duplicates: 0, reordered: 0 });
  expect(ledger).toMatchObject({ missing: 0, duplicates: 0, failedPolls: 0, staleReads: 0 });
  const summary = await json<ClientSummary>(`${fleet.url}/api/summary`);
  expect(summary).toMatchObject({ missing: 0, duplicates: 0, failedPolls: 0 });

  // The consumer served every number from 1, and nothing else.
  const seqs = (await wholeView(consumer, [PRODUCER])).get(PRODUCER) ?? [];
  expect(seqs.length).toBeGreaterThanOrEqual(after.lastAcknowledged);
  expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
  expect(await json(`${consumer.url}/healthz`)).toEqual({ alive: true });
  expect(await json(`${consumer.url}/readyz`)).toEqual({ ready: true });
  expect(consumer.child.exitCode).toBeNull();
});
