import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { waitFor } from "../../lib/waitFor.ts";
import { createLogger } from "../../lib/logger.ts";
import type { ControlAppOptions } from "./controlApp.ts";
import type { Fault } from "../../contract/fault.ts";
import { createFakeOrchestrator } from "./fakeOrchestrator.fixture.ts";
import { fakeTarget } from "../../contract/targets.fixture.ts";
import { createInMemoryControl, type InMemoryControl } from "./inMemoryControl.fixture.ts";
import type { RunState } from "../../contract/runs.ts";
import { clientSummary } from "../../contract/clientSummary.fixture.ts";

const TOKEN = "operator-token-0123456789";
const controls: InMemoryControl[] = [];

afterEach(async () => {
  for (const control of controls.splice(0)) await control.close();
});

async function start(token?: string, extra: Partial<ControlAppOptions> = {}) {
  const orchestrator = createFakeOrchestrator([
    fakeTarget("consumer-0", "consumer"),
    fakeTarget("consumer-1", "consumer"),
    fakeTarget("kafka-1", "broker", { nodeId: 1 }),
  ]);
  const received: string[] = [];
  const control = await createInMemoryControl({
    orchestrator,
    logger: createLogger({ name: "test", level: "silent" }),
    faultWindowMs: 60_000,
    settleMs: 1000,
    app: {
      token,
      onSummary: (source) => received.push(`summary ${source}`),
      onEvents: (events) => received.push(`events ${events.length}`),
      ...extra,
    },
  });
  controls.push(control);
  await control.load();
  const { stored, feed, runner } = control;
  const url = control.server.url;
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
  return { orchestrator, stored, feed, received, call, runner, url };
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
    const { call, received, url } = await start(TOKEN);
    const summary = clientSummary({
      at: 1000,
      clients: 5,
      polls: 50,
      failedPolls: 1,
      staleReads: 2,
    });
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
    const preflight = await fetch(`${url}/api/fleet/summary`, {
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

describe("control's API under deep bodies", () => {
  it("refuses a report nested thousands of levels deep, and keeps answering its reads", async () => {
    const { call, feed } = await start();
    // Kept as they came, such fields broke socket.io's push and every later GET /api/fleet.
    const deep = `${"[".repeat(5000)}${"]".repeat(5000)}`;
    const summary = JSON.stringify(clientSummary({ at: 1000 }));
    const answers = [
      await call("POST", "/api/fleet/summary", `${summary.slice(0, -1)},"extra":${deep}}`),
      await call(
        "POST",
        "/api/fleet/events",
        `{"events":[{"type":"gap","at":1,"client":"c","x":${deep}}]}`,
      ),
    ];
    expect(await call("GET", "/api/fleet")).toEqual({
      status: 200,
      body: { latest: [], history: [] },
    });
    expect(await call("GET", "/api/anomalies")).toEqual({ status: 200, body: { anomalies: [] } });
    expect(feed.latest()).toEqual([]);
    for (const answer of answers) {
      expect(answer).toEqual({
        status: 400,
        body: { error: "body is nested deeper than 64 levels" },
      });
    }
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
    expect(await call("POST", "/api/runs", { scenario: yaml("20s"), dryRun: true, "": 1 })).toEqual(
      { status: 400, body: { error: 'unknown field "dryRun", ""' } },
    );
    expect((await call("GET", "/api/runs")).body).toEqual({ runs: [] });
  });
});

describe("control's routes for the dashboard", () => {
  it("tells the dashboard whether it may act: operator with the right token, viewer without", async () => {
    const { call } = await start(TOKEN, {
      session: { mode: "local", links: { grafana: "http://127.0.0.1:3000" } },
    });
    expect((await call("GET", "/api/session")).body).toEqual({
      mode: "local",
      links: { grafana: "http://127.0.0.1:3000" },
      tokenRequired: true,
      operator: false,
    });
    const wrong = await call("GET", "/api/session", undefined, { authorization: "Bearer nope" });
    expect(wrong.body).toMatchObject({ operator: false });
    const right = await call("GET", "/api/session", undefined, {
      authorization: `Bearer ${TOKEN}`,
    });
    expect(right.body).toMatchObject({ tokenRequired: true, operator: true });
    const open = await start();
    expect((await open.call("GET", "/api/session")).body).toMatchObject({
      tokenRequired: false,
      operator: true,
    });
  });

  it("answers Kafka's samples and the scenario library, and 400 for a bad since", async () => {
    const asked: number[] = [];
    const sample = {
      at: 5,
      lag: { "consumer-0": 3 },
      committed: { "consumer-0": 9 },
      endOffset: 12,
    };
    const { call } = await start(undefined, {
      kafkaSeries: (since) => {
        asked.push(since);
        return [sample];
      },
      scenarios: () =>
        Promise.resolve([
          { fileName: "a.yaml", name: "a", description: "d", steps: 1, yaml: "name: a" },
        ]),
    });
    expect((await call("GET", "/api/kafka/series?since=4")).body).toEqual({ samples: [sample] });
    expect(asked).toEqual([4]);
    expect(await call("GET", "/api/kafka/series?since=soon")).toMatchObject({
      status: 400,
      body: { error: "since must be ms since the epoch" },
    });
    expect((await call("GET", "/api/scenarios")).body).toMatchObject({
      scenarios: [{ fileName: "a.yaml", name: "a" }],
    });
  });

  it("serves a run's reports for download, and 404 for a report that is not one", async () => {
    const { call, runner, url } = await start();
    const scenario =
      "name: r\ndescription: d\nsteady: 60s\nsteps:\n  - wait: 1s\nslo:\n  missing: 0\n";
    const started = await call("POST", "/api/runs", { scenario });
    const id = (started.body as { id: string }).id;
    runner.abort(id, "test");
    const json = await fetch(`${url}/api/runs/${id}/reports/report.json`);
    expect(json.headers.get("content-type")).toMatch(/^application\/json/);
    expect(await json.json()).toMatchObject({ run: { id, scenario: "r" } });
    const junit = await fetch(`${url}/api/runs/${id}/reports/junit.xml`);
    expect(junit.headers.get("content-type")).toMatch(/xml/);
    expect(await junit.text()).toContain("<testsuite");
    const md = await fetch(`${url}/api/runs/${id}/reports/report.md`);
    expect(await md.text()).toContain("# ");
    const unknown = await call("GET", `/api/runs/${id}/reports/etc-passwd`);
    expect(unknown.status).toBe(404);
    expect((unknown.body as { error: string }).error).toMatch(
      /reports are report\.json, report\.md, junit\.xml/,
    );
    expect(await call("GET", "/api/runs/nope/reports/report.json")).toMatchObject({ status: 404 });
  });

  it("serves the built dashboard, its assets cacheable, and the placeholder when not built", async () => {
    const dir = await mkdtemp(join(tmpdir(), "blackout-dashboard-"));
    try {
      await mkdir(join(dir, "assets"));
      await writeFile(join(dir, "index.html"), "<html>dashboard</html>");
      await writeFile(join(dir, "assets", "app-abc123.js"), "console.log(1)");
      const { url } = await start(undefined, { dashboardDir: dir });
      const page = await fetch(`${url}/`);
      expect(await page.text()).toBe("<html>dashboard</html>");
      expect(page.headers.get("cache-control")).toBe("max-age=0");
      const asset = await fetch(`${url}/assets/app-abc123.js`);
      expect(asset.headers.get("content-type")).toMatch(/javascript/);
      expect(asset.headers.get("cache-control")).toMatch(/immutable/);
      const missing = await fetch(`${url}/assets/../../etc/passwd`);
      expect(missing.status).toBe(404);
      expect((await fetch(`${url}/nothing-here.js`)).status).toBe(404);
      expect((await fetch(`${url}/api/nothing`)).status).toBe(404);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    const unbuilt = await start();
    expect(await (await fetch(`${unbuilt.url}/`)).text()).toBe("<html>placeholder</html>");
  });
});
