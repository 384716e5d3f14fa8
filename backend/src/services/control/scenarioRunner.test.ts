import { afterEach, describe, expect, it } from "vitest";
import type { Scenario } from "../../chaos/scenarios/scenario.ts";
import { scorecardSchema } from "../../contract/scorecard.ts";
import { ConflictError } from "../../lib/errors.ts";
import { createLogger } from "../../lib/logger.ts";
import { waitFor } from "../../lib/waitFor.ts";
import { createFaultTracker } from "./faultTracker.ts";
import { createFakeOrchestrator } from "./fakeOrchestrator.fixture.ts";
import { fakeTarget } from "../../contract/targets.fixture.ts";
import { createFleetFeed } from "./fleetFeed.ts";
import { type ClientSummary } from "../../contract/fleet.ts";
import { createScenarioRunner } from "./scenarioRunner.ts";
import { memoryLog } from "./memoryLog.fixture.ts";
import { type RunState } from "../../contract/runs.ts";
import { clientSummary } from "../../contract/clientSummary.fixture.ts";

const timers: NodeJS.Timeout[] = [];
afterEach(() => {
  for (const timer of timers.splice(0)) clearInterval(timer);
});

/** `previous`: what a previous control process's runner stored, read back by load(). */
function setup(previous: RunState[] = []) {
  const orchestrator = createFakeOrchestrator([
    fakeTarget("consumer-0", "consumer"),
    fakeTarget("consumer-1", "consumer"),
    fakeTarget("consumer-2", "consumer"),
  ]);
  const feed = createFleetFeed();
  const tracker = createFaultTracker({
    orchestrator,
    kafka: { leadership: () => undefined, lagSamples: () => [] },
    feed,
    fleet: undefined,
    store: { append: () => Promise.resolve(), load: () => Promise.resolve([]) },
    logger: createLogger({ name: "test", level: "silent" }),
    now: Date.now,
    random: Math.random,
    minAlive: 1,
    faultWindowMs: 5000,
    settleMs: 0,
    lagFloor: 100,
    groupPrefix: "blackout-view-",
    onChange: () => undefined,
  });
  orchestrator.onEvent((event) => tracker.observe(event));
  // The supervisor's part: a killed target is ready again 30 ms later.
  const revive = setInterval(() => {
    void orchestrator.targets().then((targets) => {
      for (const target of targets) {
        if (
          (target.readySince ?? 0) < Date.now() - 30 &&
          orchestrator.calls.some((c) => c.includes(target.name))
        ) {
          orchestrator.set(target.name, { readySince: Date.now() });
        }
      }
    });
    void tracker.tick();
  }, 10);
  timers.push(revive);
  const rates: string[] = [];
  let thawed = 0;
  const updates: RunState[] = [];
  const storedRuns = [...previous];
  const runner = createScenarioRunner({
    tracker,
    store: memoryLog(storedRuns),
    feed,
    totalLag: () => 12,
    setRate: (producer, perSecond) => {
      rates.push(`${producer} ${perSecond}`);
      return Promise.resolve();
    },
    thawAll: () => {
      thawed += 1;
      return Promise.resolve([]);
    },
    lab: {
      mode: "local",
      failoverSettings: "typical",
      versions: { blackout: "0.1.0", kafka: "4.4.0", node: process.version },
      config: () => Promise.resolve({ consumers: 3, minAlive: 1 }),
    },
    logger: createLogger({ name: "test", level: "silent" }),
    now: Date.now,
    settleTimeoutMs: 2000,
    sampleMs: 10,
    onUpdate: (state) => updates.push(state),
  });
  return {
    runner,
    feed,
    orchestrator,
    tracker,
    rates,
    updates,
    storedRuns,
    thawed: () => thawed,
  };
}

function scenario(overrides: Partial<Scenario> = {}): Scenario {
  return {
    name: "consumer-hard-kill",
    description: "test",
    seed: 42,
    steadyMs: 30,
    steps: [
      { type: "kill", target: "random:consumer", mode: "hard" },
      { type: "wait", ms: 30 },
      { type: "rate", producer: "producer-0", perSecond: 50 },
    ],
    slo: { missing: 0, podRecovery: 10_000 },
    abortWhen: {},
    ...overrides,
  };
}

async function finished(runner: ReturnType<typeof setup>["runner"], id: string): Promise<RunState> {
  return waitFor(
    () => {
      const state = runner.get(id);
      return state !== undefined && state.status !== "running" ? state : undefined;
    },
    { what: `run ${id} to end`, timeoutMs: 5000, intervalMs: 10 },
  );
}

/** What a fleet of 5 clients reports: nothing wrong unless `counts` says so. */
function fleetSummary(at: number, counts: Partial<ClientSummary> = {}): ClientSummary {
  return clientSummary({ at, clients: 5, polls: 1, ...counts });
}

describe("the scenario runner", () => {
  it("runs the steps, waits for the fault's report, and passes when every SLO holds", async () => {
    const t = setup();
    t.feed.addSummary("fleet", fleetSummary(Date.now() - 1));
    const started = await t.runner.start(scenario(), "cli");
    const done = await finished(t.runner, started.id);
    expect(done.status).toBe("passed");
    expect(done.progress).toMatchObject({ phase: "done", step: 3, steps: 3 });
    const card = scorecardSchema.parse(done.scorecard);
    expect(card.steps.map((s) => [s.description, s.outcome])).toEqual([
      ["kill random:consumer (hard)", "done"],
      ["wait 0.03 s", "done"],
      ["rate producer-0 50/s", "done"],
    ]);
    expect(card.faults).toHaveLength(1);
    expect(card.faults[0]).toMatchObject({
      actor: `scenario:${done.id}`,
      report: { status: "complete" },
    });
    expect(card.slos).toEqual([
      { name: "missing", bound: 0, actual: 0, unit: "records", passed: true },
      expect.objectContaining({ name: "podRecovery", passed: true }),
    ]);
    expect(card.series.length).toBeGreaterThan(0);
    expect(card.lab.configHash).toMatch(/^[0-9a-f]{64}$/);
    expect(t.rates).toEqual(["producer-0 50"]);
  });

  it("scores terminations observed while its steps ran (a kubectl-driven run), not those before", async () => {
    const t = setup();
    t.feed.addSummary("fleet", fleetSummary(Date.now() - 1));
    const terminated = (target: string) =>
      t.orchestrator.emit({
        type: "terminated",
        target,
        kind: "consumer",
        at: Date.now(),
        byUs: false,
      });
    terminated("consumer-0");
    const started = await t.runner.start(
      scenario({ steadyMs: 50, steps: [{ type: "wait", ms: 200 }] }),
      "cli",
    );
    await waitFor(() => t.runner.get(started.id)?.progress.phase === "steps", {
      what: "the wait step",
      timeoutMs: 2000,
      intervalMs: 5,
    });
    terminated("consumer-2");
    t.orchestrator.set("consumer-2", { readySince: Date.now() + 20 });
    const done = await finished(t.runner, started.id);
    expect(done.scorecard.faults.map((f) => [f.target, f.actor])).toEqual([
      ["consumer-2", "external"],
    ]);
    expect(t.tracker.list().map((f) => f.target)).toEqual(["consumer-0", "consumer-2"]);
    expect(done.status).toBe("passed");
  });

  it("refuses a scenario written for the other failover settings, and runs one written for these", async () => {
    const t = setup();
    await expect(t.runner.start(scenario({ failoverSettings: "tuned" }), "cli")).rejects.toThrow(
      new ConflictError(
        "consumer-hard-kill is written for the tuned failover settings (npm start -- --tuned); this lab runs the typical ones",
      ),
    );
    expect(t.runner.list()).toEqual([]);
    expect(await t.runner.start(scenario({ failoverSettings: "typical" }), "cli")).toMatchObject({
      status: "running",
    });
  });

  it("picks the same random victim for the same seed", async () => {
    const victims: string[] = [];
    for (let i = 0; i < 2; i += 1) {
      const t = setup();
      const started = await t.runner.start(
        scenario({ steps: [{ type: "kill", target: "random:consumer", mode: "hard" }] }),
        "cli",
      );
      const done = await finished(t.runner, started.id);
      victims.push(done.scorecard.steps[0]?.victim ?? "");
    }
    expect(victims[0]).toMatch(/^consumer-\d$/);
    expect(victims[1]).toBe(victims[0]);
  });

  it("fails a run whose SLO does not hold, naming it", async () => {
    const t = setup();
    const startedAt = Date.now();
    t.feed.addSummary("fleet", fleetSummary(startedAt - 1));
    setTimeout(() => {
      t.feed.addSummary("fleet", fleetSummary(Date.now(), { polls: 9, failedPolls: 4 }));
    }, 5);
    const started = await t.runner.start(scenario({ slo: { failedPolls: 1 } }), "cli");
    const done = await finished(t.runner, started.id);
    expect(done.status).toBe("failed");
    expect(done.scorecard.slos).toEqual([
      { name: "failedPolls", bound: 1, actual: 4, unit: "polls", passed: false },
    ]);
  });

  it("aborts when abortWhen trips: later steps skipped, frozen targets thawed, the report made", async () => {
    const t = setup();
    t.feed.addSummary("fleet", fleetSummary(Date.now() - 1));
    const started = await t.runner.start(
      scenario({
        steadyMs: 200,
        abortWhen: { missing: { op: ">", value: 0 } },
      }),
      "cli",
    );
    // Two clients saw a gap during the steady window.
    await new Promise((resolve) => setTimeout(resolve, 20));
    t.feed.addSummary("fleet", fleetSummary(Date.now(), { polls: 2, missing: 2 }));
    const done = await finished(t.runner, started.id);
    expect(done.status).toBe("aborted");
    expect(done.scorecard.run.abortReason).toBe("abortWhen missing > 0: missing is 2");
    expect(done.scorecard.steps.map((s) => s.outcome)).toEqual(["skipped", "skipped", "skipped"]);
    expect(t.orchestrator.calls).toEqual([]);
    expect(t.thawed()).toBe(1);
  });

  it("runs one scenario at a time, and the emergency stop aborts it", async () => {
    const t = setup();
    const first = await t.runner.start(scenario({ steadyMs: 5000 }), "cli");
    await expect(t.runner.start(scenario(), "dashboard")).rejects.toThrow(ConflictError);
    expect(t.runner.abortAll("emergency stop")).toEqual([first.id]);
    const done = await finished(t.runner, first.id);
    expect(done).toMatchObject({
      status: "aborted",
      scorecard: { run: { abortReason: "emergency stop" } },
    });
  });

  it("stores runs as they go; a run a restart interrupted is aborted on load with its report so far", async () => {
    const before = setup();
    const started = await before.runner.start(
      scenario({
        steps: [
          { type: "freeze", target: "consumer-1", seconds: 60 },
          { type: "wait", ms: 60_000 },
        ],
      }),
      "cli",
    );
    // Control's process ends during the wait: what it stored is all a new process has.
    const stored = await waitFor(
      () => {
        const last = before.storedRuns.at(-1);
        return last?.scorecard.steps[1]?.endedAt === null ? [...before.storedRuns] : undefined;
      },
      { what: "the wait step to be stored as begun", timeoutMs: 5000, intervalMs: 10 },
    );
    before.runner.abortAll("test over");

    const after = setup(stored);
    const [aborted, ...others] = await after.runner.load();
    expect(others).toEqual([]);
    expect(aborted).toMatchObject({
      id: started.id,
      status: "aborted",
      progress: { phase: "done", step: 2, steps: 2 },
      scorecard: {
        run: {
          status: "aborted",
          abortReason: "control restarted during the run (its process ended)",
        },
      },
    });
    expect(aborted?.scorecard.run.endedAt).toEqual(expect.any(Number));
    expect(aborted?.scorecard.steps.map((s) => [s.description, s.outcome])).toEqual([
      ["freeze consumer-1 for 60 s", "done"],
      ["wait 60 s", "failed"],
    ]);
    expect(aborted?.scorecard.faults.map((f) => [f.target, f.action])).toEqual([
      ["consumer-1", "freeze"],
    ]);
    expect(after.runner.get(started.id)).toEqual(aborted);
    expect(after.storedRuns.at(-1)).toEqual(aborted);
    // Read back again (a second restart), the run stays as it ended; a new run gets a new id.
    const again = setup(after.storedRuns);
    expect(await again.runner.load()).toEqual([]);
    expect(again.runner.list().map((r) => r.status)).toEqual(["aborted"]);
    const next = await again.runner.start(scenario({ steadyMs: 5000 }), "cli");
    expect(next.id).not.toBe(started.id);
    again.runner.abortAll("test over");
  });
});
