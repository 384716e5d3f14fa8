import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Fault } from "../../src/contract/fault.ts";
import { readBackTopic } from "../../src/kafka/consoleReadBack.ts";
import { ensureKafkaJars } from "../../src/kafka/kafkaJars.ts";
import { sequenceHoles } from "../../src/kafka/sequenceHoles.ts";
import { waitFor } from "../../src/lib/waitFor.ts";
import { parsePrometheusText, sumOf } from "../../../bench/prometheusText.ts";
import { createTestLab, type LabRun, type TestLab } from "../support/testLab.ts";

// Two of the three brokers down at once: below min.insync.replicas (2), and with them two of the
// three KRaft controllers, so the quorum is gone too. The lab restarts killed components after
// 25 s here, so that both stay down together for that long.
const DOWN_MS = 25_000;
let testLab: TestLab;
let lab: LabRun;

beforeAll(async () => {
  testLab = await createTestLab();
  lab = testLab.start([], { RESTART_DELAY_MS: String(DOWN_MS) });
  await lab.waitUp();
}, 300_000);

afterAll(async () => {
  lab.interrupt();
  await Promise.race([lab.exited, new Promise((resolve) => setTimeout(resolve, 60_000))]);
  lab.kill();
  await testLab.destroy("two-brokers-down-logs");
});

const producers = ["producer-0", "producer-1"] as const;
const producerUrl = (i: number) => `http://127.0.0.1:${Number(testLab.settings.PRODUCER_PORT) + i}`;

async function json<T>(url: string, init?: RequestInit): Promise<T> {
  const response = await fetch(url, init);
  const text = await response.text();
  expect(response.ok, `${init?.method ?? "GET"} ${url}: ${response.status} ${text}`).toBe(true);
  return JSON.parse(text) as T;
}

async function acknowledged(): Promise<Map<string, number>> {
  const states = await Promise.all(
    producers.map((_, i) => json<{ lastAcknowledged: number }>(`${producerUrl(i)}/api/state`)),
  );
  return new Map(producers.map((name, i) => [name, states[i]?.lastAcknowledged ?? 0]));
}

/** What the producers counted of sends that did not go through at once: retries and failures. */
async function sendTrouble(): Promise<number> {
  let sum = 0;
  for (const [i] of producers.entries()) {
    const samples = parsePrometheusText(await (await fetch(`${producerUrl(i)}/metrics`)).text());
    sum += sumOf(samples, "blackout_producer_send_retries_total");
    sum += sumOf(samples, "blackout_producer_send_failures_total");
  }
  return sum;
}

async function kill(target: string): Promise<Fault> {
  const fault = await json<Fault>(`${testLab.urls.control}/api/faults`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    // Forced: the second kill goes below what MIN_ALIVE allows whenever the third broker is
    // briefly unready (its controller just died), and being below is the point here.
    body: JSON.stringify({ action: "kill", target, mode: "hard", force: true }),
  });
  expect(fault.target).toBe(target);
  return fault;
}

describe("two brokers down at once", () => {
  it("blocks the producers, counted; loses nothing acknowledged; every ledger complete once they return", async () => {
    // Steady: both producers acknowledged records and the fleet is reading them.
    await waitFor(async () => [...(await acknowledged()).values()].every((seq) => seq > 50), {
      what: "both producers to get 50 records acknowledged",
      timeoutMs: 60_000,
      intervalMs: 500,
    });
    const troubleBefore = await sendTrouble();

    await kill("kafka-1");
    await kill("kafka-2");
    // Give in-flight sends time to be answered one way or the other, then nothing moves.
    await new Promise((resolve) => setTimeout(resolve, 5000));
    const stalled = await acknowledged();
    await new Promise((resolve) => setTimeout(resolve, 10_000));
    expect(await acknowledged()).toEqual(stalled);
    expect(await sendTrouble()).toBeGreaterThan(troubleBefore);

    // Back: both brokers replaced, the producers acknowledge again past where they stalled.
    await waitFor(
      async () => {
        const now = await acknowledged();
        return producers.every((name) => (now.get(name) ?? 0) > (stalled.get(name) ?? 0) + 50);
      },
      { what: "both producers to be acknowledged again", timeoutMs: 180_000, intervalMs: 1000 },
    );

    // The clients' ledgers: every number they should have seen, seen.
    await waitFor(
      async () => {
        const summary = await json<{ missing: number; clients: number; stalledClients?: number }>(
          `${testLab.urls.clients}/api/summary`,
        );
        return summary.clients > 0 && (summary.stalledClients ?? 0) === 0 ? summary : undefined;
      },
      { what: "every client to read again", timeoutMs: 120_000, intervalMs: 1000 },
    );
    const summary = await json<{ missing: number }>(`${testLab.urls.clients}/api/summary`);
    expect(summary.missing).toBe(0);

    // Kafka's own console consumer: no acknowledged number missing from the topic.
    for (const [i] of producers.entries()) {
      await json(`${producerUrl(i)}/api/pause`, { method: "POST" });
    }
    const last = await acknowledged();
    const readBack = await readBackTopic({
      jars: await ensureKafkaJars(),
      bootstrap: `127.0.0.1:${testLab.settings.KAFKA_BROKER_PORTS?.split(",")[0] ?? ""}`,
      topic: "blackout.numbers",
    });
    expect(readBack.complete).toBe(true);
    const sequences = sequenceHoles(readBack.records, last);
    expect(sequences.map((s) => [s.producer, s.holes])).toEqual(
      producers.map((name) => [name, []]),
    );
    for (const sequence of sequences) {
      expect(sequence.lastAcknowledged).toBeGreaterThan((stalled.get(sequence.producer) ?? 0) + 50);
    }
  }, 600_000);
});
