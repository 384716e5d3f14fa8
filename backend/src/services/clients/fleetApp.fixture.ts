// For the fleet API's tests: a small fleet and its HTTP API on a free loopback port.
import { listen, type RunningServer } from "../../lib/httpApp.ts";
import { createLogger } from "../../lib/logger.ts";
import type { FetchLike } from "../../ledger/recordsPoller.ts";
import { createClientsMetrics } from "./clientsMetrics.ts";
import { createFleet, type Fleet } from "./fleet.ts";
import { createFleetApp } from "./fleetApp.ts";

export interface FleetAppUnderTest {
  /** Three clients polling every 50 ms once started; not started yet. */
  readonly fleet: Fleet;
  readonly server: RunningServer;
}

export async function startFleetApp(
  fetch: FetchLike,
  now: () => number,
): Promise<FleetAppUnderTest> {
  const metrics = createClientsMetrics();
  const fleet = createFleet({
    size: 3,
    targetUrl: "http://gateway.test:8080",
    pollMs: 50,
    stallMs: 150,
    timeoutMs: 1000,
    fetch,
    now,
    random: Math.random,
    metrics,
  });
  const app = createFleetApp({
    fleet,
    probes: { alive: () => true, ready: () => true },
    metrics: metrics.metrics,
    logger: createLogger({ name: "test", level: "silent" }),
  });
  return { fleet, server: await listen(app, "127.0.0.1", 0) };
}
