import { afterAll, expect, inject, it } from "vitest";
import type { ClientSummary } from "../../src/contract/fleet.ts";
import { freePorts } from "../../src/lib/freePorts.ts";
import { waitFor } from "../../src/lib/waitFor.ts";
import { json, metric } from "../support/serviceApi.ts";
import { createServiceLauncher } from "../support/serviceProcess.ts";
import { uniqueName } from "../support/testCluster.ts";

// Long-polling (`wait=`) end to end: a real producer, consumer and gateway on the shared cluster,
// and a fleet whose clients long-poll. Polling every 3 s would see records 1.5 s old in the
// median; held answers come back as records arrive. A paused producer leaves every answer held
// to its end and empty: not a failed poll, nothing missing.
const brokers = inject("kafkaBrokers");
const { launch, killAll } = createServiceLauncher();
afterAll(killAll);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

it("long-polling clients get records as they arrive through the gateway, and a quiet topic fails no poll", async () => {
  const [producerPort = 0, consumerPort = 0, gatewayPort = 0, fleetPort = 0] = await freePorts(4);
  const kafka = { KAFKA_BROKERS: brokers.join(","), KAFKA_TOPIC: uniqueName("numbers") };
  const producer = launch("producer", producerPort, { ...kafka, RATE_PER_SECOND: "20" });
  const consumer = launch("consumer", consumerPort, { ...kafka, CONSUMER_ID: "consumer-0" });
  await Promise.all([producer.waitReady(), consumer.waitReady()]);
  const gateway = launch("gateway", gatewayPort, { CONSUMER_URLS: consumer.url });
  await gateway.waitReady();
  await waitFor(async () => (await metric(gateway, "blackout_gateway_backends_ready")) === 1, {
    what: "the gateway to see the consumer ready",
    timeoutMs: 30_000,
  });
  const fleet = launch("clients", fleetPort, {
    TARGET_URL: gateway.url,
    CLIENTS: "5",
    POLL_MS: "3000",
    LONG_POLL_MS: "2000",
  });
  await fleet.waitReady();

  const flowing = await waitFor(
    async () => {
      const summary = await json<ClientSummary>(`${fleet.url}/api/summary`);
      return summary.freshRecords >= 5 * 60 ? summary : undefined;
    },
    { what: "three seconds of records at every client", timeoutMs: 30_000, intervalMs: 500 },
  );
  expect(flowing.latencyP50Ms).not.toBeNull();
  expect(flowing.latencyP50Ms ?? Infinity).toBeLessThan(1000);

  await json(`${producer.url}/api/pause`, { method: "POST" });
  await sleep(5000);
  const quiet = await json<ClientSummary>(`${fleet.url}/api/summary`);
  expect(quiet.failedPolls).toBe(0);
  expect(quiet.missing).toBe(0);
  expect(await metric(gateway, "blackout_gateway_requests_total", 'status="5')).toBe(0);
});
