import { createHash } from "node:crypto";
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
import { createTokenBucket } from "../../lib/tokenBucket.ts";
import { io as connectSocket, type Socket } from "socket.io-client";

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
    logger: extra.logger ?? createLogger({ name: "test", level: "silent" }),
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
    expect(preflight.headers.get("access-control-allow-origin")).toBe("http://127.0.0.1:8080");
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
      viewer: true,
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
      expect(securityHeadersOf(page)).toEqual(DASHBOARD_HEADERS);
      expect(page.headers.get("cache-control")).toBe("max-age=0");
      const asset = await fetch(`${url}/assets/app-abc123.js`);
      expect(asset.headers.get("content-type")).toMatch(/javascript/);
      expect(asset.headers.get("cache-control")).toMatch(/immutable/);
      expect(securityHeadersOf(asset)).toEqual(DASHBOARD_HEADERS);
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

const DASHBOARD_HEADERS = {
  csp: expect.stringMatching(
    /^default-src 'none'; script-src 'self'; .*frame-ancestors 'none'$/,
  ) as unknown,
  nosniff: "nosniff",
  frames: "DENY",
  referrer: "no-referrer",
};

function securityHeadersOf(answer: Response) {
  return {
    csp: answer.headers.get("content-security-policy"),
    nosniff: answer.headers.get("x-content-type-options"),
    frames: answer.headers.get("x-frame-options"),
    referrer: answer.headers.get("referrer-policy"),
  };
}

describe("control's limits and security", () => {
  const auth = { authorization: `Bearer ${TOKEN}` };
  const scenario =
    "name: r\ndescription: d\nsteady: 60s\nsteps:\n  - wait: 1s\nslo:\n  missing: 0\n";

  it("answers faults and runs beyond the rate with 429 and Retry-After, changing nothing", async () => {
    let now = 1_000_000;
    const { call, orchestrator, url } = await start(TOKEN, {
      faultRate: createTokenBucket({ burst: 2, intervalMs: 30_000, now: () => now }),
    });
    const kill = (target: string, more: object = {}) =>
      call("POST", "/api/faults", { action: "kill", target, ...more }, auth);
    // Neither a caller without the token, nor a bad body, nor a dry run spends the budget.
    for (let i = 0; i < 3; i++) {
      expect(
        await call("POST", "/api/faults", { action: "kill", target: "consumer-1" }),
      ).toMatchObject({ status: 401 });
      expect(await kill("consumer-1", { mode: "soft" })).toMatchObject({ status: 400 });
      expect(await kill("consumer-1", { dryRun: true })).toMatchObject({ status: 200 });
    }
    expect(await kill("consumer-1", { mode: "hard" })).toMatchObject({ status: 201 });
    expect(await kill("consumer-9")).toMatchObject({ status: 404 });
    const refused = await fetch(`${url}/api/faults`, {
      method: "POST",
      headers: { "content-type": "application/json", ...auth },
      body: JSON.stringify({ action: "kill", target: "kafka-1", force: true }),
    });
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toBe("30");
    expect(await refused.json()).toEqual({
      error:
        "too many faults and runs: 2 at once, then one every 30000 ms (FAULT_RATE_BURST, FAULT_RATE_INTERVAL_MS); retry in 30 s",
      retryAfterSeconds: 30,
      burst: 2,
      intervalMs: 30_000,
    });
    expect(await call("POST", "/api/runs", { scenario }, auth)).toMatchObject({ status: 429 });
    expect(orchestrator.calls).toEqual(["kill consumer-1 hard"]);
    expect((await call("GET", "/api/faults")).body).toMatchObject({
      faults: [{ target: "consumer-1" }],
    });
    expect((await call("GET", "/api/runs")).body).toEqual({ runs: [] });
    // Stopping and aborting are never limited.
    for (let i = 0; i < 3; i++) {
      expect(await call("POST", "/api/stop", undefined, auth)).toMatchObject({ status: 200 });
      expect(await call("POST", "/api/runs/nope/abort", undefined, auth)).toMatchObject({
        status: 404,
      });
    }
    now += 15_000;
    const later = await kill("kafka-1", { force: true });
    expect(later).toMatchObject({ status: 429, body: { retryAfterSeconds: 15 } });
    now += 15_000;
    expect(await kill("kafka-1", { force: true })).toMatchObject({ status: 201 });
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toContain('blackout_control_rate_limited_total{route="/api/faults"} 2');
    expect(metrics).toContain('blackout_control_rate_limited_total{route="/api/runs"} 1');
  });

  it("sends the security headers with API answers and errors, and lets the placeholder run its own script only", async () => {
    const placeholder = "<html><style>p { color: red }</style><script>go()</script></html>";
    const { url } = await start(undefined, { page: placeholder });
    const answers = await Promise.all([
      fetch(`${url}/api/faults`),
      fetch(`${url}/api/nothing`),
      fetch(`${url}/api/faults`, { method: "POST", body: "{not json" }),
      fetch(`${url}/metrics`),
    ]);
    for (const answer of answers) {
      expect(securityHeadersOf(answer), answer.url).toEqual(DASHBOARD_HEADERS);
    }
    const page = await fetch(`${url}/`);
    expect(await page.text()).toBe(placeholder);
    const sha = (text: string) => `'sha256-${createHash("sha256").update(text).digest("base64")}'`;
    const policy = page.headers.get("content-security-policy") ?? "";
    expect(policy).toContain(`script-src ${sha("go()")};`);
    expect(policy).toContain(`style-src ${sha("p { color: red }")};`);
    expect(policy).toContain("frame-ancestors 'none'");
  });

  it("lets client pages on loopback or in PAGE_ORIGINS report, and refuses other origins' calls", async () => {
    let stops = 0;
    const { call, url, feed } = await start(undefined, {
      pageOrigins: ["https://lab.example"],
      emergencyStop: () => {
        stops += 1;
        return Promise.resolve({ thawed: [], aborted: [] });
      },
    });
    const preflight = (origin: string) =>
      fetch(`${url}/api/fleet/summary`, {
        method: "OPTIONS",
        headers: { origin, "access-control-request-method": "POST" },
      });
    for (const origin of [
      "http://localhost:8080",
      "http://127.0.0.1:7200",
      "https://lab.example",
    ]) {
      const allowed = await preflight(origin);
      expect(allowed.status, origin).toBe(204);
      expect(allowed.headers.get("access-control-allow-origin")).toBe(origin);
      expect(allowed.headers.get("vary")).toMatch(/origin/i);
    }
    const evil = { origin: "https://evil.example" };
    const foreign = await preflight(evil.origin);
    expect(foreign.status).toBe(403);
    expect(foreign.headers.get("access-control-allow-origin")).toBeNull();
    expect(await call("POST", "/api/fleet/summary", clientSummary({ at: 1 }), evil)).toMatchObject({
      status: 403,
      body: {
        error: expect.stringMatching(/calls from https:\/\/evil\.example are refused/) as unknown,
      },
    });
    expect(feed.latest()).toEqual([]);
    const fromLab = { origin: "https://lab.example" };
    expect(
      await call("POST", "/api/fleet/summary", clientSummary({ at: 1 }), fromLab),
    ).toMatchObject({
      status: 204,
    });
    // Only the dashboard's own origin, or a caller that is no browser, may act.
    expect(await call("POST", "/api/stop", undefined, evil)).toMatchObject({ status: 403 });
    expect(await call("POST", "/api/stop", undefined, fromLab)).toMatchObject({ status: 403 });
    expect(stops).toBe(0);
    expect(
      await call("POST", "/api/stop", undefined, { origin: new URL(url).origin }),
    ).toMatchObject({
      status: 200,
    });
    expect(await call("POST", "/api/stop")).toMatchObject({ status: 200 });
    expect(stops).toBe(2);
    // Websockets know no CORS: socket.io itself refuses another origin's handshake.
    const handshake = (origin: string) =>
      fetch(`${url}/socket.io/?EIO=4&transport=polling`, { headers: { origin } });
    expect((await handshake(evil.origin)).status).toBe(403);
    expect((await handshake(new URL(url).origin)).status).toBe(200);
  });

  it("never writes the operator token to the log, right or wrong, at the most verbose level", async () => {
    const lines: string[] = [];
    const logger = createLogger(
      { name: "control", level: "trace" },
      { write: (line: string) => void lines.push(line) },
    );
    const { call, runner } = await start(TOKEN, { logger });
    const wrong = "wrong-operator-token-9876543210";
    for (const token of [TOKEN, wrong]) {
      const headers = { authorization: `Bearer ${token}` };
      await call(
        "POST",
        "/api/faults",
        { action: "kill", target: "kafka-1", dryRun: true },
        headers,
      );
      await call("POST", "/api/faults", { action: "kill", target: "consumer-1" }, headers);
      await call("POST", "/api/faults", { action: "kill", target: "nobody" }, headers);
      await call("POST", "/api/faults", "{not json", headers);
      await call("POST", "/api/runs", { scenario }, headers);
      const run = runner.list()[0]?.id ?? "none";
      await call("POST", `/api/runs/${run}/abort`, undefined, headers);
      await call("POST", "/api/stop", undefined, headers);
      await call("POST", "/api/fleet/summary", clientSummary({ at: 1 }), headers);
      await call("POST", "/api/fleet/events", { events: [] }, headers);
      await call("GET", "/api/session", undefined, headers);
    }
    const log = lines.join("");
    // The log did see these calls: each operator call is audited, refused or not.
    expect(log.match(/"audit":true/g)).toHaveLength(12);
    expect(log).not.toContain(TOKEN);
    expect(log).not.toContain(wrong);
  });
});

describe("control's reads beyond loopback", () => {
  it("need the token, except the session, the probes, /metrics, the dashboard's files and the clients' reports", async () => {
    const { call, url } = await start(TOKEN, { readsNeedToken: true });
    const auth = { authorization: `Bearer ${TOKEN}` };
    for (const path of ["/api/faults", "/api/topology", "/api/fleet", "/api/runs/x"]) {
      expect(await call("GET", path), path).toMatchObject({
        status: 401,
        body: { error: expect.stringMatching(/CONTROL_OPEN_READS/) as unknown },
      });
      expect(await call("GET", path, undefined, { authorization: "Bearer nope" })).toMatchObject({
        status: 401,
      });
    }
    expect(await call("GET", "/api/faults", undefined, auth)).toMatchObject({ status: 200 });
    expect((await call("GET", "/api/session")).body).toMatchObject({
      operator: false,
      viewer: false,
    });
    expect((await call("GET", "/api/session", undefined, auth)).body).toMatchObject({
      operator: true,
      viewer: true,
    });
    for (const path of ["/", "/healthz", "/readyz", "/metrics"]) {
      expect((await fetch(`${url}${path}`)).status, path).not.toBe(401);
    }
    expect(await call("POST", "/api/fleet/summary", clientSummary({ at: 1 }))).toMatchObject({
      status: 204,
    });
  });

  it("need the token for socket.io too, given as auth.token", async () => {
    const { url } = await start(TOKEN, { readsNeedToken: true });
    const attempt = (auth: object) =>
      new Promise<string>((resolve) => {
        const socket: Socket = connectSocket(url, { transports: ["websocket"], auth });
        socket.on("faults", () => {
          socket.close();
          resolve("followed");
        });
        socket.on("connect_error", (error) => {
          socket.close();
          resolve(error.message);
        });
      });
    expect(await attempt({})).toMatch(/needs the operator token/);
    expect(await attempt({ token: "wrong-operator-token-0123" })).toMatch(
      /needs the operator token/,
    );
    expect(await attempt({ token: TOKEN })).toBe("followed");
  });

  it("stay open when reads do not need the token", async () => {
    const { url } = await start(TOKEN);
    expect((await fetch(`${url}/api/faults`)).status).toBe(200);
    const socket: Socket = connectSocket(url, { transports: ["websocket"] });
    try {
      await new Promise((resolve) => socket.on("faults", resolve));
    } finally {
      socket.close();
    }
  });
});
