import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningServer } from "../../lib/httpApp.ts";
import type { Fleet } from "./fleet.ts";
import { startFleetApp } from "./fleetApp.fixture.ts";
import { createFakeRecordsApi } from "./recordsApi.fixture.ts";

let server: RunningServer;
let fleet: Fleet;
let producing: ReturnType<typeof setInterval>;

beforeAll(async () => {
  const api = createFakeRecordsApi(Date.now);
  api.produce("producer-0");
  producing = setInterval(() => api.produce("producer-0"), 20);
  ({ fleet, server } = await startFleetApp(api.fetch, Date.now));
  fleet.start();
  await sleep(300);
});
afterAll(async () => {
  fleet.stop();
  clearInterval(producing);
  await server.close();
});

async function call(
  path: string,
  init?: { method: string; body: string },
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${server.url}${path}`, {
    ...init,
    headers: { "content-type": "application/json" },
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

const postFault = (body: string) => call("/api/faults", { method: "POST", body });

describe("the fleet's HTTP API", () => {
  it("answers the fleet's totals", async () => {
    const { status, body } = await call("/api/summary");
    expect(status).toBe(200);
    expect(body).toMatchObject({ clients: 3, missing: 0, failedPolls: 0 });
    expect(body["polls"]).toBeGreaterThanOrEqual(3);
  });

  it("answers one client's ledger, 400 for a malformed id and 404 for an unknown one", async () => {
    const one = await call("/api/clients/client-2");
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({ id: "client-2", missing: 0 });
    expect(one.body["polls"]).toBeGreaterThan(0);
    for (const id of ["2", "client-02", "client-", "client-x"]) {
      expect(await call(`/api/clients/${id}`)).toEqual({
        status: 400,
        body: { error: `client id must look like "client-7", got "${id}"` },
      });
    }
    expect(await call("/api/clients/client-3")).toEqual({
      status: 404,
      body: { error: "no client client-3: the fleet has client-0 to client-2" },
    });
  });

  it("refuses a bad fault with a clear 400 and changes nothing", async () => {
    const now = Date.now();
    const cases: [string, string][] = [
      ["{", "body is not valid JSON"],
      ["[]", 'expected a JSON object like {"id": "fault-1", "t0": 1767225600000}'],
      [JSON.stringify({ t0: now }), "id must be a string"],
      [JSON.stringify({ id: "bad", t0: "now" }), "t0 must be a number (ms since the epoch)"],
      [JSON.stringify({ id: "bad", t0: 1.5 }), "t0 must be a whole number of ms since the epoch"],
      [
        JSON.stringify({ id: "bad id", t0: now }),
        'id must be 1-128 letters, digits, ".", "_", ":" or "-"',
      ],
    ];
    for (const [body, error] of cases) {
      expect(await postFault(body)).toEqual({ status: 400, body: { error } });
    }
    const old = await postFault(JSON.stringify({ id: "bad", t0: now - 600_000 }));
    expect(old.status).toBe(400);
    expect(old.body["error"]).toMatch(/^t0 is \d+ ms in the past/);
    expect(await call("/api/faults/bad/recovery")).toEqual({
      status: 404,
      body: { error: 'no fault "bad" is followed' },
    });
  });

  it("follows a fault and answers the clients' recovery times", async () => {
    const t0 = Date.now() - 100;
    expect(await postFault(JSON.stringify({ id: "fault-1", t0 }))).toEqual({
      status: 201,
      body: { id: "fault-1", t0, clients: 3 },
    });
    expect((await postFault(JSON.stringify({ id: "fault-1", t0 }))).status).toBe(200);
    expect((await postFault(JSON.stringify({ id: "fault-1", t0: t0 + 1 }))).status).toBe(409);
    const { status, body } = await call("/api/faults/fault-1/recovery");
    expect(status).toBe(200);
    // Nothing happened to the clients: none noticed the fault.
    expect(body).toMatchObject({
      id: "fault-1",
      t0,
      clients: 3,
      recovered: 3,
      pending: 0,
      neverNoticed: 3,
      maxMs: 0,
      perClient: { "client-0": 0, "client-1": 0, "client-2": 0 },
    });
  });

  it("serves /metrics and the probes", async () => {
    const text = await (await fetch(`${server.url}/metrics`)).text();
    expect(text).toContain('blackout_client_polls_total{result="ok"}');
    expect(text).toContain("blackout_client_clients 3");
    expect((await call("/healthz")).body).toEqual({ alive: true });
    expect((await call("/readyz")).body).toEqual({ ready: true });
  });
});
