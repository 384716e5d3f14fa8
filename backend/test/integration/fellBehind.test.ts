import { afterAll, expect, inject, it } from "vitest";
import type { ClientSummary } from "../../src/contract/fleet.ts";
import { freePorts } from "../../src/lib/freePorts.ts";
import { waitFor } from "../../src/lib/waitFor.ts";
import { json, metric } from "../support/serviceApi.ts";
import { createServiceLauncher } from "../support/serviceProcess.ts";
import { uniqueName } from "../support/testCluster.ts";

// Overload is not data loss (issue 17): clients too slow for a consumer's view window skip what
// left it, and count that as fell-behind, never as missing. A real producer and consumer on the
// shared cluster; the window (20 records) is far shorter than what arrives between two polls
// (2 s at 100 records/s), and answers are cut at 5 records.
const brokers = inject("kafkaBrokers");
const { launch, killAll } = createServiceLauncher();
afterAll(killAll);

it("a client slower than the view window counts what it skipped as fell-behind, none as missing", async () => {
  const [producerPort = 0, consumerPort = 0, fleetPort = 0] = await freePorts(3);
  const kafka = { KAFKA_BROKERS: brokers.join(","), KAFKA_TOPIC: uniqueName("numbers") };
  const producer = launch("producer", producerPort, { ...kafka, RATE_PER_SECOND: "100" });
  const consumer = launch("consumer", consumerPort, {
    ...kafka,
    CONSUMER_ID: "consumer-0",
    VIEW_WINDOW: "20",
    MAX_RECORDS_PER_ANSWER: "5",
  });
  await Promise.all([producer.waitReady(), consumer.waitReady()]);
  const fleet = launch("clients", fleetPort, {
    TARGET_URL: consumer.url,
    CLIENTS: "3",
    POLL_MS: "2000",
  });
  await fleet.waitReady();

  const summary = await waitFor(
    async () => {
      const current = await json<ClientSummary>(`${fleet.url}/api/summary`);
      return current.fellBehind > 3 * 100 ? current : undefined;
    },
    { what: "the clients to fall behind the window", timeoutMs: 30_000, intervalMs: 500 },
  );
  expect(summary.missing).toBe(0);
  expect(summary.failedPolls).toBe(0);
  // Each falls behind between polls and catches up within one: truncated answers are asked
  // again at once, so the records after the window's floor all arrive.
  expect(summary.freshRecords).toBeGreaterThan(0);
  // The fleet's gauges follow its summary at its next housekeeping round (every second).
  await waitFor(async () => (await metric(fleet, "blackout_client_fell_behind_records")) > 0, {
    what: "the fleet's fell-behind gauge",
    timeoutMs: 5000,
    intervalMs: 200,
  });
  expect(await metric(fleet, "blackout_client_missing_records")).toBe(0);
});
