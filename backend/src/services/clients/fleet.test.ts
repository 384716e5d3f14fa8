import type { Counter, Histogram } from "prom-client";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ConflictError, InvalidInputError } from "../../lib/errors.ts";
import { createClientsMetrics, type ClientsMetrics } from "./clientsMetrics.ts";
import { createFleet, type Fleet, type FleetEvent, type FleetSummary } from "./fleet.ts";
import { createFakeRecordsApi, type FakeRecordsApi } from "./recordsApi.fixture.ts";

const POLL_MS = 500;
const STALL_MS = 1500;
const START = 1_000_000;

interface Harness {
  fleet: Fleet;
  api: FakeRecordsApi;
  metrics: ClientsMetrics;
  events: FleetEvent[];
  summaries: FleetSummary[];
  failures: Record<string, number>[];
}

let harness: Harness | undefined;
let producing: ReturnType<typeof setInterval> | undefined;

/**
 * A fleet against the fake records API on vitest's fake clock. `offsets` are the first randoms,
 * i.e. the clients' start offsets as shares of POLL_MS; every later random (backoff jitter) is 0.5.
 */
function startFleet(size: number, offsets: number[] = []): Harness {
  const api = createFakeRecordsApi(() => Date.now());
  const metrics = createClientsMetrics();
  const events: FleetEvent[] = [];
  const summaries: FleetSummary[] = [];
  const failures: Record<string, number>[] = [];
  const randoms = [...offsets];
  const fleet = createFleet({
    size,
    targetUrl: "http://gateway.test:8080/",
    pollMs: POLL_MS,
    stallMs: STALL_MS,
    timeoutMs: 1000,
    fetch: api.fetch,
    now: () => Date.now(),
    random: () => randoms.shift() ?? 0.5,
    metrics,
    onEvent: (event) => events.push(event),
    onSummary: (summary) => summaries.push(summary),
    onFailures: (counts) => failures.push(counts),
    faultWindowMs: 10_000,
  });
  harness = { fleet, api, metrics, events, summaries, failures };
  return harness;
}

/** Two producers, a record each every 100 ms, as long as the test runs. */
function produceSteadily(api: FakeRecordsApi): void {
  api.produce("producer-0");
  api.produce("producer-1");
  producing = setInterval(() => {
    api.produce("producer-0");
    api.produce("producer-1");
  }, 100);
}

async function count(counter: Counter | Histogram, labels: Record<string, string> = {}) {
  const { values } = await counter.get();
  return values
    .filter((value) => Object.entries(labels).every(([k, v]) => value.labels[k] === v))
    .filter((value) => {
      // A histogram's values are its buckets, sum and count: the count is what is counted.
      const name = (value as { metricName?: string }).metricName;
      return name === undefined || name.endsWith("_count");
    })
    .reduce((sum, value) => sum + value.value, 0);
}

function snapshots(fleet: Fleet) {
  return Array.from({ length: fleet.size }, (_, index) => {
    const snapshot = fleet.clientSnapshot(index);
    if (snapshot === undefined) throw new Error(`no client ${index}`);
    return snapshot;
  });
}

beforeEach(() => {
  vi.useFakeTimers({ now: START });
});
afterEach(() => {
  harness?.fleet.stop();
  harness = undefined;
  clearInterval(producing);
  vi.useRealTimers();
});

describe("createFleet", () => {
  it("polls with every client at its own offset, and the summary adds up the ledgers", async () => {
    const { fleet, api, metrics, summaries } = startFleet(5, [0, 0.1, 0.3, 0.5, 0.9]);
    produceSteadily(api);
    fleet.start();
    await vi.advanceTimersByTimeAsync(3000);

    const clients = snapshots(fleet);
    // Offsets 0, 50, 150, 250, 450 ms (plus the 1 ms a zero timer takes), then every 500 ms.
    expect(clients.map((client) => client.polls)).toEqual([6, 6, 6, 6, 6]);
    const summary = fleet.summary();
    const sum = (pick: (s: (typeof clients)[number]) => number) =>
      clients.reduce((total, client) => total + pick(client), 0);
    expect(summary).toMatchObject({
      at: START + 3000,
      clients: 5,
      polls: sum((c) => c.polls),
      failedPolls: 0,
      freshRecords: sum((c) => c.freshRecords),
      missing: 0,
      duplicates: 0,
      stalls: 0,
      stalledClients: 0,
    });
    expect(summary.polls).toBe(30);
    expect(summary.latencyP50Ms).toBeGreaterThanOrEqual(0);
    // A poll brings what was produced since the last one: up to one interval old.
    expect(summary.latencyP99Ms).toBeLessThanOrEqual(POLL_MS);
    expect(await count(metrics.polls, { result: "ok" })).toBe(30);
    expect(await count(metrics.latencySeconds)).toBeGreaterThan(0);
    expect(await count(metrics.clients)).toBe(5);
    // One summary per housekeeping second.
    expect(summaries.map((s) => s.at)).toEqual([START + 1000, START + 2000, START + 3000]);
  });

  it("keeps missing at 0 through an outage that loses no data, counting failed polls and stalls", async () => {
    const { fleet, api, metrics, events, failures } = startFleet(4, [0, 0.25, 0.5, 0.75]);
    produceSteadily(api);
    fleet.start();
    await vi.advanceTimersByTimeAsync(2000);
    expect(failures).toEqual([]);
    api.setOutage("unavailable");
    await vi.advanceTimersByTimeAsync(1000);
    api.setOutage("refused");
    await vi.advanceTimersByTimeAsync(2000);
    api.setOutage("timeout");
    await vi.advanceTimersByTimeAsync(2000);
    api.setOutage(undefined);
    await vi.advanceTimersByTimeAsync(7000);
    clearInterval(producing);
    await vi.advanceTimersByTimeAsync(1000);

    const summary = fleet.summary();
    expect(summary.missing).toBe(0);
    expect(summary.duplicates).toBe(0);
    for (const client of snapshots(fleet)) {
      expect(client.missing).toBe(0);
      expect(client.failedPolls).toBeGreaterThan(0);
      expect(client.stalls).toBe(1);
      // Caught up with everything produced during the outage.
      expect(client.producers["producer-0"]?.highest).toBe(141);
    }
    const refused = await count(metrics.polls, { result: "refused" });
    const timeout = await count(metrics.polls, { result: "timeout" });
    const failed = await count(metrics.polls, { result: "failed" });
    expect(refused).toBeGreaterThan(0);
    expect(timeout).toBeGreaterThan(0);
    expect(failed).toBeGreaterThan(0);
    expect(refused + timeout + failed).toBe(summary.failedPolls);
    // Why they failed, once a housekeeping round, adding up to the same count.
    const reasons = failures.flatMap((counts) => Object.keys(counts));
    expect(reasons.some((why) => why.startsWith("http: HTTP 503"))).toBe(true);
    expect(reasons.some((why) => why.startsWith("refused: "))).toBe(true);
    expect(reasons.some((why) => why.startsWith("timeout: no answer in"))).toBe(true);
    const counted = failures.flatMap((counts) => Object.values(counts));
    expect(counted.reduce((sum, n) => sum + n, 0)).toBe(summary.failedPolls);
    expect(await count(metrics.polls)).toBe(summary.polls);
    expect(await count(metrics.stallSeconds)).toBe(4);
    expect(await count(metrics.missingRecords)).toBe(0);

    for (const client of ["client-0", "client-1", "client-2", "client-3"]) {
      const own = events.filter((event) => event.client === client).map((event) => event.type);
      expect(own).toContain("poll-failed");
      expect(own.filter((type) => type === "stall-start")).toHaveLength(1);
      expect(own.filter((type) => type === "stall-end")).toHaveLength(1);
      expect(own).not.toContain("gap");
    }
  });

  it("counts a lost number as missing in exactly the clients that polled past it", async () => {
    // Clients 0 and 1 subscribe at 0 and 100 ms, before the loss at 200 ms; 2 and 3 after it.
    const { fleet, api, metrics, events } = startFleet(4, [0, 0.2, 0.6, 0.9]);
    api.produce("producer-0");
    fleet.start();
    await vi.advanceTimersByTimeAsync(200);
    expect(api.lose("producer-0")).toBe(2);
    api.produce("producer-0");
    await vi.advanceTimersByTimeAsync(2000);

    expect(snapshots(fleet).map((client) => client.missing)).toEqual([1, 1, 0, 0]);
    expect(fleet.summary().missing).toBe(2);
    expect(await count(metrics.missingRecords)).toBe(2);
    const gaps = events.filter((event) => event.type === "gap");
    expect(gaps).toEqual([
      {
        type: "gap",
        client: "client-0",
        at: START + 501,
        consumer: "consumer-0",
        producer: "producer-0",
        from: 2,
        to: 2,
      },
      {
        type: "gap",
        client: "client-1",
        at: START + 601,
        consumer: "consumer-0",
        producer: "producer-0",
        from: 2,
        to: 2,
      },
    ]);
  });

  it("computes each client's recovery from a fault, and how many never noticed it", async () => {
    // Phases 1, 101, 301, 451 ms: an outage over [3051, 3351) fails only clients 1 and 2.
    const { fleet, api, metrics } = startFleet(4, [0, 0.2, 0.6, 0.9]);
    produceSteadily(api);
    fleet.start();
    await vi.advanceTimersByTimeAsync(3051);
    const t0 = Date.now();
    expect(fleet.watchFault("fault-1", t0)).toEqual({ kind: "created" });
    api.setOutage("refused");
    await vi.advanceTimersByTimeAsync(150);
    expect(fleet.faultRecovery("fault-1")).toMatchObject({ recovered: 3, pending: 1 });
    await vi.advanceTimersByTimeAsync(150);
    api.setOutage(undefined);
    await vi.advanceTimersByTimeAsync(1000);

    // A failed poll, a retry 450 ms later (backoff 500 less 10 % jitter) with fresh data.
    expect(fleet.faultRecovery("fault-1")).toEqual({
      id: "fault-1",
      t0,
      at: t0 + 1300,
      clients: 4,
      recovered: 4,
      pending: 0,
      neverNoticed: 2,
      p50Ms: 0,
      p99Ms: 700,
      maxMs: 700,
      perClient: { "client-0": 0, "client-1": 500, "client-2": 700, "client-3": 0 },
    });
    expect(await count(metrics.recoverySeconds)).toBe(0);
    // The fault's window (10 s here) closes: its recovery times go into the histogram once.
    await vi.advanceTimersByTimeAsync(10_000);
    expect(await count(metrics.recoverySeconds)).toBe(4);
    const { values } = await metrics.recoverySeconds.get();
    expect(
      values.find((value) => (value as { metricName?: string }).metricName?.endsWith("_sum"))
        ?.value,
    ).toBeCloseTo(1.2);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(await count(metrics.recoverySeconds)).toBe(4);
  });

  it("closes a fault's window when the next fault begins", async () => {
    const { fleet, api, metrics } = startFleet(3);
    produceSteadily(api);
    fleet.start();
    await vi.advanceTimersByTimeAsync(2000);
    fleet.watchFault("fault-1", Date.now());
    await vi.advanceTimersByTimeAsync(2000);
    expect(await count(metrics.recoverySeconds)).toBe(0);
    fleet.watchFault("fault-2", Date.now());
    expect(await count(metrics.recoverySeconds)).toBe(3);
  });

  it("follows a fault once per id, and refuses a t0 it cannot judge", () => {
    const { fleet } = startFleet(2);
    const now = Date.now();
    expect(fleet.watchFault("f", now)).toEqual({ kind: "created" });
    expect(fleet.watchFault("f", now)).toEqual({ kind: "exists" });
    expect(() => fleet.watchFault("f", now + 1)).toThrow(
      new ConflictError(`fault "f" is already followed with t0 ${now}`),
    );
    expect(() => fleet.watchFault("old", now - 60_001)).toThrow(InvalidInputError);
    expect(() => fleet.watchFault("ahead", now + 10_001)).toThrow(InvalidInputError);
    expect(fleet.faultRecovery("old")).toBeUndefined();
    for (let i = 0; i < 16; i += 1) fleet.watchFault(`more-${i}`, now);
    // At most 16 are followed: the oldest is forgotten.
    expect(fleet.faultRecovery("f")).toBeUndefined();
    expect(fleet.faultRecovery("more-15")).toMatchObject({ clients: 2, neverNoticed: 2 });
  });

  it("notices an outage while polls hang, and stops cleanly", async () => {
    const { fleet, api, events } = startFleet(2);
    produceSteadily(api);
    fleet.start();
    await vi.advanceTimersByTimeAsync(1000);
    api.setOutage("timeout");
    await vi.advanceTimersByTimeAsync(3000);
    expect(events.filter((event) => event.type === "stall-start")).toHaveLength(2);
    expect(fleet.summary().stalledClients).toBe(2);
    fleet.stop();
    const requests = api.requests;
    await vi.advanceTimersByTimeAsync(5000);
    expect(api.requests).toBe(requests);
  });
});
