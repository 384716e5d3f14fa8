import type Koa from "koa";
import type { Orchestrator } from "../../chaos/orchestrator.ts";
import type { Logger } from "../../lib/logger.ts";
import { createControlApp, type ControlAppOptions } from "./controlApp.ts";
import { createControlMetrics } from "./controlMetrics.ts";
import type { Fault } from "../../contract/fault.ts";
import { createFaultTracker, type FaultTracker } from "./faultTracker.ts";
import { createFleetFeed, type FleetFeed } from "./fleetFeed.ts";
import { createScenarioRunner, type ScenarioRunner } from "./scenarioRunner.ts";
import { describeTargets } from "./topology.ts";

export interface InMemoryControlOptions {
  readonly orchestrator: Orchestrator;
  readonly logger: Logger;
  readonly faultWindowMs: number;
  readonly settleMs: number;
  /** How long a run waits for its faults to complete. */
  readonly settleTimeoutMs: number;
  /** Replaces any of the HTTP app's options (a token, a dashboard directory, callbacks). */
  readonly app?: Partial<ControlAppOptions>;
}

export interface InMemoryControl {
  readonly app: Koa;
  readonly tracker: FaultTracker;
  readonly runner: ScenarioRunner;
  readonly feed: FleetFeed;
  /** What the tracker appended to its store, in order. */
  readonly stored: Fault[];
}

/**
 * Control as main.ts wires it, without Kafka: the fault timeline in memory instead of
 * blackout.faults, no leaders or lag (lag recovery reads "never degraded"), no fleet to ask for
 * client recovery. For tests of control's API and of the orchestrators it drives.
 */
export function createInMemoryControl(options: InMemoryControlOptions): InMemoryControl {
  const { orchestrator, logger } = options;
  const feed = createFleetFeed();
  const stored: Fault[] = [];
  const metrics = createControlMetrics({ faultWindowMs: options.faultWindowMs });
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
    faultWindowMs: options.faultWindowMs,
    settleMs: options.settleMs,
    lagFloor: 100,
    groupPrefix: "blackout-view-",
    onChange: (fault) => metrics.faultChanged(fault),
  });
  const runner = createScenarioRunner({
    tracker,
    feed,
    totalLag: () => null,
    setRate: () => Promise.reject(new Error("no producer API in this control")),
    thawAll: () => orchestrator.thawAll(),
    lab: {
      mode: orchestrator.mode,
      failoverSettings: "typical",
      versions: { blackout: "test", kafka: "none", node: process.version },
      config: () => Promise.resolve({}),
    },
    logger,
    now: Date.now,
    settleTimeoutMs: options.settleTimeoutMs,
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
      aborted: runner.abortAll("emergency stop"),
      thawed: await orchestrator.thawAll(),
    }),
    token: undefined,
    dashboardDir: undefined,
    page: "<html>placeholder</html>",
    session: { mode: orchestrator.mode, links: {} },
    kafkaSeries: () => [],
    scenarios: () => Promise.resolve([]),
    probes: { alive: () => true, ready: () => true },
    metrics: metrics.metrics,
    logger,
    onSummary: () => undefined,
    onEvents: () => undefined,
    ...options.app,
  });
  return { app, tracker, runner, feed, stored };
}
