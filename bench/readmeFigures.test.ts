import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readAllResults, renderFigures, withFigures } from "./figures.ts";
import { summarizeFleetRuns, type FleetRun } from "./fleetScaleSummary.ts";

const readme = readFileSync(join(import.meta.dirname, "..", "README.md"), "utf8");

function fleetRun(clients: number, holds: boolean): FleetRun {
  return {
    clients,
    pollMs: 500,
    date: "2026-12-07T04:00:00.000Z",
    holds,
    pollsPerSecond: { offered: clients * 2, completed: clients * 2 },
    polls: { failed: 0, timeout: holds ? 0 : 9, refused: 0 },
    missing: 0,
    latency: { windowP99MsAtMost: 500 },
    cpuMsPerPoll: { clients: 0.35, gateway: 0.33, consumers: 0.46 },
    overFloor: { clients: 2.2, gateway: 1.4, consumers: 4.2 },
    cpuPercentTotals: { all: 170 },
  };
}

describe("the README's figures", () => {
  it("are what bench/results/ holds (run the benchmark again, or updateReadmeFigures)", () => {
    expect(readme).toBe(withFigures(readme, renderFigures(readAllResults())));
  });

  it("give the latest run of each fleet size, with the cost beside the bare-HTTP floor", () => {
    const fleet = summarizeFleetRuns([fleetRun(500, true), fleetRun(1000, false)], {
      machine: { cpus: 2, cpuModel: "AMD EPYC", memoryGiB: 24 },
      node: "v24",
      consumers: 3,
      settleS: 15,
    });
    const figures = renderFigures({ fleet });
    expect(figures).toContain("Measured on 2 × AMD EPYC cores, 24 GiB.");
    expect(figures).toContain(
      "| 500 held (lab 170 % CPU); 1000 did not (2000 of 2000 polls/s, 9 failed or timed out) | CPU a poll at 500: fleet 2.2×, gateway 1.4×, consumers 4.2× a bare node:http hop | 2026-12-07 |",
    );
  });

  it("say so when no fleet held", () => {
    const fleet = summarizeFleetRuns([fleetRun(1000, false)], {
      machine: { cpus: 2, memoryGiB: 24 },
      node: "v24",
      consumers: 3,
      settleS: 15,
    });
    expect(renderFigures({ fleet })).toContain(
      "| 1000 did not (2000 of 2000 polls/s, 9 failed or timed out) |",
    );
  });

  it("refuses a README without the block", () => {
    expect(() => withFigures("# no block", "x")).toThrow(/figures:start/);
  });
});
