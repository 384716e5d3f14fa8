// The simulated client fleet (DESIGN §1): wiring only.
import { handleProcessFailures } from "../../lib/processFailures.ts";
import { listen } from "../../lib/httpApp.ts";
import { createLogger } from "../../lib/logger.ts";
import { runServiceLifecycle } from "../../lib/serviceLifecycle.ts";
import { loadClientsConfig } from "./clientsConfig.ts";
import { createClientsMetrics } from "./clientsMetrics.ts";
import { createControlPusher } from "./controlPusher.ts";
import { createFleet } from "./fleet.ts";
import { createFleetApp } from "./fleetApp.ts";
import { createHttpFetch } from "./httpFetch.ts";

handleProcessFailures("clients");

const config = loadClientsConfig();
const logger = createLogger({ name: "clients", level: config.LOG_LEVEL });
const metrics = createClientsMetrics();
const pusher =
  config.CONTROL_URL === undefined
    ? undefined
    : createControlPusher({ controlUrl: config.CONTROL_URL, fetch, metrics, logger });
const http = createHttpFetch({ onStaleConnection: () => metrics.staleConnections.inc() });
const fleet = createFleet({
  size: config.CLIENTS,
  targetUrl: config.TARGET_URL,
  pollMs: config.POLL_MS,
  stallMs: config.STALL_MS,
  timeoutMs: config.POLL_TIMEOUT_MS,
  longPollMs: config.LONG_POLL_MS,
  fetch: http.fetch,
  now: Date.now,
  random: Math.random,
  metrics,
  onEvent: pusher?.event,
  onSummary: pusher?.summary,
  onFailures: (failures) => logger.warn({ failures }, "polls failed in the last second"),
});
const app = createFleetApp({
  fleet,
  probes: { alive: () => true, ready: () => true },
  metrics: metrics.metrics,
  logger,
});
const server = await listen(app, config.HTTP_HOST, config.HTTP_PORT);
runServiceLifecycle(logger, async () => {
  fleet.stop();
  http.close();
  await pusher?.stop();
  await server.close();
});
fleet.start();
pusher?.start();
logger.info(
  {
    url: server.url,
    clients: config.CLIENTS,
    target: config.TARGET_URL,
    pollMs: config.POLL_MS,
    control: config.CONTROL_URL ?? "off",
  },
  "listening",
);
