import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePorts } from "../../lib/freePorts.ts";
import { listen, type RunningServer } from "../../lib/httpApp.ts";
import { createLogger } from "../../lib/logger.ts";
import { waitFor } from "../../lib/waitFor.ts";
import { createSupervisorApp } from "./supervisorApp.ts";
import {
  countSubscriptions,
  createHarness,
  type CountedSubscriptions,
  type Harness,
} from "./supervisorHarness.fixture.ts";

let h: Harness;
let server: RunningServer;
let counted: CountedSubscriptions;

beforeAll(async () => {
  h = await createHarness();
  const [p0, p1, p2] = await freePorts(3);
  h.supervisor.add(h.child("consumer-0", p0 ?? 0));
  h.supervisor.add(h.child("consumer-1", p1 ?? 0));
  h.supervisor.add(h.child("gateway", p2 ?? 0, { kind: "service" }));
  await h.start(["consumer-0", "consumer-1", "gateway"]);
  counted = countSubscriptions(h.supervisor);
  const app = createSupervisorApp({
    supervisor: counted.supervisor,
    logger: createLogger({ name: "test", level: "silent" }),
    metrics: h.metrics.metrics,
    keepAliveMs: 100,
  });
  server = await listen(app, "127.0.0.1", 0);
}, 30_000);

afterAll(async () => {
  await server?.close();
  await h?.dispose();
}, 20_000);

async function call(
  path: string,
  body?: string,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${server.url}${path}`, {
    method: body === undefined ? "GET" : "POST",
    ...(body === undefined ? {} : { body, headers: { "content-type": "application/json" } }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** Reads an event stream until `enough` says so, then hangs up. */
async function readStream(
  path: string,
  enough: (text: string) => boolean,
  headers: Record<string, string> = {},
): Promise<string> {
  const abort = new AbortController();
  const response = await fetch(`${server.url}${path}`, { headers, signal: abort.signal });
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toMatch(/^text\/event-stream\b/);
  const reader = response.body?.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  try {
    while (reader && !enough(text)) {
      const { value, done } = await reader.read();
      if (done) break;
      text += value;
    }
  } finally {
    abort.abort();
  }
  return text;
}

const dataLines = (text: string) =>
  text
    .split("\n")
    .filter((line) => line.startsWith("data: "))
    .map((line) => JSON.parse(line.slice(6)) as Record<string, unknown>);

describe("the supervisor's HTTP API", { timeout: 20_000 }, () => {
  it("answers health, targets (services apart) and components", async () => {
    expect(await call("/healthz")).toEqual({ status: 200, body: { alive: true } });
    const targets = await call("/api/targets");
    expect(targets.status).toBe(200);
    expect(targets.body).toEqual(JSON.parse(JSON.stringify(h.supervisor.targets())));
    expect((targets.body as unknown as { name: string }[]).map((t) => t.name)).toEqual([
      "consumer-0",
      "consumer-1",
    ]);
    const components = (await call("/api/components")).body as unknown as { name: string }[];
    expect(components.map((c) => c.name)).toEqual(["consumer-0", "consumer-1", "gateway"]);
    expect((await call("/api/nothing")).status).toBe(404);
  });

  it("serves its metrics: a crash loop's backoff per component, none now", async () => {
    const response = await fetch(`${server.url}/metrics`);
    expect(response.headers.get("content-type")).toMatch(/^application\/openmetrics-text/);
    const text = await response.text();
    for (const name of ["consumer-0", "consumer-1", "gateway"]) {
      expect(text).toContain(`blackout_supervisor_restart_backoff_seconds{component="${name}"} 0`);
    }
    expect(text).toContain("# TYPE blackout_supervisor_restarts counter");
  });

  it("answers 400 for a bad body, saying what was wrong", async () => {
    const kill = (body: string) => call("/api/targets/consumer-0/kill", body);
    const freeze = (body: string) => call("/api/targets/consumer-0/freeze", body);
    expect(await kill('{"mode":"soft"}')).toEqual({
      status: 400,
      body: { error: 'mode must be "graceful" or "hard"' },
    });
    expect(await kill("[]")).toEqual({
      status: 400,
      body: { error: 'expected a JSON object like {"mode": "graceful"}' },
    });
    expect(await kill("{mode: hard")).toEqual({
      status: 400,
      body: { error: "body is not valid JSON" },
    });
    expect(await freeze('{"seconds":0}')).toEqual({
      status: 400,
      body: { error: "seconds must be at least 1" },
    });
    expect(await freeze('{"seconds":601}')).toEqual({
      status: 400,
      body: { error: "seconds must be at most 600" },
    });
    expect(await freeze('{"seconds":"5"}')).toEqual({
      status: 400,
      body: { error: "seconds must be a number" },
    });
    expect(h.supervisor.targets().map((t) => t.status)).toEqual(["running", "running"]);
  });

  it("answers 404 with the known targets for an unknown one or a service", async () => {
    for (const name of ["consumer-9", "gateway"]) {
      expect(await call(`/api/targets/${name}/kill`, '{"mode":"hard"}')).toEqual({
        status: 404,
        body: {
          error: `no target "${name}"; targets are consumer-0, consumer-1`,
          targets: ["consumer-0", "consumer-1"],
        },
      });
    }
  });

  it("freezes, answers 409 for a second freeze, and thaws", async () => {
    expect(await call("/api/targets/consumer-1/freeze", '{"seconds":30}')).toEqual({
      status: 202,
      body: { target: "consumer-1", seconds: 30, at: expect.any(Number) as unknown },
    });
    expect(h.supervisor.targets()[1]).toMatchObject({ status: "frozen", ready: false });
    expect(await call("/api/targets/consumer-1/freeze", '{"seconds":30}')).toEqual({
      status: 409,
      body: { error: "cannot freeze consumer-1: it is frozen already" },
    });
    expect(await call("/api/thaw", "")).toEqual({ status: 200, body: { thawed: ["consumer-1"] } });
    expect(h.supervisor.targets()[1]?.status).toBe("running");
  });

  it("kills a target", async () => {
    const before = h.events.at(-1)?.seq ?? 0;
    const sent = Date.now();
    const answer = await call("/api/targets/consumer-0/kill", '{"mode":"graceful"}');
    expect(answer).toEqual({
      status: 202,
      body: { target: "consumer-0", mode: "graceful", at: expect.any(Number) as unknown },
    });
    // The moment the signal went out: control's t0 for the fault.
    expect((answer.body as { at: number }).at).toBeGreaterThanOrEqual(sent);
    expect(await h.nextEvent("consumer-0", "terminated", before)).toMatchObject({
      byUs: true,
      detail: "exit code 0",
    });
    await h.nextEvent("consumer-0", "ready", before);
  });

  it("streams events, replaying those after Last-Event-ID or ?after, with keep-alives", async () => {
    const all = h.supervisor.eventsAfter(0);
    expect(all.length).toBeGreaterThan(4);
    const from = all[1]?.seq ?? 0;
    const replayed = all.filter((e) => e.seq > from);
    const last = `id: ${all.at(-1)?.seq}\n`;
    const byQuery = await readStream(`/api/events?after=${from}`, (t) => t.includes(last));
    expect(byQuery.startsWith(": connected\n\n")).toBe(true);
    expect(dataLines(byQuery)).toEqual(replayed.map((e) => ({ ...e, seq: undefined })));
    expect([...byQuery.matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1]))).toEqual(
      replayed.map((e) => e.seq),
    );
    const byHeader = await readStream(`/api/events?after=0`, (t) => t.includes(last), {
      "last-event-id": String(from),
    });
    expect(dataLines(byHeader)).toEqual(dataLines(byQuery));

    const gone = {
      what: "the app to drop the subscription of a client that went away",
      timeoutMs: 2000,
    };
    await waitFor(() => counted.count === 0, gone);
    const live = readStream("/api/events", (t) => t.includes("frozen") && t.includes("keep-alive"));
    await waitFor(() => counted.count === 1, { what: "a subscription", timeoutMs: 2000 });
    await h.supervisor.freeze("consumer-1", 30);
    h.supervisor.thawAll();
    const text = await live;
    expect(dataLines(text)[0]).toMatchObject({ type: "frozen", target: "consumer-1" });
    expect(text).toContain(": keep-alive\n\n");
    await waitFor(() => counted.count === 0, gone);
  });

  it("answers 400 for an event seq that is not one", async () => {
    const response = await fetch(`${server.url}/api/events?after=abc`);
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      error: "Last-Event-ID or after must be an event seq (0 or more), got abc",
    });
  });
});
