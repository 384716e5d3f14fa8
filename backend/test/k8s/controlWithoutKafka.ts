import type { Orchestrator } from "../../src/chaos/orchestrator.ts";
import { freePorts } from "../../src/lib/freePorts.ts";
import { listen } from "../../src/lib/httpApp.ts";
import { createLogger } from "../../src/lib/logger.ts";
import { createControlApp } from "../../src/services/control/controlApp.ts";
import { createControlMetrics } from "../../src/services/control/controlMetrics.ts";
import type { Fault } from "../../src/services/control/fault.ts";
import { createFaultTracker, type FaultTracker } from "../../src/services/control/faultTracker.ts";
import { createFleetFeed } from "../../src/services/control/fleetFeed.ts";
import { createScenarioRunner } from "../../src/services/control/scenarioRunner.ts";
import { describeTargets } from "../../src/services/control/topology.ts";

export interface ControlWithoutKafka {
  readonly url: string;
  readonly tracker: FaultTracker;
  close(): Promise<void>;
}

/**
 * Control as main.ts wires it (its HTTP API, the fault tracker ticking every half second, the
 * scenario runner), minus Kafka: kwok's pods run no containers, so there are no brokers to read
 * leaders and lag from, nor clients. The timeline lives in memory instead of blackout.faults;
 * with no lag samples a fault's lag recovery reads "never degraded" (0), and with no fleet its
 * client recovery is not waited for. What the Kubernetes side decides, the pod recovery, is real.
 */
export async function startControlWithoutKafka(
  orchestrator: Orchestrator,
): Promise<ControlWithoutKafka> {
  const logger = createLogger({ name: "control", level: "warn" });
  const feed = createFleetFeed();
  const stored: Fault[] = [];
  const metrics = createControlMetrics();
  const tracker = createFaultTracker({
    orchestrator,
    kafka: { leadership: () => undefined, lagSamples: () => [] },
    feed,
    fleet: undefined,
    store: {
      append: (fault) => {
        stored.push(fault);
        return Promise.resolve();
      },
      load: () => Promise.resolve([...stored]),
    },
    logger,
    now: Date.now,
    random: Math.random,
    minAlive: 1,
    faultWindowMs: 120_000,
    settleMs: 1000,
    lagFloor: 100,
    groupPrefix: "blackout-view-",
    onChange: (fault) => metrics.faultChanged(fault),
  });
  const runner = createScenarioRunner({
    tracker,
    feed,
    totalLag: () => null,
    setRate: () => Promise.reject(new Error("no producers run on kwok nodes")),
    thawAll: () => orchestrator.thawAll(),
    lab: {
      mode: orchestrator.mode,
      versions: { blackout: "test", kafka: "none", node: process.version },
      config: () => Promise.resolve({}),
    },
    logger,
    now: Date.now,
    settleTimeoutMs: 60_000,
    onUpdate: () => undefined,
  });
  const app = createControlApp({
    tracker,
    runner,
    feed,
    topology: async () => ({
      at: Date.now(),
      targets: describeTargets(await orchestrator.targets(), undefined, tracker.refusal),
      kafka: null,
    }),
    emergencyStop: async () => ({
      thawed: await orchestrator.thawAll(),
      aborted: runner.abortAll("emergency stop"),
    }),
    token: undefined,
    dashboardDir: undefined,
    page: "<!doctype html><title>control</title>",
    session: { mode: orchestrator.mode, links: {} },
    kafkaSeries: () => [],
    scenarios: () => Promise.resolve([]),
    probes: { alive: () => true, ready: () => true },
    metrics: metrics.metrics,
    logger,
    onSummary: () => undefined,
    onEvents: () => undefined,
  });
  const [port] = await freePorts(1);
  const server = await listen(app, "127.0.0.1", port ?? 0);
  await tracker.load();
  const unsubscribe = orchestrator.onEvent((event) => tracker.observe(event));
  let stopped = false;
  let ticking: Promise<void> = Promise.resolve();
  const tick = (): void => {
    if (stopped) return;
    ticking = tracker
      .tick()
      .catch((error: unknown) => logger.error({ err: error }, "fault tracking failed"))
      .finally(() => setTimeout(tick, 500));
  };
  tick();
  return {
    url: server.url,
    tracker,
    async close() {
      stopped = true;
      await ticking;
      unsubscribe();
      await server.close();
    },
  };
}
