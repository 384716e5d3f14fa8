import { afterEach, describe, expect, it } from "vitest";
import { createLogger } from "../../lib/logger.ts";
import { waitFor } from "../../lib/waitFor.ts";
import { createFakePodApi, fakePod, type FakePodApi } from "./fakePodApi.fixture.ts";
import { createKubernetesOrchestrator } from "./kubernetes.ts";
import { TargetStateError, UnknownTargetError, type Orchestrator } from "./orchestrator.ts";
import { type LifecycleEvent } from "../../contract/targets.ts";

const opened: Orchestrator[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((orchestrator) => orchestrator.close()));
});

function setup(api: FakePodApi = createFakePodApi(lab())) {
  let clock = 1_000_000;
  const events: LifecycleEvent[] = [];
  const orchestrator = createKubernetesOrchestrator({
    api,
    logger: createLogger({ name: "test", level: "silent" }),
    now: () => clock,
    reconnectDelayMs: 5,
  });
  opened.push(orchestrator);
  orchestrator.onEvent((event) => events.push(event));
  return {
    api,
    orchestrator,
    events,
    advance: (ms: number) => (clock += ms),
    now: () => clock,
    /** Events as `type target byUs? detail?`, for readable expectations. */
    lines: () =>
      events.map((e) =>
        [e.type, e.target, e.byUs === undefined ? "" : `byUs=${e.byUs}`, e.detail ?? ""]
          .filter((part) => part !== "")
          .join(" "),
      ),
  };
}

function lab() {
  return [
    fakePod("kafka-0", { kind: "broker" }),
    fakePod("kafka-1", { kind: "broker" }),
    fakePod("consumer-0"),
    fakePod("consumer-1"),
    fakePod("producer-0", { kind: "producer", chaos: false }),
    fakePod("gateway-x", { kind: "gateway" }),
  ];
}

const until = (probe: () => boolean) => waitFor(probe, { what: "the event", timeoutMs: 2000 });

async function targetsByName(orchestrator: Orchestrator) {
  return Object.fromEntries((await orchestrator.targets()).map((t) => [t.name, t]));
}

describe("the kubernetes orchestrator", () => {
  it("lists the lab's labelled pods as targets, with their readiness and broker node ids", async () => {
    const api = createFakePodApi([
      ...lab(),
      fakePod("consumer-2", { phase: "Pending", uid: "c2" }),
    ]);
    const { orchestrator, events } = setup(api);
    const targets = await targetsByName(orchestrator);
    expect(Object.keys(targets)).toEqual([
      "consumer-0",
      "consumer-1",
      "consumer-2",
      "kafka-0",
      "kafka-1",
      "producer-0",
    ]);
    expect(targets["kafka-1"]).toEqual({
      name: "kafka-1",
      kind: "broker",
      status: "running",
      ready: true,
      chaos: true,
      restarts: 0,
      startedAt: Date.parse("2026-01-01T00:00:05Z"),
      readySince: Date.parse("2026-01-01T00:00:10Z"),
      nodeId: 1,
    });
    expect(targets["producer-0"]).toMatchObject({ chaos: false, ready: true });
    expect(targets["consumer-2"]).toMatchObject({ status: "stopped", ready: false });
    // What was there before it started is the baseline, not news.
    expect(events).toEqual([]);
  });

  it("hard-kills by deleting this incarnation with grace period 0; the replacement's readiness is pod recovery", async () => {
    const t = setup();
    const t0 = await t.orchestrator.kill("consumer-1", "hard");
    expect(t0).toBe(t.now());
    expect(t.api.calls).toContain("delete consumer-1 uid=consumer-1-uid-1 grace=0");
    await until(() => t.api.calls.includes("event consumer-1 BlackoutKill"));

    t.advance(40);
    t.api.send("DELETED", fakePod("consumer-1"));
    expect((await targetsByName(t.orchestrator))["consumer-1"]).toMatchObject({
      status: "stopped",
      ready: false,
    });
    t.advance(200);
    t.api.send("ADDED", fakePod("consumer-1", { uid: "c1-new", phase: "Pending" }));
    t.advance(300);
    t.api.send("MODIFIED", fakePod("consumer-1", { uid: "c1-new", ready: false }));
    t.advance(500);
    t.api.send("MODIFIED", fakePod("consumer-1", { uid: "c1-new", ready: true }));

    expect(t.lines()).toEqual([
      "unready consumer-1",
      "terminated consumer-1 byUs=true pod deleted (grace period 0 s: SIGKILL)",
      "started consumer-1",
      "ready consumer-1",
    ]);
    const replaced = (await targetsByName(t.orchestrator))["consumer-1"];
    expect(replaced).toMatchObject({ status: "running", ready: true, restarts: 1 });
    expect(replaced?.readySince).toBe(t0 + 1040);
  });

  it("kills gracefully with the pod's own grace period", async () => {
    const t = setup();
    await t.orchestrator.kill("kafka-0", "graceful");
    expect(t.api.calls).toContain("delete kafka-0 uid=kafka-0-uid-1 grace=default");
    t.api.send("MODIFIED", fakePod("kafka-0", { kind: "broker", deletionGraceSeconds: 30 }));
    expect(t.lines()).toEqual([
      "unready kafka-0",
      "terminated kafka-0 byUs=true pod deleted (grace period 30 s: SIGTERM)",
    ]);
    // The DELETED that follows the grace period is the same termination, not a second one.
    t.api.send("DELETED", fakePod("kafka-0", { kind: "broker", deletionGraceSeconds: 30 }));
    expect(t.events).toHaveLength(2);
  });

  it("reports a pod deleted by someone else (kubectl) as a termination it did not cause", async () => {
    const t = setup();
    await t.orchestrator.targets();
    t.api.send("MODIFIED", fakePod("consumer-0", { deletionGraceSeconds: 30 }));
    t.api.send("DELETED", fakePod("consumer-1"));
    expect(t.lines()).toEqual([
      "unready consumer-0",
      "terminated consumer-0 byUs=false pod deleted (grace period 30 s: SIGTERM)",
      "unready consumer-1",
      "terminated consumer-1 byUs=false pod deleted",
    ]);
  });

  it("reports a container restart (a crash, a failed liveness probe) as a termination", async () => {
    const t = setup();
    await t.orchestrator.targets();
    t.api.send("MODIFIED", fakePod("consumer-0", { restartCount: 1, ready: false }));
    t.api.send("MODIFIED", fakePod("consumer-0", { restartCount: 1, ready: true }));
    expect(t.lines()).toEqual([
      "unready consumer-0",
      "terminated consumer-0 byUs=false container main restarted: exit code 137 (Error)",
      "started consumer-0",
      "ready consumer-0",
    ]);
    expect(t.events[1]?.at).toBe(Date.parse("2026-01-01T00:00:30Z"));
  });

  it("refuses what it must not or cannot kill", async () => {
    const t = setup();
    await expect(t.orchestrator.kill("consumer-9", "hard")).rejects.toThrow(UnknownTargetError);
    await expect(t.orchestrator.kill("gateway-x", "hard")).rejects.toThrow(UnknownTargetError);
    await expect(t.orchestrator.kill("producer-0", "hard")).rejects.toThrow(/not opted in/);
    t.api.send("MODIFIED", fakePod("consumer-0", { deletionGraceSeconds: 30 }));
    await expect(t.orchestrator.kill("consumer-0", "hard")).rejects.toThrow(TargetStateError);
    t.api.failNextDelete(409);
    await expect(t.orchestrator.kill("consumer-1", "hard")).rejects.toThrow(
      /consumer-1 was replaced meanwhile/,
    );
    t.api.failNextDelete(404);
    await expect(t.orchestrator.kill("consumer-1", "hard")).rejects.toThrow(/consumer-1 is gone/);
    // A refused delete leaves no mark: a later deletion by kubectl is not taken for ours.
    t.api.send("DELETED", fakePod("consumer-1"));
    expect(t.lines()).toContain("terminated consumer-1 byUs=false pod deleted");
  });

  it("freezes through exec, thaws after the given seconds, and thaws everything on emergency stop", async () => {
    const t = setup();
    await t.orchestrator.freeze("consumer-0", 0.05);
    expect(t.api.calls).toContain("exec consumer-0/main sh -c kill -STOP -1");
    expect((await targetsByName(t.orchestrator))["consumer-0"]).toMatchObject({
      status: "frozen",
      ready: false,
    });
    await expect(t.orchestrator.freeze("consumer-0", 1)).rejects.toThrow(/frozen already/);
    await until(() => t.lines().includes("thawed consumer-0"));
    expect(t.api.calls).toContain("exec consumer-0/main sh -c kill -CONT -1");
    expect((await targetsByName(t.orchestrator))["consumer-0"]).toMatchObject({
      status: "running",
      ready: true,
    });

    await t.orchestrator.freeze("consumer-1", 600);
    expect(await t.orchestrator.thawAll()).toEqual(["consumer-1"]);
    expect(await t.orchestrator.thawAll()).toEqual([]);
    expect(t.lines()).toEqual([
      "frozen consumer-0",
      "thawed consumer-0",
      "frozen consumer-1",
      "thawed consumer-1",
    ]);
  });

  it("resumes a restarted control's freezes: thaws those past their end, times the others, skips restarted pods", async () => {
    const t = setup();
    // The fake pods' containers started at this time.
    const afterStart = Date.parse("2026-01-01T00:01:00Z");
    await t.orchestrator.resumeFreezes([
      { name: "consumer-0", frozenAt: afterStart, until: t.now() - 1000 },
      { name: "consumer-1", frozenAt: afterStart, until: t.now() + 60_000 },
      { name: "kafka-0", frozenAt: afterStart - 3_600_000, until: t.now() + 60_000 },
      { name: "nobody", frozenAt: afterStart, until: t.now() + 60_000 },
    ]);
    await until(() => t.lines().includes("thawed consumer-0"));
    expect(t.api.calls).toContain("exec consumer-0/main sh -c kill -CONT -1");
    const targets = await targetsByName(t.orchestrator);
    expect(targets["consumer-1"]).toMatchObject({ status: "frozen", ready: false });
    expect(targets["kafka-0"]).toMatchObject({ status: "running", ready: true });
    expect(await t.orchestrator.thawAll()).toEqual(["consumer-1"]);
    expect(t.api.calls.filter((call) => call.startsWith("exec"))).toEqual([
      "exec consumer-0/main sh -c kill -CONT -1",
      "exec consumer-1/main sh -c kill -CONT -1",
    ]);
  });

  it("lists again when the watch drops and reports what changed meanwhile", async () => {
    const t = setup();
    await t.orchestrator.targets();
    expect(t.api.watches()).toBe(1);
    // While disconnected: consumer-0 replaced (its deletion unseen), kafka-1 gone for good.
    t.api.pods.set("consumer-0", fakePod("consumer-0", { uid: "c0-new" }));
    const kafka1 = t.api.pods.get("kafka-1");
    t.api.pods.delete("kafka-1");
    t.api.endWatch(new Error("socket hang up"));
    await until(() => t.api.watches() === 2);
    expect(t.lines()).toEqual([
      "unready consumer-0",
      "terminated consumer-0 byUs=false pod replaced",
      "started consumer-0",
      "ready consumer-0",
      "unready kafka-1",
      "terminated kafka-1 byUs=false pod deleted",
    ]);
    // A replacement found by a list was ready since its own condition says, not since the list.
    const targets = await targetsByName(t.orchestrator);
    expect(targets["consumer-0"]).toMatchObject({
      restarts: 1,
      readySince: Date.parse("2026-01-01T00:00:10Z"),
    });
    expect(targets["kafka-1"]).toMatchObject({ status: "stopped" });

    // The watch goes on from the new list.
    t.api.send("ADDED", kafka1 ?? fakePod("kafka-1"));
    await until(() => t.lines().includes("ready kafka-1"));
  });

  it("stops watching on close", async () => {
    const api = createFakePodApi(lab());
    const { orchestrator } = setup(api);
    await orchestrator.targets();
    await orchestrator.close();
    api.endWatch();
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(api.watches()).toBe(1);
  });
});
