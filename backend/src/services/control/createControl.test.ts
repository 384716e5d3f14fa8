import { io as connectSocket, type Socket } from "socket.io-client";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { RunState } from "../../contract/runs.ts";
import type { LifecycleEvent } from "../../contract/targets.ts";
import { createLogger } from "../../lib/logger.ts";
import { waitFor } from "../../lib/waitFor.ts";
import { createFakeOrchestrator } from "./fakeOrchestrator.fixture.ts";
import { fakeTarget } from "../../contract/targets.fixture.ts";
import { createInMemoryControl, type InMemoryControl } from "./inMemoryControl.fixture.ts";
import { clientSummary } from "../../contract/clientSummary.fixture.ts";
import { createLocalOrchestrator } from "../../chaos/orchestrators/localOrchestrator.ts";
import { createSupervisorApp } from "../../chaos/supervisor/supervisorApp.ts";
import {
  createHarness,
  processState,
  type Harness,
} from "../../chaos/supervisor/supervisorHarness.fixture.ts";
import { freePorts } from "../../lib/freePorts.ts";
import { listen, type RunningServer } from "../../lib/httpApp.ts";

let control: InMemoryControl | undefined;
let socket: Socket | undefined;
let supervisor: { harness: Harness; server: RunningServer } | undefined;
afterEach(async () => {
  socket?.close();
  await control?.close();
  await supervisor?.server.close();
  await supervisor?.harness.dispose();
  socket = undefined;
  control = undefined;
  supervisor = undefined;
});

describe("createControl", () => {
  it("pushes the timeline, faults, lifecycle events and fleet reports to socket.io subscribers", async () => {
    const orchestrator = createFakeOrchestrator([
      fakeTarget("consumer-0", "consumer"),
      fakeTarget("consumer-1", "consumer"),
    ]);
    control = await createInMemoryControl({
      orchestrator,
      logger: createLogger({ name: "test", level: "silent" }),
      faultWindowMs: 60_000,
      settleMs: 1000,
    });
    await control.load();
    control.start();
    const heard: { event: string; payload: unknown }[] = [];
    socket = connectSocket(control.server.url, { transports: ["websocket"] });
    socket.onAny((event: string, payload: unknown) => heard.push({ event, payload }));
    const named = (event: string) => heard.filter((h) => h.event === event).map((h) => h.payload);
    await waitFor(() => named("faults").length > 0 && named("topology").length > 0, {
      what: "the timeline and the topology on connecting",
      timeoutMs: 5000,
      intervalMs: 10,
    });
    expect(named("faults")[0]).toEqual([]);

    const post = (path: string, body: unknown) =>
      fetch(`${control?.server.url ?? ""}${path}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    expect((await post("/api/faults", { action: "kill", target: "consumer-1" })).status).toBe(201);
    await waitFor(() => named("fault").length > 0, {
      what: "the fault",
      timeoutMs: 5000,
      intervalMs: 10,
    });
    expect(named("fault")[0]).toMatchObject({ target: "consumer-1", action: "kill" });

    const event: LifecycleEvent = {
      type: "terminated",
      target: "consumer-0",
      kind: "consumer",
      at: Date.now(),
      byUs: false,
    };
    orchestrator.emit(event);
    await waitFor(() => named("lifecycle").length > 0, {
      what: "the lifecycle event",
      timeoutMs: 5000,
      intervalMs: 10,
    });
    expect(named("lifecycle")[0]).toEqual(event);
    // A termination nobody asked control for is a fault too.
    expect(control.tracker.list().map((f) => [f.target, f.actor])).toEqual([
      ["consumer-1", "api"],
      ["consumer-0", "external"],
    ]);

    const summary = clientSummary({
      at: 1000,
      clients: 5,
      polls: 50,
      failedPolls: 1,
      staleReads: 2,
    });
    await post("/api/fleet/summary", { source: "browser-1", ...summary });
    await waitFor(() => named("fleet").length > 0, {
      what: "the fleet report",
      timeoutMs: 5000,
      intervalMs: 10,
    });
    expect(named("fleet")[0]).toMatchObject({ source: "browser-1", summary });
  });

  it("is ready only once started, and ticks no more once closed", async () => {
    const orchestrator = createFakeOrchestrator([fakeTarget("consumer-0", "consumer")]);
    control = await createInMemoryControl({
      orchestrator,
      logger: createLogger({ name: "test", level: "silent" }),
      faultWindowMs: 60_000,
      settleMs: 1000,
    });
    const ready = async () => (await fetch(`${control?.server.url ?? ""}/readyz`)).status;
    expect(await ready()).toBe(503);
    // Before the timeline and runs are read back, an unknown run may only be one not read yet.
    const run = () => fetch(`${control?.server.url ?? ""}/api/runs/run-1`);
    const early = await run();
    expect(early.status).toBe(503);
    expect(early.headers.get("retry-after")).toBe("1");
    expect(((await early.json()) as { error: string }).error).toMatch(/control is starting/);
    // A slow tick (Kafka or the fleet slowed by a fault) is still running when close() begins.
    const ticks = vi
      .spyOn(control.tracker, "tick")
      .mockImplementation(() => new Promise((resolve) => setTimeout(resolve, 100)));
    await control.load();
    expect((await run()).status).toBe(404);
    control.start();
    expect(await ready()).toBe(200);
    await control.close();
    control = undefined;
    await new Promise((resolve) => setTimeout(resolve, 1200));
    expect(ticks).toHaveBeenCalledTimes(1);
  });

  it("after a restart mid-run: resumes its freezes, aborts the run with its report so far, thaws", async () => {
    const targets = () => [
      fakeTarget("consumer-0", "consumer"),
      fakeTarget("consumer-1", "consumer"),
    ];
    const options = {
      logger: createLogger({ name: "test", level: "silent" }),
      faultWindowMs: 60_000,
      settleMs: 1000,
    };
    const first = await createInMemoryControl({
      ...options,
      orchestrator: createFakeOrchestrator(targets()),
    });
    control = first;
    await first.load();
    first.start();
    const response = await fetch(`${first.server.url}/api/runs`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        scenario: [
          "name: freeze-and-wait",
          "steady: 0s",
          "steps:",
          "  - freeze: { target: consumer-1, seconds: 60 }",
          "  - wait: 60s",
          "slo:",
          "  missing: 0",
        ].join("\n"),
      }),
    });
    expect(response.status).toBe(201);
    const { id } = (await response.json()) as { id: string };
    // What the first process stored by the time it ended (a SIGKILL stores nothing more).
    const stored = await waitFor(
      () =>
        first.storedRuns.at(-1)?.scorecard.steps.length === 2
          ? { stored: [...first.stored], storedRuns: [...first.storedRuns] }
          : undefined,
      { what: "the freeze step to be stored", timeoutMs: 5000, intervalMs: 10 },
    );
    first.runner.abortAll("test over");
    await first.close();

    const orchestrator = createFakeOrchestrator(targets());
    control = await createInMemoryControl({ ...options, orchestrator, previous: stored });
    await control.load();
    control.start();
    expect(orchestrator.calls).toEqual(["resumeFreezes consumer-1", "thawAll"]);
    const run = (await (await fetch(`${control.server.url}/api/runs/${id}`)).json()) as RunState;
    expect(run).toMatchObject({
      status: "aborted",
      scorecard: { run: { abortReason: "control restarted during the run (its process ended)" } },
    });
    expect(run.scorecard.faults.map((f) => `${f.action} ${f.target}`)).toEqual([
      "freeze consumer-1",
    ]);
  });

  // The emergency stop's row of the chaos guards' matrix (backend/test/k8s/kubernetes.test.ts)
  // where a freeze is real: kwok's pods run nothing to stop.
  it("thaws a real freeze on the emergency stop (POST /api/faults, then POST /api/stop; local supervisor)", async () => {
    const harness = await createHarness();
    const server = await listen(
      createSupervisorApp({
        supervisor: harness.supervisor,
        logger: createLogger({ name: "test", level: "silent" }),
        metrics: harness.metrics.metrics,
      }),
      "127.0.0.1",
      0,
    );
    supervisor = { harness, server };
    const [port] = await freePorts(1);
    harness.supervisor.add(harness.child("consumer-0", port ?? 0));
    await harness.start(["consumer-0"]);
    const pid = harness.supervisor.targets()[0]?.pid ?? 0;
    control = await createInMemoryControl({
      orchestrator: createLocalOrchestrator({ url: server.url }),
      logger: createLogger({ name: "test", level: "silent" }),
      faultWindowMs: 60_000,
      settleMs: 1000,
    });
    await control.load();
    control.start();
    const post = async (path: string, body?: unknown) => {
      const response = await fetch(`${control?.server.url ?? ""}${path}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return `${response.status} ${await response.text()}`;
    };

    // Forced: it is the only consumer, so MIN_ALIVE would refuse it.
    const freeze = { action: "freeze", target: "consumer-0", seconds: 600, force: true };
    expect(await post("/api/faults", freeze)).toMatch(/^201 /);
    await waitFor(() => processState(pid) === "T", { what: "a stopped process", timeoutMs: 5000 });
    expect(await post("/api/stop")).toBe('200 {"thawed":["consumer-0"],"aborted":[]}');
    await waitFor(() => harness.supervisor.targets()[0]?.ready, {
      what: "consumer-0 ready again",
      timeoutMs: 5000,
    });
    expect(processState(pid)).not.toBe("T");
    expect(harness.supervisor.targets()[0]).toMatchObject({ status: "running", pid });
    expect(control.tracker.list().map((f) => `${f.action} ${f.target}`)).toEqual([
      "freeze consumer-0",
    ]);
  });
});
