import { describe, expect, it } from "vitest";
import {
  fleetRunsTable,
  pollingOf,
  summarizeFleetRuns,
  type FleetRun,
} from "./fleetScaleSummary.ts";

function run(overrides: Partial<FleetRun>): FleetRun {
  return {
    clients: 100,
    pollMs: 500,
    producers: 2,
    ratePerSecond: 20,
    date: "2026-12-07T04:00:00.000Z",
    holds: true,
    pollsPerSecond: { offered: 200, completed: 200 },
    polls: { failed: 0, timeout: 0, refused: 0 },
    missing: 0,
    latency: { windowP99MsAtMost: 250, roundTripP99MsAtMost: 10 },
    cpuMsPerPoll: { clients: 0.4, gateway: 0.45, consumers: 0.7 },
    overFloor: { clients: 1.8, gateway: 1.4, consumers: 4.4 },
    cpuPercentTotals: { all: 120 },
    machineCpuPercent: 125,
    ...overrides,
  };
}

const context = { machine: { cpus: 2, memoryGiB: 24 }, node: "v24", consumers: 3, settleS: 15 };

describe("summarizeFleetRuns", () => {
  it("takes the largest holding fleet per polling, leaving out profiled and failed runs", () => {
    const summary = summarizeFleetRuns(
      [
        run({ clients: 300 }),
        run({ clients: 500, holds: false }),
        run({ clients: 400, profiled: true }),
        run({ clients: 450, othersNice: 10 }),
        run({ clients: 600, longPollMs: 2000 }),
        run({ clients: 1000, pollMs: 3000 }),
      ],
      context,
    );
    expect(summary.largestHoldingFleet).toEqual({
      "500": 300,
      "500+wait 2000": 600,
      "3000": 1000,
    });
    expect(summary.smallestHoldingPollMsFor1000).toBe(3000);
    expect(summary.runs.map((r) => r.clients)).toEqual([300, 400, 450, 500, 600, 1000]);
  });

  it("counts no long-poll run towards the poll interval 1 000 clients need", () => {
    const summary = summarizeFleetRuns([run({ clients: 1000, longPollMs: 2000 })], context);
    expect(summary.smallestHoldingPollMsFor1000).toBeNull();
  });
});

describe("fleetRunsTable", () => {
  it("shows the latest unprofiled run of each setting", () => {
    const table = fleetRunsTable([
      run({ date: "2026-12-01T00:00:00.000Z", missing: 7 }),
      run({ date: "2026-12-07T00:00:00.000Z", missing: 0 }),
      run({ date: "2026-12-08T00:00:00.000Z", profiled: true, missing: 9 }),
      run({ cpuMsPerPoll: undefined, overFloor: undefined, producers: undefined }),
    ]);
    const rows = table.trim().split("\n").slice(2);
    expect(rows).toHaveLength(2);
    expect(rows[0]).toContain("| 2026-12-07 | 100 | 500 | 2 × 20 | 200 → 200 | 0 | 0 | 250 | 10 |");
    expect(rows[0]).toContain("| 0.4 / 0.45 / 0.7 | 1.8 / 1.4 / 4.4 |");
    expect(rows[1]).toContain("| – × 20 |");
    expect(rows[1]).toContain("| – | – |");
  });

  it("adds where polls waited for the runs that measured it, and nothing for the others", () => {
    expect(fleetRunsTable([run({})])).not.toContain("Where a poll waits");
    const table = fleetRunsTable([
      run({
        clients: 300,
        waiting: {
          cpuPressurePercent: 41.5,
          runQueueMsPerSecond: { clients: 120, gateway: 80.5, consumers: 60 },
          eventLoopDelayMs: {
            clients: { p99: 30, max: 90 },
            gateway: { p99: 12, max: 40 },
            consumers: { p99: null, max: 210 },
          },
        },
      }),
    ]);
    expect(table).toContain("Where a poll waits");
    expect(table).toContain(
      "| 2026-12-07 | 300 | 500 | 10 | 41.5 | 120 / 80.5 / 60 | 30 / 12 / – | 90 / 40 / 210 |",
    );
  });

  it("names long-polling in the poll column", () => {
    expect(pollingOf({ pollMs: 500, longPollMs: 2000 })).toBe("500+wait 2000");
    expect(pollingOf({ pollMs: 500 })).toBe("500");
    expect(pollingOf({ pollMs: 500, othersNice: 10 })).toBe("500, others nice 10");
  });
});
