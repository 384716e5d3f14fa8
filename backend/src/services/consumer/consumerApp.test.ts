import Router from "@koa/router";
import { afterEach, describe, expect, it, vi } from "vitest";
import { listen, type RunningServer } from "../../lib/httpApp.ts";
import { createLogger } from "../../lib/logger.ts";
import { createConsumerApp } from "./consumerApp.ts";
import { createConsumerMetrics } from "./consumerMetrics.ts";
import { createView, type View } from "./view.ts";

let server: RunningServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

interface Started {
  url: string;
  view: View;
  setReady: (ready: boolean) => void;
  metricsText: () => Promise<string>;
}

async function start(extraRoutes?: Router): Promise<Started> {
  const view = createView({ window: 100 });
  for (let seq = 1; seq <= 4; seq += 1) view.add({ producer: "producer-0", seq, ts: 1000 + seq });
  for (let seq = 1; seq <= 2; seq += 1) view.add({ producer: "producer-1", seq, ts: 2000 + seq });
  let ready = false;
  const metrics = createConsumerMetrics();
  const app = createConsumerApp({
    consumerId: "consumer-7",
    view,
    probes: { alive: () => true, ready: () => ready },
    metrics,
    logger: createLogger({ name: "test", level: "silent" }),
    maxRecordsPerAnswer: 3,
    extraRoutes,
  });
  server = await listen(app, "127.0.0.1", 0);
  return {
    url: server.url,
    view,
    setReady: (value) => {
      ready = value;
    },
    metricsText: () => metrics.metrics.metricsText(),
  };
}

async function getJson(url: string): Promise<{ status: number; body: unknown }> {
  const response = await fetch(url);
  expect(response.headers.get("content-type")).toContain("application/json");
  return { status: response.status, body: await response.json() };
}

function records(body: unknown): string[] {
  return (body as { records: { producer: string; seq: number }[] }).records.map(
    (r) => `${r.producer}:${r.seq}`,
  );
}

describe("GET /api/records", () => {
  it("subscribes a client without a cursor from now: no records, a cursor at the heads", async () => {
    const { url } = await start();
    for (const query of ["", "?cursor=", "?other=1"]) {
      expect(await getJson(`${url}/api/records${query}`)).toEqual({
        status: 200,
        body: {
          consumer: "consumer-7",
          ready: false,
          records: [],
          cursor: "producer-0:4,producer-1:2",
          heads: { "producer-0": 4, "producer-1": 2 },
          truncated: false,
        },
      });
    }
  });

  it("answers the records after the cursor and a cursor at the last ones returned", async () => {
    const { url, setReady } = await start();
    setReady(true);
    const response = await fetch(`${url}/api/records?cursor=producer-0:2,producer-1:1&x=y`);
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(await response.json()).toEqual({
      consumer: "consumer-7",
      ready: true,
      records: [
        { producer: "producer-0", seq: 3, ts: 1003 },
        { producer: "producer-0", seq: 4, ts: 1004 },
        { producer: "producer-1", seq: 2, ts: 2002 },
      ],
      cursor: "producer-0:4,producer-1:2",
      heads: { "producer-0": 4, "producer-1": 2 },
      truncated: false,
    });
  });

  it("keeps the client's position for producers it got nothing for, even unknown ones", async () => {
    const { url } = await start();
    const { body } = await getJson(`${url}/api/records?cursor=producer-0:9,producer-1:2,other:5`);
    expect(body).toMatchObject({ records: [], cursor: "other:5,producer-0:9,producer-1:2" });
  });

  it("answers at most MAX_RECORDS_PER_ANSWER records and says so", async () => {
    const { url } = await start();
    const first = await getJson(`${url}/api/records?cursor=producer-0:0`);
    expect(records(first.body)).toEqual(["producer-0:1", "producer-0:2", "producer-0:3"]);
    expect(first.body).toMatchObject({ cursor: "producer-0:3", truncated: true });
    const second = await getJson(`${url}/api/records?cursor=producer-0:3`);
    expect(records(second.body)).toEqual(["producer-0:4", "producer-1:1", "producer-1:2"]);
    expect(second.body).toMatchObject({ cursor: "producer-0:4,producer-1:2", truncated: false });
  });

  it("tells a client whose cursor fell below the window how far the window has moved", async () => {
    const { url, view } = await start();
    // The window holds 100 per producer: producer-0 now holds 5..104, 4 and below are trimmed.
    for (let seq = 5; seq <= 104; seq += 1) view.add({ producer: "producer-0", seq, ts: 3000 });
    const behind = await getJson(`${url}/api/records?cursor=producer-0:2,producer-1:2`);
    expect(behind.body).toMatchObject({ behind: { "producer-0": 4 }, truncated: true });
    expect(records(behind.body)[0]).toBe("producer-0:5");
    const caughtUp = await getJson(`${url}/api/records?cursor=producer-0:104,producer-1:2`);
    expect(caughtUp.body).not.toHaveProperty("behind");
  });

  it("holds a long-poll with nothing new until the next record arrives", async () => {
    const { url, view, setReady } = await start();
    setReady(true);
    const started = Date.now();
    const answer = getJson(`${url}/api/records?cursor=producer-0:4,producer-1:2&wait=3000`);
    setTimeout(() => view.add({ producer: "producer-1", seq: 3, ts: 5000 }), 200);
    const { body } = await answer;
    expect(records(body)).toEqual(["producer-1:3"]);
    expect(body).toMatchObject({ heads: { "producer-0": 4, "producer-1": 3 } });
    expect(Date.now() - started).toBeLessThan(2500);
  });

  it("answers a long-poll at once when there is something new, or when not ready", async () => {
    const { url, setReady } = await start();
    setReady(true);
    const started = Date.now();
    const fresh = await getJson(`${url}/api/records?cursor=producer-0:3&wait=3000`);
    expect(records(fresh.body)).toEqual(["producer-0:4", "producer-1:1", "producer-1:2"]);
    setReady(false);
    const notReady = await getJson(`${url}/api/records?cursor=producer-0:4,producer-1:2&wait=3000`);
    expect(records(notReady.body)).toEqual([]);
    expect(Date.now() - started).toBeLessThan(2500);
  });

  it("ends a long-poll after its wait with nothing new, and refuses a wait out of range", async () => {
    const { url, setReady } = await start();
    setReady(true);
    const started = Date.now();
    const empty = await getJson(`${url}/api/records?cursor=producer-0:4,producer-1:2&wait=300`);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(empty.body).toMatchObject({ records: [], cursor: "producer-0:4,producer-1:2" });
    for (const wait of ["-1", "soon", "4001"]) {
      const refused = await getJson(`${url}/api/records?cursor=producer-0:4&wait=${wait}`);
      expect(refused).toEqual({
        status: 400,
        body: { error: "wait must be a whole number of ms from 0 to 4000" },
      });
    }
  });

  it("refuses a malformed cursor with a 400 that says what is wrong, reading nothing", async () => {
    const { url, view, metricsText } = await start();
    const after = vi.spyOn(view, "after");
    const cases: [string, string][] = [
      ["cursor=producer-0:abc", 'cursor: "producer-0:abc" has a seq that is not a whole number'],
      ["cursor=producer-0:1&cursor=producer-1:1", "cursor: given more than once"],
      ["cursor=a:1,a:2", 'cursor: producer "a" appears more than once'],
      // (A cursor over 16 KB never gets here: Node answers 431 for a request line that long.)
      [
        `cursor=${Array.from({ length: 1001 }, (_, i) => `p${i}:1`).join(",")}`,
        "cursor: has 1001 producer:seq pairs, at most 1000 are allowed",
      ],
    ];
    for (const [query, error] of cases) {
      expect(await getJson(`${url}/api/records?${query}`)).toEqual({
        status: 400,
        body: { error },
      });
    }
    expect(after).not.toHaveBeenCalled();
    expect(view.heads()).toEqual({ "producer-0": 4, "producer-1": 2 });
    expect(await metricsText()).toContain(
      'blackout_consumer_api_requests_total{status="400",ready="false"} 4',
    );
  });

  it("refuses other methods with a 405", async () => {
    const { url } = await start();
    const response = await fetch(`${url}/api/records`, { method: "POST" });
    expect(response.status).toBe(405);
  });
});

describe("the consumer app", () => {
  it("answers an unknown path with a JSON 404", async () => {
    const { url, metricsText } = await start();
    expect(await getJson(`${url}/nope`)).toEqual({
      status: 404,
      body: { error: "no such endpoint: GET /nope" },
    });
    expect(await getJson(`${url}/api/nope`)).toMatchObject({ status: 404 });
    expect(await metricsText()).toContain(
      'blackout_consumer_api_requests_total{status="404",ready="false"} 1',
    );
  });

  it("is alive but not ready (503) until the view caught up", async () => {
    const { url, setReady } = await start();
    expect(await getJson(`${url}/healthz`)).toEqual({ status: 200, body: { alive: true } });
    expect(await getJson(`${url}/readyz`)).toEqual({ status: 503, body: { ready: false } });
    setReady(true);
    expect(await getJson(`${url}/readyz`)).toEqual({ status: 200, body: { ready: true } });
  });

  it("serves /metrics and the extra routes it is given (the client page)", async () => {
    const page = new Router();
    page.get("/", (ctx) => {
      ctx.type = "text/html";
      ctx.body = "<!doctype html><title>page</title>";
    });
    const { url } = await start(page);
    const home = await fetch(`${url}/`);
    expect(home.status).toBe(200);
    expect(await home.text()).toContain("<title>page</title>");
    const metrics = await fetch(`${url}/metrics`);
    expect(await metrics.text()).toContain("blackout_consumer_ready 0");
  });
});
