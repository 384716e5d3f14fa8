import { describe, expect, it } from "vitest";
import { ConflictError } from "../../lib/errors.ts";
import { createLogger } from "../../lib/logger.ts";
import type { ClientRecovery, Fault } from "../../contract/fault.ts";
import type { FloorSettings } from "../../kafka/failoverFloor.ts";
import {
  createFaultTracker,
  type FaultRequest,
  type FaultTrackerOptions,
  type FleetLink,
} from "./faultTracker.ts";
import { memoryLog } from "./memoryLog.fixture.ts";
import { createFleetFeed } from "./fleetFeed.ts";
import type { LagSample } from "./lagRecovery.ts";
import { createFakeOrchestrator } from "./fakeOrchestrator.fixture.ts";
import { fakeTarget } from "../../contract/targets.fixture.ts";
import { clientSummary } from "../../contract/clientSummary.fixture.ts";

function setup(overrides: Partial<FaultTrackerOptions> = {}) {
  let clock = 100_000;
  const orchestrator = createFakeOrchestrator(
    [
      fakeTarget("kafka-1", "broker", { nodeId: 1 }),
      fakeTarget("kafka-2", "broker", { nodeId: 2 }),
      fakeTarget("consumer-0", "consumer"),
      fakeTarget("consumer-1", "consumer"),
      fakeTarget("producer-0", "producer", { chaos: false }),
    ],
    () => clock,
  );
  const stored: Fault[] = [];
  const changes: Fault[] = [];
  const lag: LagSample[] = [];
  const feed = createFleetFeed();
  let recovery: ClientRecovery | undefined;
  const followed: string[] = [];
  const fleet: FleetLink = {
    follow: (id) => {
      followed.push(id);
      return Promise.resolve();
    },
    recovery: () => Promise.resolve(recovery),
  };
  const options: FaultTrackerOptions = {
    orchestrator,
    kafka: {
      leadership: () => ({
        controller: 2,
        partitions: [
          { partition: 0, leader: 1 },
          { partition: 1, leader: 2 },
          { partition: 2, leader: 1 },
        ],
      }),
      lagSamples: () => lag,
    },
    feed,
    fleet,
    store: memoryLog(stored),
    logger: createLogger({ name: "test", level: "silent" }),
    now: () => clock,
    random: () => 0.99,
    minAlive: 1,
    faultWindowMs: 120_000,
    settleMs: 5000,
    lagFloor: 100,
    groupPrefix: "blackout-view-",
    onChange: (fault) => changes.push(fault),
    ...overrides,
  };
  const tracker = createFaultTracker(options);
  return {
    tracker,
    orchestrator,
    stored,
    changes,
    lag,
    feed,
    followed,
    options,
    advance: (ms: number) => (clock += ms),
    now: () => clock,
    setRecovery: (value: ClientRecovery | undefined) => (recovery = value),
  };
}

const hardKill = (target: string) =>
  ({ action: "kill", target, mode: "hard", dryRun: false, force: false, actor: "api" }) as const;

describe("the fault tracker", () => {
  it("resolves Kafka-aware selectors to the broker Kafka names", async () => {
    const { tracker } = setup();
    const plan = async (target: string) => {
      const outcome = await tracker.inject({ ...hardKill(target), dryRun: true });
      return outcome.kind === "planned" ? outcome.plan : outcome;
    };
    const refusal = (target: string) => tracker.inject({ ...hardKill(target), dryRun: true });
    expect(await plan("leader-of:1")).toMatchObject({ victim: "kafka-2", leadersMoving: [1] });
    expect(await plan("most-leaders")).toMatchObject({ victim: "kafka-1", leadersMoving: [0, 2] });
    expect(await plan("controller")).toMatchObject({ victim: "kafka-2" });
    expect(await plan("random:consumer")).toMatchObject({ victim: "consumer-1" });
    await expect(refusal("leader-of:9")).rejects.toMatchObject({ status: 404 });
    await expect(refusal("random:gateway")).rejects.toMatchObject({ status: 400 });
    await expect(refusal("Bad Name")).rejects.toMatchObject({ status: 400 });
  });

  it("refuses what the guards refuse, and force overrides only MIN_ALIVE", async () => {
    const { tracker, orchestrator } = setup();
    orchestrator.set("consumer-0", { ready: false });
    const minAlive = tracker.inject(hardKill("consumer-1"));
    await expect(minAlive).rejects.toThrow(ConflictError);
    await expect(minAlive).rejects.toThrow(/MIN_ALIVE.*0 ready consumers/);
    expect(await tracker.inject({ ...hardKill("consumer-1"), force: true })).toMatchObject({
      kind: "injected",
    });
    const optOut = tracker.inject({ ...hardKill("producer-0"), force: true });
    await expect(optOut).rejects.toThrow(/not opted in/);
    expect(orchestrator.calls).toEqual(["kill consumer-1 hard"]);
  });

  it("refuses a kill the orchestrator refuses (the target died meanwhile), recording nothing", async () => {
    const { tracker, orchestrator } = setup();
    orchestrator.dieBeforeKill("consumer-0");
    const refused = tracker.inject(hardKill("consumer-0"));
    await expect(refused).rejects.toThrow(ConflictError);
    await expect(refused).rejects.toThrow("consumer-0 is not running");
    expect(tracker.list()).toEqual([]);
  });

  it("gives each fault the floor Kafka sets for it, from the settings at t0", async () => {
    const settings: FloorSettings = {
      brokerSessionTimeoutMs: 9000,
      brokerHeartbeatIntervalMs: 2000,
      quorumFetchTimeoutMs: 2000,
      groupInitialRebalanceDelayMs: 0,
      consumerSessionTimeoutMs: 30_000,
      consumerTakeOver: false,
    };
    const { tracker } = setup({ floorSettings: () => settings });
    const floorOf = async (request: FaultRequest) => {
      const outcome = await tracker.inject(request);
      return outcome.kind === "injected" ? outcome.fault.floor : outcome;
    };
    // kafka-2 is the active controller: an election first, then the fencing.
    expect(await floorOf(hardKill("kafka-2"))).toMatchObject({ ms: 11_000 });
    expect(await floorOf(hardKill("kafka-1"))).toMatchObject({
      ms: 9000,
      because: "the controller fences it (broker.session.timeout.ms 9 s)",
    });
    expect(await floorOf(hardKill("consumer-0"))).toMatchObject({ ms: 30_000 });
    expect(await floorOf({ ...hardKill("consumer-1"), action: "freeze", seconds: 5 })).toBe(
      undefined,
    );
  });

  it("answers an injection while Kafka does not take the fault, and appends it once Kafka does", async () => {
    const appended: Fault[] = [];
    let accept: () => void = () => undefined;
    const kafkaBack = new Promise<void>((resolve) => (accept = resolve));
    const { tracker } = setup({
      store: {
        append: async (fault) => {
          await kafkaBack;
          appended.push(fault);
        },
        load: () => Promise.resolve([]),
      },
    });
    const started = Date.now();
    const outcome = await tracker.inject(hardKill("consumer-0"));
    expect(outcome.kind).toBe("injected");
    expect(Date.now() - started).toBeGreaterThanOrEqual(1900);
    expect(appended).toEqual([]);
    accept();
    await tracker.tick();
    expect(appended.map((f) => f.target)).toEqual(["consumer-0"]);
  });

  it("records no floor while the settings could not be read", async () => {
    const { tracker } = setup({ floorSettings: () => undefined });
    const outcome = await tracker.inject(hardKill("kafka-1"));
    expect(outcome.kind === "injected" && "floor" in outcome.fault).toBe(false);
  });

  it("changes nothing on a dry run", async () => {
    const { tracker, orchestrator, stored } = setup();
    await tracker.inject({ ...hardKill("consumer-0"), dryRun: true });
    await tracker.tick();
    expect(orchestrator.calls).toEqual([]);
    expect(tracker.list()).toEqual([]);
    expect(stored).toEqual([]);
  });

  it("fills in the three recovery times and the window's totals, then completes", async () => {
    const t = setup();
    t.feed.addSummary("fleet", summary(t.now() - 500, { missing: 0, failedPolls: 3 }));
    for (let at = t.now() - 30_000; at < t.now(); at += 1000) {
      t.lag.push({ at, lag: { "blackout-view-consumer-0": 10, "blackout-view-consumer-1": 12 } });
    }
    const outcome = await t.tracker.inject(hardKill("consumer-0"));
    if (outcome.kind !== "injected") throw new Error(`not injected: ${JSON.stringify(outcome)}`);
    const { id, t0 } = outcome.fault;
    expect(t.followed).toEqual([id]);
    // On the timeline before the answer, not at the next tick: a control killed meanwhile
    // would lose it.
    expect(t.stored.map((f) => f.id)).toEqual([id]);
    await t.tracker.tick();
    expect(t.stored.map((f) => [f.id, f.report.status])).toEqual([[id, "open"]]);

    t.advance(2000);
    t.lag.push({
      at: t.now(),
      lag: { "blackout-view-consumer-0": 500, "blackout-view-consumer-1": 12 },
    });
    t.orchestrator.set("consumer-0", { status: "stopped", ready: false, readySince: undefined });
    t.setRecovery({
      clients: 10,
      pending: 4,
      neverNoticed: 3,
      p50Ms: 800,
      p99Ms: 1500,
      maxMs: 1500,
    });
    await t.tracker.tick();
    expect(t.tracker.get(id)?.report).toMatchObject({
      status: "open",
      podRecoveryMs: null,
      lagRecoveryMs: null,
    });

    t.advance(8000);
    t.orchestrator.set("consumer-0", { status: "running", ready: true, readySince: t.now() });
    t.lag.push({
      at: t.now(),
      lag: { "blackout-view-consumer-0": 20, "blackout-view-consumer-1": 12 },
    });
    t.feed.addSummary("fleet", summary(t.now(), { missing: 0, failedPolls: 7 }));
    t.setRecovery({
      clients: 10,
      pending: 0,
      neverNoticed: 3,
      p50Ms: 900,
      p99Ms: 2500,
      maxMs: 2600,
    });
    await t.tracker.tick();
    expect(t.tracker.get(id)?.report).toMatchObject({
      status: "open",
      podRecoveryMs: 10_000,
      lagRecoveryMs: 10_000,
      totals: { missing: 0, failedPolls: 4, duplicates: 0, staleReads: 0 },
    });

    t.advance(5000);
    await t.tracker.tick();
    const done = t.tracker.get(id);
    expect(done?.report).toMatchObject({
      status: "complete",
      timedOut: false,
      clientRecovery: { p99Ms: 2500, maxMs: 2600, pending: 0 },
      windowEnd: t0 + 15_000,
    });
    expect(t.stored.at(-1)).toEqual(done);
  });

  it("closes a fault whose target never comes back when its window ends", async () => {
    const t = setup({ fleet: undefined });
    const outcome = await t.tracker.inject(hardKill("kafka-1"));
    expect(outcome).toMatchObject({ kind: "injected", fault: { kind: "broker", leads: [0, 2] } });
    t.orchestrator.set("kafka-1", { status: "stopped", ready: false, readySince: undefined });
    t.advance(120_000);
    await t.tracker.tick();
    expect(t.tracker.list()[0]?.report).toMatchObject({
      status: "complete",
      timedOut: true,
      podRecoveryMs: null,
    });
  });

  it("records a termination nobody asked control for as an external fault, once", () => {
    const t = setup();
    const event = {
      type: "terminated",
      target: "consumer-1",
      kind: "consumer",
      at: t.now(),
      byUs: false,
      detail: "signal SIGKILL",
    } as const;
    t.tracker.observe(event);
    t.tracker.observe(event);
    t.tracker.observe({ ...event, target: "consumer-0", byUs: true });
    expect(t.tracker.list()).toEqual([
      expect.objectContaining({
        target: "consumer-1",
        actor: "external",
        mode: "hard",
        selector: "observed",
      }),
    ]);
  });

  it("reads the timeline back, so a restarted control keeps its history", async () => {
    const t = setup();
    await t.tracker.inject(hardKill("consumer-0"));
    await t.tracker.tick();
    const restarted = createFaultTracker({ ...t.options, store: { ...t.options.store } });
    await restarted.load();
    expect(restarted.list().map((f) => f.id)).toEqual(t.tracker.list().map((f) => f.id));
  });
});

function summary(at: number, counters: { missing: number; failedPolls: number }) {
  return clientSummary({ at, clients: 10, polls: 100, ...counters });
}
