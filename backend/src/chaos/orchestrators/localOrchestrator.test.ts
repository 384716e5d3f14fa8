import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePorts } from "../../lib/freePorts.ts";
import { listen, type RunningServer } from "../../lib/httpApp.ts";
import { createLogger } from "../../lib/logger.ts";
import { waitFor } from "../../lib/waitFor.ts";
import { createLocalOrchestrator } from "./localOrchestrator.ts";
import { TargetStateError, UnknownTargetError, type Orchestrator } from "./orchestrator.ts";
import { type LifecycleEvent } from "../../contract/targets.ts";
import { createSupervisorApp } from "../supervisor/supervisorApp.ts";
import { createHarness, type Harness } from "../supervisor/supervisorHarness.fixture.ts";

let h: Harness;
let server: RunningServer;
let orchestrator: Orchestrator;

beforeAll(async () => {
  h = await createHarness();
  const [p0, p1, p2] = await freePorts(3);
  h.supervisor.add(h.child("consumer-0", p0 ?? 0));
  h.supervisor.add({ ...h.child("kafka-1", p1 ?? 0, { kind: "broker" }), nodeId: 1 });
  h.supervisor.add(h.child("gateway", p2 ?? 0, { kind: "service" }));
  await h.start(["kafka-1", "consumer-0", "gateway"]);
  const app = createSupervisorApp({
    supervisor: h.supervisor,
    logger: createLogger({ name: "test", level: "silent" }),
    metrics: h.metrics.metrics,
  });
  server = await listen(app, "127.0.0.1", 0);
  orchestrator = createLocalOrchestrator({ url: `${server.url}/` });
}, 30_000);

afterAll(async () => {
  await orchestrator?.close();
  await server?.close();
  await h?.dispose();
}, 20_000);

/** What the supervisor emitted after `seq`, as listeners receive it. */
const emittedAfter = (seq: number): LifecycleEvent[] =>
  h.supervisor.eventsAfter(seq).map((event) => ({ ...event, seq: undefined }));

describe("the local orchestrator", { timeout: 20_000 }, () => {
  it("lists the supervisor's targets", async () => {
    expect(orchestrator.mode).toBe("local");
    const targets = await orchestrator.targets();
    expect(targets).toEqual(h.supervisor.targets());
    expect(targets.map((t) => [t.name, t.kind, t.nodeId])).toEqual([
      ["kafka-1", "broker", 1],
      ["consumer-0", "consumer", undefined],
    ]);
  });

  it("rejects unknown targets and services with UnknownTargetError, and a conflict with TargetStateError", async () => {
    for (const name of ["consumer-7", "gateway"]) {
      const failure = orchestrator.kill(name, "hard");
      await expect(failure).rejects.toThrow(UnknownTargetError);
      await expect(failure).rejects.toThrow(`no target "${name}"; targets are kafka-1, consumer-0`);
      await expect(failure).rejects.toMatchObject({ target: name });
    }
    await orchestrator.freeze("kafka-1", 30);
    const again = orchestrator.freeze("kafka-1", 30);
    await expect(again).rejects.toThrow(TargetStateError);
    await expect(again).rejects.toThrow("cannot freeze kafka-1: it is frozen already");
    await expect(orchestrator.freeze("kafka-1", 0)).rejects.toThrow(
      "supervisor answered 400 to /api/targets/kafka-1/freeze: seconds must be at least 1",
    );
    expect(await orchestrator.thawAll()).toEqual(["kafka-1"]);
    expect(await orchestrator.thawAll()).toEqual([]);
    expect(h.supervisor.targets()[0]?.status).toBe("running");
  });

  it("says which supervisor did not answer", async () => {
    const [port] = await freePorts(1);
    const nobody = createLocalOrchestrator({ url: `http://127.0.0.1:${port}` });
    await expect(nobody.targets()).rejects.toThrow(
      `supervisor at http://127.0.0.1:${port} did not answer GET /api/targets`,
    );
    await nobody.close();
  });

  it("delivers events, and after a dropped stream resumes with what it missed and nothing twice", async () => {
    const connections: { at: number; lastEventId: string | null }[] = [];
    // Counts stream connections, and asks every reconnection to replay everything: the
    // orchestrator itself must drop what it has seen.
    const watchingFetch: typeof fetch = (input, init) => {
      const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
      if (!url.endsWith("/api/events")) return fetch(input, init);
      const headers = new Headers(init?.headers);
      connections.push({ at: Date.now(), lastEventId: headers.get("last-event-id") });
      if (headers.has("last-event-id")) headers.set("last-event-id", "0");
      return fetch(input, { ...init, headers });
    };
    // Earlier tests' thaws are followed by ready events: let them pass first.
    await waitFor(() => h.supervisor.targets().every((t) => t.ready), {
      what: "every target ready",
      timeoutMs: 5000,
    });
    const watcher = createLocalOrchestrator({ url: server.url, fetch: watchingFetch });
    const received: LifecycleEvent[] = [];
    try {
      watcher.onEvent((event) => received.push(event));
      const ignored = watcher.onEvent(() => {
        throw new Error("a listener that fails");
      });
      await waitFor(() => connections.length === 1, { what: "a stream", timeoutMs: 2000 });
      const mark = h.supervisor.eventsAfter(0).at(-1)?.seq ?? 0;
      expect(connections[0]?.lastEventId).toBeNull();

      const sent = Date.now();
      const t0 = await watcher.kill("consumer-0", "hard");
      // The supervisor's moment of the signal, not this side's.
      expect(t0).toBeGreaterThanOrEqual(sent);
      expect(t0).toBeLessThanOrEqual(Date.now());
      await waitFor(() => received.some((e) => e.type === "ready"), {
        what: "consumer-0 to be ready again",
        timeoutMs: 5000,
      });
      ignored();
      expect(received.map((e) => [e.target, e.type, e.byUs])).toEqual([
        ["consumer-0", "unready", undefined],
        ["consumer-0", "terminated", true],
        ["consumer-0", "started", undefined],
        ["consumer-0", "ready", undefined],
      ]);

      server.server.closeAllConnections();
      await h.supervisor.kill("kafka-1", "hard");
      await waitFor(() => received.filter((e) => e.type === "ready").length === 2, {
        what: "kafka-1's events through a new stream",
        timeoutMs: 5000,
      });
      expect(connections).toHaveLength(2);
      expect(connections[1]?.lastEventId).toBe(String(mark + 4));
      const missed = h.events.find((e) => e.target === "kafka-1" && e.type === "terminated");
      expect(missed?.at).toBeLessThan(connections[1]?.at ?? 0);
      expect(received).toEqual(emittedAfter(mark));
    } finally {
      await watcher.close();
    }
    const count = received.length;
    await h.supervisor.freeze("consumer-0", 30);
    h.supervisor.thawAll();
    await sleep(300);
    expect(received).toHaveLength(count);
  });
});
