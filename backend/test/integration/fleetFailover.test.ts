import { afterAll, expect, inject, it } from "vitest";
import type { ClientSummary } from "../../src/contract/fleet.ts";
import { freePorts } from "../../src/lib/freePorts.ts";
import { waitFor } from "../../src/lib/waitFor.ts";
import { json, metric } from "../support/serviceApi.ts";
import { createServiceLauncher } from "../support/serviceProcess.ts";
import { uniqueName } from "../support/testCluster.ts";

// Issue 4's ground truth: 50 simulated clients poll 3 consumers through the gateway while one
// consumer is SIGKILLed and restarted. Kills no broker, so the shared cluster serves.
const brokers = inject("kafkaBrokers");
const { launch, killAll } = createServiceLauncher();
afterAll(killAll);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

it("SIGKILL of one of three consumers: no client misses a record, and the fleet's failed polls match the gateway's", async () => {
  const [producerPort = 0, gatewayPort = 0, fleetPort = 0, ...consumerPorts] = await freePorts(6);
  const kafka = { KAFKA_BROKERS: brokers.join(","), KAFKA_TOPIC: uniqueName("numbers") };
  const consumerEnv = (i: number) => ({
    ...kafka,
    CONSUMER_ID: `consumer-${i}`,
    SESSION_TIMEOUT_MS: "6s",
  });
  const consumers = consumerPorts.map((port, i) => launch("consumer", port, consumerEnv(i)));
  const producer = launch("producer", producerPort, { ...kafka, RATE_PER_SECOND: "50" });
  const consumerUrls = consumers.map((c) => c.url);
  const gateway = launch("gateway", gatewayPort, { CONSUMER_URLS: consumerUrls.join(",") });
  await Promise.all([producer, ...consumers, gateway].map((service) => service.waitReady()));
  await waitFor(async () => (await metric(gateway, "blackout_gateway_backends_ready")) === 3, {
    what: "the gateway to see three ready consumers",
    timeoutMs: 30_000,
  });
  const fleet = launch("clients", fleetPort, {
    TARGET_URL: gateway.url,
    CLIENTS: "50",
    POLL_MS: "250",
  });
  await fleet.waitReady();
  await sleep(3000);

  const victim = consumers[1];
  if (!victim) throw new Error("no consumer-1");
  const killedAt = Date.now();
  await victim.kill("SIGKILL");
  await sleep(2000);
  const restarted = launch("consumer", consumerPorts[1] ?? 0, consumerEnv(1));
  await restarted.waitReady();
  await waitFor(async () => (await metric(gateway, "blackout_gateway_backends_ready")) === 3, {
    what: "the gateway to take the restarted consumer back",
    timeoutMs: 30_000,
  });
  await sleep(3000);

  const faultWindowMs = Date.now() - killedAt;
  // The books while numbers still flow: once the producer pauses, every client stalls by design.
  const summary = await json<ClientSummary>(`${fleet.url}/api/summary`);
  const { lastAcknowledged } = await json<{ lastAcknowledged: number }>(
    `${producer.url}/api/pause`,
    {
      method: "POST",
    },
  );
  expect(summary.clients).toBe(50);
  expect(summary.polls).toBeGreaterThan(50 * 20);
  expect(summary.missing).toBe(0);
  expect(lastAcknowledged).toBeGreaterThan(300);

  // Failed polls as the clients counted them equal the errors the gateway answered.
  const clientHttpFailures = await metric(fleet, "blackout_client_polls_total", 'result="failed"');
  const gatewayErrors =
    (await metric(gateway, "blackout_gateway_requests_total", 'status="5')) +
    (await metric(gateway, "blackout_gateway_no_backend_total"));
  expect(clientHttpFailures).toBe(gatewayErrors);
  expect(summary.failedPolls).toBe(
    clientHttpFailures +
      (await metric(fleet, "blackout_client_polls_total", 'result="timeout"')) +
      (await metric(fleet, "blackout_client_polls_total", 'result="refused"')),
  );
  // No client reports an outage longer than the whole fault. (Short stalls without a failed poll
  // are real: the replacement's start starves 2 cores for a moment and fresh data comes late.)
  expect(summary.longestStallMs).toBeLessThan(faultWindowMs);

  // The gateway never sent a request to a consumer that was not ready (the consumers' own count).
  for (const consumer of [consumers[0], restarted, consumers[2]]) {
    if (!consumer) throw new Error("missing consumer");
    expect(await metric(consumer, "blackout_consumer_api_requests_total", 'ready="false"')).toBe(0);
    expect(
      await metric(consumer, "blackout_consumer_api_requests_total", 'ready="true"'),
    ).toBeGreaterThan(0);
  }
});
