import { afterEach, describe, expect, it } from "vitest";
import { listen, type RunningServer } from "../../lib/httpApp.ts";
import { waitFor } from "../../lib/waitFor.ts";
import { createLogger } from "../../lib/logger.ts";
import { createMetrics } from "../../lib/metrics.ts";
import { createControlApp } from "./controlApp.ts";
import type { Fault } from "./fault.ts";
import { createFaultTracker } from "./faultTracker.ts";
import { createFleetFeed } from "./fleetFeed.ts";
import { createFakeOrchestrator, fakeTarget } from "./fakeOrchestrator.fixture.ts";
import { createScenarioRunner, type RunState } from "./scenarioRunner.ts";
import { describeTargets } from "./topology.ts";

const TOKEN = "operator-token-0123456789";
let server: RunningServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function start(token?: string) {
  const orchestrator = createFakeOrchestrator([
    fakeTarget("consumer-0", "consumer"),
    fakeTarget("consumer-1", "consumer"),
    fakeTarget("kafka-1", "broker", { nodeId: 1 }),
  ]);
  const stored: Fault[] = [];
  const feed = createFleetFeed();
  const received: string[] = [];
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
      load: () => Promise.resolve([]),
    },
    logger: createLogger({ name: "test", level: "silent" }),
    now: Date.now,
    random: Math.random,
    minAlive: 1,
    faultWindowMs: 60_000,
    settleMs: 1000,
    lagFloor: 100,
    groupPrefix: "blackout-view-",
    onChange: () => undefined,
  });
  const runner = createScenarioRunner({
    tracker,
    feed,
    totalLag: () => null,
    setRate: () => Promise.resolve(),
    thawAll: () => orchestrator.thawAll(),
    lab: {
      mode: "local",
      versions: { blackout: "0", kafka: "4.4.0", node: process.version },
      config: () => Promise.resolve({}),
    },
    logger: createLogger({ name: "test", level: "silent" }),
    now: Date.now,
    settleTimeoutMs: 1000,
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
    token,
    page: "<html></html>",
    probes: { alive: () => true, ready: () => true },
    metrics: createMetrics("control_test"),
    logger: createLogger({ name: "test", level: "silent" }),
    onSummary: (source) => received.push(`summary ${source}`),
    onEvents: (events) => received.push(`events ${events.length}`),
  });
  server = await listen(app, "127.0.0.1", 0);
  const url = server.url;
  const call = async (method: string, path: string, body?: unknown, headers = {}) => {
    const response = await fetch(`${url}${path}`, {
      method,
      headers: { "content-type": "application/json", ...headers },
      ...(body === undefined
        ? {}
        : { body: typeof body === "string" ? body : JSON.stringify(body) }),
    });
    const text = await response.text();
    return {
      status: response.status,
      body: text === "" ? undefined : (JSON.parse(text) as unknown),
    };
  };
  return { orchestrator, stored, feed, received, call };
}

describe("control's API", () => {
  it("injects a kill, and lists it on the timeline", async () => {
    const { call, orchestrator } = await start();
    const created = await call("POST", "/api/faults", {
      action: "kill",
      target: "consumer-1",
      mode: "hard",
    });
    expect(created).toMatchObject({
      status: 201,
      body: { target: "consumer-1", kind: "consumer", mode: "hard", actor: "api" },
    });
    expect(orchestrator.calls).toEqual(["kill consumer-1 hard"]);
    const id = (created.body as Fault).id;
    expect((await call("GET", "/api/faults")).body).toMatchObject({ faults: [{ id }] });
    expect(await call("GET", `/api/faults/${id}`)).toMatchObject({ status: 200, body: { id } });
    expect(await call("GET", "/api/faults/nope")).toMatchObject({ status: 404 });
  });

  it("answers bad bodies with 400 and the reason, and changes nothing", async () => {
    const { call, orchestrator } = await start();
    const cases: [unknown, RegExp][] = [
      ["{not json", /not valid JSON/],
      [[1], /expected a JSON object/],
      [{ action: "explode", target: "consumer-1" }, /action must be "kill" or "freeze"/],
      [{ action: "kill" }, /target must be a string/],
      [{ action: "kill", target: "consumer-1", mode: "soft" }, /mode must be/],
      [{ action: "freeze", target: "consumer-1" }, /freeze needs seconds/],
      [{ action: "freeze", target: "consumer-1", seconds: 0 }, /seconds must be 1 to 600/],
      [{ action: "kill", target: "consumer-1", seconds: 5 }, /seconds is for freeze only/],
      [{ action: "kill", target: "consumer-1", extra: 1 }, /unknown field "extra"/],
      [{ action: "kill", target: "random:gateway" }, /random needs a kind/],
    ];
    for (const [body, message] of cases) {
      const answer = await call("POST", "/api/faults", body);
      expect(answer.status, JSON.stringify(body)).toBe(400);
      expect((answer.body as { error: string }).error).toMatch(message);
    }
    expect(orchestrator.calls).toEqual([]);
    expect((await call("GET", "/api/faults")).body).toEqual({ faults: [] });
  });

  it("answers 404 for an unknown target and 409 when MIN_ALIVE refuses", async () => {
    const { call, orchestrator } = await start();
    expect(
      await call("POST", "/api/faults", { action: "kill", target: "consumer-9" }),
    ).toMatchObject({
      status: 404,
      body: { error: expect.stringMatching(/no target "consumer-9"/) as unknown },
    });
    orchestrator.set("consumer-0", { ready: false, status: "stopped" });
    const refused = await call("POST", "/api/faults", { action: "kill", target: "consumer-1" });
    expect(refused).toMatchObject({
      status: 409,
      body: { error: expect.stringMatching(/MIN_ALIVE/) as unknown },
    });
    const targets = (await call("GET", "/api/targets")).body as { name: string; refusal: string }[];
    expect(targets.find((t) => t.name === "consumer-1")?.refusal).toMatch(/MIN_ALIVE/);
    expect(
      await call("POST", "/api/faults", { action: "kill", target: "consumer-1", force: true }),
    ).toMatchObject({ status: 201 });
  });

  it("answers a dry run with the plan and changes nothing", async () => {
    const { call, orchestrator, stored } = await start();
    expect(
      await call("POST", "/api/faults", {
        action: "freeze",
        target: "random:consumer",
        seconds: 5,
        dryRun: true,
      }),
    ).toMatchObject({
      status: 200,
      body: { dryRun: true, plan: { action: "freeze", seconds: 5 } },
    });
    expect(orchestrator.calls).toEqual([]);
    expect(stored).toEqual([]);
    expect((await call("GET", "/api/faults")).body).toEqual({ faults: [] });
  });

  it("needs the operator token for mutating calls when one is set, but not for reads", async () => {
    const { call, orchestrator } = await start(TOKEN);
    const kill = { action: "kill", target: "consumer-1" };
    expect(await call("POST", "/api/faults", kill)).toMatchObject({ status: 401 });
    expect(
      await call("POST", "/api/faults", kill, { authorization: "Bearer wrong-token-0123456789" }),
    ).toMatchObject({ status: 401 });
    expect(await call("POST", "/api/stop")).toMatchObject({ status: 401 });
    expect(orchestrator.calls).toEqual([]);
    expect(await call("GET", "/api/faults")).toMatchObject({ status: 200 });
    expect(
      await call("POST", "/api/faults", kill, { authorization: `Bearer ${TOKEN}` }),
    ).toMatchObject({ status: 201 });
    expect(
      await call("POST", "/api/stop", undefined, { authorization: `Bearer ${TOKEN}` }),
    ).toMatchObject({ status: 200, body: { thawed: [], aborted: [] } });
  });

  it("takes the clients' summaries and anomalies", async () => {
    const { call, received } = await start(TOKEN);
    const summary = {
      at: 1000,
      clients: 5,
      polls: 50,
      failedPolls: 1,
      missing: 0,
      duplicates: 0,
      staleReads: 2,
    };
    expect(await call("POST", "/api/fleet/summary", summary)).toMatchObject({ status: 204 });
    expect(
      await call("POST", "/api/fleet/summary", { ...summary, at: 2000, source: "browser-1" }),
    ).toMatchObject({ status: 204 });
    expect(await call("POST", "/api/fleet/summary", { at: "soon" })).toMatchObject({ status: 400 });
    const gap = {
      type: "gap",
      at: 1500,
      client: "client-3",
      producer: "producer-0",
      from: 4,
      to: 5,
    };
    expect(await call("POST", "/api/fleet/events", { events: [gap] })).toMatchObject({
      status: 204,
    });
    expect(received).toEqual(["summary fleet", "summary browser-1", "events 1"]);
    // Browser pages come from the consumers' origin: the preflight lets them post.
    const preflight = await fetch(`${server?.url ?? ""}/api/fleet/summary`, {
      method: "OPTIONS",
      headers: { origin: "http://127.0.0.1:8080", "access-control-request-method": "POST" },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-origin")).toBe("*");
    expect(preflight.headers.get("access-control-allow-headers")).toBe("content-type");
    expect((await call("GET", "/api/fleet")).body).toMatchObject({
      latest: [{ source: "fleet" }, { source: "browser-1" }],
    });
    expect((await call("GET", "/api/anomalies?limit=10")).body).toEqual({ anomalies: [gap] });
  });
});

describe("control's runs API", () => {
  const yaml = (steady: string) =>
    [
      "name: consumer-kill",
      "description: kill one consumer",
      `steady: ${steady}`,
      "steps:",
      "  - kill: { target: consumer-1, mode: hard }",
      "slo:",
      "  missing: 0",
    ].join("\n");

  it("starts a scenario, shows its state, refuses a second one, and aborts it", async () => {
    const { call } = await start(TOKEN);
    const auth = { authorization: `Bearer ${TOKEN}` };
    expect(await call("POST", "/api/runs", { scenario: yaml("60s") })).toMatchObject({
      status: 401,
    });
    const started = await call("POST", "/api/runs", { scenario: yaml("60s"), actor: "cli" }, auth);
    expect(started).toMatchObject({ status: 201, body: { status: "running" } });
    const id = (started.body as { id: string }).id;
    expect(await call("GET", `/api/runs/${id}`)).toMatchObject({
      status: 200,
      body: {
        id,
        status: "running",
        progress: { phase: "steady", step: 0, steps: 1 },
        scorecard: { run: { scenario: "consumer-kill", actor: "cli" } },
      },
    });
    expect(await call("POST", "/api/runs", { scenario: yaml("1s") }, auth)).toMatchObject({
      status: 409,
    });
    expect(await call("POST", `/api/runs/${id}/abort`, undefined, auth)).toMatchObject({
      status: 200,
    });
    const run = await waitFor(
      async () => {
        const { body } = await call("GET", `/api/runs/${id}`);
        return (body as RunState).status === "running" ? undefined : (body as RunState);
      },
      { what: "the run to end", timeoutMs: 5000, intervalMs: 20 },
    );
    expect(run).toMatchObject({
      status: "aborted",
      scorecard: { run: { abortReason: "aborted by the operator" } },
    });
    expect((await call("GET", "/api/runs")).body).toMatchObject({
      runs: [{ id, status: "aborted" }],
    });
    expect(await call("GET", "/api/runs/nope")).toMatchObject({ status: 404 });
  });

  it("answers a broken scenario with 400 naming the line and field, and starts nothing", async () => {
    const { call } = await start();
    const answer = await call("POST", "/api/runs", {
      scenario: yaml("20s").replace("mode: hard", "mode: soft"),
      fileName: "broken.yaml",
    });
    expect(answer.status).toBe(400);
    expect((answer.body as { error: string }).error).toMatch(
      /^broken\.yaml:5: steps\[0\]\.kill\.mode: /,
    );
    expect((await call("GET", "/api/runs")).body).toEqual({ runs: [] });
    expect(await call("POST", "/api/runs", { scenario: 7 })).toMatchObject({ status: 400 });
  });
});
