import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, describe, expect, it } from "vitest";
import { createLogger } from "../../lib/logger.ts";
import { waitFor } from "../../lib/waitFor.ts";
import { createClientsMetrics, type ClientsMetrics } from "./clientsMetrics.ts";
import { createControlPusher, type ControlPusher } from "./controlPusher.ts";
import type { FleetEvent, FleetSummary } from "./fleet.ts";
import { clientSummary } from "../../contract/clientSummary.fixture.ts";

interface Received {
  path: string;
  body: unknown;
}

/** A stand-in for control: records what it receives; answers 503 while `down`. */
interface StandIn {
  url: string;
  received: Received[];
  down: boolean;
  close(): Promise<void>;
}

const servers: Server[] = [];
let pusher: ControlPusher | undefined;
afterEach(async () => {
  await pusher?.stop();
  pusher = undefined;
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((done) => server.close(done));
  }
});

async function startControl(): Promise<StandIn> {
  const standIn: StandIn = {
    url: "",
    received: [],
    down: false,
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      if (standIn.down) {
        response.writeHead(503).end();
        return;
      }
      standIn.received.push({
        path: request.url ?? "",
        body: JSON.parse(Buffer.concat(chunks).toString("utf8")),
      });
      response.writeHead(204).end();
    });
  });
  servers.push(server);
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  standIn.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  return standIn;
}

function gap(client: number, seq: number): FleetEvent {
  return {
    type: "gap",
    client: `client-${client}`,
    at: 1000 + seq,
    consumer: "consumer-0",
    producer: "producer-0",
    from: seq,
    to: seq,
  };
}

function summaryAt(at: number): FleetSummary {
  return clientSummary({
    at,
    clients: 2,
    polls: 10,
    failedPolls: 1,
    freshRecords: 40,
    clientsByConsumer: { "consumer-0": 2 },
    latencyP50Ms: 12,
    latencyP99Ms: 40,
  });
}

interface Logged {
  level: string;
  msg: string;
}

function newPusher(
  controlUrl: string,
  extra: { maxQueuedEvents?: number; maxBatch?: number; intervalMs?: number } = {},
): { pusher: ControlPusher; metrics: ClientsMetrics; logged: Logged[] } {
  const metrics = createClientsMetrics();
  const logged: Logged[] = [];
  const logger = createLogger(
    { name: "test", level: "info" },
    { write: (line: string) => logged.push(JSON.parse(line) as Logged) },
  );
  pusher = createControlPusher({ controlUrl, fetch, metrics, logger, ...extra });
  return { pusher, metrics, logged };
}

async function counterValue(
  metrics: ClientsMetrics,
  name: "pushes" | "pushDropped",
  labels: Record<string, string>,
) {
  const { values } = await metrics[name].get();
  return values
    .filter((value) => {
      const own: Record<string, string | number | undefined> = value.labels;
      return Object.entries(labels).every(([k, v]) => own[k] === v);
    })
    .reduce((sum, value) => sum + value.value, 0);
}

describe("createControlPusher", () => {
  it("posts the summary and the queued events as one batch, in order", async () => {
    const control = await startControl();
    const { pusher, metrics } = newPusher(control.url);
    pusher.event(gap(0, 2));
    pusher.event(gap(1, 2));
    pusher.summary(summaryAt(5000));
    pusher.event(gap(0, 9));
    await pusher.flush();
    expect(control.received).toEqual([
      { path: "/api/fleet/summary", body: summaryAt(5000) },
      { path: "/api/fleet/events", body: { events: [gap(0, 2), gap(1, 2), gap(0, 9)] } },
    ]);
    expect(pusher.queued).toBe(0);
    expect(await counterValue(metrics, "pushes", { result: "ok" })).toBe(2);
    // Nothing new: nothing sent.
    await pusher.flush();
    expect(control.received).toHaveLength(2);
  });

  it("sends at most maxBatch events per flush", async () => {
    const control = await startControl();
    const { pusher } = newPusher(control.url, { maxBatch: 2 });
    for (let seq = 1; seq <= 5; seq += 1) pusher.event(gap(0, seq));
    await pusher.flush();
    await pusher.flush();
    await pusher.flush();
    expect(control.received.map((r) => (r.body as { events: unknown[] }).events.length)).toEqual([
      2, 2, 1,
    ]);
  });

  it("keeps events while control refuses, dropping the oldest beyond the bound, and counts the drops", async () => {
    const control = await startControl();
    control.down = true;
    const { pusher, metrics, logged } = newPusher(control.url, { maxQueuedEvents: 3 });
    for (let seq = 1; seq <= 5; seq += 1) pusher.event(gap(0, seq));
    pusher.summary(summaryAt(1000));
    pusher.summary(summaryAt(2000));
    await pusher.flush();
    await pusher.flush();
    expect(pusher.queued).toBe(3);
    expect(await counterValue(metrics, "pushDropped", { kind: "event" })).toBe(2);
    // The first summary was replaced unsent, the second failed.
    expect(await counterValue(metrics, "pushDropped", { kind: "summary" })).toBe(2);
    expect(await counterValue(metrics, "pushes", { result: "failed" })).toBe(3);

    control.down = false;
    await pusher.flush();
    expect(control.received).toEqual([
      { path: "/api/fleet/events", body: { events: [gap(0, 3), gap(0, 4), gap(0, 5)] } },
    ]);
    // One warning per outage, not one per flush.
    expect(logged.map((line) => [line.level, line.msg])).toEqual([
      ["warn", "cannot push to control: queuing events"],
      ["info", "control reachable again: pushing"],
    ]);
  });

  it("survives a refused connection (control not running) the same way", async () => {
    const control = await startControl();
    await control.close();
    const { pusher, metrics } = newPusher(control.url, { maxQueuedEvents: 2 });
    for (let seq = 1; seq <= 4; seq += 1) pusher.event(gap(0, seq));
    await pusher.flush();
    expect(pusher.queued).toBe(2);
    expect(await counterValue(metrics, "pushDropped", { kind: "event" })).toBe(2);
  });

  it("flushes every interval once started, and stops", async () => {
    const control = await startControl();
    const { pusher } = newPusher(control.url, { intervalMs: 50 });
    pusher.start();
    pusher.summary(summaryAt(1));
    pusher.event(gap(0, 1));
    await waitFor(() => control.received.length === 2, {
      what: "a summary and an event",
      timeoutMs: 2000,
      intervalMs: 10,
    });
    await pusher.stop();
    pusher.summary(summaryAt(2));
    await sleep(150);
    expect(control.received).toHaveLength(2);
  });
});
