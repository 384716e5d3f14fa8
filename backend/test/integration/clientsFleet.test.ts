// The simulated client fleet at scale, in-process, against a stand-in records server (no Kafka):
// 200 clients poll over real HTTP for about 5 s. Behaviour, not speed: every client polls, none
// misses a number, and the fleet's own API keeps answering while they do.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listen, type RunningServer } from "../../src/lib/httpApp.ts";
import { createLogger } from "../../src/lib/logger.ts";
import { createClientsMetrics } from "../../src/services/clients/clientsMetrics.ts";
import { createFleet, type Fleet, type FleetSummary } from "../../src/services/clients/fleet.ts";
import { createFleetApp } from "../../src/services/clients/fleetApp.ts";
import { createFakeRecordsApi } from "../../src/services/clients/recordsApi.fixture.ts";

const CLIENTS = 200;
const POLL_MS = 500;
const RUN_MS = 5000;

let recordsServer: Server;
let fleetServer: RunningServer;
let fleet: Fleet;
let producing: ReturnType<typeof setInterval>;
const api = createFakeRecordsApi(Date.now);

beforeAll(async () => {
  recordsServer = createServer((request, response) => {
    const cursor = new URL(request.url ?? "/", "http://stand-in").searchParams.get("cursor");
    const { status, body } = api.answer(cursor);
    response.writeHead(status, { "content-type": "application/json" });
    response.end(JSON.stringify(body));
  });
  await new Promise<void>((done) => recordsServer.listen(0, "127.0.0.1", done));
  const { port } = recordsServer.address() as AddressInfo;
  api.produce("producer-0");
  api.produce("producer-1");
  // 40 records a second from two producers, as the lab's producers do by default.
  producing = setInterval(() => {
    api.produce("producer-0");
    api.produce("producer-1");
  }, 50);
  const metrics = createClientsMetrics();
  fleet = createFleet({
    size: CLIENTS,
    targetUrl: `http://127.0.0.1:${port}`,
    pollMs: POLL_MS,
    stallMs: 3 * POLL_MS,
    timeoutMs: 2 * POLL_MS,
    fetch,
    now: Date.now,
    random: Math.random,
    metrics,
  });
  fleetServer = await listen(
    createFleetApp({
      fleet,
      probes: { alive: () => true, ready: () => true },
      metrics: metrics.metrics,
      logger: createLogger({ name: "clients-test", level: "silent" }),
    }),
    "127.0.0.1",
    0,
  );
});

afterAll(async () => {
  fleet.stop();
  clearInterval(producing);
  await fleetServer.close();
  recordsServer.closeAllConnections();
  await new Promise((done) => recordsServer.close(done));
});

describe("client fleet of 200", () => {
  it("polls with every client, misses nothing, and keeps answering its API", async () => {
    fleet.start();
    const summaries: FleetSummary[] = [];
    const deadline = Date.now() + RUN_MS;
    while (Date.now() < deadline) {
      const response = await fetch(`${fleetServer.url}/api/summary`, {
        signal: AbortSignal.timeout(5000),
      });
      expect(response.status).toBe(200);
      summaries.push((await response.json()) as FleetSummary);
      await sleep(500);
    }
    // The last records produced reach every client with its next poll.
    clearInterval(producing);
    await sleep(2 * POLL_MS);

    expect(summaries.length).toBeGreaterThanOrEqual(5);
    expect(summaries.at(-1)?.polls).toBeGreaterThan(summaries[0]?.polls ?? Infinity);
    const final = fleet.summary();
    expect(final).toMatchObject({ clients: CLIENTS, missing: 0, duplicates: 0 });
    const heads = api.answer(null).body as { heads: Record<string, number> };
    for (let index = 0; index < CLIENTS; index += 1) {
      const client = fleet.clientSnapshot(index);
      expect(client?.missing, `client-${index}`).toBe(0);
      // About 12 polls in 6 s; a loaded machine may stretch a few.
      expect(client?.polls, `client-${index}`).toBeGreaterThanOrEqual(5);
      expect(client?.freshRecords, `client-${index}`).toBeGreaterThan(0);
      expect(client?.producers["producer-0"]?.highest, `client-${index}`).toBe(
        heads.heads["producer-0"],
      );
    }
  });
});
